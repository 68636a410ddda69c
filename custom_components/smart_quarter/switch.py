"""Switch platform: collects the switch descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EntitySubject, SmartQuarterEntity, async_add_subsystem_entities
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

    def __init__(
        self,
        entry: SmartQuarterConfigEntry,
        subentry: ConfigSubentry | None,
        subject: EntitySubject,
        description: SmartQuarterSwitchEntityDescription,
    ) -> None:
        """Keep the typed description."""
        super().__init__(entry, subentry, subject, description)

    @property
    def is_on(self) -> bool:
        """Read the state from the subject."""
        return self.entity_description.is_on_fn(self.subject)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Attributes the description reads from the subject, if any."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.subject)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on through the subject; it announces the change."""
        await self.entity_description.set_fn(self.subject, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off through the subject; it announces the change."""
        await self.entity_description.set_fn(self.subject, False)
