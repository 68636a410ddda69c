"""A resource's booking settings as stored in its subentry, turned into booking rules.

Rooms keep them under "booking", apartments under "stays" (both added to the owner's form as a
section). Bad settings raise ScheduleError with the key of the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
import re
from typing import Any, Final
from zoneinfo import ZoneInfo

from .opening_hours import ScheduleError, parse_closures, parse_opening_hours
from .rules import CONSULTATION_TYPES, AppointmentRules, Resource, StayRules

SECTION_ROOM: Final = "booking"
SECTION_APARTMENT: Final = "stays"

CONF_BOOKABLE: Final = "bookable"
CONF_OPENING_HOURS: Final = "opening_hours"
CONF_SLOT_MINUTES: Final = "slot_minutes"
CONF_CONSULTATION_TYPES: Final = "consultation_types"
CONF_BUFFER_MINUTES: Final = "buffer_minutes"
CONF_CLOSURES: Final = "closures"
CONF_HOLIDAYS: Final = "holidays"
CONF_START_SESSION: Final = "start_session"
CONF_CHECK_IN: Final = "check_in"
CONF_CHECK_OUT: Final = "check_out"
CONF_MIN_NIGHTS: Final = "min_nights"
CONF_MAX_NIGHTS: Final = "max_nights"
CONF_CLEANING_HOURS: Final = "cleaning_hours"
CONF_GUEST_USER: Final = "guest_user"

DEFAULT_OPENING_HOURS: Final = "Mo-Fr 08:00-12:00, 13:00-16:00"
DEFAULT_HOLIDAYS: Final = "DE-TH"
DEFAULT_DURATIONS: Final = {
    "general_medicine": 20,
    "dermatology": 20,
    "surgery": 30,
    "care_counselling": 45,
}


def duration_key(consultation_type: str) -> str:
    """Return the settings key of a consultation type's duration."""
    return f"{consultation_type}_minutes"


_HOLIDAYS_RE = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")


def holiday_region(settings: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """Return (country, subdivision) whose public holidays close the resource, if any."""
    text = str(settings.get(CONF_HOLIDAYS) or "").strip().upper()
    if not text:
        return None
    if (match := _HOLIDAYS_RE.match(text)) is None:
        raise ScheduleError("holidays_invalid")
    return match.group(1), match.group(2)


def room_resource(
    resource_id: str,
    name: str,
    settings: Mapping[str, Any],
    time_zone: ZoneInfo,
    holidays: frozenset[date] = frozenset(),
) -> Resource:
    """Return the appointment rules of a telemedicine room's settings."""
    types = [t for t in settings.get(CONF_CONSULTATION_TYPES, CONSULTATION_TYPES) if t]
    if not types:
        raise ScheduleError("no_consultation_types")
    durations = {
        kind: int(settings.get(duration_key(kind), DEFAULT_DURATIONS.get(kind, 30)))
        for kind in types
    }
    return Resource(
        resource_id,
        name,
        time_zone,
        appointments=AppointmentRules(
            parse_opening_hours(str(settings.get(CONF_OPENING_HOURS, DEFAULT_OPENING_HOURS))),
            slot_minutes=int(settings.get(CONF_SLOT_MINUTES, 15)),
            durations=durations,
            buffer_minutes=int(settings.get(CONF_BUFFER_MINUTES, 5)),
        ),
        closed=parse_closures(str(settings.get(CONF_CLOSURES, ""))) | holidays,
    )


def apartment_resource(
    resource_id: str,
    name: str,
    settings: Mapping[str, Any],
    time_zone: ZoneInfo,
) -> Resource:
    """Return the stay rules of a health apartment's settings (holidays do not close it)."""
    min_nights = int(settings.get(CONF_MIN_NIGHTS, 1))
    max_nights = int(settings.get(CONF_MAX_NIGHTS, 28))
    if not 1 <= min_nights <= max_nights:
        raise ScheduleError("nights_invalid")
    return Resource(
        resource_id,
        name,
        time_zone,
        stays=StayRules(
            check_in=_time(settings.get(CONF_CHECK_IN, "15:00:00")),
            check_out=_time(settings.get(CONF_CHECK_OUT, "11:00:00")),
            min_nights=min_nights,
            max_nights=max_nights,
            cleaning_hours=float(settings.get(CONF_CLEANING_HOURS, 3)),
        ),
        closed=parse_closures(str(settings.get(CONF_CLOSURES, ""))),
    )


def _time(value: Any) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError as err:
        raise ScheduleError("time_invalid") from err
