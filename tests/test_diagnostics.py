"""Diagnostics: the configuration and subsystem state, with location and addresses redacted."""

from __future__ import annotations

import json
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import ROOM_SUBENTRY_ID

REDACTED = "**REDACTED**"


async def test_diagnostics_redact_personal_data(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, loaded_site: MockConfigEntry
) -> None:
    """Coordinates and the room address never leave Home Assistant; the structure does."""
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.tmr_lobeda_in_service"}, blocking=True
    )
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_site)

    assert result["state"] == "loaded"
    entry = result["entry"]
    assert entry["title"] == "Jena-Lobeda"
    assert entry["data"] == {"name": "Jena-Lobeda", "latitude": REDACTED, "longitude": REDACTED}
    assert entry["options"] == {"mqtt_base_topic": "smart_quarter/jena_lobeda"}
    [room] = entry["subentries"]
    assert room["subentry_id"] == ROOM_SUBENTRY_ID
    assert room["data"] == {"name": "TMR Lobeda", "address": REDACTED}

    assert result["subsystems"]["telemedicine"]["rooms"][ROOM_SUBENTRY_ID]["in_service"] is False
    dumped = json.dumps(result)
    for secret in ("50.8876", "11.6134", "Karl-Marx-Allee"):
        assert secret not in dumped


async def test_diagnostics_of_a_site_that_did_not_load(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, site_entry: MockConfigEntry
) -> None:
    """A site waiting for a peer still gives its (redacted) configuration and its state."""
    site_entry.add_to_hass(hass)
    with patch(
        "custom_components.smart_quarter.telemedicine.subsystem.TelemedicineSubsystem.async_setup",
        side_effect=ConfigEntryNotReady("broker not reachable"),
    ):
        await hass.config_entries.async_setup(site_entry.entry_id)
    assert site_entry.state is ConfigEntryState.SETUP_RETRY

    result = await get_diagnostics_for_config_entry(hass, hass_client, site_entry)
    assert result["state"] == "setup_retry"
    assert result["subsystems"] == {}
    assert result["entry"]["data"]["latitude"] == REDACTED
