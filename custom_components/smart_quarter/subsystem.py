"""The interface between a site and its subsystems (telemedicine, emergency, façade ...).

A subsystem owns one or more config subentry types, keeps its own state and storage, and hands
the platform modules the entities for each of its subentries. The site only calls what is
declared here, so subsystems never need to know about each other.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from homeassistant.config_entries import ConfigEntry, ConfigSubentry, ConfigSubentryFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import probatio

if TYPE_CHECKING:
    from .entity import EntityGroup
    from .runtime import SmartQuarterConfigEntry
    from .subentry_flow import SubentrySection


@dataclass(frozen=True, slots=True)
class OptionsStep:
    """A page of the site's options that a subsystem adds (a menu entry of the options flow).

    `schema` builds the form (it may list what exists in Home Assistant now); `validate` gets
    the submitted input and returns the options to store (merged into the site's options) and
    field -> error key for problems. Its step id names its title and fields in the
    translations (options.step.<step_id>).
    """

    step_id: str
    schema: Callable[[HomeAssistant], probatio.Schema]
    validate: Callable[
        [HomeAssistant, ConfigEntry, dict[str, Any]], tuple[dict[str, Any], dict[str, str]]
    ]
    secret_keys: frozenset[str] = frozenset()
    """Fields never sent back to the browser as suggestions (left empty = keep the stored)."""


class Subsystem(ABC):
    """One part of a site, as the site sees it."""

    key: ClassVar[str]
    """Stable identifier, also used in storage keys and diagnostics."""

    subentry_flows: ClassVar[Mapping[str, type[ConfigSubentryFlow]]]
    """Subentry types this subsystem adds to a site, with the flow that creates them."""

    subentry_sections: ClassVar[Mapping[str, tuple[SubentrySection, ...]]] = {}
    """Sections it adds to subentry types of other subsystems (booking settings of a room)."""

    platforms: ClassVar[frozenset[Platform]]
    """Entity platforms this subsystem provides entities for."""

    redact_keys: ClassVar[frozenset[str]] = frozenset()
    """Keys of its subentry data and diagnostics that hold personal data or secrets."""

    options_steps: ClassVar[tuple[OptionsStep, ...]] = ()
    """Pages it adds to the site's options."""

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """Bind the subsystem to its site."""
        self.hass = hass
        self.entry = entry

    def subentries(self) -> list[ConfigSubentry]:
        """Return the site's subentries that belong to this subsystem."""
        return [
            subentry
            for subentry in self.entry.subentries.values()
            if subentry.subentry_type in self.subentry_flows
        ]

    async def async_setup(self) -> None:
        """Load state and start listening; raise ConfigEntryNotReady when a peer is missing."""

    async def async_unload(self) -> None:
        """Stop everything async_setup started."""

    @abstractmethod
    def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
        """Yield the entity descriptions of one platform, grouped by subentry and subject."""

    def platforms_in_use(self) -> set[Platform]:
        """Return the platforms it has entities on now (or may get, for devices announced later)."""
        return {
            platform
            for platform in self.platforms
            if next(iter(self.entity_groups(platform)), None) is not None
        }

    def device_identifiers(self) -> set[str]:
        """Return the identifiers of devices it registers beyond its subentries' own.

        At set-up the site removes every device of its entry that is not the site, a subentry
        or named here (stale-devices rule); a subsystem that adds devices of its own (a vitals
        device under a room, say) must name them.
        """
        return set()

    def diagnostics(self) -> dict[str, Any]:
        """Return this subsystem's state for diagnostics, already redacted."""
        return {}

    @classmethod
    def migrate_site(cls, hass: HomeAssistant, entry: ConfigEntry, minor_version: int) -> None:
        """Bring the site's options and subentries from `minor_version` to the current one."""

    @classmethod
    async def async_remove_site(cls, hass: HomeAssistant, entry_id: str) -> None:
        """Delete what the subsystem stored for a site that is being removed."""
