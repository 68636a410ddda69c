"""Resources the booking tests use: the Lobeda room and a health apartment."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from custom_components.smart_quarter.booking.opening_hours import (
    parse_closures,
    parse_opening_hours,
)
from custom_components.smart_quarter.booking.rules import AppointmentRules, Resource, StayRules

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Jena
ROOM = "room"
APARTMENT = "apartment"


def room(buffer_minutes: int = 5) -> Resource:
    """TMR Lobeda: weekdays 08:00-12:00 and 13:00-16:00, 15-minute slots."""
    return Resource(
        ROOM,
        "TMR Lobeda",
        BERLIN,
        appointments=AppointmentRules(
            parse_opening_hours("Mo-Fr 08:00-12:00, 13:00-16:00"),
            slot_minutes=15,
            durations={"general_medicine": 20, "dermatology": 30, "care_counselling": 45},
            buffer_minutes=buffer_minutes,
        ),
        closed=parse_closures("2026-12-24..2026-12-26"),
    )


def apartment(cleaning_hours: float = 2) -> Resource:
    """Gesundheitswohnung 1: check-in 15:00, check-out 11:00, 2 to 28 nights."""
    return Resource(
        APARTMENT,
        "Gesundheitswohnung 1",
        BERLIN,
        stays=StayRules(
            check_in=time(15),
            check_out=time(11),
            min_nights=2,
            max_nights=28,
            cleaning_hours=cleaning_hours,
        ),
    )
