"""Subentries through the shared framework: add, reconfigure and remove, with their devices."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.telemedicine.const import (
    CONF_ADDRESS,
    CONF_CLEAR_AFTER_SESSION,
    CONF_STETHOSCOPE,
    SUBENTRY_TYPE_ROOM,
)

from .conftest import ROOM_SUBENTRY_ID


async def _start_add(hass: HomeAssistant, entry: MockConfigEntry) -> dict:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_ROOM), context={"source": SOURCE_USER}
    )


async def test_the_site_offers_the_subsystems_subentry_types(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """The integration page lists the telemedicine room as something to add."""
    site_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(site_entry.entry_id)
    assert set(site_entry.supported_subentry_types) == {
        SUBENTRY_TYPE_ROOM,
        "apartment",
        "escalation_step",
        "facade",
        "irrigation_zone",
        "robot",
    }


async def test_add_room_creates_its_device_and_entities(
    hass: HomeAssistant,
    loaded_site: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A new room is stored trimmed, and after the reload it is a device with its switch."""
    result = await _start_add(hass, loaded_site)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: " Gemeindehaus Crossen ", CONF_ADDRESS: "  "}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Gemeindehaus Crossen"
    data = dict(result["data"])
    assert data.pop("booking")["bookable"] is False
    assert data == {
        CONF_NAME: "Gemeindehaus Crossen",
        CONF_CLEAR_AFTER_SESSION: True,
        CONF_STETHOSCOPE: False,
    }

    new_id = next(s for s in loaded_site.subentries if s != ROOM_SUBENTRY_ID)
    device = device_registry.async_get_device_by_identifier((DOMAIN, new_id), loaded_site.entry_id)
    assert device is not None
    assert device.name == "Gemeindehaus Crossen"
    assert device.config_entry_id == loaded_site.entry_id
    assert device.config_subentry_id == new_id
    site_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, loaded_site.entry_id), loaded_site.entry_id
    )
    assert site_device is not None
    assert device.via_device_id == site_device.id

    entity_id = entity_registry.async_get_entity_id("switch", DOMAIN, f"{new_id}-in_service")
    assert entity_id == "switch.gemeindehaus_crossen_in_service"
    assert hass.states.get(entity_id).state == STATE_ON


async def test_add_room_rejects_empty_and_duplicate_names(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """Names are required and unique per type within the site (ignoring case)."""
    site_entry.add_to_hass(hass)
    result = await _start_add(hass, site_entry)

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "   "}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "name_required"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "tmr LOBEDA"}
    )
    assert result["errors"] == {CONF_NAME: "name_in_use"}
    assert len(site_entry.subentries) == 1


async def test_reconfigure_room_keeps_device_and_entity(
    hass: HomeAssistant,
    loaded_site: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Renaming a room renames its device; the entity keeps its unique id and entity id."""
    entity_id = "switch.tmr_lobeda_in_service"
    assert hass.states.get(entity_id) is not None

    result = await loaded_site.start_subentry_reconfigure_flow(hass, ROOM_SUBENTRY_ID)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    suggested = {
        str(field): (field.description or {}).get("suggested_value")
        for field in result["data_schema"].schema
    }
    assert suggested == {
        CONF_NAME: "TMR Lobeda",
        CONF_ADDRESS: "Karl-Marx-Allee 28, Jena",
        CONF_CLEAR_AFTER_SESSION: None,  # not stored: the default (clear) applies
        CONF_STETHOSCOPE: None,
        "booking": None,  # booking's section: not stored yet, its defaults apply
    }

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "TMR Lobeda-West", CONF_ADDRESS: ""}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"

    subentry = loaded_site.subentries[ROOM_SUBENTRY_ID]
    assert subentry.title == "TMR Lobeda-West"
    data = dict(subentry.data)
    assert data.pop("booking")["bookable"] is False
    assert data == {
        CONF_NAME: "TMR Lobeda-West",
        CONF_CLEAR_AFTER_SESSION: True,
        CONF_STETHOSCOPE: False,
    }
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, ROOM_SUBENTRY_ID), loaded_site.entry_id
    )
    assert device is not None
    assert device.name == "TMR Lobeda-West"
    assert entity_registry.async_get(entity_id) is not None
    assert hass.states.get(entity_id).state == STATE_ON


async def test_reconfigure_room_refuses_another_rooms_name(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """A room may keep its own name but not take another room's; empty names are refused."""
    site_entry.add_to_hass(hass)
    result = await _start_add(hass, site_entry)
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Langenwolschendorf"}
    )

    result = await site_entry.start_subentry_reconfigure_flow(hass, ROOM_SUBENTRY_ID)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "langenwolschendorf"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "name_in_use"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: ""}
    )
    assert result["errors"] == {CONF_NAME: "name_required"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "tmr lobeda"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert site_entry.subentries[ROOM_SUBENTRY_ID].title == "tmr lobeda"


async def test_remove_room_removes_device_entities_and_stored_state(
    hass: HomeAssistant,
    loaded_site: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    hass_storage: dict,
) -> None:
    """Removing a subentry leaves no device, no entity and no stored room state behind."""
    entity_id = "switch.tmr_lobeda_in_service"
    await hass.services.async_call("switch", "turn_off", {"entity_id": entity_id}, blocking=True)
    storage_key = f"{DOMAIN}.{loaded_site.entry_id}.telemedicine"
    assert ROOM_SUBENTRY_ID in hass_storage[storage_key]["data"]["rooms"]

    assert hass.config_entries.async_remove_subentry(loaded_site, ROOM_SUBENTRY_ID)
    await hass.async_block_till_done()

    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, ROOM_SUBENTRY_ID), loaded_site.entry_id
        )
        is None
    )
    assert entity_registry.async_get(entity_id) is None
    assert hass.states.get(entity_id) is None
    assert hass_storage[storage_key]["data"]["rooms"] == {}
    # The site device stays.
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, loaded_site.entry_id), loaded_site.entry_id
    )


def test_clean_user_input_trims_text_and_keeps_other_values() -> None:
    """Empty optional text disappears, the name stays even when empty, numbers pass."""
    from custom_components.smart_quarter.subentry_flow import clean_user_input

    assert clean_user_input(
        {CONF_NAME: "  ", CONF_ADDRESS: "   ", "slot_minutes": 20, "note": " x "}
    ) == {CONF_NAME: "", "slot_minutes": 20, "note": "x"}


def test_a_flow_without_its_own_normalize_stores_the_cleaned_input() -> None:
    """The framework's default: cleaned input is stored as it is."""
    from custom_components.smart_quarter.subentry_flow import SiteSubentryFlow

    data = {CONF_NAME: "Raum", "nested": {"a": 1}}
    assert SiteSubentryFlow.normalize(SiteSubentryFlow(), data) is data
