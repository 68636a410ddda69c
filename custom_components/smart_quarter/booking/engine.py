"""The booking engine: free slots, book, reschedule, cancel, check-in/out - never an overlap.

Pure and synchronous: every change is checked and applied in one call, so callers on one event
loop can never interleave two bookings of the same time. Each resource keeps its bookings as
sorted, non-overlapping intervals (the buffer is added when checking, so a technician may change
it later without breaking the index); a conflict check is two binary searches.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
import re
import secrets
from typing import Any

from .rules import Resource, ResourceKind

CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY34679"
"""Booking codes avoid letters and digits that look alike (0/O, 1/I/L, 2/Z, 5/S, 8/B)."""
CODE_LENGTH = 6
MAX_CONTACT_LENGTH = 100
MAX_SLOTS = 500
MIN_LENGTH = timedelta(minutes=1)

_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,63}$")


class BookingError(ValueError):
    """A refused booking change; `key` names it for a translated message."""

    def __init__(self, key: str) -> None:
        """Keep the key."""
        super().__init__(key)
        self.key = key


class BookingStatus(StrEnum):
    """Where a booking stands."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


ACTIVE = frozenset({BookingStatus.BOOKED, BookingStatus.CHECKED_IN})


@dataclass(slots=True)
class Booking:
    """An appointment in a room or a stay in an apartment."""

    booking_id: str
    resource_id: str
    start: datetime
    end: datetime
    code: str
    """The patient's booking code or pseudonym - never a name."""
    created_at: datetime
    consultation_type: str | None = None
    contact: str | None = None
    """The minimum contact data the site keeps (a phone number), or nothing."""
    status: BookingStatus = BookingStatus.BOOKED
    changed_at: datetime | None = None
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    purged: bool = False
    """Personal data (code, contact) removed after the retention time."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Stored fields this version does not know (written by a newer one): kept, written back."""

    @property
    def occupies(self) -> bool:
        """Cancelled bookings free their time; all others keep it."""
        return self.status is not BookingStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A time that can be booked."""

    start: datetime
    end: datetime


@dataclass(slots=True)
class _Timeline:
    """The occupied intervals of one resource, sorted by start (and so by end).

    Kept as POSIX timestamps: comparing floats is what the free-slot search does thousands of
    times, and aware datetimes of different zones would each need their offsets looked up.
    """

    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    def conflict(self, start: datetime, end: datetime, buffer: timedelta) -> int | None:
        """Return the index of the first interval closer than `buffer` to [start, end)."""
        return self.conflict_at(start.timestamp(), end.timestamp(), buffer.total_seconds())

    def conflict_at(self, start: float, end: float, buffer: float) -> int | None:
        """Like conflict, in timestamps and seconds."""
        index = bisect_right(self.ends, start - buffer)
        if index < len(self.starts) and self.starts[index] < end + buffer:
            return index
        return None

    def add(self, booking: Booking) -> None:
        start = booking.start.timestamp()
        index = bisect_left(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, booking.end.timestamp())
        self.ids.insert(index, booking.booking_id)

    def remove(self, booking: Booking) -> None:
        index = bisect_left(self.starts, booking.start.timestamp())
        while self.ids[index] != booking.booking_id:
            index += 1
        del self.starts[index], self.ends[index], self.ids[index]

    def between(self, start: datetime, end: datetime) -> Iterator[str]:
        """Yield the ids of intervals that touch [start, end)."""
        index = bisect_right(self.ends, start.timestamp())
        limit = end.timestamp()
        while index < len(self.starts) and self.starts[index] < limit:
            yield self.ids[index]
            index += 1


class BookingBook:
    """All bookings of a site."""

    def __init__(self, resources: Mapping[str, Resource] | None = None) -> None:
        """Start empty; resources can be replaced later (a technician changed the rules)."""
        self.resources: dict[str, Resource] = dict(resources or {})
        self._bookings: dict[str, Booking] = {}
        self._timelines: dict[str, _Timeline] = {}
        self._codes: Counter[str] = Counter()
        """Codes in use and by how many bookings (a stay and its appointments share one)."""

    # Reading --------------------------------------------------------------------------------

    def get(self, booking_id: str) -> Booking:
        """Return a booking (BookingError 'booking_not_found')."""
        if (booking := self._bookings.get(booking_id)) is None:
            raise BookingError("booking_not_found")
        return booking

    def __iter__(self) -> Iterator[Booking]:
        """Every booking, cancelled and past ones included."""
        return iter(list(self._bookings.values()))

    def __len__(self) -> int:
        """How many bookings there are."""
        return len(self._bookings)

    def between(self, resource_id: str, start: datetime, end: datetime) -> list[Booking]:
        """Return the bookings of a resource that occupy time in [start, end), by start."""
        timeline = self._timelines.get(resource_id)
        if timeline is None:
            return []
        return [self._bookings[booking_id] for booking_id in timeline.between(start, end)]

    def by_code(self, code: str) -> list[Booking]:
        """Return the bookings made under a booking code (case-insensitive), by start."""
        wanted = code.strip().casefold()
        return sorted(
            (b for b in self._bookings.values() if not b.purged and b.code.casefold() == wanted),
            key=lambda booking: booking.start,
        )

    # Searching ------------------------------------------------------------------------------

    def find_free_slots(  # noqa: PLR0913 - the search's criteria, named
        self,
        resource_id: str,
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        consultation_type: str | None = None,
        nights: int | None = None,
        limit: int = MAX_SLOTS,
    ) -> list[FreeSlot]:
        """Return bookable times in [start, end), earliest first, at most `limit`."""
        resource = self._resource(resource_id)
        start = max(start, now)
        limit = max(1, min(limit, MAX_SLOTS))
        if resource.kind is ResourceKind.ROOM:
            duration = self._duration(resource, consultation_type)
            return list(_take(self._free_appointments(resource, start, end, duration), limit))
        if nights is None:
            nights = resource.stays.min_nights if resource.stays else 1
        self._check_nights(resource, nights)
        return list(_take(self._free_stays(resource, start, end, nights), limit))

    def _free_appointments(
        self, resource: Resource, start: datetime, end: datetime, duration: timedelta
    ) -> Iterator[FreeSlot]:
        rules = resource.appointments
        if rules is None:
            return
        # In seconds since the epoch: an opening range's start and end are local wall-clock
        # times (DST handled there); inside a range slots are a fixed number of seconds apart.
        slot = rules.slot_minutes * 60.0
        length = duration.total_seconds()
        buffer = resource.buffer.total_seconds()
        window_start, window_end = start.timestamp(), end.timestamp()
        timeline = self._timelines.get(resource.resource_id, _Timeline())
        day = start.astimezone(resource.time_zone).date()
        last_day = end.astimezone(resource.time_zone).date()
        zone = resource.time_zone
        while day <= last_day:
            if day not in resource.closed:
                for opens, closes in rules.opening_hours.on(day):
                    first = resource.local(day, opens).timestamp()
                    close = resource.local(day, closes).timestamp()
                    candidate = first + _ceil_seconds(window_start - first, slot)
                    while candidate + length <= close and candidate < window_end:
                        hit = timeline.conflict_at(candidate, candidate + length, buffer)
                        if hit is None:
                            at = datetime.fromtimestamp(candidate, zone)
                            yield FreeSlot(at, at + duration)
                            candidate += slot
                        else:
                            free_from = timeline.ends[hit] + buffer
                            candidate = first + _ceil_seconds(free_from - first, slot)
            day += timedelta(days=1)

    def _free_stays(
        self, resource: Resource, start: datetime, end: datetime, nights: int
    ) -> Iterator[FreeSlot]:
        timeline = self._timelines.get(resource.resource_id, _Timeline())
        # A guest may still arrive today after the check-in time (the apartment is ready).
        arrival = start.astimezone(resource.time_zone).date()
        last = end.astimezone(resource.time_zone).date()
        while arrival <= last:
            check_in, check_out = resource.stay_times(arrival, arrival + timedelta(days=nights))
            if (
                arrival not in resource.closed
                and check_in < end
                and timeline.conflict(check_in, check_out, resource.buffer) is None
            ):
                yield FreeSlot(check_in, check_out)
            arrival += timedelta(days=1)

    # Changing -------------------------------------------------------------------------------

    def book_appointment(  # noqa: PLR0913 - what, when, for whom
        self,
        resource_id: str,
        start: datetime,
        consultation_type: str,
        now: datetime,
        *,
        code: str | None = None,
        contact: str | None = None,
    ) -> Booking:
        """Book an appointment of a consultation type at `start`."""
        resource = self._resource(resource_id, ResourceKind.ROOM)
        end = start + self._duration(resource, consultation_type)
        self._check_appointment_time(resource, start, end, now)
        return self._insert(
            Booking(
                booking_id=secrets.token_hex(8),
                resource_id=resource_id,
                start=start,
                end=end,
                code=self._code(code),
                created_at=now,
                consultation_type=consultation_type,
                contact=_contact(contact),
            )
        )

    def book_stay(  # noqa: PLR0913 - what, when, for whom
        self,
        resource_id: str,
        arrival: date,
        departure: date,
        now: datetime,
        *,
        code: str | None = None,
        contact: str | None = None,
    ) -> Booking:
        """Book the nights from `arrival` to `departure` (check-in and check-out times apply)."""
        resource = self._resource(resource_id, ResourceKind.APARTMENT)
        start, end = self._stay_times(resource, arrival, departure, now)
        return self._insert(
            Booking(
                booking_id=secrets.token_hex(8),
                resource_id=resource_id,
                start=start,
                end=end,
                code=self._code(code),
                created_at=now,
                contact=_contact(contact),
            )
        )

    def reschedule_appointment(
        self,
        booking_id: str,
        start: datetime,
        now: datetime,
        consultation_type: str | None = None,
    ) -> Booking:
        """Move an appointment (and optionally change its type); all or nothing."""
        booking = self._changeable(booking_id, now)
        resource = self._resource(booking.resource_id, ResourceKind.ROOM)
        kind = consultation_type or booking.consultation_type or ""
        end = start + self._duration(resource, kind)
        return self._move(booking, resource, start, end, now, consultation_type=kind)

    def reschedule_stay(
        self, booking_id: str, arrival: date, departure: date, now: datetime
    ) -> Booking:
        """Move a stay to other nights; all or nothing."""
        booking = self._changeable(booking_id, now)
        resource = self._resource(booking.resource_id, ResourceKind.APARTMENT)
        start, end = self._stay_times(resource, arrival, departure, now)
        return self._move(booking, resource, start, end, now)

    def cancel(self, booking_id: str, now: datetime) -> Booking:
        """Cancel a booking that has not started to be used; its time becomes free."""
        booking = self.get(booking_id)
        if booking.status is not BookingStatus.BOOKED:
            raise BookingError("booking_not_cancellable")
        self._timelines[booking.resource_id].remove(booking)
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = booking.changed_at = now
        return booking

    def check_in(self, booking_id: str, now: datetime) -> Booking:
        """Mark the patient arrived (an appointment) or the guest moved in (a stay)."""
        booking = self.get(booking_id)
        if booking.status is not BookingStatus.BOOKED:
            raise BookingError("booking_not_open")
        if now >= booking.end:
            raise BookingError("booking_over")
        resource = self._resource(booking.resource_id)
        # An apartment is ready on the arrival day; an appointment an hour before its start.
        earliest = (
            booking.start - timedelta(hours=1)
            if resource.kind is ResourceKind.ROOM
            else resource.local(booking.start.astimezone(resource.time_zone).date(), _MIDNIGHT)
        )
        if now < earliest:
            raise BookingError("check_in_too_early")
        booking.status = BookingStatus.CHECKED_IN
        booking.checked_in_at = booking.changed_at = now
        return booking

    def check_out(self, booking_id: str, now: datetime) -> Booking:
        """Mark the guest gone (or the consultation over); an early check-out frees the rest."""
        booking = self.get(booking_id)
        if booking.status is not BookingStatus.CHECKED_IN:
            raise BookingError("booking_not_checked_in")
        if now < booking.end:
            # Leaving early frees the rest; an interval never shrinks to nothing (a zero-length
            # interval would break the timeline's order of ends).
            timeline = self._timelines[booking.resource_id]
            timeline.remove(booking)
            booking.end = max(now, booking.start + MIN_LENGTH)
            timeline.add(booking)
        booking.status = BookingStatus.COMPLETED
        booking.checked_out_at = booking.changed_at = now
        return booking

    def settle(self, now: datetime) -> list[Booking]:
        """Close bookings whose time is over: unused ones are no-shows, used appointments end.

        A checked-in stay stays open until the guest checks out. Returns what changed.
        """
        changed: list[Booking] = []
        for booking in self._bookings.values():
            if booking.end > now:
                continue
            if booking.status is BookingStatus.BOOKED:
                booking.status = BookingStatus.NO_SHOW
            elif (
                booking.status is BookingStatus.CHECKED_IN
                and self.resources.get(booking.resource_id) is not None
                and self.resources[booking.resource_id].kind is ResourceKind.ROOM
            ):
                booking.status = BookingStatus.COMPLETED
            else:
                continue
            booking.changed_at = now
            changed.append(booking)
        return changed

    def purge(self, now: datetime, retention: timedelta) -> int:
        """Remove the code and contact of bookings that ended more than `retention` ago.

        What remains (times, type, status) still counts in the usage figures. Returns how many
        bookings were purged.
        """
        count = 0
        for booking in self._bookings.values():
            if booking.purged or booking.status in ACTIVE or booking.end + retention > now:
                continue
            self._release_code(booking.code)
            booking.code = ""
            booking.contact = None
            booking.purged = True
            count += 1
        return count

    # Restoring ------------------------------------------------------------------------------

    def restore(self, bookings: Iterable[Booking]) -> list[Booking]:
        """Load stored bookings; return those that overlap an earlier one and were left out.

        The engine never stores overlapping bookings; storage edited by hand might. The caller
        keeps what is returned (it is not lost) and says so.
        """
        dropped: list[Booking] = []
        for booking in sorted(bookings, key=lambda item: item.created_at):
            if booking.occupies:
                timeline = self._timelines.setdefault(booking.resource_id, _Timeline())
                if timeline.conflict(booking.start, booking.end, timedelta(0)) is not None:
                    dropped.append(booking)
                    continue
                timeline.add(booking)
            self._bookings[booking.booking_id] = booking
            self._codes[booking.code] += 1
        return dropped

    # Internals ------------------------------------------------------------------------------

    def _resource(self, resource_id: str, kind: ResourceKind | None = None) -> Resource:
        resource = self.resources.get(resource_id)
        if resource is None or (kind is not None and resource.kind is not kind):
            raise BookingError("resource_not_bookable")
        return resource

    @staticmethod
    def _duration(resource: Resource, consultation_type: str | None) -> timedelta:
        rules = resource.appointments
        if rules is None or consultation_type is None or consultation_type not in rules.durations:
            raise BookingError("unknown_consultation_type")
        return timedelta(minutes=rules.durations[consultation_type])

    @staticmethod
    def _check_nights(resource: Resource, nights: int) -> None:
        rules = resource.stays
        if rules is None or not rules.min_nights <= nights <= rules.max_nights:
            raise BookingError("nights_out_of_range")

    def _check_appointment_time(
        self, resource: Resource, start: datetime, end: datetime, now: datetime
    ) -> None:
        if start.tzinfo is None:
            raise BookingError("time_without_zone")
        if start < now:
            raise BookingError("in_the_past")
        local_day = start.astimezone(resource.time_zone).date()
        if local_day in resource.closed:
            raise BookingError("closed_that_day")
        rules = resource.appointments
        if rules is None or not any(
            resource.local(local_day, opens) <= start and end <= resource.local(local_day, closes)
            for opens, closes in rules.opening_hours.on(local_day)
        ):
            raise BookingError("outside_opening_hours")

    def _stay_times(
        self, resource: Resource, arrival: date, departure: date, now: datetime
    ) -> tuple[datetime, datetime]:
        self._check_nights(resource, (departure - arrival).days)
        if arrival in resource.closed:
            raise BookingError("closed_that_day")
        if arrival < now.astimezone(resource.time_zone).date():
            raise BookingError("in_the_past")
        return resource.stay_times(arrival, departure)

    def _changeable(self, booking_id: str, now: datetime) -> Booking:
        booking = self.get(booking_id)
        if booking.status is not BookingStatus.BOOKED or booking.start < now:
            raise BookingError("booking_not_changeable")
        return booking

    def _move(  # noqa: PLR0913 - the booking and its new time
        self,
        booking: Booking,
        resource: Resource,
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        consultation_type: str | None = None,
    ) -> Booking:
        if resource.kind is ResourceKind.ROOM:
            self._check_appointment_time(resource, start, end, now)
        timeline = self._timelines[booking.resource_id]
        timeline.remove(booking)
        # The booking's own old time does not count against it; on conflict nothing changes.
        if timeline.conflict(start, end, resource.buffer) is not None:
            timeline.add(booking)
            raise BookingError("slot_taken")
        booking.start, booking.end = start, end
        if consultation_type is not None:
            booking.consultation_type = consultation_type
        booking.changed_at = now
        timeline.add(booking)
        return booking

    def _insert(self, booking: Booking) -> Booking:
        resource = self._resource(booking.resource_id)
        timeline = self._timelines.setdefault(booking.resource_id, _Timeline())
        if timeline.conflict(booking.start, booking.end, resource.buffer) is not None:
            raise BookingError("slot_taken")
        timeline.add(booking)
        self._bookings[booking.booking_id] = booking
        self._codes[booking.code] += 1
        return booking

    def _release_code(self, code: str) -> None:
        self._codes[code] -= 1
        if self._codes[code] <= 0:
            del self._codes[code]

    def _code(self, code: str | None) -> str:
        if code is None or not code.strip():
            while (new := "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))) in (
                self._codes
            ):
                pass
            return new
        code = code.strip()
        if not _CODE_RE.match(code):
            raise BookingError("invalid_code")
        return code


_MIDNIGHT = datetime.min.time()


def _contact(contact: str | None) -> str | None:
    contact = (contact or "").strip()
    if len(contact) > MAX_CONTACT_LENGTH:
        raise BookingError("contact_too_long")
    return contact or None


def _ceil_seconds(span: float, step: float) -> float:
    """Round seconds up to whole steps (never below zero)."""
    if span <= 0:
        return 0.0
    return -(-span // step) * step


def _take[T](items: Iterator[T], limit: int) -> Iterator[T]:
    for count, item in enumerate(items):
        if count >= limit:
            return
        yield item
