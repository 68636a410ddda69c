"""Calling for help by voice through Assist: the apartment of the satellite's area."""

from __future__ import annotations

from homeassistant.components import conversation
from homeassistant.components.persistent_notification import _async_get_or_create_notifications
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.emergency.voice_phrases import answer

from ..common import collect, site_entry as make_site_entry
from .conftest import APARTMENT_ID, apartment_device_id, apartment_subentry

STATE = "sensor.gesundheitswohnung_1_alarm"
SECOND = "01JAPARTMENT00000000000002"


@pytest.fixture
async def voice_site(hass: HomeAssistant) -> MockConfigEntry:
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    entry = make_site_entry(
        with_room=False,
        subentries=[
            apartment_subentry(cancel_window=30),
            apartment_subentry(SECOND, "Wohnung 2", ("btn-2",)),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _satellite_in(hass: HomeAssistant, entry: MockConfigEntry, apartment_id: str) -> str:
    """A voice satellite device in the same area as the apartment's device."""
    area = ar.async_get(hass).async_get_or_create(f"Area {apartment_id[-1]}")
    devices = dr.async_get(hass)
    devices.async_update_device(apartment_device_id(hass, entry, apartment_id), area_id=area.id)
    satellite_entry = MockConfigEntry(domain="esphome")
    satellite_entry.add_to_hass(hass)
    satellite = devices.async_get_or_create(
        config_entry_id=satellite_entry.entry_id, identifiers={("esphome", apartment_id)}
    )
    devices.async_update_device(satellite.id, area_id=area.id)
    return satellite.id


async def _say(hass: HomeAssistant, text: str, device_id: str | None, language: str = "de") -> str:
    result = await conversation.async_converse(
        hass, text, None, Context(), language=language, device_id=device_id
    )
    return str(result.response.speech["plain"]["speech"])


async def test_help_in_german_starts_the_pre_alarm_of_the_satellites_apartment(
    hass: HomeAssistant, voice_site: MockConfigEntry
) -> None:
    satellite = _satellite_in(hass, voice_site, APARTMENT_ID)
    assert await _say(hass, "Ich brauche Hilfe", satellite) == answer("de", "called")
    assert hass.states.get(STATE).state == "pre_alarm"
    assert hass.states.get("sensor.wohnung_2_alarm").state == "idle"
    # A second call confirms it at once; a third joins.
    assert await _say(hass, "Ruf die Pflege", satellite) == answer("de", "called_now")
    assert hass.states.get(STATE).state == "active"
    assert await _say(hass, "Hilfe", satellite) == answer("de", "joined")
    [alarm] = voice_site.runtime_data.subsystems["emergency"].book.open_alarms
    assert alarm.triggers[0].source == f"voice:{satellite}"


async def test_false_alarm_cancels_the_pre_alarm(
    hass: HomeAssistant, voice_site: MockConfigEntry
) -> None:
    satellite = _satellite_in(hass, voice_site, APARTMENT_ID)
    assert await _say(hass, "Fehlalarm", satellite) == answer("de", "nothing_to_cancel")
    await _say(hass, "Hilfe", satellite)
    assert await _say(hass, "Fehlalarm", satellite) == answer("de", "cancelled")
    assert hass.states.get(STATE).state == "idle"
    await _say(hass, "Hilfe", satellite)
    await _say(hass, "Hilfe", satellite)
    assert await _say(hass, "Notruf abbrechen", satellite) == answer("de", "not_cancellable")
    assert hass.states.get(STATE).state == "active"


async def test_english_sentences(hass: HomeAssistant, voice_site: MockConfigEntry) -> None:
    satellite = _satellite_in(hass, voice_site, SECOND)
    assert await _say(hass, "I need help", satellite, "en") == answer("en", "called")
    assert hass.states.get("sensor.wohnung_2_alarm").state == "pre_alarm"
    assert await _say(hass, "false alarm", satellite, "en") == answer("en", "cancelled")


async def test_unknown_place_says_what_to_do_instead(
    hass: HomeAssistant, voice_site: MockConfigEntry
) -> None:
    """Two apartments and a satellite in no apartment's area: no guess, clear advice."""
    events = []
    hass.bus.async_listen("smart_quarter_unplaced_voice_call", collect(events))
    assert await _say(hass, "Hilfe", None) == answer("de", "no_apartment")
    await hass.async_block_till_done()
    assert len(events) == 1
    assert voice_site.runtime_data.subsystems["emergency"].book.open_alarms == []
    notice = _async_get_or_create_notifications(hass)["smart_quarter_unplaced_voice_call"]
    assert notice["title"] == "EMERGENCY call by voice could not be placed"
    assert '"Hilfe"' in notice["message"]


async def test_a_single_apartment_needs_no_area(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    entry = make_site_entry(with_room=False, subentries=[apartment_subentry(cancel_window=0)])
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await _say(hass, "Notruf", None) == answer("de", "called_now")
    assert hass.states.get(STATE).state == "active"


async def test_conversation_loaded_after_the_integration(hass: HomeAssistant) -> None:
    """The sentences are registered when the conversation integration comes later."""
    entry = make_site_entry(with_room=False, subentries=[apartment_subentry(cancel_window=0)])
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()
    assert await _say(hass, "Hilfe", None) == answer("de", "called_now")


async def test_satellite_entity_area(hass: HomeAssistant, voice_site: MockConfigEntry) -> None:
    """A satellite known by its entity (assist_satellite) gives the area too."""
    from homeassistant.helpers import entity_registry as er

    satellite_device = _satellite_in(hass, voice_site, SECOND)
    entity = er.async_get(hass).async_get_or_create(
        "assist_satellite", "esphome", "sat-2", device_id=satellite_device
    )
    result = await conversation.async_converse(
        hass, "Hilfe", None, Context(), language="de", satellite_id=entity.entity_id
    )
    assert result.response.speech["plain"]["speech"] == answer("de", "called")
    assert hass.states.get("sensor.wohnung_2_alarm").state == "pre_alarm"
