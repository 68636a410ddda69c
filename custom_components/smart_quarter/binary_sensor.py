"""Binary sensor platform: collects the binary sensor descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A binary sensor whose state (and attributes) a function reads from its subject."""

    is_on_fn: Callable[[Any], bool | None]
    """None: not known (no measurement yet)."""
    attributes_fn: Callable[[Any], Mapping[str, Any]] | None = None
    always_available: bool = False
    """True for a problem sensor about the subject's connection: it must show when it is lost."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.BINARY_SENSOR,
        SmartQuarterBinarySensorEntityDescription,
        SmartQuarterBinarySensor,
        async_add_entities,
    )


class SmartQuarterBinarySensor(SmartQuarterEntity, BinarySensorEntity):
    """A binary sensor described by a SmartQuarterBinarySensorEntityDescription."""

    entity_description: SmartQuarterBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Read the state from the subject."""
        return self.entity_description.is_on_fn(self.subject)

    @property
    def available(self) -> bool:
        """Follow the subject, unless the description says it must always show."""
        return self.entity_description.always_available or super().available
