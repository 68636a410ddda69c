"""Cover platform: collects the cover descriptions of every subsystem (blinds)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.cover import (
    ATTR_POSITION,
    CoverEntity,
    CoverEntityDescription,
    CoverEntityFeature,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterCoverEntityDescription(CoverEntityDescription):
    """A cover with a position in percent (0 closed, 100 open)."""

    position_fn: Callable[[Any], float | None]
    set_fn: Callable[[Any, float], Awaitable[None]]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the covers of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.COVER,
        SmartQuarterCoverEntityDescription,
        SmartQuarterCover,
        async_add_entities,
    )


class SmartQuarterCover(SmartQuarterEntity, CoverEntity):
    """A cover described by a SmartQuarterCoverEntityDescription."""

    entity_description: SmartQuarterCoverEntityDescription
    _attr_supported_features = (
        CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE | CoverEntityFeature.SET_POSITION
    )

    @property
    def current_cover_position(self) -> int | None:
        """Read from the subject."""
        position = self.entity_description.position_fn(self.subject)
        return None if position is None else round(position)

    @property
    def is_closed(self) -> bool | None:
        """Closed at position 0."""
        position = self.current_cover_position
        return None if position is None else position == 0

    async def async_open_cover(self, **kwargs: Any) -> None:
        """Open fully."""
        await self.entity_description.set_fn(self.subject, 100)

    async def async_close_cover(self, **kwargs: Any) -> None:
        """Close fully."""
        await self.entity_description.set_fn(self.subject, 0)

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        """Go to a position."""
        await self.entity_description.set_fn(self.subject, kwargs[ATTR_POSITION])
