"""The stored form of bookings: round trip, newer minor versions, broken records, migration."""

from __future__ import annotations

from datetime import timedelta
import logging

import pytest

from custom_components.smart_quarter.booking import stored
from custom_components.smart_quarter.booking.engine import BookingBook, BookingStatus

from .rules import APARTMENT, NOW, ROOM, apartment, room
from .test_engine import MONDAY, _at


def _filled() -> BookingBook:
    book = BookingBook({ROOM: room(), APARTMENT: apartment()})
    book.book_appointment(ROOM, _at(MONDAY, 9), "dermatology", NOW, code="T-1", contact="0176 1")
    cancelled = book.book_appointment(ROOM, _at(MONDAY, 10), "dermatology", NOW)
    book.cancel(cancelled.booking_id, NOW)
    book.book_stay(APARTMENT, MONDAY, MONDAY + timedelta(days=2), NOW)
    return book


def test_round_trip_keeps_everything() -> None:
    book = _filled()
    data = stored.as_dict(list(book))
    bookings, unread = stored.from_dict(data)
    assert unread == []
    assert bookings == list(book)
    again = BookingBook({ROOM: room(), APARTMENT: apartment()})
    again.restore(bookings)
    assert len(again) == 3
    # The restored timeline still refuses the taken time and frees the cancelled one.
    with pytest.raises(ValueError, match="slot_taken"):
        again.book_appointment(ROOM, _at(MONDAY, 9, 10), "general_medicine", NOW)
    again.book_appointment(ROOM, _at(MONDAY, 10), "general_medicine", NOW)


def test_fields_of_a_newer_minor_version_survive_a_round_trip() -> None:
    data = stored.as_dict(list(_filled()))
    data["bookings"][0]["reminder_sent_at"] = "2026-11-29T09:00:00+00:00"
    bookings, _ = stored.from_dict(stored.migrate(1, 2, data))
    assert bookings[0].extra == {"reminder_sent_at": "2026-11-29T09:00:00+00:00"}
    assert stored.as_dict(bookings)["bookings"][0]["reminder_sent_at"] == (
        "2026-11-29T09:00:00+00:00"
    )


def test_unreadable_records_are_reported_and_kept(caplog: pytest.LogCaptureFixture) -> None:
    data = stored.as_dict(list(_filled()))
    good = len(data["bookings"])
    data["bookings"] += [
        {"booking_id": "x"},
        {**data["bookings"][0], "booking_id": "y", "start": "yesterday"},
        {**data["bookings"][0], "booking_id": "z", "status": "lost"},
        {**data["bookings"][0], "booking_id": "w", "start": "2026-11-30T09:00:00"},
        {**data["bookings"][0], "booking_id": "v", "end": data["bookings"][0]["start"]},
    ]
    with caplog.at_level(logging.WARNING):
        bookings, unread = stored.from_dict(data)
    assert (len(bookings), len(unread)) == (good, 5)
    assert "cannot be read and is kept as it is" in caplog.text
    # Written back exactly as they were (a newer release may read them again).
    assert stored.as_dict(bookings, unread)["bookings"][good:] == data["bookings"][good:]


def test_restore_drops_a_later_overlapping_booking() -> None:
    """Storage edited by hand must not put two patients into one slot."""
    data = stored.as_dict(list(_filled()))
    first = data["bookings"][0]
    clash = {**first, "booking_id": "clash", "created_at": (NOW + timedelta(hours=1)).isoformat()}
    bookings, _ = stored.from_dict({"bookings": [clash, *data["bookings"]]})
    book = BookingBook({ROOM: room(), APARTMENT: apartment()})
    book.restore(bookings)
    assert [
        b.booking_id for b in book if b.status is BookingStatus.BOOKED and b.resource_id == ROOM
    ] == [first["booking_id"]]


def test_versions() -> None:
    data = {"bookings": []}
    assert stored.migrate(1, 1, data) is data
    with pytest.raises(stored.StoredFormatError, match="newer release"):
        stored.migrate(2, 0, data)
    with pytest.raises(stored.StoredFormatError, match="no migration"):
        stored.migrate(0, 1, data)


def test_migration_steps_run_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """A future format adds one step per major version; they run one after another."""
    monkeypatch.setattr(stored, "STORAGE_VERSION", 3)
    monkeypatch.setitem(stored.MIGRATIONS, 1, lambda d: {**d, "steps": ["1->2"]})
    monkeypatch.setitem(stored.MIGRATIONS, 2, lambda d: {**d, "steps": [*d["steps"], "2->3"]})
    assert stored.migrate(1, 1, {"bookings": []})["steps"] == ["1->2", "2->3"]
