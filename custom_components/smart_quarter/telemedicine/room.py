"""The state of a telemedicine room that staff control, free of Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_REASON_LENGTH = 100


class RoomStateError(ValueError):
    """A change that makes no sense; `key` names it for a translated message."""

    def __init__(self, key: str) -> None:
        """Keep the key of the problem."""
        super().__init__(key)
        self.key = key


@dataclass(slots=True)
class RoomState:
    """Whether a room can be used, since when, why not, and until when.

    A room goes out of service for cleaning, a defective device or a closure; bookings and
    consultation sessions read this state rather than keeping their own.
    """

    in_service: bool = True
    changed_at: datetime | None = None
    reason: str | None = None
    back_at: datetime | None = None

    def take_out_of_service(
        self, now: datetime, reason: str | None = None, back_at: datetime | None = None
    ) -> None:
        """Close the room, optionally with a reason and a time it reopens by itself."""
        if back_at is not None and back_at <= now:
            raise RoomStateError("back_at_not_in_future")
        reason = (reason or "").strip() or None
        if reason is not None and len(reason) > MAX_REASON_LENGTH:
            raise RoomStateError("reason_too_long")
        self.in_service = False
        self.changed_at = now
        self.reason = reason
        self.back_at = back_at

    def return_to_service(self, now: datetime) -> bool:
        """Reopen the room; return True when it was closed."""
        if self.in_service:
            return False
        self.in_service = True
        self.changed_at = now
        self.reason = None
        self.back_at = None
        return True

    def is_due_back(self, now: datetime) -> bool:
        """Tell whether the room is closed and its reopening time has come."""
        return not self.in_service and self.back_at is not None and self.back_at <= now

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "in_service": self.in_service,
            "changed_at": _iso(self.changed_at),
            "reason": self.reason,
            "back_at": _iso(self.back_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoomState:
        """Read what as_dict wrote; broken values fall back to "in service" / nothing."""
        in_service = data.get("in_service", True)
        if not isinstance(in_service, bool) or in_service:
            return cls(changed_at=_datetime(data.get("changed_at")))
        reason = data.get("reason")
        return cls(
            in_service=False,
            changed_at=_datetime(data.get("changed_at")),
            reason=reason if isinstance(reason, str) and reason else None,
            back_at=_datetime(data.get("back_at")),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Naive times cannot be compared with "now"; they never come from as_dict.
    return parsed if parsed.tzinfo is not None else None
