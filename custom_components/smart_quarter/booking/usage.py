"""The city's usage figures of one resource for one month (the monitoring plan's numbers)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .engine import Booking, BookingStatus
from .rules import Resource

HELD = frozenset({BookingStatus.CHECKED_IN, BookingStatus.COMPLETED})


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """What happened in a month."""

    bookings: int
    """Bookings made in the month (whenever they take place)."""
    held: int
    """Appointments held / stays begun in the month (the patient came)."""
    cancellations: int
    """Bookings cancelled in the month."""
    no_shows: int
    """Bookings in the month nobody came to."""
    utilisation: float
    """Booked share of the open time (rooms) or of the nights (apartments), in percent."""


def month_bounds(resource: Resource, day: date) -> tuple[datetime, datetime]:
    """Return the local start of the month of `day` and of the month after."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return resource.local(first, datetime.min.time()), resource.local(
        following, datetime.min.time()
    )


def month_figures(resource: Resource, bookings: Iterable[Booking], day: date) -> MonthFigures:
    """Count the month of `day` from all bookings of the resource."""
    start, end = month_bounds(resource, day)
    made = held = cancelled = missed = 0
    occupied = timedelta(0)
    for booking in bookings:
        if booking.resource_id != resource.resource_id:
            continue
        if start <= booking.created_at < end:
            made += 1
        if booking.cancelled_at is not None and start <= booking.cancelled_at < end:
            cancelled += 1
        if start <= booking.start < end:
            if booking.status in HELD:
                held += 1
            elif booking.status is BookingStatus.NO_SHOW:
                missed += 1
        if booking.occupies:
            occupied += max(timedelta(0), min(booking.end, end) - max(booking.start, start))
    available = _available(resource, start, end)
    utilisation = 0.0 if not available else min(100.0, 100 * occupied / available)
    return MonthFigures(made, held, cancelled, missed, round(utilisation, 1))


def _available(resource: Resource, start: datetime, end: datetime) -> timedelta:
    if resource.appointments is None:
        return end - start  # an apartment can be occupied day and night
    total = timedelta(0)
    day = start.date()
    while day < end.date():
        if day not in resource.closed:
            for opens, closes in resource.appointments.opening_hours.on(day):
                total += resource.local(day, closes) - resource.local(day, opens)
        day += timedelta(days=1)
    return total
