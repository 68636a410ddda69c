"""What a loaded site keeps at run time, and the typed config entry that carries it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

if TYPE_CHECKING:
    from .subsystem import Subsystem

type SmartQuarterConfigEntry = ConfigEntry[SiteRuntime]


@dataclass(slots=True)
class SiteRuntime:
    """The loaded subsystems of one site, by key."""

    hass: HomeAssistant
    subsystems: dict[str, Subsystem] = field(default_factory=dict)
    platforms: list[Platform] = field(default_factory=list)
    """The entity platforms this site has entities on (forwarded at set-up, unloaded after)."""
    reload_pending: bool = False
    """A reload for a change of the entry is on its way (later changes wait for it)."""

    def subsystem[S: Subsystem](self, kind: type[S]) -> S:
        """Return the loaded subsystem of a kind, typed (for its own actions and websockets)."""
        subsystem = self.subsystems[kind.key]
        if not isinstance(subsystem, kind):
            raise TypeError(f"{kind.key} is a {type(subsystem).__name__}")
        return subsystem
