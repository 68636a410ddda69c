"""Bring sites of older releases to the current emergency configuration."""

from __future__ import annotations

from types import MappingProxyType

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback

from .const import (
    CONF_ACK_TIMEOUT,
    CONF_POSITION,
    CONF_TARGETS,
    DEFAULT_ACK_TIMEOUT,
    SUBENTRY_TYPE_ESCALATION_STEP,
    TARGET_PERSISTENT_NOTIFICATION,
)
from .escalation_flow import RECEIVER_OPTION

# Options of release 1.1 (one implicit step), replaced by escalation step subentries.
OLD_NOTIFY_TARGETS = "care_notify_targets"
OLD_ESCALATION_MINUTES = "escalation_minutes"
MIGRATED_STEP_NAME = "Pflegedienst"


@callback
def migrate_escalation_options(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Turn the 1.1 options (notify targets, minutes) into the equivalent first step.

    Release 1.1 alarmed Home Assistant's notifications, the notify targets and every
    configured receiver at once; the step keeps exactly that. Sites that never set either
    option need no step: without steps the site behaves as 1.1 did by default.
    """
    options = dict(entry.options)
    targets: list[str] = list(options.pop(OLD_NOTIFY_TARGETS, None) or [])
    minutes = int(options.pop(OLD_ESCALATION_MINUTES, None) or DEFAULT_ACK_TIMEOUT)
    if targets or minutes != DEFAULT_ACK_TIMEOUT:
        receivers = [target for target, key in RECEIVER_OPTION.items() if options.get(key)]
        hass.config_entries.async_add_subentry(
            entry,
            ConfigSubentry(
                data=MappingProxyType(
                    {
                        CONF_NAME: MIGRATED_STEP_NAME,
                        CONF_POSITION: 1,
                        CONF_TARGETS: [TARGET_PERSISTENT_NOTIFICATION, *targets, *receivers],
                        CONF_ACK_TIMEOUT: minutes,
                    }
                ),
                subentry_type=SUBENTRY_TYPE_ESCALATION_STEP,
                title=MIGRATED_STEP_NAME,
                unique_id=None,
            ),
        )
    hass.config_entries.async_update_entry(entry, options=options)
