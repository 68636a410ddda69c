"""Supervision of trigger devices (EN 50134-2: heard from at least every 24 h), pure rules.

A device counts as silent when it has not been heard within its interval since it was last
heard, or since supervision of it began (so a newly added device gets a full interval).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

LOW_BATTERY_CLEARS_ABOVE = 20


@dataclass(slots=True)
class DeviceSupervision:
    """What is known about one trigger device's signs of life."""

    device_id: str
    interval: timedelta
    watched_since: datetime
    last_seen: datetime | None = None
    battery: int | None = None
    battery_low: bool = False

    def heard(self, now: datetime, battery: int | None, battery_low: bool) -> None:
        """Record a message of the device (any message is a sign of life)."""
        self.last_seen = now
        if battery is not None:
            self.battery = battery
        if battery_low:
            self.battery_low = True
        elif battery is not None and battery > LOW_BATTERY_CLEARS_ABOVE:
            # A fresh battery clears the warning; a report without level keeps it.
            self.battery_low = False

    def silent_since(self) -> datetime:
        """Return the moment from which the device's silence is measured."""
        return self.last_seen or self.watched_since

    def is_silent(self, now: datetime) -> bool:
        """Tell whether the device has not been heard within its interval."""
        return now >= self.silent_since() + self.interval

    def as_dict(self) -> dict[str, Any]:
        """Serialise what must survive a restart (the interval comes from the configuration)."""
        return {
            "watched_since": self.watched_since.isoformat(),
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "battery": self.battery,
            "battery_low": self.battery_low,
        }

    @classmethod
    def from_dict(
        cls, device_id: str, interval: timedelta, data: dict[str, Any], now: datetime
    ) -> DeviceSupervision:
        """Read what as_dict wrote; unreadable data starts supervision afresh at `now`."""
        try:
            watched_since = datetime.fromisoformat(data["watched_since"])
            last_seen_raw = data.get("last_seen")
            last_seen = datetime.fromisoformat(last_seen_raw) if last_seen_raw else None
        except KeyError, TypeError, ValueError:
            return cls(device_id, interval, now)
        battery = data.get("battery")
        return cls(
            device_id,
            interval,
            watched_since,
            last_seen,
            battery if isinstance(battery, int) and not isinstance(battery, bool) else None,
            data.get("battery_low") is True,
        )
