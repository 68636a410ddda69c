"""The room's 'In service' switch: entity data, persistence across restarts, broken storage."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.smart_quarter.const import DOMAIN

from ..conftest import ROOM_SUBENTRY_ID

IN_SERVICE = "switch.tmr_lobeda_in_service"


async def test_switch_entities(
    hass: HomeAssistant,
    site_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """All switch entities of the site, as registered and as shown."""
    site_entry.add_to_hass(hass)
    with patch("custom_components.smart_quarter.PLATFORMS", [Platform.SWITCH]):
        assert await hass.config_entries.async_setup(site_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, site_entry.entry_id)
    entry = entity_registry.async_get(IN_SERVICE)
    assert entry is not None
    assert entry.unique_id == f"{ROOM_SUBENTRY_ID}-in_service"
    assert entry.translation_key == "in_service"
    assert entry.entity_category is EntityCategory.CONFIG
    assert entry.config_subentry_id == ROOM_SUBENTRY_ID


async def test_turning_off_is_stored_and_survives_a_restart(
    hass: HomeAssistant, loaded_site: MockConfigEntry, hass_storage: dict
) -> None:
    """The state is written through to storage before it is shown, and read back on load."""
    await hass.services.async_call("switch", "turn_off", {"entity_id": IN_SERVICE}, blocking=True)
    assert hass.states.get(IN_SERVICE).state == STATE_OFF
    stored = hass_storage[f"{DOMAIN}.{loaded_site.entry_id}.telemedicine"]["data"]
    assert stored["rooms"][ROOM_SUBENTRY_ID]["in_service"] is False
    assert stored["rooms"][ROOM_SUBENTRY_ID]["changed_at"] is not None

    assert await hass.config_entries.async_reload(loaded_site.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(IN_SERVICE).state == STATE_OFF

    await hass.services.async_call("switch", "turn_on", {"entity_id": IN_SERVICE}, blocking=True)
    assert hass.states.get(IN_SERVICE).state == STATE_ON
    stored = hass_storage[f"{DOMAIN}.{loaded_site.entry_id}.telemedicine"]["data"]
    assert stored["rooms"][ROOM_SUBENTRY_ID]["in_service"] is True


async def test_switching_to_the_same_state_writes_nothing(
    hass: HomeAssistant, loaded_site: MockConfigEntry, hass_storage: dict
) -> None:
    """Turning on a room that is in service changes nothing and stores nothing."""
    await hass.services.async_call("switch", "turn_on", {"entity_id": IN_SERVICE}, blocking=True)
    assert f"{DOMAIN}.{loaded_site.entry_id}.telemedicine" not in hass_storage
    assert hass.states.get(IN_SERVICE).state == STATE_ON


async def test_broken_storage_falls_back_to_in_service(
    hass: HomeAssistant, site_entry: MockConfigEntry, hass_storage: dict
) -> None:
    """A room entry that is not an object is ignored; the site still loads."""
    hass_storage[f"{DOMAIN}.{site_entry.entry_id}.telemedicine"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{site_entry.entry_id}.telemedicine",
        "data": {"rooms": {ROOM_SUBENTRY_ID: "garbage"}},
    }
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(IN_SERVICE).state == STATE_ON


async def test_a_switch_without_attributes_has_none(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """The generic switch adds attributes only when its description reads some."""
    from custom_components.smart_quarter.switch import (
        SmartQuarterSwitch,
        SmartQuarterSwitchEntityDescription,
    )

    room = loaded_site.runtime_data.subsystems["telemedicine"].rooms[ROOM_SUBENTRY_ID]
    description = SmartQuarterSwitchEntityDescription(
        key="plain", is_on_fn=lambda _room: True, set_fn=room.__class__.async_set_in_service
    )
    switch = SmartQuarterSwitch(loaded_site, room.subentry, room, description)
    assert switch.extra_state_attributes is None
    assert switch.is_on is True
    assert switch.unique_id == f"{ROOM_SUBENTRY_ID}-plain"
