"""The pure room state: changes, serialisation and tolerant reading of stored data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.smart_quarter.telemedicine.room import RoomState

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_a_new_room_is_in_service() -> None:
    assert RoomState() == RoomState(in_service=True, changed_at=None)


def test_set_in_service_reports_real_changes_only() -> None:
    state = RoomState()
    assert state.set_in_service(False, NOW) is True
    assert state == RoomState(in_service=False, changed_at=NOW)
    later = datetime(2026, 11, 24, tzinfo=UTC)
    assert state.set_in_service(False, later) is False
    assert state.changed_at == NOW


def test_round_trip() -> None:
    state = RoomState(in_service=False, changed_at=NOW)
    assert state.as_dict() == {"in_service": False, "changed_at": "2026-11-23T09:30:00+00:00"}
    assert RoomState.from_dict(state.as_dict()) == state


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, RoomState()),
        ({"in_service": "no", "changed_at": 5}, RoomState()),
        ({"in_service": False, "changed_at": "yesterday"}, RoomState(in_service=False)),
    ],
)
def test_broken_stored_data_falls_back_safely(stored: dict, expected: RoomState) -> None:
    assert RoomState.from_dict(stored) == expected
