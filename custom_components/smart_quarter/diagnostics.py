"""Diagnostics of a site: its configuration and each subsystem's state, personal data redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE
from homeassistant.core import HomeAssistant

from .runtime import SmartQuarterConfigEntry
from .subsystems import SUBSYSTEMS

# Where a site is, and credentials; each subsystem adds the keys of its own personal data.
TO_REDACT = {
    CONF_LATITUDE,
    CONF_LONGITUDE,
    "access_token",
    "api_key",
    "password",
    "secret",
    "token",
    "username",
}.union(*(subsystem.redact_keys for subsystem in SUBSYSTEMS))


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmartQuarterConfigEntry
) -> dict[str, Any]:
    """Return the redacted configuration and the subsystems' own diagnostics.

    A site that did not load (e.g. waiting for its broker) has no subsystems to ask, and its
    diagnostics are needed most then: the configuration and the state are still reported.
    """
    loaded = entry.state is ConfigEntryState.LOADED
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "state": entry.state.value,
        "subsystems": {
            key: async_redact_data(subsystem.diagnostics(), TO_REDACT)
            for key, subsystem in (entry.runtime_data.subsystems.items() if loaded else ())
        },
    }
