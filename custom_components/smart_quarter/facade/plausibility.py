"""Plausibility of a sensor's readings (pure): missing, out of range, or stuck.

An implausible sensor never drives watering; it is reported as a problem instead. A reading
is out of range outside [low, high]; stuck when it has not changed by more than `tolerance`
for `stuck_after` (real soil and temperature sensors always move a little); missing when
there is no reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Implausible(StrEnum):
    """Why a reading is not used."""

    MISSING = "missing"
    OUT_OF_RANGE = "out_of_range"
    STUCK = "stuck"


@dataclass(slots=True)
class PlausibilityCheck:
    """Watches one sensor's readings over time."""

    low: float
    high: float
    stuck_after: timedelta = timedelta(hours=12)
    tolerance: float = 0.05
    _reference: float | None = None
    _reference_since: datetime | None = None
    problem: Implausible | None = None

    def update(self, value: float | None, now: datetime) -> float | None:
        """Record a reading; return it when plausible, else None (see `problem`)."""
        if value is None:
            self.problem = Implausible.MISSING
            return None
        if not self.low <= value <= self.high:
            self.problem = Implausible.OUT_OF_RANGE
            return None
        if self._reference is None or abs(value - self._reference) > self.tolerance:
            self._reference, self._reference_since = value, now
        assert self._reference_since is not None  # noqa: S101 - set with the reference
        if now - self._reference_since >= self.stuck_after:
            self.problem = Implausible.STUCK
            return None
        self.problem = None
        return value
