"""An apartment's stay: its mode and the energy its guest used (pure, no Home Assistant).

Modes: vacant -> prepared (housekeeping readied it; it warms up) -> occupied (a guest checked
in) -> cleaning (the guest checked out) -> vacant when the cleaning time is over. Booking
check-in and check-out drive it; staff may set any mode by hand (the same routine runs).

The energy of a stay is what the apartment's meters counted from the moment it became
occupied until it was no longer occupied; a meter that restarts from zero (replaced, reset)
does not lose what was counted before.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    energy_used: float = 0.0
    """kWh counted in earlier segments of the stay (before a meter restarted)."""
    energy_start: float | None = None
    """The meters' total when the current segment began (None: no reading yet)."""
    last_reading: float | None = None

    @property
    def stay_energy(self) -> float | None:
        """Return the kWh of the current or last stay (None before its first reading)."""
        if self.stay_started is None:
            return None
        if self.energy_start is None or self.last_reading is None:
            return self.energy_used or None
        return round(self.energy_used + self.last_reading - self.energy_start, 3)

    def enter(
        self,
        mode: ApartmentMode,
        now: datetime,
        *,
        booking_id: str | None = None,
        cleaning_hours: float = 0,
        reading: float | None = None,
    ) -> ApartmentMode:
        """Change the mode; return the mode entered (cleaning without cleaning time: vacant)."""
        if mode is ApartmentMode.CLEANING and cleaning_hours <= 0:
            mode = ApartmentMode.VACANT
        if mode is ApartmentMode.OCCUPIED:
            # A new stay begins (also when one guest follows another without a check-out).
            if self.mode is not ApartmentMode.OCCUPIED or booking_id != self.booking_id:
                self.stay_started = now
                self.energy_used = 0.0
                self.energy_start = self.last_reading = reading
            self.booking_id = booking_id
        elif self.mode is ApartmentMode.OCCUPIED:
            self.meter(reading)  # the stay's last reading
        self.cleaning_until = (
            now + timedelta(hours=cleaning_hours) if mode is ApartmentMode.CLEANING else None
        )
        self.mode = mode
        self.since = now
        return mode

    def meter(self, reading: float | None) -> bool:
        """Take the meters' total during a stay; return whether the stay's energy changed."""
        if reading is None or self.mode is not ApartmentMode.OCCUPIED:
            return False
        before = self.stay_energy
        if self.energy_start is None or self.last_reading is None:
            self.energy_start = reading
        elif reading < self.last_reading:  # the meter restarted from 0: keep what it counted
            self.energy_used += self.last_reading - self.energy_start
            self.energy_start = 0.0
        self.last_reading = reading
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
            "energy_used": self.energy_used,
            "energy_start": self.energy_start,
            "last_reading": self.last_reading,
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
                energy_used=float(data.get("energy_used") or 0.0),
                energy_start=_number(data.get("energy_start")),
                last_reading=_number(data.get("last_reading")),
            )
        except TypeError, ValueError:
            return cls()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
