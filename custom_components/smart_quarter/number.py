"""Number platform: collects the number descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterNumberEntityDescription(NumberEntityDescription):
    """A number read from, and set through, its subject."""

    value_fn: Callable[[Any], float | None]
    set_fn: Callable[[Any, float], Awaitable[None]]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the numbers of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.NUMBER,
        SmartQuarterNumberEntityDescription,
        SmartQuarterNumber,
        async_add_entities,
    )


class SmartQuarterNumber(SmartQuarterEntity, NumberEntity):
    """A number described by a SmartQuarterNumberEntityDescription."""

    entity_description: SmartQuarterNumberEntityDescription
    _attr_mode = NumberMode.BOX

    @property
    def native_value(self) -> float | None:
        """Read the value from the subject."""
        return self.entity_description.value_fn(self.subject)

    async def async_set_native_value(self, value: float) -> None:
        """Set through the subject (it checks and stores it)."""
        await self.entity_description.set_fn(self.subject, value)
