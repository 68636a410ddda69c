"""Consultation sessions: start, attribution by pseudonymous reference, summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.smart_quarter.telemedicine.session import Reading, SessionBook, SessionError

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def _reading(at: datetime, systolic: float = 128) -> Reading:
    return Reading("blood_pressure", {"systolic": systolic, "diastolic": 84}, at, "BM54")


def test_measurements_belong_to_the_running_session_only() -> None:
    book = SessionBook()
    assert book.attribute("room", _reading(T0)) is None  # before: nobody's
    session = book.start("room", " appt-7f3a ", T0 + 3 * M)
    assert session.reference == "appt-7f3a"
    assert book.attribute("room", _reading(T0)) is None  # taken well before the session started
    assert book.attribute("room", _reading(T0 + 2 * M, 130)) is session
    assert book.attribute("room", _reading(T0 + 3 * M, 126)) is session
    assert book.attribute("other room", _reading(T0 + 3 * M)) is None
    ended = book.stop("room", T0 + 11 * M)
    assert not ended.running
    assert ended.summary() == {
        "reference": "appt-7f3a",
        "started_at": (T0 + 3 * M).isoformat(),
        "ended_at": (T0 + 11 * M).isoformat(),
        "minutes": 8.0,
        "measurements": {
            "blood_pressure": {
                "count": 2,
                "last": {"systolic": 126, "diastolic": 84},
                "at": (T0 + 3 * M).isoformat(),
            }
        },
    }
    assert book.attribute("room", _reading(T0 + 12 * M)) is None  # after: nobody's


def test_a_reading_just_before_the_start_belongs_to_the_session() -> None:
    """Device clocks count whole seconds and patients start early: two minutes of grace,
    but never back into the room's previous session."""
    book = SessionBook()
    session = book.start("room", "appt-1", T0)
    assert book.attribute("room", _reading(T0 - timedelta(seconds=119))) is session
    assert book.attribute("room", _reading(T0 - timedelta(seconds=121))) is None
    book.stop("room", T0 + 10 * M)
    second = book.start("room", "appt-2", T0 + 11 * M)
    assert book.attribute("room", _reading(T0 + 10 * M - timedelta(seconds=1))) is None
    assert book.attribute("room", _reading(T0 + 10 * M + timedelta(seconds=1))) is second


@pytest.mark.parametrize(
    ("action", "key"),
    [
        (lambda b: b.start("room", "Frau Müller", T0), "invalid_reference"),
        (lambda b: b.start("room", "ab", T0), "invalid_reference"),
        (lambda b: b.stop("room", T0), "no_session"),
    ],
)
def test_refusals(action: object, key: str) -> None:
    with pytest.raises(SessionError) as err:
        action(SessionBook())  # type: ignore[operator]
    assert err.value.key == key


def test_one_session_per_room() -> None:
    book = SessionBook()
    book.start("room", "appt-1", T0)
    with pytest.raises(SessionError) as err:
        book.start("room", "appt-2", T0)
    assert err.value.key == "session_running"
    assert book.running("room").reference == "appt-1"  # type: ignore[union-attr]
    assert book.start("room 2", "appt-2", T0).running


def test_stethoscope_recordings_belong_to_the_session() -> None:
    book = SessionBook()
    session = book.start("room", "appt-9", T0)
    session.start_recording(T0 + M)
    with pytest.raises(SessionError) as err:
        session.start_recording(T0 + 2 * M)
    assert err.value.key == "recording_running"
    recording = session.stop_recording(T0 + M + timedelta(seconds=95))
    assert recording is not None
    assert recording.seconds == 95
    assert session.stop_recording(T0 + 3 * M) is None  # none runs: nothing to end
    session.start_recording(T0 + 4 * M)
    # Ending the consultation ends the recording that still runs.
    ended = book.stop("room", T0 + 5 * M)
    assert ended.recording_since is None
    assert [r.seconds for r in ended.recordings] == [95, 60]
    assert ended.summary()["stethoscope"] == {"recordings": 2, "seconds": 155}
    with pytest.raises(SessionError) as err:
        ended.start_recording(T0 + 6 * M)
    assert err.value.key == "no_session"


def test_a_session_without_recordings_says_nothing_of_a_stethoscope() -> None:
    book = SessionBook()
    book.start("room", "appt-10", T0)
    assert "stethoscope" not in book.stop("room", T0 + M).summary()


def test_a_running_recording_survives_storage() -> None:
    book = SessionBook()
    book.start("room", "appt-11", T0).start_recording(T0 + M)
    book.start("room 2", "appt-12", T0)
    stored = book.as_dict()
    assert stored["room"]["recording_since"] == (T0 + M).isoformat()
    assert "recording_since" not in stored["room 2"]

    read = SessionBook.from_dict(stored, {"room", "room 2"})
    assert read.running("room").recording_since == T0 + M  # type: ignore[union-attr]
    assert read.running("room 2").recording_since is None  # type: ignore[union-attr]

    # A broken start time loses the recording's start, never the consultation.
    stored["room"]["recording_since"] = "yesterday"
    broken = SessionBook.from_dict(stored, {"room"})
    assert broken.running("room").reference == "appt-11"  # type: ignore[union-attr]
    assert broken.running("room").recording_since is None  # type: ignore[union-attr]
