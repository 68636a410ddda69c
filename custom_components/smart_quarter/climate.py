"""Climate platform: collects the climate descriptions of every subsystem (room thermostats)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from homeassistant.components.climate import ClimateEntity, ClimateEntityDescription
from homeassistant.components.climate.const import (
    PRESET_COMFORT,
    PRESET_ECO,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, Platform, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterClimateEntityDescription(ClimateEntityDescription):
    """A thermostat: current and target temperature, mode off / heat / eco."""

    current_fn: Callable[[Any], float | None]
    target_fn: Callable[[Any], float | None]
    mode_fn: Callable[[Any], str | None]
    """off, heat or eco."""
    set_fn: Callable[[Any, dict[str, Any]], Awaitable[None]]
    """Send {"target": °C} and/or {"mode": "off" | "heat" | "eco"}."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the thermostats of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.CLIMATE,
        SmartQuarterClimateEntityDescription,
        SmartQuarterClimate,
        async_add_entities,
    )


class SmartQuarterClimate(SmartQuarterEntity, ClimateEntity):
    """A thermostat described by a SmartQuarterClimateEntityDescription."""

    entity_description: SmartQuarterClimateEntityDescription
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_hvac_modes: ClassVar[list[HVACMode]] = [HVACMode.OFF, HVACMode.HEAT]  # type: ignore[misc]
    _attr_preset_modes: ClassVar[list[str]] = [PRESET_COMFORT, PRESET_ECO]  # type: ignore[misc]
    _attr_min_temp = 5
    _attr_max_temp = 30
    _attr_target_temperature_step = 0.5
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.PRESET_MODE
        | ClimateEntityFeature.TURN_OFF
        | ClimateEntityFeature.TURN_ON
    )

    @property
    def current_temperature(self) -> float | None:
        """The room's temperature."""
        return self.entity_description.current_fn(self.subject)

    @property
    def target_temperature(self) -> float | None:
        """The set temperature."""
        return self.entity_description.target_fn(self.subject)

    @property
    def hvac_mode(self) -> HVACMode | None:
        """Off, or heating (comfort or eco)."""
        mode = self.entity_description.mode_fn(self.subject)
        if mode is None:
            return None
        return HVACMode.OFF if mode == "off" else HVACMode.HEAT

    @property
    def preset_mode(self) -> str | None:
        """Eco (set back) or comfort."""
        mode = self.entity_description.mode_fn(self.subject)
        return PRESET_ECO if mode == "eco" else PRESET_COMFORT if mode == "heat" else None

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target temperature."""
        await self.entity_description.set_fn(self.subject, {"target": kwargs[ATTR_TEMPERATURE]})

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Switch heating off or on (comfort)."""
        mode = "off" if hvac_mode == HVACMode.OFF else "heat"
        await self.entity_description.set_fn(self.subject, {"mode": mode})

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Comfort or eco."""
        mode = "eco" if preset_mode == PRESET_ECO else "heat"
        await self.entity_description.set_fn(self.subject, {"mode": mode})
