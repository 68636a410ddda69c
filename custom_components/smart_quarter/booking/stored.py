"""The stored form of the bookings: schema version, migration, and reading without loss.

Version 1.1 is the first. A newer minor version (written by a newer Smart Quarter after a
downgrade) is read: the fields it added are kept in each booking's `extra` and written back, so
going back and forth loses nothing. A record this version cannot read (broken, or a status it
does not know) is reported and kept as it is: it is written back unchanged, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
import logging
from typing import Any

from .engine import Booking, BookingStatus

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1

_LOGGER = logging.getLogger(__name__)
_TIMES = (
    "start",
    "end",
    "created_at",
    "changed_at",
    "cancelled_at",
    "checked_in_at",
    "checked_out_at",
)
_KNOWN = {item.name for item in fields(Booking)} - {"extra"}

# Major version -> the function that brings its data to the next major version. The first
# format is 1, so there is nothing to migrate yet; a future format adds its step here.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class StoredFormatError(ValueError):
    """Data of a major version this release cannot read."""


def migrate(major: int, minor: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring stored data of any known version to the current one."""
    if major > STORAGE_VERSION:
        raise StoredFormatError(f"bookings stored by a newer release (version {major}.{minor})")
    while major < STORAGE_VERSION:
        if major not in MIGRATIONS:
            raise StoredFormatError(f"no migration from version {major}")
        data = MIGRATIONS[major](data)
        major += 1
    return data


def as_dict(bookings: list[Booking], kept: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return the bookings in their stored form, with the records kept unread (`kept`)."""
    return {"bookings": [booking_as_dict(booking) for booking in bookings] + list(kept or [])}


def booking_as_dict(booking: Booking) -> dict[str, Any]:
    """Return one booking as stored (unknown fields of a newer version included)."""
    stored: dict[str, Any] = dict(booking.extra)
    for name in _KNOWN:
        value = getattr(booking, name)
        stored[name] = value.isoformat() if isinstance(value, datetime) else value
    stored["status"] = booking.status.value
    return stored


def from_dict(data: dict[str, Any]) -> tuple[list[Booking], list[dict[str, Any]]]:
    """Read stored bookings; return them and the records that could not be read (as stored)."""
    bookings: list[Booking] = []
    unread: list[dict[str, Any]] = []
    for raw in data.get("bookings", []):
        try:
            bookings.append(_booking(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            unread.append(raw)
            _LOGGER.warning("A stored booking cannot be read and is kept as it is: %s", err)
    return bookings, unread


def _booking(raw: dict[str, Any]) -> Booking:
    values: dict[str, Any] = {name: raw[name] for name in _KNOWN if name in raw}
    for name in _TIMES:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
            if values[name].tzinfo is None:
                raise ValueError(f"{name} has no time zone")
    values["status"] = BookingStatus(values.get("status", BookingStatus.BOOKED))
    for name in ("booking_id", "resource_id", "code"):
        if not isinstance(values.get(name), str):
            raise TypeError(f"{name} is not text")
    if values["end"] <= values["start"]:
        raise ValueError("ends before it starts")
    values["extra"] = {key: value for key, value in raw.items() if key not in _KNOWN}
    return Booking(**values)
