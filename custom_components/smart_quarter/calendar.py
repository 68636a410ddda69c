"""Calendar platform: collects the calendar descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.components.calendar.const import CalendarEntityFeature
from homeassistant.components.websocket_api.connection import current_connection
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterCalendarEntityDescription(CalendarEntityDescription):
    """A calendar whose events functions read from (and write to) its subject."""

    current_fn: Callable[[Any], CalendarEvent | None]
    events_fn: Callable[[Any, datetime, datetime], list[CalendarEvent]]
    create_fn: Callable[[Any, dict[str, Any], Context], Awaitable[None]]
    update_fn: Callable[[Any, str, dict[str, Any], Context], Awaitable[None]]
    delete_fn: Callable[[Any, str, Context], Awaitable[None]]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the calendars of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.CALENDAR,
        SmartQuarterCalendarEntityDescription,
        SmartQuarterCalendar,
        async_add_entities,
    )


class SmartQuarterCalendar(SmartQuarterEntity, CalendarEntity):
    """A calendar described by a SmartQuarterCalendarEntityDescription."""

    entity_description: SmartQuarterCalendarEntityDescription
    _attr_supported_features = (
        CalendarEntityFeature.CREATE_EVENT
        | CalendarEntityFeature.UPDATE_EVENT
        | CalendarEntityFeature.DELETE_EVENT
    )

    @property
    def event(self) -> CalendarEvent | None:
        """The event running now or next."""
        return self.entity_description.current_fn(self.subject)

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the events between two times."""
        return self.entity_description.events_fn(self.subject, start_date, end_date)

    def _caller(self) -> Context:
        """Return who asks: the websocket's user, else the action's context (None: automation).

        The calendar's websocket commands call the entity without setting its context; the
        context left from an earlier action must not stand in for the caller.
        """
        if (connection := current_connection.get()) is not None:
            return Context(user_id=connection.user.id)
        return self._context or Context()

    async def async_create_event(self, **kwargs: Any) -> None:
        """Create an event on behalf of whoever asked."""
        await self.entity_description.create_fn(self.subject, kwargs, self._caller())

    async def async_update_event(
        self,
        uid: str,
        event: dict[str, Any],
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Change an event (no recurrences here)."""
        await self.entity_description.update_fn(self.subject, uid, event, self._caller())

    async def async_delete_event(
        self,
        uid: str,
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Delete an event."""
        await self.entity_description.delete_fn(self.subject, uid, self._caller())
