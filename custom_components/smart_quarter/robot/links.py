"""How Home Assistant reaches a robot: the MQTT bridge app, or the temi cloud API (PRO robots).

Both hand the robot what they hear in the bridge's message types, so status, go-to runs and
entities do not care which one it is; both carry out the same few commands.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import async_track_time_interval

from ..const import DOMAIN
from . import bridge_protocol as bp, cloud_api

if TYPE_CHECKING:
    from .subsystem import Robot

_LOGGER = logging.getLogger(__name__)

ONLINE_CHECK = timedelta(seconds=5)
CLOUD_POLL = timedelta(seconds=10)
CLOUD_LOCATIONS_EVERY = 30
"""Polls between reading the saved locations again (5 minutes)."""


class RobotLink(Protocol):
    """What a robot is told through; it reports what it hears to the robot."""

    async def async_start(self) -> None:
        """Start listening."""

    async def async_stop(self) -> None:
        """Stop listening."""

    async def async_goto(self, location: str) -> None:
        """Send the robot to a saved location."""

    async def async_halt(self) -> None:
        """Stop any movement."""

    async def async_speak(self, text: str) -> None:
        """Say a text."""

    async def async_show(self, url: str, *, video: bool) -> None:
        """Show a page or video on the screen."""

    async def async_call(self, target: str) -> None:
        """Start the video call to the care service (a link or a contact)."""

    async def async_manage_location(self, location: str, *, save: bool) -> None:
        """Save the robot's position under a name, or delete a saved location."""

    async def async_tilt(self, angle: int) -> None:
        """Tilt the head."""


class BridgeLink:
    """The robot's MQTT bridge app, through Home Assistant's mqtt integration."""

    def __init__(self, robot: Robot) -> None:
        """Bind to the robot."""
        self._robot = robot
        self._unsubscribe: list[CALLBACK_TYPE] = []

    @property
    def _hass(self) -> HomeAssistant:
        return self._robot.hass

    async def async_start(self) -> None:
        """Subscribe to everything the robot publishes; check its heartbeat."""
        from homeassistant.components import mqtt  # noqa: PLC0415 - only sites with robots

        if not await mqtt.async_wait_for_mqtt_client(self._hass):
            _LOGGER.error(
                "%s: MQTT is not available; the robot cannot be reached", self._robot.name
            )
            return
        self._unsubscribe.append(
            await mqtt.async_subscribe(
                self._hass,
                bp.subscription(self._robot.serial),
                self._async_message,
                qos=1,
                encoding=None,
            )
        )
        self._unsubscribe.append(
            async_track_time_interval(self._hass, self._async_check_online, ONLINE_CHECK)
        )

    async def async_stop(self) -> None:
        """Unsubscribe."""
        while self._unsubscribe:
            self._unsubscribe.pop()()

    @callback
    def _async_message(self, message: Any) -> None:
        try:
            parsed = bp.parse(self._robot.serial, message.topic, message.payload)
        except bp.BridgeMessageError as err:
            self._robot.malformed(err)
            return
        if parsed is not None:
            self._robot.hear(parsed)

    @callback
    def _async_check_online(self, _now: datetime) -> None:
        self._robot.check_online()

    async def _async_publish(self, command: tuple[str, str]) -> None:
        from homeassistant.components import mqtt  # noqa: PLC0415 - only sites with robots

        topic, payload = command
        # The bridge app subscribes with QoS 0 and never answers.
        await mqtt.async_publish(self._hass, topic, payload, qos=0, retain=False)

    async def async_goto(self, location: str) -> None:
        """Send the robot to a saved location."""
        await self._async_publish(bp.goto(self._robot.serial, location))

    async def async_halt(self) -> None:
        """Stop any movement."""
        await self._async_publish(bp.stop(self._robot.serial))

    async def async_speak(self, text: str) -> None:
        """Say a text."""
        await self._async_publish(bp.speak(self._robot.serial, text))

    async def async_show(self, url: str, *, video: bool) -> None:
        """Show a page or video."""
        await self._async_publish(bp.show_url(self._robot.serial, url, video=video))

    async def async_call(self, target: str) -> None:
        """Open the care service's call link on the screen (the bridge app cannot dial)."""
        await self.async_show(target, video=False)

    async def async_manage_location(self, location: str, *, save: bool) -> None:
        """Save the robot's position under a name, or delete a saved location."""
        command = bp.save_location if save else bp.delete_location
        await self._async_publish(command(self._robot.serial, location))

    async def async_tilt(self, angle: int) -> None:
        """Tilt the head (whole degrees)."""
        await self._async_publish(bp.tilt(self._robot.serial, angle))


class CloudLink:
    """The temi cloud API: polled every 10 s; commands as sequences."""

    def __init__(
        self, robot: Robot, cloud: cloud_api.TemiCloud, on_auth_failed: Callable[[], None]
    ) -> None:
        """Bind to the robot and its API client."""
        self._robot = robot
        self._cloud = cloud
        self._on_auth_failed = on_auth_failed
        self._unsubscribe: CALLBACK_TYPE | None = None
        self._polls = 0
        self._last_movement: tuple[str | None, str | None] = (None, None)
        self._polling = False
        self._failing = False

    async def async_start(self) -> None:
        """Read the robot now, then every 10 s."""
        await self._async_poll()
        self._unsubscribe = async_track_time_interval(
            self._robot.hass, self._async_poll_timer, CLOUD_POLL
        )

    async def async_stop(self) -> None:
        """Stop polling."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    async def _async_poll_timer(self, _now: datetime) -> None:
        await self._async_poll()

    async def _async_poll(self) -> None:
        if self._polling:
            return  # the previous poll still waits for the cloud (its time-out is longer)
        self._polling = True
        try:
            await self._async_poll_once()
        finally:
            self._polling = False

    async def _async_poll_once(self) -> None:
        serial = self._robot.serial
        try:
            status = await self._cloud.async_status(serial)
            if status.status != "offline" and (
                not self._robot.state.locations or self._polls % CLOUD_LOCATIONS_EVERY == 0
            ):
                self._robot.hear_locations(await self._cloud.async_locations(serial))
        except cloud_api.CloudAuthError:
            self._on_auth_failed()
            self._robot.hear(bp.LastWill())
            return
        except cloud_api.CloudUnavailableError as err:
            if not self._failing:  # once, not every 10 s
                _LOGGER.warning("%s: the temi cloud does not answer: %s", self._robot.name, err)
            self._failing = True
            self._robot.hear(bp.LastWill())
            return
        if self._failing:
            _LOGGER.info("%s: the temi cloud answers again", self._robot.name)
            self._failing = False
        self._polls += 1
        self._robot.hear_cloud_status(status.status)
        if status.status == "offline":
            return  # what else it says is old news
        if status.battery is not None:
            self._robot.hear(bp.Battery(status.battery, bool(status.charging)))
        movement = (status.movement_status, status.movement_location)
        if movement != self._last_movement and None not in movement:
            self._last_movement = movement
            try:
                goto = bp.GotoStatus(str(status.movement_status))
            except ValueError:
                return
            self._robot.hear(
                bp.GotoEvent(str(status.movement_location), goto, 0, status.movement_description)
            )

    async def _async_play(self, *actions: dict[str, Any]) -> None:
        try:
            await self._cloud.async_play(self._robot.serial, list(actions))
        except cloud_api.CloudAuthError as err:
            self._on_auth_failed()
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="robot_auth_failed",
                translation_placeholders={"robot": self._robot.name},
            ) from err
        except cloud_api.CloudRefusedError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="robot_refused",
                translation_placeholders={"robot": self._robot.name, "reason": err.reason},
            ) from err
        except cloud_api.CloudUnavailableError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="robot_cloud_unavailable",
                translation_placeholders={"robot": self._robot.name},
            ) from err

    async def async_goto(self, location: str) -> None:
        """Send the robot to a saved location (only movements that change count as news)."""
        await self._async_play(cloud_api.movement(location))

    async def async_halt(self) -> None:
        """Refuse: the cloud API has no stop command."""
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="robot_cannot_stop",
            translation_placeholders={"robot": self._robot.name},
        )

    async def async_speak(self, text: str) -> None:
        """Say a text in German."""
        await self._async_play(cloud_api.speech(text))

    async def async_show(self, url: str, *, video: bool) -> None:
        """Refuse: the cloud API shows nothing on the screen."""
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="robot_cannot_show",
            translation_placeholders={"robot": self._robot.name},
        )

    async def async_call(self, target: str) -> None:
        """Call the care service's contact."""
        await self._async_play(cloud_api.start_call(target))

    async def async_manage_location(self, location: str, *, save: bool) -> None:
        """Refuse: locations are managed in temi Center for cloud robots."""
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="robot_cloud_cannot_edit_locations",
            translation_placeholders={"robot": self._robot.name},
        )

    async def async_tilt(self, angle: int) -> None:
        """Refuse: the cloud API has no head movement."""
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="robot_cannot_tilt",
            translation_placeholders={"robot": self._robot.name},
        )
