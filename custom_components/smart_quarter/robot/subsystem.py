"""Home Assistant glue of the robots: the MQTT bridge link, the go-to runs, entities."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
import logging
import time
from typing import Any, ClassVar, override

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryFlow
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval

from ..const import DOMAIN
from ..entity import EntityGroup
from ..runtime import SmartQuarterConfigEntry
from ..subsystem import Subsystem
from . import bridge_protocol as bp, entities
from .config_flow import RobotSubentryFlow
from .const import (
    CONF_CALL_URL,
    CONF_HOME_BASE,
    CONF_SERIAL,
    DEFAULT_HOME_BASE,
    EVENT_ROBOT_GOTO,
    SUBENTRY_TYPE_ROBOT,
)
from .goto import GotoOutcome, GotoResult, GotoRun, resolve_location
from .robot_state import RobotState

_LOGGER = logging.getLogger(__name__)

ONLINE_CHECK = timedelta(seconds=5)


def _refused(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


class Robot:
    """One robot on the MQTT bridge: what it said, and what it is asked to do."""

    def __init__(self, hass: HomeAssistant, entry_id: str, subentry: ConfigSubentry) -> None:
        """Hold the robot's settings; nothing is subscribed before async_start."""
        self.hass = hass
        self.entry_id = entry_id
        self.subentry = subentry
        self.state = RobotState()
        self._run: GotoRun | None = None
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def serial(self) -> str:
        """The robot's serial (its topic level)."""
        return str(self.subentry.data[CONF_SERIAL])

    @property
    def home_base(self) -> str:
        """The name of its charging station's location."""
        return str(self.subentry.data.get(CONF_HOME_BASE) or DEFAULT_HOME_BASE)

    @property
    def update_signal(self) -> str:
        """Signal sent after the robot changed."""
        return f"{DOMAIN}_robot_{self.subentry.subentry_id}"

    @property
    def available(self) -> bool:
        """Its entities are unavailable while it is offline."""
        return self.state.online

    @property
    def device_id(self) -> str | None:
        """The robot's device in the device registry."""
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.subentry.subentry_id), self.entry_id
        )
        return device.id if device else None

    async def async_start(self) -> None:
        """Listen to the robot through Home Assistant's mqtt integration."""
        from homeassistant.components import mqtt  # noqa: PLC0415 - only sites with robots

        if not await mqtt.async_wait_for_mqtt_client(self.hass):
            _LOGGER.error("%s: MQTT is not available; the robot cannot be reached", self.name)
            return
        self._unsubscribe.append(
            await mqtt.async_subscribe(
                self.hass, bp.subscription(self.serial), self._async_message, qos=1, encoding=None
            )
        )
        self._unsubscribe.append(
            async_track_time_interval(self.hass, self._async_check_online, ONLINE_CHECK)
        )

    async def async_stop_listening(self) -> None:
        """Stop listening; a running go-to ends."""
        while self._unsubscribe:
            self._unsubscribe.pop()()
        if self._run is not None:
            self._run.end(GotoResult.CANCELLED)
        for task in list(self._tasks):
            task.cancel()

    @property
    def name(self) -> str:
        """The robot's name on the site."""
        return self.subentry.title

    @callback
    def _async_message(self, message: Any) -> None:
        try:
            parsed = bp.parse(self.serial, message.topic, message.payload)
        except bp.BridgeMessageError as err:
            self.state.malformed += 1
            _LOGGER.warning("%s sent a message that cannot be read (ignored): %s", self.name, err)
            return
        if parsed is None:
            return
        was_online = self.state.online
        self.state.take(parsed, time.monotonic())
        if self._run is not None:
            if isinstance(parsed, bp.GotoEvent):
                self._run.event(parsed)
            elif isinstance(parsed, bp.LastWill):
                self._run.end(GotoResult.OFFLINE)
        if was_online != self.state.online:
            _LOGGER.info("%s is %s", self.name, "online" if self.state.online else "offline")
        self._changed()

    @callback
    def _async_check_online(self, _now: datetime) -> None:
        if self.state.check_online(time.monotonic()):
            _LOGGER.info("%s is offline (no status for a while)", self.name)
            if self._run is not None:
                self._run.end(GotoResult.OFFLINE)
            self._changed()

    def _changed(self) -> None:
        async_dispatcher_send(self.hass, self.update_signal)

    async def _async_publish(self, command: tuple[str, str]) -> None:
        from homeassistant.components import mqtt  # noqa: PLC0415 - only sites with robots

        if not self.state.online:
            raise _refused("robot_offline", robot=self.name)
        topic, payload = command
        # The bridge app subscribes with QoS 0 and never answers.
        await mqtt.async_publish(self.hass, topic, payload, qos=0, retain=False)

    # What people and automations ask -------------------------------------------------------

    def resolve(self, location: str) -> str:
        """Return the saved location meant (case and spaces ignored); refuse an unknown one."""
        if not self.state.online:
            raise _refused("robot_offline", robot=self.name)
        resolved = resolve_location(location, self.state.locations)
        if resolved is None:
            raise _refused(
                "unknown_location",
                robot=self.name,
                location=location,
                known=", ".join(self.state.locations) or "-",
            )
        return resolved

    async def async_goto(self, location: str) -> GotoOutcome:
        """Send the robot to a saved location and wait for the outcome (one event says it)."""
        resolved = self.resolve(location)
        if self._run is not None:
            self._run.end(GotoResult.CANCELLED)  # a new destination replaces the old one
        run = GotoRun(
            resolved,
            lambda where: self._async_publish(bp.goto(self.serial, where)),
            lambda: self._async_publish(bp.stop(self.serial)),
        )
        self._run = run
        try:
            outcome = await run.run()
        except ServiceValidationError:
            outcome = GotoOutcome(resolved, GotoResult.OFFLINE, run.attempts)
        finally:
            if self._run is run:
                self._run = None
        self.hass.bus.async_fire(
            EVENT_ROBOT_GOTO,
            {
                "robot": self.name,
                "robot_id": self.subentry.subentry_id,
                "device_id": self.device_id,
                "location": outcome.location,
                "result": outcome.result.value,
                "attempts": outcome.attempts,
                "reason": outcome.reason,
            },
        )
        self._changed()
        return outcome

    def goto_in_background(self, location: str) -> None:
        """Check the location now, then send the robot without waiting (select, buttons)."""
        self.resolve(location)
        task = self.hass.async_create_background_task(
            self.async_goto(location), f"{DOMAIN} robot {self.serial} goto"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def async_home(self) -> None:
        """Send the robot back to its charging station."""
        self.goto_in_background(self.home_base)

    async def async_speak(self, text: str) -> None:
        """Let the robot say a text (its TTS language; German on the quarter's robots)."""
        text = text.strip()
        if not text:
            raise _refused("nothing_to_say")
        await self._async_publish(bp.speak(self.serial, text))

    async def async_stop(self) -> None:
        """Stop the robot now; a running go-to ends as cancelled."""
        if self._run is not None:
            self._run.end(GotoResult.CANCELLED)
        await self._async_publish(bp.stop(self.serial))

    async def async_show(self, url: str, *, video: bool = False) -> None:
        """Show a web page or a video on the robot's screen."""
        await self._async_publish(bp.show_url(self.serial, url, video=video))

    async def async_call(self) -> None:
        """Start the video call to the care service: its call link on the robot's screen."""
        url = self.subentry.data.get(CONF_CALL_URL)
        if not url:
            raise _refused("no_call_configured", robot=self.name)
        await self.async_show(str(url))

    async def async_patrol(self, locations: list[str], rounds: int = 1) -> list[GotoOutcome]:
        """Visit locations in turn (all checked first); an offline robot ends the patrol."""
        resolved = [self.resolve(location) for location in locations]
        outcomes: list[GotoOutcome] = []
        for _ in range(rounds):
            for location in resolved:
                outcome = await self.async_goto(location)
                outcomes.append(outcome)
                if outcome.result in (GotoResult.OFFLINE, GotoResult.CANCELLED):
                    return outcomes
        return outcomes


class RobotSubsystem(Subsystem):
    """The temi robots of a site."""

    key = "robot"
    subentry_flows: ClassVar[Mapping[str, type[ConfigSubentryFlow]]] = {
        SUBENTRY_TYPE_ROBOT: RobotSubentryFlow
    }
    platforms = frozenset(
        {
            Platform.BINARY_SENSOR,
            Platform.BUTTON,
            Platform.NOTIFY,
            Platform.SELECT,
            Platform.SENSOR,
        }
    )
    redact_keys = frozenset({CONF_SERIAL, CONF_CALL_URL})

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """No robots before async_setup."""
        super().__init__(hass, entry)
        self.robots: dict[str, Robot] = {}

    @override
    async def async_setup(self) -> None:
        for subentry in self.subentries():
            robot = Robot(self.hass, self.entry.entry_id, subentry)
            self.robots[subentry.subentry_id] = robot
        for robot in self.robots.values():
            await robot.async_start()

    @override
    async def async_unload(self) -> None:
        for robot in self.robots.values():
            await robot.async_stop_listening()

    @override
    def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
        for robot in self.robots.values():
            for subject, descriptions in entities.groups(platform, robot):
                yield EntityGroup(robot.subentry, subject, descriptions)

    @override
    def diagnostics(self) -> dict[str, Any]:
        return {
            robot_id: {
                "status": robot.state.status.value,
                "battery": robot.state.battery,
                "locations": len(robot.state.locations),
                "messages": robot.state.messages,
                "malformed": robot.state.malformed,
            }
            for robot_id, robot in self.robots.items()
        }
