"""Actions of the emergency subsystem: call for help, cancel, acknowledge and resolve an alarm.

Acknowledging and resolving are for care staff (administrators and the site's staff
users): anybody else (e.g. the apartment's guest on the Smart-TV) is refused. Automations (no
user) may do everything.
"""

from __future__ import annotations

import logging
from typing import Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv
import probatio

from ..const import DOMAIN
from ..device_target import loaded_site_of_device, wrong_device
from .const import TAKE_ACTION_PREFIX
from .errors import actor_of
from .subjects import ApartmentEmergency
from .subsystem import EmergencySubsystem

_LOGGER = logging.getLogger(__name__)
ATTR_NOTE: Final = "note"
MOBILE_APP_NOTIFICATION_ACTION: Final = "mobile_app_notification_action"
DEVICE_SCHEMA = probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string})
RESOLVE_SCHEMA = DEVICE_SCHEMA.extend({probatio.Optional(ATTR_NOTE): cv.string})


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the emergency actions (once, whatever the number of sites)."""
    hass.services.async_register(DOMAIN, "trigger_alarm", _async_trigger, schema=DEVICE_SCHEMA)
    hass.services.async_register(DOMAIN, "cancel_alarm", _async_cancel, schema=DEVICE_SCHEMA)
    hass.services.async_register(
        DOMAIN, "acknowledge_alarm", _async_acknowledge, schema=DEVICE_SCHEMA
    )
    hass.services.async_register(DOMAIN, "resolve_alarm", _async_resolve, schema=RESOLVE_SCHEMA)

    async def _async_phone_action(event: Event) -> None:
        """'Übernehmen' pressed on a phone: take the alarm as the phone's user (staff only)."""
        action = str(event.data.get("action", ""))
        if not action.startswith(TAKE_ACTION_PREFIX):
            return
        device_id, _, alarm_id = action.removeprefix(TAKE_ACTION_PREFIX).partition("_")
        try:
            apartment = _apartment_of(hass, device_id)
            if alarm_id and (apartment.alarm is None or apartment.alarm.alarm_id != alarm_id):
                _LOGGER.warning(
                    "'Übernehmen' of alarm %s ignored: it is no longer the open alarm", alarm_id
                )
                return
            await apartment.async_acknowledge(event.context, "mobile_app")
        except (ServiceValidationError, Unauthorized) as err:
            _LOGGER.warning("Alarm of device %s not taken from the phone: %r", device_id, err)

    hass.bus.async_listen(MOBILE_APP_NOTIFICATION_ACTION, _async_phone_action)


async def _async_trigger(call: ServiceCall) -> None:
    apartment = _apartment(call)
    await apartment.async_call_for_help(actor_of(call.context))


async def _async_cancel(call: ServiceCall) -> None:
    await _apartment(call).async_cancel(call.context, "action")


async def _async_acknowledge(call: ServiceCall) -> None:
    await _apartment(call).async_acknowledge(call.context, "action")


async def _async_resolve(call: ServiceCall) -> None:
    await _apartment(call).async_resolve(call.context, "action", call.data.get(ATTR_NOTE))


def _apartment(call: ServiceCall) -> ApartmentEmergency:
    return _apartment_of(call.hass, call.data[ATTR_DEVICE_ID])


def _apartment_of(hass: HomeAssistant, device_id: str) -> ApartmentEmergency:
    entry, subentry_id = loaded_site_of_device(hass, device_id, wrong_device_key="not_an_apartment")
    subsystem = entry.runtime_data.subsystem(EmergencySubsystem)
    if (apartment := subsystem.apartments.get(subentry_id or "")) is None:
        raise wrong_device(device_id, "not_an_apartment")
    return apartment
