"""Actions of the telemedicine subsystem: take a room out of service with a reason and an end."""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
import probatio

from ..const import DOMAIN
from ..runtime import SmartQuarterConfigEntry
from .room import RoomStateError
from .subsystem import TelemedicineRoom, TelemedicineSubsystem

SERVICE_SET_ROOM_OUT_OF_SERVICE: Final = "set_room_out_of_service"
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


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the telemedicine actions (once, whatever the number of sites)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_ROOM_OUT_OF_SERVICE,
        _async_set_room_out_of_service,
        schema=SET_ROOM_OUT_OF_SERVICE_SCHEMA,
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


def _room_of_device(hass: HomeAssistant, device_id: str) -> TelemedicineRoom:
    """Find the room behind a device id, or say in the user's language why there is none."""
    device = dr.async_get(hass).async_get(device_id)
    entry: SmartQuarterConfigEntry | None = (
        hass.config_entries.async_get_entry(device.config_entry_id) if device else None
    )
    if device is None or entry is None or entry.domain != DOMAIN:
        raise _not_a_room(device_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="site_not_loaded",
            translation_placeholders={"site": entry.title},
        )
    rooms = entry.runtime_data.subsystem(TelemedicineSubsystem).rooms
    if (room := rooms.get(device.config_subentry_id or "")) is None:
        raise _not_a_room(device_id)
    return room


def _not_a_room(device_id: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_telemedicine_room",
        translation_placeholders={"device_id": device_id},
    )
