"""Actions of the façade subsystem: run a zone for a while, stop, reset faults."""

from __future__ import annotations

from datetime import timedelta
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
import probatio

from ..const import DOMAIN
from ..device_target import loaded_site_of_device, wrong_device
from .facade import Facade
from .irrigation import IrrigationError
from .subsystem import FacadeSubsystem

ATTR_MINUTES: Final = "minutes"
RUN_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Required(ATTR_MINUTES): probatio.All(
            probatio.Coerce(float), probatio.Range(min=0.5, max=30)
        ),
    }
)
DEVICE_SCHEMA = probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string})


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the façade actions (once)."""
    hass.services.async_register(
        DOMAIN,
        "run_irrigation_zone",
        _async_run,
        schema=RUN_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(DOMAIN, "stop_irrigation", _async_stop, schema=DEVICE_SCHEMA)
    hass.services.async_register(
        DOMAIN, "reset_irrigation_faults", _async_reset, schema=DEVICE_SCHEMA
    )


async def _async_run(call: ServiceCall) -> ServiceResponse:
    facade, zone_id = _target(call.hass, call.data[ATTR_DEVICE_ID])
    if zone_id is None:
        raise wrong_device(call.data[ATTR_DEVICE_ID], "not_an_irrigation_zone")
    try:
        until = await facade.async_run_zone(zone_id, timedelta(minutes=call.data[ATTR_MINUTES]))
    except IrrigationError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key=f"irrigation_{err.key}"
        ) from err
    return {"until": until.isoformat()}


async def _async_stop(call: ServiceCall) -> None:
    facade, _ = _target(call.hass, call.data[ATTR_DEVICE_ID])
    await facade.async_stop()


async def _async_reset(call: ServiceCall) -> None:
    facade, _ = _target(call.hass, call.data[ATTR_DEVICE_ID])
    await facade.async_reset_faults()


def _target(hass: HomeAssistant, device_id: str) -> tuple[Facade, str | None]:
    """Return the façade of a façade or zone device, and the zone id (if a zone)."""
    entry, subentry_id = loaded_site_of_device(hass, device_id, wrong_device_key="not_a_facade")
    facades = entry.runtime_data.subsystem(FacadeSubsystem).facades
    if (facade := facades.get(subentry_id or "")) is not None:
        return facade, None
    for facade in facades.values():
        if subentry_id in facade.zones:
            return facade, subentry_id
    raise wrong_device(device_id, "not_a_facade")
