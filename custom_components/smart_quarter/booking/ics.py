"""An iCalendar (RFC 5545) feed of one resource's bookings, for practitioners' calendars."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from .engine import Booking, BookingStatus

PRODUCT_ID = "-//Smart Quarter//Booking//DE"
_MAX_LINE = 75


def feed(
    name: str,
    bookings: Iterable[Booking],
    now: datetime,
    summary: Callable[[Booking], str],
) -> str:
    """Return the VCALENDAR text (CRLF line ends, folded lines); cancelled bookings are left out."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    stamp = _utc(now)
    for booking in bookings:
        if booking.status is BookingStatus.CANCELLED:
            continue
        lines += [
            "BEGIN:VEVENT",
            f"UID:{booking.booking_id}@smart-quarter",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(booking.start)}",
            f"DTEND:{_utc(booking.end)}",
            f"SUMMARY:{_text(summary(booking))}",
            f"STATUS:{'TENTATIVE' if booking.status is BookingStatus.NO_SHOW else 'CONFIRMED'}",
            f"LAST-MODIFIED:{_utc(booking.changed_at or booking.created_at)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= _MAX_LINE:
        return line
    parts: list[str] = []
    current = ""
    limit = _MAX_LINE
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = ""
            limit = _MAX_LINE - 1  # continuation lines start with a space
        current += char
    parts.append(current)
    return "\r\n ".join(parts)
