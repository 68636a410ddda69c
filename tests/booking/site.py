"""A site whose telemedicine room and health apartment take bookings, for the booking tests."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.emergency.const import SUBENTRY_TYPE_APARTMENT

from ..common import ROOM_SUBENTRY_ID, room_subentry, site_entry

APARTMENT_ID = "01JAPARTMENT00000000000001"
ROOM_BOOKING: dict[str, Any] = {
    "bookable": True,
    "opening_hours": "Mo-Fr 08:00-12:00, 13:00-16:00",
    "slot_minutes": 15,
    "consultation_types": ["general_medicine", "dermatology"],
    "general_medicine_minutes": 20,
    "dermatology_minutes": 30,
    "buffer_minutes": 5,
    "closures": "2026-12-24..2026-12-26",
    "holidays": "DE-TH",
    "start_session": True,
}
APARTMENT_STAYS: dict[str, Any] = {
    "bookable": True,
    "check_in": "15:00:00",
    "check_out": "11:00:00",
    "min_nights": 2,
    "max_nights": 28,
    "cleaning_hours": 2,
}


def bookable_site(
    room: dict[str, Any] | None = None,
    stays: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """The site with the bookable room 'TMR Lobeda' and apartment 'Gesundheitswohnung 1'."""
    apartment = ConfigSubentryData(
        subentry_id=APARTMENT_ID,
        subentry_type=SUBENTRY_TYPE_APARTMENT,
        title="Gesundheitswohnung 1",
        unique_id=None,
        data={
            CONF_NAME: "Gesundheitswohnung 1",
            "trigger_devices": [],
            "cancel_window": 30,
            "stays": {**APARTMENT_STAYS, **(stays or {})},
        },
    )
    return site_entry(
        with_room=False,
        subentries=[
            room_subentry(ROOM_SUBENTRY_ID, "TMR Lobeda", booking={**ROOM_BOOKING, **(room or {})}),
            apartment,
        ],
        options=options,
    )
