"""The official temi cloud API of PRO robots (x-api-key), as far as Smart Quarter uses it.

GET /robots/<serial> (status online/offline/busy/privacy, battery, charging, movement),
GET /robots/<serial>/locations, POST /sequences/play with actions MOVEMENT, SPEAK, START_CALL.
401/403 raise CloudAuthError (the key is wrong or was withdrawn: reauthenticate), 409
CloudRefusedError with the robot's reason (offline, busy, privacy), anything else that fails
CloudUnavailableError. Free of Home Assistant: it gets an aiohttp session.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

import aiohttp

TIMEOUT: Final = aiohttp.ClientTimeout(total=15)
SPEECH_LANGUAGE: Final = "de-DE"


class CloudError(Exception):
    """The cloud API did not do what was asked."""


class CloudAuthError(CloudError):
    """401/403: the API key is wrong or no longer valid."""


class CloudRefusedError(CloudError):
    """409: the robot cannot take it now; `reason` is offline, busy, privacy or unknown."""

    def __init__(self, reason: str) -> None:
        """Keep the robot's reason."""
        super().__init__(reason)
        self.reason = reason


class CloudUnavailableError(CloudError):
    """Network error, time-out, 5xx or an answer that cannot be read."""


@dataclass(frozen=True, slots=True)
class CloudStatus:
    """What GET /robots/<serial> says."""

    status: str
    """online, offline, busy or privacy."""
    battery: int | None
    charging: bool | None
    movement_status: str | None
    """start, calculating, going, complete, abort - of the latest go-to, if any."""
    movement_location: str | None
    movement_description: str


class TemiCloud:
    """A client of the temi cloud API for one API key."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, api_key: str) -> None:
        """Bind to a session, the API's base URL and the key."""
        self._session = session
        self._base = base_url.rstrip("/")
        self._key = api_key

    async def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            async with self._session.request(
                method,
                f"{self._base}{path}",
                json=body,
                headers={"x-api-key": self._key, "Accept": "application/json"},
                timeout=TIMEOUT,
            ) as response:
                if response.status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
                    raise CloudAuthError(f"{response.status} for {path}")
                if response.status == HTTPStatus.CONFLICT:
                    raise CloudRefusedError(await _reason(response))
                if response.status >= HTTPStatus.BAD_REQUEST:
                    raise CloudUnavailableError(f"{response.status} for {path}")
                if response.status == HTTPStatus.NO_CONTENT:
                    return None
                return await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as err:
            raise CloudUnavailableError(f"{path}: {err!r}") from err

    async def async_robots(self) -> list[str]:
        """Return the serials of the robots the key may use."""
        data = await self._request("GET", "/robots")
        robots = data.get("robots", data) if isinstance(data, dict) else data
        if not isinstance(robots, list):
            raise CloudUnavailableError("robots: not a list")
        return [str(robot.get("serial")) for robot in robots if isinstance(robot, dict)]

    async def async_status(self, serial: str) -> CloudStatus:
        """Return the robot's status."""
        data = await self._request("GET", f"/robots/{serial}")
        if not isinstance(data, dict) or not isinstance(data.get("status"), str):
            raise CloudUnavailableError("status: no status in the answer")
        raw_movement = data.get("movement")
        movement: dict[str, Any] = raw_movement if isinstance(raw_movement, dict) else {}
        battery = data.get("battery")
        return CloudStatus(
            status=data["status"].lower(),
            battery=int(battery) if isinstance(battery, int | float) else None,
            charging=data.get("charging") if isinstance(data.get("charging"), bool) else None,
            movement_status=str(movement["status"]).lower() if "status" in movement else None,
            movement_location=str(movement["location"]) if "location" in movement else None,
            movement_description=str(movement.get("description", "")),
        )

    async def async_locations(self, serial: str) -> list[str]:
        """Return the robot's saved locations."""
        data = await self._request("GET", f"/robots/{serial}/locations")
        locations = data.get("locations", data) if isinstance(data, dict) else data
        if not isinstance(locations, list):
            raise CloudUnavailableError("locations: not a list")
        return [
            str(item.get("name", item)) if isinstance(item, dict) else str(item)
            for item in locations
        ]

    async def async_play(self, serial: str, actions: list[dict[str, Any]]) -> None:
        """Play a sequence of actions on the robot."""
        await self._request("POST", "/sequences/play", {"serial": serial, "actions": actions})


def movement(location: str) -> dict[str, Any]:
    """Return a MOVEMENT action to a saved location."""
    return {"type": "MOVEMENT", "location": location}


def speech(text: str) -> dict[str, Any]:
    """Return a SPEAK action in German."""
    return {"type": "SPEAK", "text": text, "language": SPEECH_LANGUAGE}


def start_call(contact: str) -> dict[str, Any]:
    """Return a START_CALL action to a contact of the robot."""
    return {"type": "START_CALL", "contact": contact}


async def _reason(response: aiohttp.ClientResponse) -> str:
    try:
        data = await response.json(content_type=None)
    except TimeoutError, ValueError, aiohttp.ClientError:
        return "unknown"
    reason = data.get("reason") or data.get("status") if isinstance(data, dict) else None
    return str(reason).lower() if reason else "unknown"
