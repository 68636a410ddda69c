"""The temi MQTT bridge app's protocol (hapi-robo "temi MQTT Client" / "Connect"), pure.

Topics are `temi/<serial>/...`. The robot subscribes to `command/#` and never acknowledges a
command; it publishes its status every 3 s, battery changes, go-to progress and user events
(QoS 1, not retained), and its last will `lwt` (`{}`) when the link drops. Every command payload
is a JSON object. Anything the robot sends that does not parse raises BridgeMessageError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
import json
import re
from typing import Any, Final

PREFIX: Final = "temi"
STATUS_INTERVAL_SECONDS: Final = 3
"""The app publishes status/info this often; silence for a few intervals means offline."""

_SERIAL_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class BridgeMessageError(ValueError):
    """A message from the robot that cannot be read (bad JSON, missing or wrong fields)."""


class GotoStatus(StrEnum):
    """The robot's go-to progress (`event/waypoint/goto` status)."""

    START = "start"
    CALCULATING = "calculating"
    GOING = "going"
    COMPLETE = "complete"
    ABORT = "abort"


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """`status/info`: the saved locations and the battery, every 3 s."""

    locations: tuple[str, ...]
    battery: int


@dataclass(frozen=True, slots=True)
class Battery:
    """`status/utils/battery`: on change."""

    percentage: int
    charging: bool


@dataclass(frozen=True, slots=True)
class GotoEvent:
    """`event/waypoint/goto`: progress of a go-to (also one started on the robot itself)."""

    location: str
    status: GotoStatus
    description_id: int
    description: str


@dataclass(frozen=True, slots=True)
class UserDetection:
    """`event/user/detection`: 0 idle, 1 lost, 2 detected."""

    state: int


@dataclass(frozen=True, slots=True)
class UserInteraction:
    """`event/user/interaction`."""

    interacting: bool


@dataclass(frozen=True, slots=True)
class LastWill:
    """`lwt`: the broker says the robot's link dropped."""


type RobotMessage = StatusInfo | Battery | GotoEvent | UserDetection | UserInteraction | LastWill


def valid_serial(serial: str) -> bool:
    """Tell whether a serial can be a topic level (no wildcards, no separators)."""
    return bool(_SERIAL_RE.match(serial))


def subscription(serial: str) -> str:
    """Return the topic filter of everything a robot publishes."""
    return f"{PREFIX}/{serial}/#"


def command(serial: str, name: str, **arguments: Any) -> tuple[str, str]:
    """Return topic and JSON payload of a command (`waypoint/goto`, `tts`, `move/stop` ...)."""
    return f"{PREFIX}/{serial}/command/{name}", json.dumps(arguments, ensure_ascii=False)


def goto(serial: str, location: str) -> tuple[str, str]:
    """Send the robot to a saved location."""
    return command(serial, "waypoint/goto", location=location)


def save_location(serial: str, location: str) -> tuple[str, str]:
    """Save where the robot stands now under a name."""
    return command(serial, "waypoint/save", location=location)


def delete_location(serial: str, location: str) -> tuple[str, str]:
    """Delete a saved location."""
    return command(serial, "waypoint/delete", location=location)


def speak(serial: str, text: str) -> tuple[str, str]:
    """Let the robot say a text (in the language its TTS is set to)."""
    return command(serial, "tts", utterance=text)


def stop(serial: str) -> tuple[str, str]:
    """Stop any movement."""
    return command(serial, "move/stop")


def tilt(serial: str, angle: int) -> tuple[str, str]:
    """Tilt the head to an angle (whole degrees: the robot drops anything else)."""
    return command(serial, "move/tilt", angle=int(angle))


def show_url(serial: str, url: str, *, video: bool = False) -> tuple[str, str]:
    """Show a web page (or play a video) on the robot's screen."""
    return command(serial, "media/video" if video else "media/webview", url=url)


def open_app(serial: str, package: str) -> tuple[str, str]:
    """Start an app on the robot (older "Connect" builds)."""
    return command(serial, "app", package_name=package)


def parse(serial: str, topic: str, payload: bytes | str) -> RobotMessage | None:
    """Read a message the robot published; None for topics that are not its messages.

    Raises BridgeMessageError for a message of a known topic that cannot be read.
    """
    head = f"{PREFIX}/{serial}/"
    if not topic.startswith(head):
        return None
    kind = topic.removeprefix(head)
    if kind.startswith("command/"):
        return None  # our own commands, echoed by the broker
    if kind == "lwt":
        return LastWill()
    reader = _READERS.get(kind)
    if reader is None:
        return None
    data = _object(payload)
    try:
        return reader(data)
    except (KeyError, TypeError, ValueError) as err:
        raise BridgeMessageError(f"{kind}: {err}") from err


def _object(payload: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BridgeMessageError(f"not JSON: {err}") from err
    if not isinstance(data, dict):
        raise BridgeMessageError("not a JSON object")
    return data


def _int(value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise TypeError(f"{what} is not a whole number")
    if not low <= int(value) <= high:
        raise ValueError(f"{what} {value} out of range")
    return int(value)


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what} is not true/false")
    return value


def _status_info(data: dict[str, Any]) -> StatusInfo:
    locations = data["waypoint_list"]
    if not isinstance(locations, list) or not all(isinstance(x, str) for x in locations):
        raise TypeError("waypoint_list is not a list of names")
    return StatusInfo(tuple(locations), _int(data["battery_percentage"], 0, 100, "battery"))


def _battery(data: dict[str, Any]) -> Battery:
    return Battery(
        _int(data["percentage"], 0, 100, "percentage"), _bool(data["is_charging"], "is_charging")
    )


def _goto(data: dict[str, Any]) -> GotoEvent:
    location = data["location"]
    if not isinstance(location, str):
        raise TypeError("location is not text")
    return GotoEvent(
        location,
        GotoStatus(str(data["status"]).lower()),
        _int(data.get("description_id", 0), -(2**31), 2**31, "description_id"),
        str(data.get("description", "")),
    )


def _detection(data: dict[str, Any]) -> UserDetection:
    return UserDetection(_int(data["state"], 0, 2, "state"))


def _interaction(data: dict[str, Any]) -> UserInteraction:
    return UserInteraction(_bool(data["is_interacting"], "is_interacting"))


_READERS: dict[str, Callable[[dict[str, Any]], RobotMessage]] = {
    "status/info": _status_info,
    "status/utils/battery": _battery,
    "event/waypoint/goto": _goto,
    "event/user/detection": _detection,
    "event/user/interaction": _interaction,
}


def same_location(a: str, b: str) -> bool:
    """Compare location names as the robot does: trimmed and lower-cased."""
    return a.strip().lower() == b.strip().lower()
