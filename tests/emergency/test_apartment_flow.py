"""The apartment subentry flow: trigger devices, cancel window, and their checks."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.emergency.const import (
    CONF_CANCEL_WINDOW,
    CONF_TRIGGER_DEVICES,
    SUBENTRY_TYPE_APARTMENT,
)

from .conftest import APARTMENT_ID


async def _add(hass: HomeAssistant, entry: MockConfigEntry, data: dict) -> dict:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_APARTMENT), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


async def test_add_apartment(hass: HomeAssistant, site_entry: MockConfigEntry) -> None:
    site_entry.add_to_hass(hass)
    result = await _add(
        hass,
        site_entry,
        {
            CONF_NAME: "Gesundheitswohnung 2",
            CONF_TRIGGER_DEVICES: [" btn-7 ", "", "fall-7"],
            CONF_CANCEL_WINDOW: 15.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = dict(result["data"])
    # Booking adds its section to the form; untouched, it stores its defaults (not bookable).
    assert data.pop("stays")["bookable"] is False
    # Not linked to a gateway; the stay temperatures are the smart home section's defaults.
    assert "gateway_apartment" not in data.pop("smart_home")
    assert data == {
        CONF_NAME: "Gesundheitswohnung 2",
        CONF_TRIGGER_DEVICES: ["btn-7", "fall-7"],
        "trigger_entities": [],
        CONF_CANCEL_WINDOW: 15,
        "supervision_hours": 24,
    }


async def test_defaults_need_only_a_name(hass: HomeAssistant, site_entry: MockConfigEntry) -> None:
    site_entry.add_to_hass(hass)
    result = await _add(hass, site_entry, {CONF_NAME: "Wohnung 3.12"})
    data = dict(result["data"])
    assert data.pop("stays")["bookable"] is False
    assert data.pop("smart_home") == {"comfort_temperature": 21.5, "setback_temperature": 17.0}
    assert data == {
        CONF_NAME: "Wohnung 3.12",
        CONF_TRIGGER_DEVICES: [],
        "trigger_entities": [],
        CONF_CANCEL_WINDOW: 30,
        "supervision_hours": 24,
    }


async def test_device_checks(hass: HomeAssistant, site_entry: MockConfigEntry) -> None:
    """Ids must be topic-safe, listed once, and not belong to another apartment."""
    site_entry.add_to_hass(hass)
    for devices, error in (
        (["bad id"], "invalid_device_id"),
        (["a/b"], "invalid_device_id"),
        (["x1", "x1"], "device_in_use"),
        (["cord-1"], "device_in_use"),  # belongs to Gesundheitswohnung 1
    ):
        result = await _add(hass, site_entry, {CONF_NAME: "Neu", CONF_TRIGGER_DEVICES: devices})
        assert result["type"] is FlowResultType.FORM, devices
        assert result["errors"] == {CONF_TRIGGER_DEVICES: error}, devices


async def test_reconfigure_keeps_its_own_devices(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    site_entry.add_to_hass(hass)
    result = await site_entry.start_subentry_reconfigure_flow(hass, APARTMENT_ID)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Gesundheitswohnung 1",
            CONF_TRIGGER_DEVICES: ["btn-1", "cord-1", "fall-1"],
            CONF_CANCEL_WINDOW: 0,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert site_entry.subentries[APARTMENT_ID].data[CONF_TRIGGER_DEVICES] == [
        "btn-1",
        "cord-1",
        "fall-1",
    ]
    assert site_entry.subentries[APARTMENT_ID].data[CONF_CANCEL_WINDOW] == 0


async def test_own_sia_account(hass: HomeAssistant, site_entry: MockConfigEntry) -> None:
    """An apartment may have its own subscriber account at the receiving centre (hex)."""
    site_entry.add_to_hass(hass)
    result = await _add(hass, site_entry, {CONF_NAME: "Wohnung 4", "sia_account": "XY"})
    assert result["errors"] == {"sia_account": "sia_invalid_account"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Wohnung 4", "sia_account": " c0fe "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["sia_account"] == "C0FE"
