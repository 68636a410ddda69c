"""A robust go-to: check the location, send, follow the progress, retry after an abort.

The robot never acknowledges a command and drops a go-to to a name it has not saved without a
word, so this keeps its own time-outs: the go-to must start within START_TIMEOUT and arrive
within ARRIVE_TIMEOUT. After an abort (an obstacle, someone in the way) the robot is stopped,
left alone for RETRY_DELAY (immediate retries make it jitter) and sent again, at most
MAX_RETRIES times. The outcome is one result with its reason. Pure asyncio, no Home Assistant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .bridge_protocol import GotoEvent, GotoStatus, same_location

START_TIMEOUT: Final = 15.0
ARRIVE_TIMEOUT: Final = 300.0
RETRY_DELAY: Final = 3.0
MAX_RETRIES: Final = 2
_OBSTACLE_WORDS = ("obstacle", "hindernis", "blocked", "stuck")


class GotoResult(StrEnum):
    """How a go-to ended."""

    ARRIVED = "arrived"
    UNKNOWN_LOCATION = "unknown_location"
    ABORTED = "aborted"
    OBSTACLE = "obstacle"
    TIMED_OUT = "timed_out"
    OFFLINE = "offline"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class GotoOutcome:
    """The one result of a go-to request."""

    location: str
    result: GotoResult
    attempts: int
    reason: str = ""
    """What the robot said last (its abort description), for people."""


def resolve_location(wanted: str, saved: Sequence[str]) -> str | None:
    """Return the saved name meant by `wanted` (case and spaces ignored), or None."""
    return next((name for name in saved if same_location(name, wanted)), None)


def is_obstacle(event: GotoEvent) -> bool:
    """Tell whether an abort says something is in the way."""
    text = event.description.lower()
    return any(word in text for word in _OBSTACLE_WORDS)


class GotoRun:
    """One go-to request: feed it the robot's go-to events, await its outcome."""

    def __init__(  # noqa: PLR0913 - the robot's hooks and the timing, named
        self,
        location: str,
        send_goto: Callable[[str], Awaitable[None]],
        send_stop: Callable[[], Awaitable[None]],
        *,
        max_retries: int | None = None,
        retry_delay: float | None = None,
        start_timeout: float | None = None,
        arrive_timeout: float | None = None,
    ) -> None:
        """Prepare (nothing is sent before `run`); timing not given is the module's, read now."""
        self.location = location
        self._send_goto = send_goto
        self._send_stop = send_stop
        self._max_retries = MAX_RETRIES if max_retries is None else max_retries
        self._retry_delay = RETRY_DELAY if retry_delay is None else retry_delay
        self._start_timeout = START_TIMEOUT if start_timeout is None else start_timeout
        self._arrive_timeout = ARRIVE_TIMEOUT if arrive_timeout is None else arrive_timeout
        self._events: asyncio.Queue[GotoEvent | GotoResult] = asyncio.Queue()
        self.attempts = 0

    def event(self, event: GotoEvent) -> None:
        """Hand over a go-to event of the robot (events for other locations are ignored)."""
        if same_location(event.location, self.location):
            self._events.put_nowait(event)

    def end(self, result: GotoResult) -> None:
        """End the run from outside: the robot went offline, or someone cancelled it."""
        self._events.put_nowait(result)

    async def run(self) -> GotoOutcome:
        """Send the robot, retry after aborts, and return the outcome."""
        reason = ""
        while True:
            self.attempts += 1
            # Late events of the previous try (the abort of the stop) must not count.
            if (ended := self._drain()) is not None:
                return GotoOutcome(self.location, ended, self.attempts - 1, reason)
            await self._send_goto(self.location)
            result, reason = await self._follow()
            if result is not GotoResult.ABORTED and result is not GotoResult.OBSTACLE:
                return GotoOutcome(self.location, result, self.attempts, reason)
            await self._send_stop()
            if self.attempts > self._max_retries:
                return GotoOutcome(self.location, result, self.attempts, reason)
            try:
                # Left alone before the next try; an outside end still counts at once.
                ended = await asyncio.wait_for(self._next_outside_end(), self._retry_delay)
            except TimeoutError:
                continue
            return GotoOutcome(self.location, ended, self.attempts, reason)

    def _drain(self) -> GotoResult | None:
        while not self._events.empty():
            if isinstance(item := self._events.get_nowait(), GotoResult):
                return item
        return None

    async def _next_outside_end(self) -> GotoResult:
        while True:
            item = await self._events.get()
            if isinstance(item, GotoResult):
                return item

    async def _follow(self) -> tuple[GotoResult, str]:
        started = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._start_timeout
        while True:
            try:
                item = await asyncio.wait_for(self._events.get(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                return GotoResult.TIMED_OUT, "no progress" if started else "never started"
            if isinstance(item, GotoResult):
                return item, ""
            if not started and item.status is GotoStatus.ABORT:
                # The robot ends the drive this go-to replaces (often to the same place)
                # before it starts the new one: not this attempt's abort.
                continue
            if not started:
                started = True
                deadline = loop.time() + self._arrive_timeout
            match item.status:
                case GotoStatus.COMPLETE:
                    return GotoResult.ARRIVED, item.description
                case GotoStatus.ABORT:
                    kind = GotoResult.OBSTACLE if is_obstacle(item) else GotoResult.ABORTED
                    return kind, item.description
