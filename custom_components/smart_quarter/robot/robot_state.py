"""What Home Assistant knows of a robot: it can only be listened to, never asked (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from .bridge_protocol import (
    STATUS_INTERVAL_SECONDS,
    Battery,
    GotoEvent,
    GotoStatus,
    LastWill,
    RobotMessage,
    StatusInfo,
    UserDetection,
    UserInteraction,
)
from .goto import is_obstacle

OFFLINE_AFTER: Final = 3 * STATUS_INTERVAL_SECONDS + 1.0
"""Seconds without a status message after which the robot counts as offline (3 missed)."""


class RobotStatus(StrEnum):
    """The robot's status as entities show it."""

    IDLE = "idle"
    GOING = "going"
    ARRIVED = "arrived"
    ABORTED = "aborted"
    OBSTACLE = "obstacle"
    BUSY = "busy"
    PRIVACY = "privacy"
    OFFLINE = "offline"


@dataclass(slots=True)
class RobotState:
    """The latest of everything the robot said."""

    online: bool = False
    last_heard: float | None = None
    """Monotonic time of the last message."""
    battery: int | None = None
    charging: bool | None = None
    locations: tuple[str, ...] = ()
    activity: RobotStatus = RobotStatus.IDLE
    location: str | None = None
    """Where it is: the location it arrived at (None while it moves or after an abort)."""
    last_location: str | None = None
    """The last location it arrived at."""
    target: str | None = None
    """Where it is going."""
    user_detected: bool = False
    interacting: bool = False
    messages: int = 0
    malformed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> RobotStatus:
        """Offline wins over whatever it last did."""
        return self.activity if self.online else RobotStatus.OFFLINE

    def take(self, message: RobotMessage, now: float) -> None:
        """Apply one message of the robot."""
        self.messages += 1
        if isinstance(message, LastWill):
            self.online = False
            return
        self.online = True
        self.last_heard = now
        match message:
            case StatusInfo():
                self.locations = message.locations
                self.battery = message.battery
            case Battery():
                self.battery = message.percentage
                self.charging = message.charging
            case GotoEvent():
                self._goto(message)
            case UserDetection():
                self.user_detected = message.state == 2  # noqa: PLR2004 - "detected"
            case UserInteraction():
                self.interacting = message.interacting

    def _goto(self, event: GotoEvent) -> None:
        match event.status:
            case GotoStatus.START | GotoStatus.CALCULATING | GotoStatus.GOING:
                self.activity = RobotStatus.GOING
                self.target = event.location
                self.location = None
            case GotoStatus.COMPLETE:
                self.activity = RobotStatus.ARRIVED
                self.location = self.last_location = event.location
                self.target = None
            case GotoStatus.ABORT:
                self.activity = RobotStatus.OBSTACLE if is_obstacle(event) else RobotStatus.ABORTED
                self.target = None

    def take_cloud_status(self, status: str, now: float) -> None:
        """Apply what the cloud API says of the robot (online, offline, busy, privacy)."""
        self.messages += 1
        if status == "offline":
            self.online = False
            return
        self.online = True
        self.last_heard = now
        if status == "busy":
            self.activity = RobotStatus.BUSY
        elif status == "privacy":
            self.activity = RobotStatus.PRIVACY
        elif self.activity in (RobotStatus.BUSY, RobotStatus.PRIVACY):
            self.activity = RobotStatus.IDLE

    def check_online(self, now: float) -> bool:
        """Mark the robot offline after missed status messages; return whether that changed."""
        if self.online and (self.last_heard is None or now - self.last_heard > OFFLINE_AFTER):
            self.online = False
            return True
        return False
