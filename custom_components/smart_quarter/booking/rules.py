"""What can be booked and how: the rules of a telemedicine room and of a health apartment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .opening_hours import OpeningHours

CONSULTATION_TYPES = ("general_medicine", "dermatology", "surgery", "care_counselling")
"""The consultations the Jena-Lobeda room offers; a site chooses its own durations."""


class ResourceKind(StrEnum):
    """A room is booked by appointment, an apartment by nights."""

    ROOM = "room"
    APARTMENT = "apartment"


@dataclass(frozen=True, slots=True)
class AppointmentRules:
    """Appointments of a telemedicine room."""

    opening_hours: OpeningHours
    slot_minutes: int
    """Free slots start every this many minutes from the opening time."""
    durations: Mapping[str, int]
    """Consultation type -> minutes; only these types can be booked."""
    buffer_minutes: int = 0
    """Time kept free after each appointment (airing, wiping the devices)."""


@dataclass(frozen=True, slots=True)
class StayRules:
    """Stays in a health apartment."""

    check_in: time
    check_out: time
    min_nights: int = 1
    max_nights: int = 28
    cleaning_hours: float = 0
    """Time kept free after each stay, beyond the gap between check-out and check-in."""


@dataclass(frozen=True, slots=True)
class Resource:
    """A bookable thing of a site: a room (appointments) or an apartment (stays)."""

    resource_id: str
    name: str
    time_zone: ZoneInfo
    appointments: AppointmentRules | None = None
    stays: StayRules | None = None
    closed: frozenset[date] = field(default_factory=frozenset)
    """Closure days and public holidays: no appointment, no arrival."""

    @property
    def kind(self) -> ResourceKind:
        """Whether it is booked by appointment or by nights."""
        return ResourceKind.ROOM if self.appointments is not None else ResourceKind.APARTMENT

    @property
    def buffer(self) -> timedelta:
        """The time kept free around each booking."""
        if self.appointments is not None:
            return timedelta(minutes=self.appointments.buffer_minutes)
        if self.stays is not None:
            return timedelta(hours=self.stays.cleaning_hours)
        return timedelta(0)

    def local(self, day: date, at: time) -> datetime:
        """Return a local wall-clock time of a date as an aware datetime."""
        return datetime.combine(day, at, tzinfo=self.time_zone)

    def stay_times(self, arrival: date, departure: date) -> tuple[datetime, datetime]:
        """Return check-in and check-out of a stay (apartments only)."""
        if self.stays is None:
            raise TypeError(self.resource_id)
        return self.local(arrival, self.stays.check_in), self.local(departure, self.stays.check_out)
