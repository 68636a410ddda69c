"""What the voice (Assist) handlers of all subsystems share.

Registering sentences once the conversation integration is there, where the voice satellite
that heard a sentence is (its area), and which apartment that area belongs to: an apartment
is in an area when its own device or one of its gateway devices (identifier
"<apartment>-gw-<device>") is; the gateway puts those into room areas ("Gesundheitswohnung 1
Schlafzimmer"), where satellites stand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
import logging
from typing import TYPE_CHECKING

from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES, EVENT_COMPONENT_LOADED
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

if TYPE_CHECKING:
    from homeassistant.components.conversation import ConversationInput

_LOGGER = logging.getLogger(__name__)

CONVERSATION = "conversation"
ASSIST_SATELLITE = "assist_satellite"
ANNOUNCE_FEATURE = 1
"""AssistSatelliteEntityFeature.ANNOUNCE (not imported: that would load the whole voice stack)."""
SATELLITE_IDLE = "idle"
ANNOUNCE_WAIT = 30.0
"""Seconds an announcement waits for the satellite to be idle (then it is made anyway)."""
ANNOUNCE_TIMEOUT = 60.0
"""Seconds an announcement may take to be played."""
ANNOUNCE_ATTEMPTS = 2
"""Tries of one announcement when the satellite is busy with another one (not ours)."""
SATELLITE_BUSY_ERROR = "SatelliteBusyError"
"""Home Assistant's error for a satellite that is announcing already (matched by name: the
class would load the whole voice stack)."""
DATA_ANNOUNCING: HassKey[dict[str, asyncio.Lock]] = HassKey(f"{DOMAIN}_announcing")
"""Per satellite entity, the lock that keeps its announcements one after the other."""
GATEWAY_DEVICE_MARK = "-gw-"
"""Between the apartment's subentry id and the gateway's device id in a device identifier."""


@callback
def async_when_conversation_loaded(
    hass: HomeAssistant, register: Callable[[HomeAssistant], None]
) -> None:
    """Call `register` now, or as soon as the conversation integration is loaded."""
    if CONVERSATION in hass.config.components:
        register(hass)
        return

    @callback
    def _loaded(event: Event) -> None:
        if event.data.get("component") == CONVERSATION:
            unsubscribe()
            register(hass)

    unsubscribe = hass.bus.async_listen(EVENT_COMPONENT_LOADED, _loaded)


def satellite_area(hass: HomeAssistant, user_input: ConversationInput) -> str | None:
    """Return the area of the satellite (device or entity) that heard the sentence."""
    devices = dr.async_get(hass)
    if user_input.device_id and (device := devices.async_get(user_input.device_id)):
        return device.area_id
    entity = er.async_get(hass).async_get(user_input.satellite_id or "")
    if entity is None:
        return None
    if entity.area_id:
        return entity.area_id
    device = devices.async_get(entity.device_id) if entity.device_id else None
    return device.area_id if device else None


def apartments_in_area(
    hass: HomeAssistant, area_id: str, apartment_ids: Collection[str]
) -> set[str]:
    """Return the apartments (subentry ids) with a device of theirs in an area."""
    found: set[str] = set()
    for device in dr.async_entries_for_area(dr.async_get(hass), area_id):
        for domain, identifier in device.identifiers:
            apartment = identifier.split(GATEWAY_DEVICE_MARK, 1)[0]
            if domain == DOMAIN and apartment in apartment_ids:
                found.add(apartment)
    return found


def apartment_of_satellite(
    hass: HomeAssistant,
    user_input: ConversationInput,
    apartment_ids: Collection[str],
    *,
    single_if_unknown: bool,
) -> str | None:
    """Return the apartment the satellite is in; None when none or several are there.

    Without a single apartment in its area: the only apartment of all, when there is one and
    either the satellite has no area or `single_if_unknown` (a call for help: rather the
    only apartment than none).
    """
    area = satellite_area(hass, user_input)
    if area is not None:
        here = apartments_in_area(hass, area, apartment_ids)
        if len(here) == 1:
            return next(iter(here))
        if here:  # two apartments' devices in one area: never guess
            return None
    if len(apartment_ids) == 1 and (area is None or single_if_unknown):
        return next(iter(apartment_ids))
    return None


def announcing_satellite(hass: HomeAssistant, user_input: ConversationInput) -> str | None:
    """Return the satellite entity that heard the sentence, if it can make announcements."""
    return announcing_satellite_of(hass, user_input.satellite_id, user_input.device_id)


def announcing_satellite_of(
    hass: HomeAssistant, satellite_id: str | None, device_id: str | None
) -> str | None:
    """Return the satellite entity (given, or of the device) that can make announcements."""
    candidates = [satellite_id] if satellite_id else []
    if device_id:
        candidates += [
            entity.entity_id
            for entity in er.async_entries_for_device(er.async_get(hass), device_id)
            if entity.domain == ASSIST_SATELLITE
        ]
    for entity_id in candidates:
        state = hass.states.get(entity_id)
        if state and int(state.attributes.get(ATTR_SUPPORTED_FEATURES, 0)) & ANNOUNCE_FEATURE:
            return entity_id
    return None


async def async_announce(
    hass: HomeAssistant,
    satellite: str | None,
    message: str,
    context: Context | None = None,
    *,
    still_wanted: Callable[[], bool] | None = None,
) -> bool:
    """Say something later on the satellite (Home Assistant's announce action); False if not.

    Announcements on one satellite are played one after the other. Each waits (up to
    ANNOUNCE_WAIT) until the satellite is idle, since an announcement cuts off whatever the
    satellite is doing, a guest talking to it included; one that is no longer wanted by then
    (`still_wanted`) is dropped. A satellite busy with something else that started meanwhile
    is waited for once more; an announcement that timed out is not repeated (it may have
    been played).
    """
    if satellite is None:
        _LOGGER.warning("No voice satellite to tell the guest: %s", message)
        return False
    locks = hass.data.setdefault(DATA_ANNOUNCING, {})
    if (lock := locks.get(satellite)) is None:
        lock = locks[satellite] = asyncio.Lock()
    async with lock:
        for attempt in range(1, ANNOUNCE_ATTEMPTS + 1):
            if not await _async_idle(hass, satellite, ANNOUNCE_WAIT):
                _LOGGER.info("%s is still busy; announcing anyway: %s", satellite, message)
            if still_wanted is not None and not still_wanted():
                _LOGGER.debug("No longer news, not announced: %s", message)
                return False
            try:
                async with asyncio.timeout(ANNOUNCE_TIMEOUT):
                    await hass.services.async_call(
                        ASSIST_SATELLITE,
                        "announce",
                        {ATTR_ENTITY_ID: satellite, "message": message},
                        blocking=True,
                        context=context,
                    )
            except HomeAssistantError as err:
                busy = type(err).__name__ == SATELLITE_BUSY_ERROR
                _LOGGER.warning("%s could not announce %r: %s", satellite, message, err)
                if not busy or attempt == ANNOUNCE_ATTEMPTS:
                    return False
            except TimeoutError:
                _LOGGER.warning("%s did not finish announcing %r in time", satellite, message)
                return False
            else:
                return True
    return False


async def _async_idle(hass: HomeAssistant, entity_id: str, within: float) -> bool:
    """Wait until the satellite is idle; False if it is not within the time."""
    idle = asyncio.Event()

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None and state.state == SATELLITE_IDLE:
            idle.set()

    unsubscribe = async_track_state_change_event(hass, [entity_id], _changed)
    try:
        if (state := hass.states.get(entity_id)) is not None and state.state == SATELLITE_IDLE:
            return True
        async with asyncio.timeout(within):
            await idle.wait()
    except TimeoutError:
        return False
    finally:
        unsubscribe()
    return True
