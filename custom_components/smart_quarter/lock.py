"""Lock platform: collects the lock descriptions of every subsystem (apartment doors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterLockEntityDescription(LockEntityDescription):
    """A lock read from, and set through, its subject."""

    is_locked_fn: Callable[[Any], bool | None]
    set_fn: Callable[[Any, bool], Awaitable[None]]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the locks of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.LOCK,
        SmartQuarterLockEntityDescription,
        SmartQuarterLock,
        async_add_entities,
    )


class SmartQuarterLock(SmartQuarterEntity, LockEntity):
    """A lock described by a SmartQuarterLockEntityDescription."""

    entity_description: SmartQuarterLockEntityDescription

    @property
    def is_locked(self) -> bool | None:
        """Read from the subject."""
        return self.entity_description.is_locked_fn(self.subject)

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock."""
        await self.entity_description.set_fn(self.subject, True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock."""
        await self.entity_description.set_fn(self.subject, False)
