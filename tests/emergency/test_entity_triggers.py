"""Existing Home Assistant entities as emergency triggers (binary sensors, event entities)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.emergency.const import SUBENTRY_TYPE_APARTMENT
from custom_components.smart_quarter.emergency.entity_trigger import (
    binary_sensor_calls,
    event_entity_calls,
)

from ..common import site_entry as make_site_entry
from .conftest import apartment_subentry

STATE = "sensor.gesundheitswohnung_1_alarm"
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("old", "new", "calls"),
    [
        ("off", "on", True),
        ("unavailable", "on", True),
        ("unknown", "on", True),
        (None, "on", False),  # first seen at start-up
        ("on", "on", False),
        ("on", "off", False),
        ("off", "unavailable", False),
    ],
)
def test_binary_sensor_rule(old: str | None, new: str, calls: bool) -> None:
    assert binary_sensor_calls(old, new) is calls


@pytest.mark.parametrize(
    ("old", "new", "calls"),
    [
        ("2026-11-23T02:00:00+00:00", "2026-11-23T02:59:50+00:00", True),
        (None, "2026-11-23T02:59:50+00:00", True),
        ("unknown", "2026-11-23T02:59:50+00:00", True),
        # A restored event from long ago after a restart is not a new call.
        ("unavailable", "2026-11-22T20:00:00+00:00", False),
        ("2026-11-23T02:59:50+00:00", "2026-11-23T02:59:50+00:00", False),
        ("2026-11-23T02:59:50+00:00", "unavailable", False),
        ("x", "not a time", False),
        ("x", "2026-11-23T02:59:50", False),  # no zone
        ("x", None, False),
    ],
)
def test_event_entity_rule(old: str | None, new: str | None, calls: bool) -> None:
    assert event_entity_calls(old, new, NOW) is calls


@pytest.fixture
async def entity_site(hass: HomeAssistant) -> MockConfigEntry:
    hass.states.async_set("binary_sensor.zugschnur_bad", "off")
    hass.states.async_set("event.notrufknopf", "unknown")
    apartment = apartment_subentry(cancel_window=0)
    apartment["data"] = {
        **apartment["data"],
        "trigger_entities": ["binary_sensor.zugschnur_bad", "event.notrufknopf"],
    }
    entry = make_site_entry(with_room=False, subentries=[apartment])
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_binary_sensor_turning_on_calls(
    hass: HomeAssistant, entity_site: MockConfigEntry
) -> None:
    assert hass.states.get(STATE).state == "idle"
    hass.states.async_set("binary_sensor.zugschnur_bad", "on")
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "active"
    [alarm] = entity_site.runtime_data.subsystems["emergency"].book.open_alarms
    assert alarm.triggers[0].source == "entity:binary_sensor.zugschnur_bad"


async def test_event_entity_firing_calls(hass: HomeAssistant, entity_site: MockConfigEntry) -> None:
    hass.states.async_set(
        "event.notrufknopf", dt_util.utcnow().isoformat(), {"event_type": "pressed"}
    )
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "active"
    [alarm] = entity_site.runtime_data.subsystems["emergency"].book.open_alarms
    assert (alarm.triggers[0].source, alarm.triggers[0].kind) == (
        "entity:event.notrufknopf",
        "pressed",
    )


async def test_old_event_after_restart_does_not_call(
    hass: HomeAssistant, entity_site: MockConfigEntry
) -> None:
    old = (dt_util.utcnow() - timedelta(hours=3)).isoformat()
    hass.states.async_set("event.notrufknopf", old)
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "idle"


async def test_unloaded_site_stops_listening(
    hass: HomeAssistant, entity_site: MockConfigEntry
) -> None:
    await hass.config_entries.async_unload(entity_site.entry_id)
    hass.states.async_set("binary_sensor.zugschnur_bad", "on")
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "unavailable"


async def test_flow_offers_entities_once_per_site(
    hass: HomeAssistant, entity_site: MockConfigEntry
) -> None:
    """An entity that already calls for one apartment cannot be given to another."""
    result = await hass.config_entries.subentries.async_init(
        (entity_site.entry_id, SUBENTRY_TYPE_APARTMENT), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Wohnung 2", "trigger_entities": ["binary_sensor.zugschnur_bad"]},
    )
    assert result["errors"] == {"trigger_entities": "entity_in_use"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Wohnung 2", "trigger_entities": ["event.notrufknopf"]}
    )
    assert result["errors"] == {"trigger_entities": "entity_in_use"}
    hass.states.async_set("binary_sensor.bett", "off")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Wohnung 2", "trigger_entities": ["binary_sensor.bett", "binary_sensor.bett"]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["trigger_entities"] == ["binary_sensor.bett"]


async def test_a_call_during_a_reload_is_not_lost(
    hass: HomeAssistant, entity_site: MockConfigEntry
) -> None:
    """The cord turns on while the site reloads: the reloaded site raises it, once."""
    await hass.config_entries.async_unload(entity_site.entry_id)
    hass.states.async_set("binary_sensor.zugschnur_bad", "on")
    assert await hass.config_entries.async_setup(entity_site.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "active"
    # Another reload while it is still on: the same call, not a second one.
    assert await hass.config_entries.async_reload(entity_site.entry_id)
    await hass.async_block_till_done()
    subsystem = entity_site.runtime_data.subsystems["emergency"]
    [alarm] = subsystem.book.open_alarms
    assert len(alarm.triggers) == 1
