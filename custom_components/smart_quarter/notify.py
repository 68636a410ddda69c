"""Notify platform: collects the notify descriptions of every subsystem (a robot that speaks)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.notify import NotifyEntity, NotifyEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import SmartQuarterEntity, async_add_subsystem_entities
from .runtime import SmartQuarterConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SmartQuarterNotifyEntityDescription(NotifyEntityDescription):
    """A notify entity whose messages its subject delivers (speaks, shows ...)."""

    send_fn: Callable[[Any, str, str | None], Awaitable[None]]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartQuarterConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the notify entities of all subsystems."""
    async_add_subsystem_entities(
        entry,
        Platform.NOTIFY,
        SmartQuarterNotifyEntityDescription,
        SmartQuarterNotify,
        async_add_entities,
    )


class SmartQuarterNotify(SmartQuarterEntity, NotifyEntity):
    """A notify entity described by a SmartQuarterNotifyEntityDescription."""

    entity_description: SmartQuarterNotifyEntityDescription

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Deliver the message through the subject."""
        await self.entity_description.send_fn(self.subject, message, title)
