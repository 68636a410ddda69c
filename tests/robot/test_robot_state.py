"""The robot's state from its messages: status, locations, battery, offline."""

from __future__ import annotations

from custom_components.smart_quarter.robot import bridge_protocol as bp
from custom_components.smart_quarter.robot.robot_state import OFFLINE_AFTER, RobotState, RobotStatus


def test_status_follows_the_go_to_and_the_heartbeat() -> None:
    state = RobotState()
    assert state.status is RobotStatus.OFFLINE  # nothing heard yet
    state.take(bp.StatusInfo(("home base", "Bett"), 80), 0.0)
    assert (state.status, state.battery, state.locations) == (
        RobotStatus.IDLE,
        80,
        ("home base", "Bett"),
    )
    state.take(bp.GotoEvent("Bett", bp.GotoStatus.GOING, 0, ""), 1.0)
    assert (state.status, state.target, state.location) == (RobotStatus.GOING, "Bett", None)
    state.take(bp.GotoEvent("Bett", bp.GotoStatus.COMPLETE, 0, ""), 2.0)
    assert (state.status, state.location, state.last_location) == (
        RobotStatus.ARRIVED,
        "Bett",
        "Bett",
    )
    state.take(bp.GotoEvent("home base", bp.GotoStatus.START, 0, ""), 3.0)
    assert (state.location, state.last_location) == (None, "Bett")
    state.take(bp.GotoEvent("home base", bp.GotoStatus.ABORT, 0, "obstacle ahead"), 4.0)
    assert state.status is RobotStatus.OBSTACLE
    state.take(bp.Battery(12, True), 5.0)
    assert (state.battery, state.charging) == (12, True)
    state.take(bp.UserDetection(2), 5.0)
    state.take(bp.UserInteraction(True), 5.0)
    assert state.user_detected
    assert state.interacting

    assert not state.check_online(5.0 + OFFLINE_AFTER - 0.5)
    assert state.check_online(5.0 + OFFLINE_AFTER + 0.5)
    assert state.status is RobotStatus.OFFLINE
    assert not state.check_online(100.0)  # already offline: no change
    state.take(bp.StatusInfo(("home base",), 11), 101.0)
    assert state.status is RobotStatus.OBSTACLE  # back, with what it last did
    state.take(bp.LastWill(), 102.0)
    assert state.status is RobotStatus.OFFLINE
