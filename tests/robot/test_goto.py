"""The robust go-to: unknown names, progress, abort and retry, time-outs, outside ends."""

from __future__ import annotations

import asyncio

import pytest

from custom_components.smart_quarter.robot.bridge_protocol import GotoEvent, GotoStatus
from custom_components.smart_quarter.robot.goto import (
    GotoResult,
    GotoRun,
    is_obstacle,
    resolve_location,
)


def test_locations_are_resolved_against_the_saved_list() -> None:
    saved = ["home base", "Bett", "Küche"]
    assert resolve_location("BETT ", saved) == "Bett"
    assert resolve_location("küche", saved) == "Küche"
    assert resolve_location("Balkon", saved) is None


class Robot:
    """Records what the run sends and plays a script of answers per attempt."""

    def __init__(self, script: list[list[tuple[GotoStatus, str]]]) -> None:
        self.script = script
        self.sent: list[str] = []
        self.run: GotoRun | None = None

    async def goto(self, location: str) -> None:
        self.sent.append(f"goto {location}")
        answers = self.script.pop(0) if self.script else []
        for status, text in answers:
            asyncio.get_running_loop().call_soon(
                self.run.event,
                GotoEvent(location, status, 0, text),  # type: ignore[union-attr]
            )

    async def stop(self) -> None:
        self.sent.append("stop")
        # A stop after an abort reports once more; it must not count for the next try.
        asyncio.get_running_loop().call_soon(
            self.run.event,  # type: ignore[union-attr]
            GotoEvent("Bett", GotoStatus.ABORT, 0, "stopped"),
        )


def _run(robot: Robot, **timing: float) -> GotoRun:
    run = GotoRun(
        "Bett",
        robot.goto,
        robot.stop,
        retry_delay=timing.get("retry_delay", 0.01),
        start_timeout=timing.get("start_timeout", 0.2),
        arrive_timeout=timing.get("arrive_timeout", 0.5),
    )
    robot.run = run
    return run


async def test_arrives() -> None:
    robot = Robot([[(GotoStatus.START, ""), (GotoStatus.GOING, ""), (GotoStatus.COMPLETE, "")]])
    outcome = await _run(robot).run()
    assert (outcome.result, outcome.attempts) == (GotoResult.ARRIVED, 1)
    assert robot.sent == ["goto Bett"]


async def test_obstacle_stop_wait_retry_then_arrive() -> None:
    robot = Robot(
        [
            [(GotoStatus.START, ""), (GotoStatus.ABORT, "Obstacle detected")],
            [(GotoStatus.START, ""), (GotoStatus.COMPLETE, "")],
        ]
    )
    outcome = await _run(robot).run()
    assert (outcome.result, outcome.attempts) == (GotoResult.ARRIVED, 2)
    assert robot.sent == ["goto Bett", "stop", "goto Bett"]


async def test_gives_up_after_the_retries_with_the_reason() -> None:
    aborted = [(GotoStatus.START, ""), (GotoStatus.ABORT, "Path blocked by obstacle")]
    robot = Robot([aborted, aborted, aborted])
    outcome = await _run(robot).run()
    assert outcome.result is GotoResult.OBSTACLE
    assert outcome.attempts == 3
    assert outcome.reason == "Path blocked by obstacle"
    assert robot.sent == ["goto Bett", "stop"] * 3


@pytest.mark.parametrize(
    ("script", "reason"),
    [([], "never started"), ([[(GotoStatus.START, "")]], "no progress")],
)
async def test_time_outs(script: list[list[tuple[GotoStatus, str]]], reason: str) -> None:
    outcome = await _run(Robot(script), start_timeout=0.05, arrive_timeout=0.05).run()
    assert (outcome.result, outcome.reason) == (GotoResult.TIMED_OUT, reason)


async def test_offline_ends_the_run_at_once() -> None:
    robot = Robot([[(GotoStatus.START, "")]])
    run = _run(robot, start_timeout=5, arrive_timeout=5)
    task = asyncio.create_task(run.run())
    await asyncio.sleep(0.01)
    run.end(GotoResult.OFFLINE)
    outcome = await asyncio.wait_for(task, 1)
    assert outcome.result is GotoResult.OFFLINE


async def test_events_for_other_locations_are_ignored() -> None:
    robot = Robot([[(GotoStatus.START, "")]])
    run = _run(robot, arrive_timeout=0.1)
    run.event(GotoEvent("Küche", GotoStatus.COMPLETE, 0, ""))
    assert (await run.run()).result is GotoResult.TIMED_OUT


def test_obstacle_words() -> None:
    assert is_obstacle(GotoEvent("x", GotoStatus.ABORT, 0, "Hindernis erkannt"))
    assert not is_obstacle(GotoEvent("x", GotoStatus.ABORT, 0, "Cancelled by user"))


async def test_the_abort_of_the_replaced_drive_does_not_count() -> None:
    """A new go-to (even to the same place) first ends the old drive: that abort is not ours."""
    robot = Robot(
        [[(GotoStatus.ABORT, "replaced"), (GotoStatus.START, ""), (GotoStatus.COMPLETE, "")]]
    )
    outcome = await _run(robot).run()
    assert (outcome.result, outcome.attempts) == (GotoResult.ARRIVED, 1)
    assert robot.sent == ["goto Bett"]
