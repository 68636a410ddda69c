"""Event platform: collects the event descriptions of every subsystem.

An event entity fires when its subject's latest occurrence changes: the description's
`latest_fn` returns (marker, event type, attributes) of the newest occurrence; a new marker
fires once. What existed when the entity was added is not fired again (after a restart the
entity keeps its last event from Home Assistant's state restore).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0

type Occurrence = tuple[str, str, Mapping[str, Any]]


@dataclass(frozen=True, kw_only=True)
class SmartQuarterEventEntityDescription(EventEntityDescription):
    """An event entity whose newest occurrence a function reads from its subject."""

    latest_fn: Callable[[Any], list[Occurrence]]
    """Every occurrence not seen before may be in the list; the entity fires the new ones."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.EVENT,
        SmartQuarterEventEntityDescription,
        SmartQuarterEvent,
        async_add_entities,
    )


class SmartQuarterEvent(SmartQuarterEntity, EventEntity):
    """An event entity described by a SmartQuarterEventEntityDescription."""

    entity_description: SmartQuarterEventEntityDescription
    _seen: set[str]

    async def async_added_to_hass(self) -> None:
        """Remember what already happened, then follow the subject."""
        self._seen = {marker for marker, _, _ in self.entity_description.latest_fn(self.subject)}
        await super().async_added_to_hass()

    @callback
    def _handle_subject_update(self) -> None:
        occurrences = self.entity_description.latest_fn(self.subject)
        for marker, event_type, attributes in occurrences:
            if marker not in self._seen:
                self._trigger_event(event_type, dict(attributes))
                self.async_write_ha_state()  # one state per occurrence: none is hidden
        self._seen = {marker for marker, _, _ in occurrences}
