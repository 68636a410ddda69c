"""The guest's voice in the apartment (Assist): bed, kitchen, lights, heating, the next appointment.

Registered with Home Assistant's conversation agent as trigger sentences (German and English,
see voice_phrases); those naming a room once per room name the gateways use, updated as
devices come and go. Everything acts on the apartment the voice satellite is in: the apartment
whose device, or one of whose gateway devices, shares the satellite's area (a satellite
without an area: the only apartment, if there is one). So "Licht aus" never reaches a
neighbour's lights, which Home Assistant's built-in intents could with 250 "Wohnzimmer".
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from typing import TYPE_CHECKING

from homeassistant.components.select.const import ATTR_OPTIONS
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    HomeAssistant,
    ServiceResponse,
    State,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..assist import (
    announcing_satellite,
    apartment_of_satellite,
    async_announce,
    async_when_conversation_loaded,
    satellite_area,
)
from ..const import DOMAIN
from ..emergency.const import SUBENTRY_TYPE_APARTMENT
from ..robot.goto import resolve_location  # pure: the robot's own matching of location names
from . import voice_phrases as vp
from .gateway_protocol import DeviceType
from .voice_phrases import Command

if TYPE_CHECKING:
    from hassil.recognize import RecognizeResult
    from homeassistant.components.conversation import ConversationInput

    from .subsystem import GatewayDevice, SmartHomeSubsystem

_LOGGER = logging.getLogger(__name__)

# The range each moved value keeps to (the gateway clamps too; this lets us say "no further").
LIMITS: dict[str, tuple[float, float]] = {"height": (0, 100), "head": (0, 70), "target": (5, 30)}
MOVED: dict[Command, DeviceType] = {
    Command.BED_UP: DeviceType.BED,
    Command.BED_DOWN: DeviceType.BED,
    Command.HEAD_UP: DeviceType.BED,
    Command.HEAD_DOWN: DeviceType.BED,
    Command.KITCHEN_UP: DeviceType.KITCHEN,
    Command.KITCHEN_DOWN: DeviceType.KITCHEN,
}
GUEST_APPOINTMENT_KEY = "guest_next_appointment"
"""The booking subsystem's sensor of an apartment guest's next appointment (its unique id)."""
# The robot subsystem's documented parts used here: its subentry type, the apartment a robot
# serves (its form), and its go-to action.
ROBOT_SUBENTRY = "robot"
ROBOT_APARTMENT = "apartment"
ROBOT_GOTO = "robot_goto"
ROBOT_GOTO_SELECT = "robot_goto"
"""The translation key of the robot's go-to select: its options are the saved locations."""
ROBOT_CAME_OR_REPLACED = ("arrived", "cancelled")
"""Go-to results the guest is not told of (cancelled: a newer destination replaced it)."""
ROBOT_OBSTACLE = "obstacle"
ROBOT_REFUSALS = {"robot_offline": "robot_offline", "unknown_location": "robot_unknown_room"}
"""The robot's refusals (translation keys) and what the guest hears for them."""
REFUSAL_WAIT = 1.0
"""Seconds to wait for the robot's refusal when its go-to select cannot tell (disabled)."""
DEFAULT_ROOM = "Wohnzimmer"
"""Where the robot goes when the satellite's area is no room of the apartment."""


@dataclass(slots=True)
class Apartment:
    """The apartment a sentence was heard in, with what the handlers need of it."""

    hass: HomeAssistant
    subsystem: SmartHomeSubsystem
    subentry: ConfigSubentry
    gateway_id: str
    area: str | None
    """The satellite's area."""
    user_input: ConversationInput | None = None
    """What was said, by whom, on which satellite."""

    def devices(self, kind: DeviceType, room: str | None = None) -> list[GatewayDevice]:
        """Return its devices of a type, in a room when one is named."""
        found = [
            device
            for device in self.subsystem.devices.get(self.gateway_id, {}).values()
            if device.info.type is kind
        ]
        if room is None:
            return found
        return [device for device in found if _same_room(device.info.room, room)]

    def in_satellite_area(self, devices: list[GatewayDevice]) -> list[GatewayDevice]:
        """Return those of the devices in the satellite's area (all if none is)."""
        registry = dr.async_get(self.hass)
        entry_id = self.subsystem.entry.entry_id
        here = [
            device
            for device in devices
            if self.area is not None
            and (
                found := registry.async_get_device_by_identifier(
                    (DOMAIN, device.identifier), entry_id
                )
            )
            and found.area_id == self.area
        ]
        return here or devices


def _same_room(name: str | None, said: str) -> bool:
    return bool(name) and str(name).casefold() == said.strip().casefold()


@callback
def async_setup_voice(hass: HomeAssistant) -> None:
    """Register the sentences now, or once the conversation integration is loaded."""
    async_when_conversation_loaded(hass, _register)


DATA_ROOMS: HassKey[RoomSentences] = HassKey(f"{DOMAIN}_voice_rooms")


class RoomSentences:
    """The sentences naming a room, registered for each room name the gateways use."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing registered before the conversation integration is there."""
        self.hass = hass
        self.ready = False
        self.registered: dict[str, list[CALLBACK_TYPE]] = {}
        self._scheduled = False

    @callback
    def schedule_update(self) -> None:
        """Update once after a burst of device announcements (250 apartments at a start)."""
        if self.ready and not self._scheduled:
            self._scheduled = True
            self.hass.loop.call_soon(self._update)

    @callback
    def _update(self) -> None:
        from homeassistant.components.conversation.agent_manager import get_agent_manager  # noqa: PLC0415

        self._scheduled = False
        wanted = _known_rooms(self.hass)
        for room in set(self.registered) - wanted:
            for unregister in self.registered.pop(room):
                unregister()
        manager = get_agent_manager(self.hass)
        for room in sorted(wanted - set(self.registered)):
            self.registered[room] = [
                manager.register_trigger(
                    vp.sentences_for(command, room), _handler(self.hass, command, room)
                )
                for command in vp.ROOM_COMMANDS
            ]


def _known_rooms(hass: HomeAssistant) -> set[str]:
    from .subsystem import SmartHomeSubsystem  # noqa: PLC0415 - avoid an import cycle

    return {
        device.info.room
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
        for known in entry.runtime_data.subsystem(SmartHomeSubsystem).devices.values()
        for device in known.values()
        if device.info.room and vp.is_sayable_room(device.info.room)
    }


@callback
def async_rooms_changed(hass: HomeAssistant) -> None:
    """Register the room sentences anew (a gateway announced devices, a site unloaded)."""
    if (rooms := hass.data.get(DATA_ROOMS)) is not None:
        rooms.schedule_update()


@callback
def _register(hass: HomeAssistant) -> None:
    from homeassistant.components.conversation.agent_manager import get_agent_manager  # noqa: PLC0415

    manager = get_agent_manager(hass)
    for command in vp.SENTENCES:
        if sentences := vp.sentences_for(command, None):
            manager.register_trigger(sentences, _handler(hass, command, None))
    rooms = hass.data.setdefault(DATA_ROOMS, RoomSentences(hass))
    rooms.ready = True
    rooms.schedule_update()


def _handler(
    hass: HomeAssistant, command: Command, room: str | None
) -> Callable[[ConversationInput, RecognizeResult], Awaitable[str]]:
    async def handle(user_input: ConversationInput, result: RecognizeResult) -> str:
        language = user_input.language
        apartment = _apartment_of(hass, user_input)
        if apartment is None:
            return vp.answer(language, "no_apartment")
        try:
            return await _answer(apartment, command, language, room)
        except HomeAssistantError as err:
            _LOGGER.warning("Voice command %r not carried out: %s", user_input.text, err)
            return vp.answer(language, "unreachable")

    return handle


async def _answer(apartment: Apartment, command: Command, language: str, room: str | None) -> str:
    if room is not None and not any(
        _same_room(device.info.room, room)
        for device in apartment.subsystem.devices.get(apartment.gateway_id, {}).values()
    ):
        return vp.answer(language, "no_room", room=room)
    if (handler := HANDLERS.get(command)) is not None:
        return await handler(apartment, command, language, room)
    return await _move(apartment, command, language, room)


async def _move(apartment: Apartment, command: Command, language: str, _room: str | None) -> str:
    devices = apartment.devices(MOVED[command])
    if not devices:
        return vp.answer(language, "no_device")
    device = devices[0]
    key, step = vp.STEP[command]
    current = device.value(key)
    if not device.available or not isinstance(current, int | float):
        return vp.answer(language, "unreachable")
    low, high = LIMITS[key]
    wanted = min(high, max(low, current + step))
    if wanted == current:
        return vp.answer(language, "at_limit")
    await device.async_command(**{key: wanted})
    return vp.answer(language, command.value)


async def _lights(apartment: Apartment, command: Command, language: str, room: str | None) -> str:
    lights = apartment.devices(DeviceType.LIGHT, room)
    if not lights:
        return vp.answer(language, "no_device")
    on = command is Command.LIGHTS_ON
    # "Licht an" without a room: where the guest is; "Licht aus": everywhere (bedtime).
    if room is None and on:
        lights = apartment.in_satellite_area(lights)
    lights = [light for light in lights if light.available]
    if not lights:
        return vp.answer(language, "unreachable")
    for light in lights:
        await light.async_command(on=on)
    return vp.answer(language, command.value)


async def _heating(apartment: Apartment, command: Command, language: str, room: str | None) -> str:
    heaters = apartment.devices(DeviceType.CLIMATE, room)
    if not heaters:
        return vp.answer(language, "no_device")
    heaters = [heater for heater in heaters if heater.available]
    _key, step = vp.STEP[command]
    low, high = LIMITS["target"]
    targets: list[float] = []
    for heater in heaters:
        target = heater.value("target")
        if isinstance(target, int | float):
            targets.append(min(high, max(low, target + step)))
            await heater.async_command(target=targets[-1])
    if not targets:
        return vp.answer(language, "unreachable")
    return vp.answer(language, command.value, target=vp.number(language, max(targets)))


async def _temperatures(
    apartment: Apartment, _command: Command, language: str, room: str | None
) -> str:
    readings = [
        (heater.info.room or heater.info.name, float(current))
        for heater in apartment.devices(DeviceType.CLIMATE, room)
        if heater.available and isinstance(current := heater.value("current"), int | float)
    ]
    if not readings:
        return vp.answer(language, "unreachable")
    return vp.temperatures(language, readings)


async def _next_appointment(
    apartment: Apartment, _command: Command, language: str, _room: str | None
) -> str:
    entity_id = er.async_get(apartment.hass).async_get_entity_id(
        Platform.SENSOR, DOMAIN, f"{apartment.subentry.subentry_id}-{GUEST_APPOINTMENT_KEY}"
    )
    state = apartment.hass.states.get(entity_id) if entity_id else None
    start = dt_util.parse_datetime(state.state) if state else None
    if state is None or start is None:
        return vp.answer(language, "no_appointment")
    when = vp.when(language, dt_util.as_local(start), dt_util.now())
    if room := state.attributes.get("room"):
        return vp.answer(language, "next_appointment", when=when, room=str(room))
    return vp.answer(language, "next_appointment_no_room", when=when)


async def _robot_come(
    apartment: Apartment, _command: Command, language: str, _room: str | None
) -> str:
    """Send the apartment's robot to the guest's room (the satellite's area), not waiting.

    What keeps it from coming at once (offline, the room not among its locations) is said at
    once; what stops it on its way is announced on the satellite later.
    """
    hass = apartment.hass
    entry = apartment.subsystem.entry
    device_id = _robot_device_id(apartment)
    if device_id is None:
        return vp.answer(language, "no_robot")
    room = _room_of_satellite(apartment) or DEFAULT_ROOM
    goto = _robot_goto_state(hass, device_id)
    if goto is not None:
        if goto.state == STATE_UNAVAILABLE:
            return vp.answer(language, "robot_offline")
        known = [str(location) for location in goto.attributes.get(ATTR_OPTIONS, [])]
        if (location := resolve_location(room, known)) is None:
            return vp.answer(language, "robot_unknown_room", room=room)
        room = location
    user_input = apartment.user_input
    context = user_input.context if user_input is not None else None
    # Not started before the answer is given: nothing may talk over it on the satellite.
    call = entry.async_create_background_task(
        hass,
        hass.services.async_call(
            DOMAIN,
            ROBOT_GOTO,
            {"device_id": device_id, "location": room},
            blocking=True,
            context=context,
            return_response=True,
        ),
        f"{DOMAIN} robot comes to the guest",
        eager_start=False,
    )
    if goto is None and (refused := await _refusal(call)) is not None:
        # The go-to select is disabled: the robot's own refusal is the answer.
        return vp.answer(language, refused, room=room)
    satellite = announcing_satellite(hass, user_input) if user_input is not None else None
    entry.async_create_background_task(
        hass,
        _async_tell_if_not_arrived(
            hass, call, satellite=satellite, language=language, room=room, context=context
        ),
        f"{DOMAIN} robot's arrival told",
        eager_start=False,
    )
    return vp.answer(language, "robot_come", room=room)


def _robot_device_id(apartment: Apartment) -> str | None:
    """Return the device of the robot that serves the apartment (its form), if any."""
    entry = apartment.subsystem.entry
    robot = next(
        (
            subentry
            for subentry in entry.subentries.values()
            if subentry.subentry_type == ROBOT_SUBENTRY
            and subentry.data.get(ROBOT_APARTMENT) == apartment.subentry.subentry_id
        ),
        None,
    )
    if robot is None:
        return None
    device = dr.async_get(apartment.hass).async_get_device_by_identifier(
        (DOMAIN, robot.subentry_id), entry.entry_id
    )
    return device.id if device else None


async def _refusal(call: asyncio.Task[ServiceResponse]) -> str | None:
    """Return what to answer if the robot refuses the go-to at once (offline, unknown room)."""
    await asyncio.wait({call}, timeout=REFUSAL_WAIT)
    if not call.done() or call.cancelled():
        return None
    err = call.exception()
    if isinstance(err, HomeAssistantError):
        return ROBOT_REFUSALS.get(err.translation_key or "", "robot_cannot_come")
    return None


async def _async_tell_if_not_arrived(  # noqa: PLR0913 - what the guest is told, and where
    hass: HomeAssistant,
    call: asyncio.Task[ServiceResponse],
    *,
    satellite: str | None,
    language: str,
    room: str,
    context: Context | None,
) -> None:
    """Tell the guest later, on the satellite, when the robot does not arrive."""
    try:
        response = await call
        result = str((response or {}).get("result"))
    except HomeAssistantError as err:
        _LOGGER.warning("The robot could not come to %s: %s", room, err)
        result = "refused"
    except Exception:
        _LOGGER.exception("The robot's go-to to %s failed", room)
        result = "failed"
    if result in ROBOT_CAME_OR_REPLACED:
        return
    key = "robot_blocked" if result == ROBOT_OBSTACLE else "robot_did_not_come"
    await async_announce(hass, satellite, vp.answer(language, key, room=room), context)


def _robot_goto_state(hass: HomeAssistant, device_id: str) -> State | None:
    """Return the state of the robot's go-to select (unavailable while the robot is offline)."""
    return next(
        (
            state
            for entity in er.async_entries_for_device(er.async_get(hass), device_id)
            if entity.domain == Platform.SELECT
            and entity.translation_key == ROBOT_GOTO_SELECT
            and (state := hass.states.get(entity.entity_id)) is not None
        ),
        None,
    )


def _room_of_satellite(apartment: Apartment) -> str | None:
    """Return the gateway's name of the room the satellite is in (its devices' area)."""
    if apartment.area is None:
        return None
    everything = list(apartment.subsystem.devices.get(apartment.gateway_id, {}).values())
    here = apartment.in_satellite_area(everything)
    if here is everything:  # none of them in the satellite's area
        return None
    return next((device.info.room for device in here if device.info.room), None)


type Handler = Callable[[Apartment, Command, str, str | None], Awaitable[str]]
HANDLERS: dict[Command, Handler] = {
    Command.LIGHTS_ON: _lights,
    Command.LIGHTS_OFF: _lights,
    Command.WARMER: _heating,
    Command.COLDER: _heating,
    Command.TEMPERATURE: _temperatures,
    Command.NEXT_APPOINTMENT: _next_appointment,
    Command.ROBOT_COME: _robot_come,
}
"""Commands with a handler of their own; the others move the bed or the kitchen."""


def _apartment_of(hass: HomeAssistant, user_input: ConversationInput) -> Apartment | None:
    """Return the apartment the satellite is in; None when it is in none, or in several.

    The only apartment of all is taken only for a satellite without an area.
    """
    from .subsystem import SmartHomeSubsystem  # noqa: PLC0415 - avoid an import cycle

    loaded = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]
    linked: dict[str, tuple[SmartHomeSubsystem, ConfigSubentry, str]] = {
        subentry.subentry_id: (subsystem, subentry, gateway_id)
        for entry in loaded
        for subsystem in (entry.runtime_data.subsystem(SmartHomeSubsystem),)
        for gateway_id, subentry in subsystem.apartments.items()
    }
    every_apartment = {
        subentry.subentry_id
        for entry in loaded
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_TYPE_APARTMENT
    }
    found = apartment_of_satellite(hass, user_input, every_apartment, single_if_unknown=False)
    if found is None or found not in linked:
        return None
    return Apartment(hass, *linked[found], satellite_area(hass, user_input), user_input)
