"""Logbook descriptions: every step of every alarm is an entry of the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN
from .emergency.audit import describe_transition
from .emergency.const import EVENT_ALARM_CHANGED


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe the integration's events for the logbook."""

    @callback
    def async_describe_alarm_changed(event: Event) -> dict[str, Any]:
        data = event.data
        return {
            LOGBOOK_ENTRY_NAME: f"{data.get('site')}: {data.get('apartment')}",
            LOGBOOK_ENTRY_MESSAGE: describe_transition(
                hass.config.language,
                str(data.get("state")),
                data.get("actor"),
                data.get("channel"),
                data.get("note"),
            ),
            LOGBOOK_ENTRY_ENTITY_ID: data.get("entity_id"),
        }

    async_describe_event(DOMAIN, EVENT_ALARM_CHANGED, async_describe_alarm_changed)
