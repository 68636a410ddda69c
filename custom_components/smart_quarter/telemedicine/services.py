"""Actions of the telemedicine subsystem: take a room out of service with a reason and an end."""

from __future__ import annotations

from typing import Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio

from ..const import DOMAIN
from ..device_target import loaded_site_of_device, wrong_device
from .room import RoomStateError
from .subsystem import TelemedicineRoom, TelemedicineSubsystem

SERVICE_SET_ROOM_OUT_OF_SERVICE: Final = "set_room_out_of_service"
SERVICE_START_SESSION: Final = "start_session"
SERVICE_STOP_SESSION: Final = "stop_session"
ATTR_REFERENCE: Final = "reference"
ATTR_REASON: Final = "reason"
ATTR_UNTIL: Final = "until"

SET_ROOM_OUT_OF_SERVICE_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        # Length is checked by the room (after trimming) so the error is translated.
        probatio.Optional(ATTR_REASON): cv.string,
        probatio.Optional(ATTR_UNTIL): cv.datetime,
    }
)


START_SESSION_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Optional(ATTR_REFERENCE): cv.string,
    }
)
STOP_SESSION_SCHEMA = probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string})


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the telemedicine actions (once, whatever the number of sites)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_ROOM_OUT_OF_SERVICE,
        _async_set_room_out_of_service,
        schema=SET_ROOM_OUT_OF_SERVICE_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_START_SESSION,
        _async_start_session,
        schema=START_SESSION_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_STOP_SESSION,
        _async_stop_session,
        schema=STOP_SESSION_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


async def _async_set_room_out_of_service(call: ServiceCall) -> None:
    room = _room_of_device(call.hass, call.data[ATTR_DEVICE_ID])
    until = call.data.get(ATTR_UNTIL)
    try:
        # A time without zone is the site's local time, as the UI's date-time picker sends it.
        await room.async_take_out_of_service(
            call.data.get(ATTR_REASON), dt_util.as_utc(until) if until else None
        )
    except RoomStateError as err:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key=err.key) from err


async def _async_start_session(call: ServiceCall) -> ServiceResponse:
    room = _room_of_device(call.hass, call.data[ATTR_DEVICE_ID])
    session = await room.async_start_session(call.data.get(ATTR_REFERENCE) or None)
    return {"reference": session.reference, "started_at": session.started_at.isoformat()}


async def _async_stop_session(call: ServiceCall) -> ServiceResponse:
    room = _room_of_device(call.hass, call.data[ATTR_DEVICE_ID])
    return await room.async_stop_session()


def _room_of_device(hass: HomeAssistant, device_id: str) -> TelemedicineRoom:
    """Find the room behind a device id, or say in the user's language why there is none."""
    entry, subentry_id = loaded_site_of_device(
        hass, device_id, wrong_device_key="not_a_telemedicine_room"
    )
    rooms = entry.runtime_data.subsystem(TelemedicineSubsystem).rooms
    if (room := rooms.get(subentry_id or "")) is None:
        raise wrong_device(device_id, "not_a_telemedicine_room")
    return room
