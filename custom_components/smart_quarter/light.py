"""Light platform: collects the light descriptions of every subsystem (apartment lights)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.light import LightEntity, LightEntityDescription
from homeassistant.components.light.const import ATTR_BRIGHTNESS, ColorMode
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterLightEntityDescription(LightEntityDescription):
    """A light read from its subject; brightness in percent (None: on/off only)."""

    is_on_fn: Callable[[Any], bool | None]
    brightness_fn: Callable[[Any], float | None]
    dimmable_fn: Callable[[Any], bool]
    set_fn: Callable[[Any, bool, float | None], Awaitable[None]]
    """Switch on (with a brightness in percent, or None) or off."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the lights of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.LIGHT,
        SmartQuarterLightEntityDescription,
        SmartQuarterLight,
        async_add_entities,
    )


class SmartQuarterLight(SmartQuarterEntity, LightEntity):
    """A light described by a SmartQuarterLightEntityDescription."""

    entity_description: SmartQuarterLightEntityDescription

    @property
    def color_mode(self) -> ColorMode:
        """Dimmable or on/off only."""
        dimmable = self.entity_description.dimmable_fn(self.subject)
        return ColorMode.BRIGHTNESS if dimmable else ColorMode.ONOFF

    @property
    def supported_color_modes(self) -> set[ColorMode]:
        """The one mode it has."""
        return {self.color_mode}

    @property
    def is_on(self) -> bool | None:
        """Read from the subject."""
        return self.entity_description.is_on_fn(self.subject)

    @property
    def brightness(self) -> int | None:
        """Percent to Home Assistant's 0-255."""
        percent = self.entity_description.brightness_fn(self.subject)
        return None if percent is None else round(percent * 255 / 100)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on, with a brightness if given."""
        brightness = kwargs.get(ATTR_BRIGHTNESS)
        percent = None if brightness is None else round(brightness * 100 / 255)
        await self.entity_description.set_fn(self.subject, True, percent)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.entity_description.set_fn(self.subject, False, None)
