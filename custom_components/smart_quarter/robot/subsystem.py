"""Home Assistant glue of the robots: the MQTT bridge link, the go-to runs, entities."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
import contextlib
import logging
import time
from typing import Any, ClassVar, override

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send

from ..const import DOMAIN
from ..device_target import subentry_device_id
from ..entity import EntityGroup
from ..runtime import SmartQuarterConfigEntry
from ..subsystem import Subsystem
from . import bridge_protocol as bp, entities
from .cloud_api import TemiCloud
from .config_flow import RobotSubentryFlow
from .const import (
    CONF_API_KEY,
    CONF_API_URL,
    CONF_CALL_CONTACT,
    CONF_CALL_URL,
    CONF_HOME_BASE,
    CONF_SERIAL,
    CONF_TRANSPORT,
    DEFAULT_HOME_BASE,
    EVENT_ROBOT_GOTO,
    REAUTH_ROBOT,
    SUBENTRY_TYPE_ROBOT,
    TRANSPORT_CLOUD,
)
from .goto import GotoOutcome, GotoResult, GotoRun, resolve_location
from .links import BridgeLink, CloudLink, RobotLink
from .robot_state import RobotState

_LOGGER = logging.getLogger(__name__)


def _refused(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


class Robot:
    """One robot: what it said, and what it is asked to do (through its link)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmartQuarterConfigEntry,
        subentry: ConfigSubentry,
    ) -> None:
        """Hold the robot's settings; nothing is heard before async_start."""
        self.hass = hass
        self.entry = entry
        self.subentry = subentry
        self.state = RobotState()
        self._run: GotoRun | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._auth_reported = False
        self.link: RobotLink = self._make_link()

    def _make_link(self) -> RobotLink:
        if self.subentry.data.get(CONF_TRANSPORT) != TRANSPORT_CLOUD:
            return BridgeLink(self)
        cloud = TemiCloud(
            async_get_clientsession(self.hass),
            str(self.subentry.data[CONF_API_URL]),
            str(self.subentry.data[CONF_API_KEY]),
        )
        return CloudLink(self, cloud, self._auth_failed)

    @property
    def serial(self) -> str:
        """The robot's serial (its topic level, its id in the cloud)."""
        return str(self.subentry.data[CONF_SERIAL])

    @property
    def name(self) -> str:
        """The robot's name on the site."""
        return self.subentry.title

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
        return subentry_device_id(self.hass, self.entry.entry_id, self.subentry.subentry_id)

    async def async_start(self) -> None:
        """Start hearing the robot."""
        await self.link.async_start()

    async def async_stop_listening(self) -> None:
        """Stop hearing it; a running go-to ends."""
        await self.link.async_stop()
        if self._run is not None:
            self._run.end(GotoResult.CANCELLED)
        for task in list(self._tasks):
            task.cancel()

    # What the link hears ------------------------------------------------------------------

    @callback
    def hear(self, message: bp.RobotMessage) -> None:
        """Take a message of the robot; a running go-to follows its progress."""
        was_online = self.state.online
        self.state.take(message, time.monotonic())
        if self._run is not None:
            if isinstance(message, bp.GotoEvent):
                self._run.event(message)
            elif isinstance(message, bp.LastWill):
                self._run.end(GotoResult.OFFLINE)
        self._online_changed(was_online)
        self._changed()

    @callback
    def hear_cloud_status(self, status: str) -> None:
        """Take the cloud's word on the robot (online, offline, busy, privacy)."""
        was_online = self.state.online
        self.state.take_cloud_status(status, time.monotonic())
        if not self.state.online and self._run is not None:
            self._run.end(GotoResult.OFFLINE)
        self._online_changed(was_online)
        self._changed()

    @callback
    def hear_locations(self, locations: list[str]) -> None:
        """Take the robot's saved locations (the cloud lists them on their own)."""
        self.state.locations = tuple(locations)
        self._changed()

    @callback
    def malformed(self, err: Exception) -> None:
        """Count and log a message that cannot be read; it is otherwise ignored."""
        self.state.malformed += 1
        _LOGGER.warning("%s sent a message that cannot be read (ignored): %s", self.name, err)

    @callback
    def check_online(self) -> None:
        """Mark the robot offline when its status messages stopped."""
        if self.state.check_online(time.monotonic()):
            self._online_changed(True)
            if self._run is not None:
                self._run.end(GotoResult.OFFLINE)
            self._changed()

    def _online_changed(self, was_online: bool) -> None:
        if was_online != self.state.online:
            _LOGGER.info("%s is %s", self.name, "online" if self.state.online else "offline")

    @callback
    def _auth_failed(self) -> None:
        if not self._auth_reported:
            self._auth_reported = True
            _LOGGER.error("%s: the temi cloud refused the API key", self.name)
        self.entry.async_start_reauth(
            self.hass, data={**self.entry.data, REAUTH_ROBOT: self.subentry.subentry_id}
        )

    def _changed(self) -> None:
        async_dispatcher_send(self.hass, self.update_signal)

    def _require_online(self) -> None:
        if not self.state.online:
            raise _refused("robot_offline", robot=self.name)

    # What people and automations ask -------------------------------------------------------

    def resolve(self, location: str) -> str:
        """Return the saved location meant (case and spaces ignored); refuse an unknown one."""
        self._require_online()
        resolved = resolve_location(location, self.state.locations)
        if resolved is None:
            raise _refused(
                "unknown_location",
                robot=self.name,
                location=location,
                known=", ".join(self.state.locations) or "-",
            )
        return resolved

    async def _halt_before_retry(self) -> None:
        # The cloud cannot stop a robot; its go-to already ended with the abort.
        with contextlib.suppress(ServiceValidationError):
            await self.link.async_halt()

    async def _goto_once(self, location: str) -> None:
        self._require_online()
        await self.link.async_goto(location)

    async def async_goto(self, location: str) -> GotoOutcome:
        """Send the robot to a saved location and wait for the outcome (one event says it)."""
        resolved = self.resolve(location)
        if self._run is not None:
            self._run.end(GotoResult.CANCELLED)  # a new destination replaces the old one
        run = GotoRun(resolved, self._goto_once, self._halt_before_retry)
        self._run = run
        try:
            outcome = await run.run()
        except HomeAssistantError as err:
            # Sending failed (the cloud refused, did not answer, or the robot went offline):
            # still one outcome, with the reason.
            refused = err.translation_key == "robot_refused"
            outcome = GotoOutcome(
                resolved,
                GotoResult.ABORTED if refused else GotoResult.OFFLINE,
                run.attempts,
                (err.translation_placeholders or {}).get("reason", "") if refused else str(err),
            )
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
        """Let the robot say a text (German on the quarter's robots)."""
        text = text.strip()
        if not text:
            raise _refused("nothing_to_say")
        self._require_online()
        await self.link.async_speak(text)

    async def async_stop(self) -> None:
        """Stop the robot now; a running go-to ends as cancelled."""
        self._require_online()
        await self.link.async_halt()  # a link that cannot stop says so before anything ends
        if self._run is not None:
            self._run.end(GotoResult.CANCELLED)

    async def async_show(self, url: str, *, video: bool = False) -> None:
        """Show a web page or a video on the robot's screen."""
        self._require_online()
        await self.link.async_show(url, video=video)

    async def async_call(self) -> None:
        """Start the video call to the care service (its link on the screen, or a contact)."""
        target = self.subentry.data.get(CONF_CALL_CONTACT) or self.subentry.data.get(CONF_CALL_URL)
        if not target:
            raise _refused("no_call_configured", robot=self.name)
        self._require_online()
        await self.link.async_call(str(target))

    async def async_save_location(self, location: str) -> None:
        """Save where the robot stands now under a name (the list follows with its status)."""
        location = location.strip()
        if not location:
            raise _refused("location_name_missing")
        self._require_online()
        await self.link.async_manage_location(location, save=True)

    async def async_delete_location(self, location: str) -> None:
        """Delete a saved location (checked against the list first)."""
        await self.link.async_manage_location(self.resolve(location), save=False)

    async def async_tilt(self, angle: int) -> None:
        """Tilt the head (-25 to 55 degrees on temi)."""
        self._require_online()
        await self.link.async_tilt(angle)

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
    redact_keys = frozenset({CONF_SERIAL, CONF_CALL_URL, CONF_API_KEY, CONF_CALL_CONTACT})

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """No robots before async_setup."""
        super().__init__(hass, entry)
        self.robots: dict[str, Robot] = {}

    @override
    async def async_setup(self) -> None:
        for subentry in self.subentries():
            robot = Robot(self.hass, self.entry, subentry)
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
