"""The pure room state: closing, reopening, due times, serialisation and broken stored data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.smart_quarter.telemedicine.room import RoomState, RoomStateError

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)


def test_a_new_room_is_in_service() -> None:
    assert RoomState() == RoomState(in_service=True, changed_at=None, reason=None, back_at=None)


def test_take_out_of_service_with_reason_and_end() -> None:
    state = RoomState()
    state.take_out_of_service(NOW, "  Desinfektion ", LATER)
    assert state == RoomState(False, NOW, "Desinfektion", LATER)
    assert not state.is_due_back(LATER - timedelta(seconds=1))
    assert state.is_due_back(LATER)


def test_blank_reason_is_no_reason_and_no_end_is_never_due() -> None:
    state = RoomState()
    state.take_out_of_service(NOW, "   ")
    assert state.reason is None
    assert not state.is_due_back(NOW + timedelta(days=365))


@pytest.mark.parametrize(
    ("reason", "back_at", "key"),
    [
        (None, NOW, "back_at_not_in_future"),
        (None, NOW - timedelta(minutes=1), "back_at_not_in_future"),
        ("x" * 101, None, "reason_too_long"),
    ],
)
def test_impossible_closures_are_refused_and_change_nothing(
    reason: str | None, back_at: datetime | None, key: str
) -> None:
    state = RoomState()
    with pytest.raises(RoomStateError) as err:
        state.take_out_of_service(NOW, reason, back_at)
    assert err.value.key == key
    assert state == RoomState()


def test_return_to_service_clears_reason_and_end() -> None:
    state = RoomState(False, NOW, "Gerät defekt", LATER)
    assert state.return_to_service(LATER) is True
    assert state == RoomState(True, LATER, None, None)
    assert state.return_to_service(LATER + timedelta(hours=1)) is False
    assert state.changed_at == LATER


def test_round_trip() -> None:
    state = RoomState(False, NOW, "Desinfektion", LATER)
    assert state.as_dict() == {
        "in_service": False,
        "changed_at": "2026-11-23T09:30:00+00:00",
        "reason": "Desinfektion",
        "back_at": "2026-11-23T11:30:00+00:00",
    }
    assert RoomState.from_dict(state.as_dict()) == state
    assert RoomState.from_dict(RoomState().as_dict()) == RoomState()


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, RoomState()),
        ({"in_service": "no", "changed_at": 5}, RoomState()),
        # An open room carries no reason, whatever storage says.
        ({"in_service": True, "reason": "x"}, RoomState()),
        ({"in_service": False, "changed_at": "yesterday"}, RoomState(in_service=False)),
        (
            {"in_service": False, "reason": 7, "back_at": "2026-11-23T11:30:00"},
            RoomState(in_service=False),  # naive time: cannot be compared, so dropped
        ),
        ({"in_service": False, "reason": ""}, RoomState(in_service=False)),
    ],
)
def test_broken_stored_data_falls_back_safely(stored: dict, expected: RoomState) -> None:
    assert RoomState.from_dict(stored) == expected
