"""Opening hours and closure days as technicians write them, parsed into weekly intervals.

Opening hours: `Mo-Fr 08:00-12:00, 13:00-16:30; Sa 09:00-12:00` (German day names work too:
`Mo-Fr`, `Di`, `Mi`, `Do`, `Sa`, `So`). Closures: `2026-12-24; 2026-12-27..2027-01-02`.
Anything else is refused with one error type naming the problem, so a form can say what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import pairwise
import re

DAY_NAMES: dict[str, int] = {
    "mo": 0,
    "tu": 1,
    "di": 1,
    "we": 2,
    "mi": 2,
    "th": 3,
    "do": 3,
    "fr": 4,
    "sa": 5,
    "su": 6,
    "so": 6,
}
MAX_CLOSURE_DAYS = 366

_TIME_RANGE_RE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


class ScheduleError(ValueError):
    """Opening hours or closures that cannot be read; `key` names the problem."""

    def __init__(self, key: str) -> None:
        """Keep the key."""
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """The intervals a resource is open on each weekday (0 = Monday), sorted, not overlapping."""

    days: tuple[tuple[tuple[time, time], ...], ...]

    def on(self, day: date) -> tuple[tuple[time, time], ...]:
        """Return the intervals of a date's weekday."""
        return self.days[day.weekday()]

    def __str__(self) -> str:
        """Write the hours back in the form they are read from (German day names)."""
        names = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
        parts = []
        for weekday, intervals in enumerate(self.days):
            if intervals:
                ranges = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in intervals)
                parts.append(f"{names[weekday]} {ranges}")
        return "; ".join(parts)


def parse_opening_hours(text: str) -> OpeningHours:
    """Read `Mo-Fr 08:00-12:00, 13:00-16:30; Sa 09:00-12:00`."""
    days: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    rules = [rule.strip() for rule in text.split(";") if rule.strip()]
    if not rules:
        raise ScheduleError("opening_hours_empty")
    for rule in rules:
        day_part, _, time_part = rule.partition(" ")
        weekdays = _weekdays(day_part)
        ranges = [_time_range(item) for item in time_part.split(",") if item.strip()]
        if not ranges:
            raise ScheduleError("opening_hours_invalid")
        for weekday in weekdays:
            days[weekday].extend(ranges)
    for intervals in days:
        intervals.sort()
        for (_, end), (start, _) in pairwise(intervals):
            if start < end:
                raise ScheduleError("opening_hours_overlap")
    return OpeningHours(tuple(tuple(intervals) for intervals in days))


def _weekdays(text: str) -> list[int]:
    found: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ScheduleError("opening_hours_invalid")
        start = DAY_NAMES[first]
        stop = DAY_NAMES[last] if last else start
        # "Sa-Mo" wraps over the weekend.
        found.extend((start + offset) % 7 for offset in range((stop - start) % 7 + 1))
    return found


def _time_range(text: str) -> tuple[time, time]:
    match = _TIME_RANGE_RE.match(text.strip())
    if match is None:
        raise ScheduleError("opening_hours_invalid")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    try:
        start = time(h1, m1)
        # "24:00" closes at midnight.
        end = time.max if (h2, m2) == (24, 0) else time(h2, m2)
    except ValueError as err:
        raise ScheduleError("opening_hours_invalid") from err
    if end <= start:
        raise ScheduleError("opening_hours_invalid")
    return start, end


def parse_closures(text: str) -> frozenset[date]:
    """Read `2026-12-24; 2026-12-27..2027-01-02` into the set of closed dates."""
    closed: set[date] = set()
    for item in re.split(r"[;,\s]+", text.strip()):
        if not item:
            continue
        first, _, last = item.partition("..")
        try:
            start = date.fromisoformat(first)
            stop = date.fromisoformat(last) if last else start
        except ValueError as err:
            raise ScheduleError("closures_invalid") from err
        if stop < start or (stop - start).days >= MAX_CLOSURE_DAYS:
            raise ScheduleError("closures_invalid")
        closed.update(start + timedelta(days=n) for n in range((stop - start).days + 1))
    return frozenset(closed)
