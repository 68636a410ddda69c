"""A voice satellite in the guest's room that records what Home Assistant announces on it.

The satellite hardware (an ESPHome or Wyoming box with a speaker) cannot run here, so its
entity records announcements; everything between, Home Assistant's assist_satellite, tts and
assist_pipeline integrations, is real. The text-to-speech engine answers with silence: the
announcement's text is what the tests check, and Home Assistant passes it on unchanged.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.assist_pipeline import PipelineEvent
from homeassistant.components.assist_satellite import (
    AssistSatelliteAnnouncement,
    AssistSatelliteConfiguration,
    AssistSatelliteEntity,
    AssistSatelliteEntityFeature,
)
from homeassistant.components.tts import TextToSpeechEntity, TtsAudioType
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

SATELLITE_DOMAIN = "test_satellite"


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Text to speech keeps its cache in the configuration folder: a fresh one per test.

    Import it into a test module that sets up a satellite.
    """
    return hass_tmp_config_dir


class RecordingSatellite(AssistSatelliteEntity):
    """A satellite that can announce; it keeps every announcement."""

    _attr_has_entity_name = True
    _attr_name = None
    _attr_supported_features = AssistSatelliteEntityFeature.ANNOUNCE

    def __init__(self, name: str) -> None:
        """One satellite device with this name."""
        self._attr_unique_id = name
        self._attr_device_info = DeviceInfo(identifiers={(SATELLITE_DOMAIN, name)}, name=name)
        self.announcements: list[AssistSatelliteAnnouncement] = []
        self.seconds_per_announcement = 0.0
        """How long playing one takes (a real satellite blocks until it is played)."""

    def on_pipeline_event(self, event: PipelineEvent) -> None:
        """Nothing runs a pipeline on it here."""

    @callback
    def async_get_configuration(self) -> AssistSatelliteConfiguration:
        """No wake words."""
        return AssistSatelliteConfiguration(
            available_wake_words=[], active_wake_words=[], max_active_wake_words=0
        )

    async def async_set_configuration(self, config: AssistSatelliteConfiguration) -> None:
        """Nothing to set."""

    async def async_announce(self, announcement: AssistSatelliteAnnouncement) -> None:
        """Keep it, after playing it."""
        await asyncio.sleep(self.seconds_per_announcement)
        self.announcements.append(announcement)


class SilentVoice(TextToSpeechEntity):
    """Text to speech that speaks German and English silence."""

    _attr_name = "Silent voice"
    _attr_unique_id = "silent-voice"
    _attr_supported_languages = ["de", "en"]  # noqa: RUF012 - as Home Assistant declares it
    _attr_default_language = "de"

    def get_tts_audio(self, message: str, language: str, options: dict[str, Any]) -> TtsAudioType:
        """An empty sound."""
        return ("mp3", b"")


async def async_satellite_in(
    hass: HomeAssistant, area_name: str, name: str = "Sprachassistent"
) -> tuple[str, RecordingSatellite]:
    """Set up the voice stack and a satellite device in an area; return its device id and it."""
    satellite = RecordingSatellite(name)

    async def _setup_satellites(
        _hass: HomeAssistant, _entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([satellite])

    async def _setup_voice(
        _hass: HomeAssistant, _entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([SilentVoice()])

    async def _setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        # The voice first: the default pipeline, made with the satellites, takes it.
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.TTS])
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.ASSIST_SATELLITE])
        return True

    mock_integration(hass, MockModule(SATELLITE_DOMAIN, async_setup_entry=_setup_entry))
    mock_platform(hass, f"{SATELLITE_DOMAIN}.config_flow")
    mock_platform(
        hass,
        f"{SATELLITE_DOMAIN}.assist_satellite",
        MockPlatform(async_setup_entry=_setup_satellites),
    )
    mock_platform(hass, f"{SATELLITE_DOMAIN}.tts", MockPlatform(async_setup_entry=_setup_voice))
    entry = MockConfigEntry(domain=SATELLITE_DOMAIN)
    entry.add_to_hass(hass)
    with mock_config_flow(SATELLITE_DOMAIN, ConfigFlow):
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    devices = dr.async_get(hass)
    device = devices.async_get_device_by_identifier((SATELLITE_DOMAIN, name), entry.entry_id)
    assert device is not None
    area = ar.async_get(hass).async_get_or_create(area_name)
    devices.async_update_device(device.id, area_id=area.id)
    return device.id, satellite
