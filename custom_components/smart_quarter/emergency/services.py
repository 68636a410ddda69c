"""Actions of the emergency subsystem: call for help, cancel, acknowledge and resolve an alarm.

Acknowledging and resolving are for care staff: a user who is not an administrator (e.g. the
apartment's guest on the Smart-TV) is refused. Automations (no user) may do everything, so
the actionable notifications and webhooks of later channels can acknowledge.
"""

from __future__ import annotations

from typing import Final

from homeassistant.auth.permissions.const import POLICY_CONTROL
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv
import probatio

from ..const import DOMAIN
from ..device_target import loaded_site_of_device, wrong_device
from .lifecycle import Alarm, AlarmTransitionError
from .subsystem import ApartmentEmergency, EmergencySubsystem

ATTR_NOTE: Final = "note"
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


async def _async_trigger(call: ServiceCall) -> None:
    apartment, _subsystem = _apartment(call)
    await apartment.async_call_for_help(_actor(call))


async def _async_cancel(call: ServiceCall) -> None:
    apartment, subsystem = _apartment(call)
    try:
        await subsystem.async_cancel(apartment, _actor(call), "action")
    except AlarmTransitionError as err:
        raise _transition_error(err) from err


async def _async_acknowledge(call: ServiceCall) -> None:
    await _require_staff(call)
    apartment, subsystem = _apartment(call)
    try:
        alarm = _open_alarm(apartment)
        await subsystem.async_acknowledge(alarm, _actor(call), "action")
    except AlarmTransitionError as err:
        raise _transition_error(err) from err


async def _async_resolve(call: ServiceCall) -> None:
    await _require_staff(call)
    apartment, subsystem = _apartment(call)
    try:
        alarm = _open_alarm(apartment)
        await subsystem.async_resolve(alarm, _actor(call), call.data.get(ATTR_NOTE))
    except AlarmTransitionError as err:
        raise _transition_error(err) from err


def _apartment(call: ServiceCall) -> tuple[ApartmentEmergency, EmergencySubsystem]:
    device_id = call.data[ATTR_DEVICE_ID]
    entry, subentry_id = loaded_site_of_device(
        call.hass, device_id, wrong_device_key="not_an_apartment"
    )
    subsystem = entry.runtime_data.subsystem(EmergencySubsystem)
    if (apartment := subsystem.apartments.get(subentry_id or "")) is None:
        raise wrong_device(device_id, "not_an_apartment")
    return apartment, subsystem


def _open_alarm(apartment: ApartmentEmergency) -> Alarm:
    if (alarm := apartment.alarm) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_open_alarm",
            translation_placeholders={"apartment": apartment.subentry.title},
        )
    return alarm


async def _require_staff(call: ServiceCall) -> None:
    if call.context.user_id is None:
        return
    user = await call.hass.auth.async_get_user(call.context.user_id)
    if user is None or not user.is_admin:
        raise Unauthorized(context=call.context, permission=POLICY_CONTROL)


def _actor(call: ServiceCall) -> str:
    return f"user:{call.context.user_id}" if call.context.user_id else "automation"


def _transition_error(err: AlarmTransitionError) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=f"alarm_{err.key}",
        translation_placeholders={"state": err.state.value},
    )
