"""The state of a telemedicine room that staff control, free of Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class RoomState:
    """Whether a room can be used, and since when.

    A room goes out of service for cleaning, a defective device or a closure; bookings and
    consultation sessions read this flag rather than keeping their own.
    """

    in_service: bool = True
    changed_at: datetime | None = None

    def set_in_service(self, in_service: bool, now: datetime) -> bool:
        """Change the flag; return True when it really changed."""
        if in_service == self.in_service:
            return False
        self.in_service = in_service
        self.changed_at = now
        return True

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "in_service": self.in_service,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoomState:
        """Read what as_dict wrote; unknown or broken values fall back to "in service"."""
        in_service = data.get("in_service", True)
        changed_at_raw = data.get("changed_at")
        changed_at: datetime | None = None
        if isinstance(changed_at_raw, str):
            try:
                changed_at = datetime.fromisoformat(changed_at_raw)
            except ValueError:
                changed_at = None
        return cls(
            in_service=in_service if isinstance(in_service, bool) else True,
            changed_at=changed_at,
        )
