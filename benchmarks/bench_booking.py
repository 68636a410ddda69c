"""Booking benchmarks: free-slot search over a year with 10,000 bookings; the panel's bundles."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, time, timedelta
import gzip
from pathlib import Path
import random
import time as clock
from zoneinfo import ZoneInfo

from custom_components.smart_quarter.booking.engine import BookingBook, BookingError
from custom_components.smart_quarter.booking.opening_hours import parse_opening_hours
from custom_components.smart_quarter.booking.rules import AppointmentRules, Resource

from .conftest import Recorder

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 1, 1, 6, tzinfo=UTC)
YEAR = timedelta(days=365)
BOOKINGS = 10_000
SEARCHES = 200
DIST = Path(__file__).parents[1] / "custom_components" / "smart_quarter" / "frontend" / "dist"


def _busy_room() -> BookingBook:
    """A room open 07:00-20:00 every day, with 10,000 random bookings in the year."""
    room = Resource(
        "room",
        "TMR",
        BERLIN,
        appointments=AppointmentRules(
            parse_opening_hours("Mo-So 07:00-20:00"),
            slot_minutes=10,
            durations={"short": 10, "general_medicine": 20, "counselling": 60},
            buffer_minutes=5,
        ),
    )
    book = BookingBook({"room": room})
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    made = 0
    while made < BOOKINGS:
        day = NOW.date() + timedelta(days=rng.randrange(365))
        start = datetime.combine(day, time(7), tzinfo=BERLIN) + timedelta(
            minutes=10 * rng.randrange(78)
        )
        try:
            book.book_appointment("room", start, "short", NOW)
        except BookingError:
            continue
        made += 1
    return book


def test_find_free_slots_over_a_year(record: Recorder) -> None:
    """p99 target: under 20 ms (issue #6); every search spans one year."""
    book = _busy_room()
    rng = random.Random(11)  # noqa: S311 - test data, not secrets
    for kind, limit, label in (
        ("general_medicine", 20, "first 20 slots"),
        ("counselling", 500, "up to 500 slots (60 min, few gaps)"),
    ):
        samples = []
        for _ in range(SEARCHES):
            start = NOW + timedelta(hours=rng.randrange(24 * 30))
            began = clock.perf_counter()
            book.find_free_slots(
                "room", start, start + YEAR, NOW, consultation_type=kind, limit=limit
            )
            samples.append((clock.perf_counter() - began) * 1000)
        record(f"booking: find_free_slots, 1 year, 10k bookings, {label}", samples, "ms")


def test_booking_under_load(record: Recorder) -> None:
    """One booking attempt (conflict check + insert) in a year with 10,000 bookings."""
    book = _busy_room()
    rng = random.Random(13)  # noqa: S311 - test data, not secrets
    samples = []
    for _ in range(2000):
        day = NOW.date() + timedelta(days=rng.randrange(365))
        start = datetime.combine(day, time(7), tzinfo=BERLIN) + timedelta(
            minutes=5 * rng.randrange(156)
        )
        began = clock.perf_counter()
        with suppress(BookingError):
            book.book_appointment("room", start, "short", NOW)
        samples.append((clock.perf_counter() - began) * 1_000_000)
    record("booking: book one appointment, 10k bookings", samples, "µs")


def test_panel_bundle_size(record: Recorder) -> None:
    """The committed bundles as served, and gzipped as browsers usually receive them."""
    for name in ("booking-panel.js", "next-booking-card.js"):
        data = (DIST / name).read_bytes()
        record(f"frontend: {name}", [len(data) / 1024], "kB")
        record(f"frontend: {name} (gzip)", [len(gzip.compress(data, 9)) / 1024], "kB")
