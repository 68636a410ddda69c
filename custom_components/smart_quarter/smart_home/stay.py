"""An apartment's stay: its mode and the energy its guest used (pure, no Home Assistant).

Modes: vacant -> prepared (housekeeping readied it; it warms up) -> occupied (a guest checked
in) -> cleaning (the guest checked out) -> vacant when the cleaning time is over. Booking
check-in and check-out drive it; staff may set any mode by hand (the same routine runs).

The energy of a stay is what the apartment's meters counted from the moment it became
occupied until it was no longer occupied, per meter: a meter that restarts from zero
(replaced, reset) does not lose what it counted before, a meter added during the stay counts
from its first reading, and a small dip of a reading is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class ApartmentMode(StrEnum):
    """What the apartment is used for now."""

    VACANT = "vacant"
    PREPARED = "prepared"
    OCCUPIED = "occupied"
    CLEANING = "cleaning"


@dataclass(slots=True)
class MeterCount:
    """What one meter counted during a stay."""

    start: float
    """Its reading when the stay began (or when it restarted from zero: 0)."""
    last: float
    used: float = 0.0
    """kWh it counted before it restarted from zero."""

    @property
    def energy(self) -> float:
        """Return the kWh this meter counted in the stay."""
        return self.used + self.last - self.start

    def take(self, reading: float) -> None:
        """Take a new reading.

        Higher counts; a drop below half is a restart from zero (a replaced or reset meter);
        a small dip is noise and ignored.
        """
        if reading >= self.last:
            self.last = reading
        elif reading < self.last / 2:
            self.used += self.last - self.start
            self.start, self.last = 0.0, reading


@dataclass(slots=True)
class Stay:
    """An apartment's mode and the energy of its current (or last) stay."""

    mode: ApartmentMode = ApartmentMode.VACANT
    since: datetime | None = None
    """When the mode began."""
    booking_id: str | None = None
    """The booking whose guest is (or was last) in the apartment; None when set by hand."""
    cleaning_until: datetime | None = None
    stay_started: datetime | None = None
    """When the current or last stay began (its energy counts from then)."""
    meters: dict[str, MeterCount] = field(default_factory=dict)
    """Meter (device id) -> what it counted in the current or last stay."""
    routine_pending: bool = False
    """The mode's routine has not reached the devices yet (runs when they can be reached)."""

    @property
    def stay_energy(self) -> float | None:
        """Return the kWh of the current or last stay (None before its first reading)."""
        if self.stay_started is None or not self.meters:
            return None
        return round(sum(meter.energy for meter in self.meters.values()), 3)

    def ends_with(self, booking_id: str | None) -> bool:
        """Whether a check-out of this booking ends what the apartment is in now.

        Not when another guest checked in since (the earlier guest's late check-out).
        """
        return (
            self.mode is not ApartmentMode.OCCUPIED
            or self.booking_id is None
            or booking_id == self.booking_id
        )

    def enter(
        self,
        mode: ApartmentMode,
        now: datetime,
        *,
        booking_id: str | None = None,
        cleaning_hours: float = 0,
        readings: Mapping[str, float] | None = None,
    ) -> ApartmentMode:
        """Change the mode; return the mode entered (cleaning without cleaning time: vacant)."""
        if mode is ApartmentMode.CLEANING and cleaning_hours <= 0:
            mode = ApartmentMode.VACANT
        readings = readings or {}
        if mode is ApartmentMode.OCCUPIED:
            # A new stay begins, unless this is the same one (occupied again by hand, or the
            # same booking's event twice); another booking's guest is a new stay.
            if self.mode is not ApartmentMode.OCCUPIED or (
                booking_id is not None and booking_id != self.booking_id
            ):
                self.stay_started = now
                self.meters = {key: MeterCount(value, value) for key, value in readings.items()}
                self.booking_id = booking_id
            else:
                self.meter(readings)
        elif self.mode is ApartmentMode.OCCUPIED:
            self.meter(readings)  # the stay's last readings
        self.cleaning_until = (
            now + timedelta(hours=cleaning_hours) if mode is ApartmentMode.CLEANING else None
        )
        self.mode = mode
        self.since = now
        return mode

    def meter(self, readings: Mapping[str, float]) -> bool:
        """Take the meters' readings during a stay; return whether the stay's energy changed."""
        if self.mode is not ApartmentMode.OCCUPIED:
            return False
        before = self.stay_energy
        for key, value in readings.items():
            if (count := self.meters.get(key)) is None:
                self.meters[key] = MeterCount(value, value)  # it counts from its first reading
            else:
                count.take(value)
        return self.stay_energy != before

    def cleaning_over(self, now: datetime) -> bool:
        """Whether the apartment is being cleaned and its cleaning time is over."""
        return (
            self.mode is ApartmentMode.CLEANING
            and self.cleaning_until is not None
            and now >= self.cleaning_until
        )

    def as_dict(self) -> dict[str, Any]:
        """Return it for storage."""
        return {
            "mode": self.mode.value,
            "since": _iso(self.since),
            "booking_id": self.booking_id,
            "cleaning_until": _iso(self.cleaning_until),
            "stay_started": _iso(self.stay_started),
            "meters": {key: asdict(count) for key, count in self.meters.items()},
            "routine_pending": self.routine_pending,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stay:
        """Return a stored stay (unknown or broken values: a vacant apartment's defaults)."""
        try:
            return cls(
                mode=ApartmentMode(data.get("mode", ApartmentMode.VACANT)),
                since=_time(data.get("since")),
                booking_id=data.get("booking_id"),
                cleaning_until=_time(data.get("cleaning_until")),
                stay_started=_time(data.get("stay_started")),
                meters={
                    str(key): MeterCount(
                        float(count["start"]), float(count["last"]), float(count["used"])
                    )
                    for key, count in (data.get("meters") or {}).items()
                },
                routine_pending=bool(data.get("routine_pending", False)),
            )
        except TypeError, ValueError, KeyError:
            return cls()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
