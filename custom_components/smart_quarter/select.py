"""Select platform: collects the select descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterSelectEntityDescription(SelectEntityDescription):
    """A select read from, and set through, its subject."""

    current_fn: Callable[[Any], str | None]
    select_fn: Callable[[Any, str], Awaitable[None]]
    options_fn: Callable[[Any], list[str]] | None = None
    """Options that follow the subject (a robot's saved locations); else the fixed options."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the selects of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.SELECT,
        SmartQuarterSelectEntityDescription,
        SmartQuarterSelect,
        async_add_entities,
    )


class SmartQuarterSelect(SmartQuarterEntity, SelectEntity):
    """A select described by a SmartQuarterSelectEntityDescription."""

    entity_description: SmartQuarterSelectEntityDescription

    @property
    def options(self) -> list[str]:
        """The subject's options when they change, else the description's."""
        if (options_fn := self.entity_description.options_fn) is not None:
            return options_fn(self.subject)
        return super().options

    @property
    def current_option(self) -> str | None:
        """Read the option from the subject."""
        return self.entity_description.current_fn(self.subject)

    async def async_select_option(self, option: str) -> None:
        """Select through the subject (it checks and stores it)."""
        await self.entity_description.select_fn(self.subject, option)
