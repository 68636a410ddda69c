"""The site options page of booking: how long personal data is kept, and whether contacts are."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import probatio

from ..subsystem import OptionsStep

CONF_RETENTION_DAYS: Final = "booking_retention_days"
CONF_KEEP_CONTACT: Final = "booking_keep_contact"
DEFAULT_RETENTION_DAYS: Final = 90
MAX_RETENTION_DAYS: Final = 3650


def _schema(hass: HomeAssistant) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Optional(CONF_RETENTION_DAYS, default=DEFAULT_RETENTION_DAYS): NumberSelector(
                NumberSelectorConfig(
                    min=1,
                    max=MAX_RETENTION_DAYS,
                    step=1,
                    unit_of_measurement="d",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            probatio.Optional(CONF_KEEP_CONTACT, default=False): BooleanSelector(),
        }
    )


def _validate(
    hass: HomeAssistant, entry: ConfigEntry, user_input: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    days = int(user_input.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))
    if not 1 <= days <= MAX_RETENTION_DAYS:
        return {}, {CONF_RETENTION_DAYS: "retention_invalid"}
    return {
        CONF_RETENTION_DAYS: days,
        CONF_KEEP_CONTACT: bool(user_input.get(CONF_KEEP_CONTACT, False)),
    }, {}


BOOKING_STEP = OptionsStep("booking", _schema, _validate)
