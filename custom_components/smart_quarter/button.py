"""Button platform: collects the button descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterButtonEntityDescription(ButtonEntityDescription):
    """A button that acts on its subject; it gets the caller's context (who pressed it)."""

    press_fn: Callable[[Any, Context], Awaitable[None]]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.BUTTON,
        SmartQuarterButtonEntityDescription,
        SmartQuarterButton,
        async_add_entities,
    )


class SmartQuarterButton(SmartQuarterEntity, ButtonEntity):
    """A button described by a SmartQuarterButtonEntityDescription."""

    entity_description: SmartQuarterButtonEntityDescription

    async def async_press(self) -> None:
        """Act on the subject, on behalf of whoever pressed the button."""
        await self.entity_description.press_fn(self.subject, self._context or Context())
