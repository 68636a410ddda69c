"""Sensor platform: collects the sensor descriptions of every subsystem."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterSensorEntityDescription(SensorEntityDescription):
    """A sensor whose value (and attributes) a function reads from its subject."""

    value_fn: Callable[[Any], StateType | datetime]
    attributes_fn: Callable[[Any], Mapping[str, Any]] | None = None
    last_reset_fn: Callable[[Any], datetime | None] | None = None
    """For totals that start again (a month's count): when the current period began."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.SENSOR,
        SmartQuarterSensorEntityDescription,
        SmartQuarterSensor,
        async_add_entities,
    )


class SmartQuarterSensor(SmartQuarterEntity, SensorEntity):
    """A sensor described by a SmartQuarterSensorEntityDescription."""

    entity_description: SmartQuarterSensorEntityDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Read the value from the subject."""
        return self.entity_description.value_fn(self.subject)

    @property
    def last_reset(self) -> datetime | None:
        """When the current period of a total began (long-term statistics sum from there)."""
        if (last_reset_fn := self.entity_description.last_reset_fn) is None:
            return None
        return last_reset_fn(self.subject)
