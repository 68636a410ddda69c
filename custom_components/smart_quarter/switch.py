"""Switch platform: collects the switch descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterSwitchEntityDescription(SwitchEntityDescription):
    """A switch that reads its state from, and writes it to, its subject."""

    is_on_fn: Callable[[Any], bool]
    set_fn: Callable[[Any, bool], Awaitable[None]]
    attributes_fn: Callable[[Any], Mapping[str, Any]] | None = None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.SWITCH,
        SmartQuarterSwitchEntityDescription,
        SmartQuarterSwitch,
        async_add_entities,
    )


class SmartQuarterSwitch(SmartQuarterEntity, SwitchEntity):
    """A switch described by a SmartQuarterSwitchEntityDescription."""

    entity_description: SmartQuarterSwitchEntityDescription

    @property
    def is_on(self) -> bool:
        """Read the state from the subject."""
        return self.entity_description.is_on_fn(self.subject)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on through the subject; it announces the change."""
        await self.entity_description.set_fn(self.subject, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off through the subject; it announces the change."""
        await self.entity_description.set_fn(self.subject, False)
