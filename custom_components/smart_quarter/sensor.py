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
