"""The base entity of the integration and the glue that lets platforms collect subsystem entities.

Subsystems describe their entities as data: for each subentry (or the site itself) they hand out
an `EntityGroup`, i.e. the subject the entities read (a room, an apartment ...) and a tuple of
entity descriptions whose value functions read that subject. Platform modules turn the groups
into entities with one generic class each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN, MANUFACTURER
from .runtime import SmartQuarterConfigEntry


class EntitySubject(Protocol):
    """What an entity reads: it announces changes on a dispatcher signal."""

    @property
    def update_signal(self) -> str:
        """Dispatcher signal sent after the subject changed."""
        ...

    @property
    def available(self) -> bool:
        """False while the subject cannot be reached (its gateway is offline ...)."""
        ...


@dataclass(frozen=True, slots=True)
class EntityGroup:
    """Entities of one platform for one subentry (or for the site when subentry is None)."""

    subentry: ConfigSubentry | None
    subject: EntitySubject
    descriptions: Sequence[EntityDescription]
    device: tuple[str, DeviceInfo] | None = None
    """A device of its own below the subentry's (a vitals device in a room): its stable id,
    which prefixes the unique ids, and its device info."""


def device_identifier(entry: SmartQuarterConfigEntry, subentry: ConfigSubentry | None) -> str:
    """Return the stable id of the device of a subentry, or of the site itself."""
    return subentry.subentry_id if subentry else entry.entry_id


class SmartQuarterEntity(Entity):
    """An entity of a site or of one of its subentries, driven by its subject's signal."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    # Pseudonymous references and device addresses are shown, never kept in the history.
    _unrecorded_attributes = frozenset({"reference", "address"})

    def __init__(
        self,
        entry: SmartQuarterConfigEntry,
        subentry: ConfigSubentry | None,
        subject: EntitySubject,
        description: EntityDescription,
    ) -> None:
        """Tie the entity to its device; the unique id is '<device id>-<description key>'."""
        self.entity_description = description
        self.subject = subject
        owner = device_identifier(entry, subentry)
        self._attr_unique_id = f"{owner}-{description.key}"
        # Name and maker too, not only the identifier: if a subentry is added while the site
        # (re)loads, the platform may create the device before the site registers it, and a
        # nameless device would give the entities ids without the subentry's name.
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, owner)},
            name=subentry.title if subentry else entry.title,
            manufacturer=MANUFACTURER,
        )

    def use_device(self, owner: str, device_info: DeviceInfo) -> None:
        """Belong to another device than the subentry's; the unique id follows that device."""
        self._attr_unique_id = f"{owner}-{self.entity_description.key}"
        self._attr_device_info = device_info

    @property
    def available(self) -> bool:
        """Follow the subject's reachability."""
        return self.subject.available

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Attributes the description reads from the subject (its attributes_fn), if any."""
        attributes_fn: Callable[[Any], Mapping[str, Any]] | None = getattr(
            self.entity_description, "attributes_fn", None
        )
        return attributes_fn(self.subject) if attributes_fn else None

    async def async_added_to_hass(self) -> None:
        """Write the state whenever the subject announces a change."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, self.subject.update_signal, self._handle_subject_update
            )
        )

    @callback
    def _handle_subject_update(self) -> None:
        self.async_write_ha_state()


type EntityFactory[D: EntityDescription] = Callable[
    [SmartQuarterConfigEntry, ConfigSubentry | None, EntitySubject, D], Entity
]


def new_groups_signal(entry_id: str, platform: Platform) -> str:
    """Return the signal a subsystem sends with entity groups that appeared after set-up."""
    return f"{DOMAIN}_new_groups_{entry_id}_{platform}"


@callback
def async_add_subsystem_entities[D: EntityDescription](
    entry: SmartQuarterConfigEntry,
    platform: Platform,
    description_type: type[D],
    factory: EntityFactory[D],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entities every subsystem of the site describes for one platform.

    Groups that appear later (a device a gateway announces) arrive on `new_groups_signal`.
    """

    @callback
    def add(groups: Sequence[EntityGroup]) -> None:
        # One call per subentry, not per group: an apartment's 14 gateway devices are one
        # batch for the platform instead of 14 (3750 fewer calls for 250 apartments).
        batches: dict[str | None, list[Entity]] = {}
        for group in groups:
            entities = [
                factory(entry, group.subentry, group.subject, description)
                for description in group.descriptions
                if isinstance(description, description_type)
            ]
            if group.device is not None:
                for entity in entities:
                    if isinstance(entity, SmartQuarterEntity):
                        entity.use_device(*group.device)
            subentry_id = group.subentry.subentry_id if group.subentry else None
            batches.setdefault(subentry_id, []).extend(entities)
        for subentry_id, entities in batches.items():
            if entities:
                async_add_entities(entities, config_subentry_id=subentry_id)

    for subsystem in entry.runtime_data.subsystems.values():
        add(list(subsystem.entity_groups(platform)))
    entry.async_on_unload(
        async_dispatcher_connect(
            entry.runtime_data.hass, new_groups_signal(entry.entry_id, platform), add
        )
    )
