"""The smart-home part of the apartment form: its id at the gateway, its stay temperatures."""

from __future__ import annotations

from typing import Any

from homeassistant.const import UnitOfTemperature
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
import probatio

from ..subentry_flow import SectionContext, SubentrySection
from .const import (
    CONF_COMFORT_TEMPERATURE,
    CONF_GATEWAY_APARTMENT,
    CONF_SETBACK_TEMPERATURE,
    DEFAULT_COMFORT_TEMPERATURE,
    DEFAULT_SETBACK_TEMPERATURE,
    SECTION,
)
from .gateway_protocol import valid_id

_TEMPERATURE = NumberSelector(
    NumberSelectorConfig(
        min=5,
        max=30,
        step=0.5,
        mode=NumberSelectorMode.BOX,
        unit_of_measurement=UnitOfTemperature.CELSIUS,
    )
)


def _schema(_context: SectionContext) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Optional(CONF_GATEWAY_APARTMENT): TextSelector(),
            # Guest arrives / stay prepared: comfort; checked out, cleaning, vacant: setback.
            probatio.Optional(
                CONF_COMFORT_TEMPERATURE, default=DEFAULT_COMFORT_TEMPERATURE
            ): _TEMPERATURE,
            probatio.Optional(
                CONF_SETBACK_TEMPERATURE, default=DEFAULT_SETBACK_TEMPERATURE
            ): _TEMPERATURE,
        }
    )


def _errors(data: dict[str, Any]) -> dict[str, str]:
    gateway_id = data.get(CONF_GATEWAY_APARTMENT)
    if gateway_id and not valid_id(gateway_id):
        return {"base": "invalid_gateway_apartment"}
    comfort = data.get(CONF_COMFORT_TEMPERATURE, DEFAULT_COMFORT_TEMPERATURE)
    if data.get(CONF_SETBACK_TEMPERATURE, DEFAULT_SETBACK_TEMPERATURE) > comfort:
        return {"base": "setback_above_comfort"}
    return {}


def _normalize(data: dict[str, Any]) -> dict[str, Any]:
    return data


APARTMENT_SECTION = SubentrySection(SECTION, _schema, validate=_errors, normalize=_normalize)
