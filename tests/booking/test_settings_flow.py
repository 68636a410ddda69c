"""A technician makes a room and an apartment bookable in their own forms (booking's sections)."""

from __future__ import annotations

from typing import Any

from homeassistant.auth.models import User
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.emergency.const import SUBENTRY_TYPE_APARTMENT
from custom_components.smart_quarter.telemedicine.const import SUBENTRY_TYPE_ROOM

from ..common import site_entry


@pytest.fixture
async def site(hass: HomeAssistant) -> Any:
    """A site without subentries, set up."""
    entry = site_entry(with_room=False)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


async def _add(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str, data: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


@pytest.mark.parametrize(
    ("booking", "error"),
    [
        ({"bookable": True, "opening_hours": "Montag bis Freitag"}, "opening_hours_invalid"),
        (
            {"bookable": True, "opening_hours": "Mo 08:00-12:00, 11:00-13:00"},
            "opening_hours_overlap",
        ),
        ({"bookable": True, "closures": "24.12.2026"}, "closures_invalid"),
        ({"bookable": True, "holidays": "Thüringen"}, "holidays_invalid"),
        ({"bookable": True, "consultation_types": []}, "no_consultation_types"),
    ],
)
async def test_room_booking_settings_are_checked(
    hass: HomeAssistant, site: MockConfigEntry, booking: dict[str, Any], error: str
) -> None:
    """Settings that cannot work are refused with the reason; nothing is created."""
    result = await _add(hass, site, SUBENTRY_TYPE_ROOM, {CONF_NAME: "Crossen", "booking": booking})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert not site.subentries


async def test_a_bookable_room_gets_a_calendar(hass: HomeAssistant, site: MockConfigEntry) -> None:
    """The section is stored with whole numbers; the room gets its calendar and figures."""
    result = await _add(
        hass,
        site,
        SUBENTRY_TYPE_ROOM,
        {
            CONF_NAME: "Gemeindehaus Crossen",
            "booking": {"bookable": True, "opening_hours": "Di 09:00-12:00", "slot_minutes": 20.0},
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    booking = result["data"]["booking"]
    assert booking["slot_minutes"] == 20
    assert isinstance(booking["slot_minutes"], int)
    # Not given: open on public holidays (the form suggests DE-TH; cleared, it stays cleared).
    assert booking["holidays"] == ""
    assert hass.states.get("calendar.gemeindehaus_crossen_bookings") is not None
    assert hass.states.get("sensor.gemeindehaus_crossen_consultations_this_month").state == "0"


async def test_the_apartment_form_offers_its_guest_login(
    hass: HomeAssistant, site: MockConfigEntry, hass_read_only_user: User
) -> None:
    """The stay section lists the people of this Home Assistant; nights are checked."""
    result = await hass.config_entries.subentries.async_init(
        (site.entry_id, SUBENTRY_TYPE_APARTMENT), context={"source": SOURCE_USER}
    )
    schema = result["data_schema"].schema
    [stays] = [value for key, value in schema.items() if str(key) == "stays"]
    assert isinstance(stays, section)
    guest = next(v for k, v in stays.schema.schema.items() if str(k) == "guest_user")
    options = {option["value"] for option in guest.config["options"]}
    assert hass_read_only_user.id in options

    refused = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Wohnung 2", "stays": {"bookable": True, "min_nights": 5, "max_nights": 2}},
    )
    assert refused["errors"] == {"base": "nights_invalid"}
    created = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Wohnung 2",
            "stays": {"bookable": True, "guest_user": hass_read_only_user.id},
        },
    )
    await hass.async_block_till_done()
    assert created["type"] is FlowResultType.CREATE_ENTRY
    assert created["data"]["stays"]["guest_user"] == hass_read_only_user.id
    assert hass.states.get("calendar.wohnung_2_bookings") is not None


async def test_site_booking_options(hass: HomeAssistant, site: MockConfigEntry) -> None:
    """Retention and whether contact data is kept, on the site's options page 'Booking'."""
    result = await hass.config_entries.options.async_init(site.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "booking"}
    )
    assert result["step_id"] == "booking"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"booking_retention_days": 30, "booking_keep_contact": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site.options["booking_retention_days"] == 30
    assert site.options["booking_keep_contact"] is True
