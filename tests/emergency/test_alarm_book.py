"""The alarm book: raise, join, duplicates, device cancels, many apartments, storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from custom_components.smart_quarter.emergency import alarm_book
from custom_components.smart_quarter.emergency.alarm_book import AlarmBook, Outcome
from custom_components.smart_quarter.emergency.lifecycle import AlarmState, Trigger

T0 = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)
S = timedelta(seconds=1)
WINDOW = 30 * S


def _book() -> AlarmBook:
    ids = count(1)
    return AlarmBook(lambda: f"alarm-{next(ids)}")


def _press(device: str, message_id: str | None, at: datetime = T0) -> Trigger:
    return Trigger(f"device:{device}", "button", at, message_id)


def test_raise_then_join() -> None:
    book = _book()
    first = book.call_for_help("apt-1", _press("b1", "m1"), T0, WINDOW)
    second = book.call_for_help("apt-1", _press("c1", "m1", T0 + S), T0 + S, WINDOW)
    assert first.outcome is Outcome.RAISED
    assert second.outcome is Outcome.JOINED
    assert first.alarm is second.alarm
    assert first.alarm is not None
    assert first.alarm.state is AlarmState.ACTIVE  # the second call confirmed the pre-alarm
    assert book.open_alarms == [first.alarm]


def test_qos1_duplicates_never_make_a_second_alarm() -> None:
    book = _book()
    book.call_for_help("apt-1", _press("b1", "m1"), T0, WINDOW)
    again = book.call_for_help("apt-1", _press("b1", "m1"), T0 + S, WINDOW)
    assert again.outcome is Outcome.DUPLICATE
    assert again.alarm is not None
    assert len(again.alarm.triggers) == 1
    assert len(list(book)) == 1


def test_messages_without_id_are_never_treated_as_duplicates() -> None:
    book = _book()
    book.call_for_help("apt-1", _press("b1", None), T0, WINDOW)
    result = book.call_for_help("apt-1", _press("b1", None), T0 + S, WINDOW)
    assert result.outcome is Outcome.JOINED


def test_a_new_alarm_after_the_last_one_closed() -> None:
    book = _book()
    first = book.call_for_help("apt-1", _press("b1", "m1"), T0, WINDOW).alarm
    assert first is not None
    first.cancel(T0 + S)
    second = book.call_for_help("apt-1", _press("b1", "m2"), T0 + 60 * S, WINDOW).alarm
    assert second is not None
    assert second is not first
    assert book.open_alarm("apt-1") is second


def test_device_cancel() -> None:
    book = _book()
    assert book.cancel_from_device("apt-1", _press("b1", "x0"), T0).outcome is Outcome.IGNORED
    book.call_for_help("apt-1", _press("b1", "m1"), T0, timedelta(0))
    other = book.cancel_from_device("apt-1", _press("b2", "x1"), T0 + S)
    assert other.outcome is Outcome.IGNORED
    assert other.alarm is not None
    assert other.alarm.state is AlarmState.ACTIVE
    own = book.cancel_from_device("apt-1", _press("b1", "x2"), T0 + 2 * S)
    assert own.outcome is Outcome.RESET
    assert book.cancel_from_device("apt-1", _press("b1", "x2"), T0).outcome is Outcome.DUPLICATE

    book.call_for_help("apt-2", _press("b9", "m9"), T0, WINDOW)
    assert book.cancel_from_device("apt-2", _press("b8", "x9"), T0).outcome is Outcome.CANCELLED


def test_fifty_apartments_at_once_make_fifty_alarms() -> None:
    book = _book()
    for n in range(50):
        book.call_for_help(f"apt-{n}", _press(f"b{n}", "m1"), T0, WINDOW)
    assert len(book.open_alarms) == 50
    assert {alarm.apartment_id for alarm in book.open_alarms} == {f"apt-{n}" for n in range(50)}


def test_old_closed_alarms_and_message_ids_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(alarm_book, "CLOSED_ALARMS_KEPT", 3)
    monkeypatch.setattr(alarm_book, "SEEN_MESSAGES_KEPT", 5)
    book = _book()
    open_alarm = book.call_for_help("apt-open", _press("o", "o1"), T0, WINDOW).alarm
    for n in range(10):
        alarm = book.call_for_help("apt-1", _press("b1", f"m{n}"), T0 + n * S, WINDOW).alarm
        assert alarm is not None
        alarm.cancel(T0 + n * S)
    alarms = list(book)
    assert open_alarm in alarms  # open alarms are never dropped
    assert len([a for a in alarms if not a.state.is_open]) <= 4
    assert len(book.as_dict()["seen"]) == 5


def test_storage_round_trip_keeps_duplicate_detection() -> None:
    book = _book()
    book.call_for_help("apt-1", _press("b1", "m1"), T0, WINDOW)
    restored = _book()
    restored.load(book.as_dict())
    assert [a.as_dict() for a in restored] == [a.as_dict() for a in book]
    again = restored.call_for_help("apt-1", _press("b1", "m1"), T0 + S, WINDOW)
    assert again.outcome is Outcome.DUPLICATE


def test_an_old_message_id_is_new_again_after_the_window() -> None:
    """A device whose counter restarts is not muted by ids it used long ago."""
    book = _book()
    first = book.call_for_help("apt-1", _press("b1", "1"), T0, timedelta(0)).alarm
    assert first is not None
    first.acknowledge("u", "c", T0)
    first.resolve("u", None, T0)
    again = book.call_for_help("apt-1", _press("b1", "1", T0 + 11 * 60 * S), T0, WINDOW)
    assert again.outcome is Outcome.RAISED
