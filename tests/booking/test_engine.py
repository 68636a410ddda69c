"""The booking engine: slots, booking, rescheduling, cancelling, check-in/out, no overlaps ever."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.smart_quarter.booking.engine import (
    CODE_ALPHABET,
    Booking,
    BookingBook,
    BookingError,
    BookingStatus,
)

from .rules import APARTMENT, BERLIN, NOW, ROOM, apartment, room

MONDAY = date(2026, 11, 30)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def _book() -> BookingBook:
    return BookingBook({ROOM: room(), APARTMENT: apartment()})


def test_free_slots_follow_hours_buffer_and_bookings() -> None:
    book = _book()
    start, end = _at(MONDAY, 0), _at(MONDAY, 23)
    slots = book.find_free_slots(ROOM, start, end, NOW, consultation_type="general_medicine")
    assert slots[0].start == _at(MONDAY, 8)
    assert slots[0].end == _at(MONDAY, 8, 20)
    # The last morning slot ends by noon; the afternoon starts at 13:00.
    times = [slot.start for slot in slots]
    assert _at(MONDAY, 11, 30) in times
    assert _at(MONDAY, 11, 45) not in times
    assert _at(MONDAY, 13) in times
    assert len(slots) == 15 + 11  # 08:00 ... 11:30, 13:00 ... 15:30

    book.book_appointment(ROOM, _at(MONDAY, 8), "general_medicine", NOW)
    times = [
        s.start
        for s in book.find_free_slots(ROOM, start, end, NOW, consultation_type="general_medicine")
    ]
    # 08:00-08:20 plus 5 minutes' buffer: the next free slot on the grid is 08:30.
    assert times[0] == _at(MONDAY, 8, 30)
    # A 45-minute counselling must also end 5 minutes before the next appointment.
    book.book_appointment(ROOM, _at(MONDAY, 10), "general_medicine", NOW)
    longer = [
        s.start
        for s in book.find_free_slots(ROOM, start, end, NOW, consultation_type="care_counselling")
    ]
    assert _at(MONDAY, 9) in longer
    assert _at(MONDAY, 9, 15) not in longer  # would end 10:00, no buffer before 10:00
    assert _at(MONDAY, 10, 30) in longer


def test_closed_days_weekends_and_the_past_have_no_slots() -> None:
    book = _book()
    christmas = date(2026, 12, 24)
    assert (
        book.find_free_slots(
            ROOM, _at(christmas, 0), _at(christmas, 23), NOW, consultation_type="dermatology"
        )
        == []
    )
    saturday = date(2026, 11, 28)
    assert (
        book.find_free_slots(
            ROOM, _at(saturday, 0), _at(saturday, 23), NOW, consultation_type="dermatology"
        )
        == []
    )
    # Today (Monday 08:00 local): slots start from now on.
    today = NOW.astimezone(BERLIN).date()
    slots = book.find_free_slots(
        ROOM,
        _at(today, 0),
        _at(today, 23),
        NOW + timedelta(minutes=7),
        consultation_type="dermatology",
    )
    assert slots[0].start == _at(today, 8, 15)
    assert (
        len(
            book.find_free_slots(
                ROOM,
                _at(MONDAY, 0),
                _at(MONDAY + timedelta(days=30), 0),
                NOW,
                consultation_type="dermatology",
                limit=3,
            )
        )
        == 3
    )


@pytest.mark.parametrize(
    ("start", "kind", "key"),
    [
        (_at(MONDAY, 7, 45), "general_medicine", "outside_opening_hours"),
        (_at(MONDAY, 11, 50), "general_medicine", "outside_opening_hours"),  # ends after noon
        (_at(date(2026, 11, 29), 9), "general_medicine", "outside_opening_hours"),  # Sunday
        (_at(date(2026, 12, 24), 9), "general_medicine", "closed_that_day"),
        (_at(MONDAY, 9), "psychiatry", "unknown_consultation_type"),
        (datetime(2026, 11, 20, 9, tzinfo=BERLIN), "general_medicine", "in_the_past"),
        (datetime(2026, 11, 30, 9), "general_medicine", "time_without_zone"),  # noqa: DTZ001
    ],
)
def test_impossible_appointments_are_refused(start: datetime, kind: str, key: str) -> None:
    book = _book()
    with pytest.raises(BookingError) as err:
        book.book_appointment(ROOM, start, kind, NOW)
    assert err.value.key == key
    assert len(book) == 0


def test_no_overlap_and_the_buffer_is_kept() -> None:
    book = _book()
    first = book.book_appointment(ROOM, _at(MONDAY, 9), "dermatology", NOW)
    for start in (_at(MONDAY, 9), _at(MONDAY, 9, 15), _at(MONDAY, 8, 40), _at(MONDAY, 9, 32)):
        with pytest.raises(BookingError) as err:
            book.book_appointment(ROOM, start, "general_medicine", NOW)
        assert err.value.key == "slot_taken"
    # Exactly the buffer after the end is fine, and so is ending exactly the buffer before.
    book.book_appointment(ROOM, _at(MONDAY, 9, 35), "general_medicine", NOW)
    book.book_appointment(ROOM, _at(MONDAY, 8, 35), "general_medicine", NOW)
    assert first.code
    assert all(char in CODE_ALPHABET for char in first.code)
    with pytest.raises(BookingError):
        book.book_appointment(APARTMENT, _at(MONDAY, 9), "dermatology", NOW)


def test_cancel_frees_the_slot_and_cannot_happen_twice() -> None:
    book = _book()
    booking = book.book_appointment(ROOM, _at(MONDAY, 9), "dermatology", NOW, code="T-7")
    book.cancel(booking.booking_id, NOW)
    assert booking.status is BookingStatus.CANCELLED
    again = book.book_appointment(ROOM, _at(MONDAY, 9), "dermatology", NOW)
    assert again.booking_id != booking.booking_id
    with pytest.raises(BookingError) as err:
        book.cancel(booking.booking_id, NOW)
    assert err.value.key == "booking_not_cancellable"
    with pytest.raises(BookingError) as err:
        book.cancel("nope", NOW)
    assert err.value.key == "booking_not_found"


def test_reschedule_is_atomic() -> None:
    book = _book()
    moving = book.book_appointment(ROOM, _at(MONDAY, 9), "general_medicine", NOW)
    book.book_appointment(ROOM, _at(MONDAY, 10), "general_medicine", NOW)
    # Moving within its own time is fine (its old time does not block it).
    book.reschedule_appointment(moving.booking_id, _at(MONDAY, 9, 5), NOW)
    assert moving.start == _at(MONDAY, 9, 5)
    with pytest.raises(BookingError) as err:
        book.reschedule_appointment(moving.booking_id, _at(MONDAY, 10, 10), NOW)
    assert err.value.key == "slot_taken"
    assert (moving.start, moving.end) == (_at(MONDAY, 9, 5), _at(MONDAY, 9, 25))
    # A longer type that would collide is refused as a whole; type and time stay.
    with pytest.raises(BookingError):
        book.reschedule_appointment(moving.booking_id, _at(MONDAY, 9, 30), NOW, "dermatology")
    assert moving.consultation_type == "general_medicine"
    book.reschedule_appointment(moving.booking_id, _at(MONDAY, 13), NOW, "dermatology")
    assert (moving.end, moving.consultation_type) == (_at(MONDAY, 13, 30), "dermatology")
    assert [b.booking_id for b in book.between(ROOM, _at(MONDAY, 8), _at(MONDAY, 9, 30))] == []


def test_stays_nights_cleaning_buffer_and_early_check_out() -> None:
    book = _book()
    stay = book.book_stay(
        APARTMENT, MONDAY, MONDAY + timedelta(days=3), NOW, contact="+49 3641 1234"
    )
    assert (stay.start, stay.end) == (_at(MONDAY, 15), _at(date(2026, 12, 3), 11))
    assert stay.contact == "+49 3641 1234"
    # 11:00 check-out + 2 hours' cleaning: the next guest can arrive at 15:00 the same day.
    book.book_stay(APARTMENT, date(2026, 12, 3), date(2026, 12, 5), NOW)
    with pytest.raises(BookingError) as err:
        book.book_stay(APARTMENT, date(2026, 12, 1), date(2026, 12, 3), NOW)
    assert err.value.key == "slot_taken"
    for arrival, departure in (
        (MONDAY, MONDAY + timedelta(days=1)),
        (MONDAY, MONDAY + timedelta(days=40)),
    ):
        with pytest.raises(BookingError) as err:
            book.book_stay(APARTMENT, arrival, departure, NOW)
        assert err.value.key == "nights_out_of_range"
    # Free arrivals for 2 nights in December's first week skip the booked nights.
    free = book.find_free_slots(APARTMENT, _at(MONDAY, 0), _at(date(2026, 12, 8), 0), NOW, nights=2)
    assert [slot.start.date() for slot in free] == [
        date(2026, 12, 5),
        date(2026, 12, 6),
        date(2026, 12, 7),
    ]

    with pytest.raises(BookingError) as err:
        book.check_in(stay.booking_id, NOW)
    assert err.value.key == "check_in_too_early"
    book.check_in(stay.booking_id, _at(MONDAY, 14))
    # Leaving a night early frees that night for others.
    book.check_out(stay.booking_id, _at(date(2026, 12, 2), 9))
    assert stay.status is BookingStatus.COMPLETED
    assert stay.end == _at(date(2026, 12, 2), 9)
    free = book.find_free_slots(
        APARTMENT, _at(MONDAY, 0), _at(date(2026, 12, 3), 0), _at(date(2026, 12, 2), 9), nights=2
    )
    assert free == []  # 2 Dec 15:00 + 2 nights collides with the stay from 3 Dec
    book.book_stay(APARTMENT, date(2026, 12, 5), date(2026, 12, 7), NOW)


def test_settle_marks_no_shows_and_ends_consultations() -> None:
    book = _book()
    missed = book.book_appointment(ROOM, _at(MONDAY, 9), "general_medicine", NOW)
    held = book.book_appointment(ROOM, _at(MONDAY, 10), "general_medicine", NOW)
    staying = book.book_stay(APARTMENT, MONDAY, MONDAY + timedelta(days=2), NOW)
    book.check_in(held.booking_id, _at(MONDAY, 9, 55))
    book.check_in(staying.booking_id, _at(MONDAY, 15))
    assert book.settle(_at(MONDAY, 9, 30)) == [missed]
    assert missed.status is BookingStatus.NO_SHOW
    assert book.settle(_at(date(2026, 12, 3), 0)) == [held]
    assert held.status is BookingStatus.COMPLETED
    assert staying.status is BookingStatus.CHECKED_IN  # the guest checks out, not the clock
    with pytest.raises(BookingError) as err:
        book.check_in(missed.booking_id, _at(MONDAY, 9, 30))
    assert err.value.key == "booking_not_open"


def test_purge_removes_personal_data_after_retention() -> None:
    book = _book()
    old = book.book_appointment(
        ROOM, _at(MONDAY, 9), "general_medicine", NOW, code="appt-1", contact="0176 1"
    )
    new = book.book_appointment(ROOM, _at(MONDAY, 10), "general_medicine", NOW, code="appt-2")
    book.settle(_at(MONDAY, 12))
    assert book.purge(_at(MONDAY, 9, 40) + timedelta(days=30), timedelta(days=30)) == 1
    assert (old.code, old.contact, old.purged) == ("", None, True)
    assert new.code == "appt-2"
    assert book.by_code("APPT-2") == [new]
    assert book.by_code("") == []


def test_booking_codes_must_be_pseudonyms() -> None:
    book = _book()
    for bad in ("Frau Müller", "x", "a" * 80):
        with pytest.raises(BookingError) as err:
            book.book_appointment(ROOM, _at(MONDAY, 9), "general_medicine", NOW, code=bad)
        assert err.value.key == "invalid_code"
    with pytest.raises(BookingError) as err:
        book.book_appointment(ROOM, _at(MONDAY, 9), "general_medicine", NOW, contact="x" * 101)
    assert err.value.key == "contact_too_long"


# Properties ---------------------------------------------------------------------------------

_actions = st.lists(
    st.tuples(
        st.sampled_from(["book", "cancel", "reschedule", "stay", "move_stay", "check_out"]),
        st.integers(0, 4 * 24 * 4),  # a quarter-hour within four days
        st.sampled_from(["general_medicine", "dermatology", "care_counselling"]),
        st.integers(0, 30),
        st.integers(1, 6),
    ),
    max_size=60,
)


def _occupied(book: BookingBook, resource_id: str, buffer: timedelta) -> list[Booking]:
    found = sorted(
        (b for b in book if b.resource_id == resource_id and b.occupies), key=lambda b: b.start
    )
    for earlier, later in pairwise(found):
        assert earlier.end + buffer <= later.start, (earlier, later)
    return found


def _apply(  # noqa: PLR0913 - one generated action
    book: BookingBook,
    ids: list[str],
    action: str,
    *,
    at: datetime,
    kind: str,
    target: str | None,
    nights: int,
) -> None:
    day = at.date()
    if action == "book":
        ids.append(book.book_appointment(ROOM, at, kind, NOW).booking_id)
    elif action == "stay":
        ids.append(book.book_stay(APARTMENT, day, day + timedelta(days=nights + 1), NOW).booking_id)
    elif target is not None:
        booking = book.get(target)
        if action == "cancel":
            book.cancel(target, NOW)
        elif action == "reschedule" and booking.resource_id == ROOM:
            book.reschedule_appointment(target, at, NOW, kind)
        elif action == "move_stay" and booking.resource_id == APARTMENT:
            book.reschedule_stay(target, day, day + timedelta(days=nights + 1), NOW)
        elif action == "check_out" and booking.status is BookingStatus.BOOKED:
            book.check_in(target, booking.start)
            book.check_out(target, booking.start + timedelta(hours=1))


@settings(max_examples=150, deadline=None)
@given(_actions)
def test_never_an_overlap(actions: list[tuple[str, int, str, int, int]]) -> None:
    """Whatever happens, in whatever order, no two bookings of a resource ever overlap."""
    book = _book()
    ids: list[str] = []
    origin = _at(MONDAY, 0)
    for action, quarter, kind, pick, nights in actions:
        at = origin + timedelta(minutes=15 * quarter)
        target = ids[pick % len(ids)] if ids else None
        with suppress(BookingError):
            _apply(book, ids, action, at=at, kind=kind, target=target, nights=nights)
        _occupied(book, ROOM, timedelta(minutes=5))
        _occupied(book, APARTMENT, timedelta(hours=2))
    # The first free slot the engine offers can really be booked, again and again.
    for _ in range(10):
        offered = book.find_free_slots(
            ROOM, origin, origin + timedelta(days=4), NOW, consultation_type="dermatology", limit=1
        )
        if not offered:
            break
        book.book_appointment(ROOM, offered[0].start, "dermatology", NOW)
        _occupied(book, ROOM, timedelta(minutes=5))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 4 * 24 * 4), st.sampled_from(["general_medicine", "dermatology"]))
def test_cancel_frees_exactly_that_slot(quarter: int, kind: str) -> None:
    book = _book()
    at = _at(MONDAY, 0) + timedelta(minutes=15 * quarter)
    window = (_at(MONDAY, 0), _at(MONDAY, 0) + timedelta(days=5))
    before = book.find_free_slots(ROOM, *window, NOW, consultation_type=kind)
    try:
        booking = book.book_appointment(ROOM, at, kind, NOW)
    except BookingError:
        return
    assert at not in [
        slot.start for slot in book.find_free_slots(ROOM, *window, NOW, consultation_type=kind)
    ]
    book.cancel(booking.booking_id, NOW)
    assert book.find_free_slots(ROOM, *window, NOW, consultation_type=kind) == before


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 4 * 24 * 4), st.integers(0, 4 * 24 * 4))
def test_a_refused_reschedule_changes_nothing(first: int, second: int) -> None:
    book = _book()
    origin = _at(MONDAY, 0)
    try:
        a = book.book_appointment(ROOM, origin + timedelta(minutes=15 * first), "dermatology", NOW)
    except BookingError:
        return
    snapshot = (a.start, a.end, a.consultation_type, a.changed_at)
    occupied = [(b.booking_id, b.start, b.end) for b in _occupied(book, ROOM, timedelta(minutes=5))]
    try:
        book.reschedule_appointment(
            a.booking_id, origin + timedelta(minutes=15 * second), NOW, "care_counselling"
        )
    except BookingError:
        assert (a.start, a.end, a.consultation_type, a.changed_at) == snapshot
        assert [
            (b.booking_id, b.start, b.end) for b in _occupied(book, ROOM, timedelta(minutes=5))
        ] == occupied


def test_a_guest_may_still_arrive_today_after_the_check_in_time() -> None:
    """Reception books tonight's arrival at 19:00; yesterday's arrival is refused."""
    book = _book()
    evening = _at(MONDAY, 19)
    free = book.find_free_slots(APARTMENT, evening, _at(MONDAY, 23), evening, nights=2)
    assert [slot.start for slot in free] == [_at(MONDAY, 15)]
    stay = book.book_stay(APARTMENT, MONDAY, MONDAY + timedelta(days=2), evening)
    assert stay.start == _at(MONDAY, 15)
    with pytest.raises(BookingError) as err:
        book.book_stay(APARTMENT, MONDAY - timedelta(days=1), MONDAY + timedelta(days=4), evening)
    assert err.value.key == "in_the_past"


def test_checking_out_before_the_start_keeps_the_timeline_in_order() -> None:
    """A guest checked in at noon leaves at one, before the 15:00 check-in time: nothing breaks."""
    book = BookingBook({APARTMENT: apartment(cleaning_hours=0)})
    stay = book.book_stay(APARTMENT, MONDAY, MONDAY + timedelta(days=2), NOW)
    book.check_in(stay.booking_id, _at(MONDAY, 12))
    book.check_out(stay.booking_id, _at(MONDAY, 13))
    assert stay.end > stay.start  # never a zero-length interval
    second = book.book_stay(APARTMENT, MONDAY + timedelta(days=1), MONDAY + timedelta(days=3), NOW)
    with pytest.raises(BookingError) as err:
        book.book_stay(APARTMENT, MONDAY + timedelta(days=1), MONDAY + timedelta(days=3), NOW)
    assert err.value.key == "slot_taken"
    assert second.status is BookingStatus.BOOKED
    _occupied(book, APARTMENT, timedelta(0))
