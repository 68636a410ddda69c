"""Valve platform: collects the valve descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.valve.const import ValveEntityFeature
from homeassistant.components.valve.entity import ValveEntity, ValveEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 1  # one Modbus request at a time per controller anyway


@dataclass(frozen=True, kw_only=True)
class SmartQuarterValveEntityDescription(ValveEntityDescription):
    """A valve whose state its subject reads back; opening and closing are optional."""

    is_closed_fn: Callable[[Any], bool | None]
    open_fn: Callable[[Any], Awaitable[None]] | None = None
    close_fn: Callable[[Any], Awaitable[None]] | None = None
    attributes_fn: Callable[[Any], Mapping[str, Any]] | None = None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the valves of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.VALVE,
        SmartQuarterValveEntityDescription,
        SmartQuarterValve,
        async_add_entities,
    )


class SmartQuarterValve(SmartQuarterEntity, ValveEntity):
    """A valve described by a SmartQuarterValveEntityDescription (no position)."""

    entity_description: SmartQuarterValveEntityDescription
    _attr_reports_position = False

    @property
    def supported_features(self) -> ValveEntityFeature:
        """Open/close only where the description allows it (a mains valve is read-only)."""
        features = ValveEntityFeature(0)
        if self.entity_description.open_fn is not None:
            features |= ValveEntityFeature.OPEN
        if self.entity_description.close_fn is not None:
            features |= ValveEntityFeature.CLOSE
        return features

    @property
    def is_closed(self) -> bool | None:
        """Read back from the controller."""
        return self.entity_description.is_closed_fn(self.subject)

    async def async_open_valve(self) -> None:
        """Open through the subject (a manual run that ends by itself)."""
        if self.entity_description.open_fn is not None:
            await self.entity_description.open_fn(self.subject)

    async def async_close_valve(self) -> None:
        """Close through the subject."""
        if self.entity_description.close_fn is not None:
            await self.entity_description.close_fn(self.subject)
