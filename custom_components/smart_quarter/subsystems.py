"""The list of subsystems a site is made of; each later subsystem adds itself here."""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.config_entries import ConfigSubentryFlow
from homeassistant.const import Platform

from .subsystem import Subsystem
from .telemedicine.subsystem import TelemedicineSubsystem

SUBSYSTEMS: tuple[type[Subsystem], ...] = (TelemedicineSubsystem,)

PLATFORMS: list[Platform] = sorted(
    {platform for subsystem in SUBSYSTEMS for platform in subsystem.platforms}
)

SUBENTRY_FLOWS: Mapping[str, type[ConfigSubentryFlow]] = {
    subentry_type: flow
    for subsystem in SUBSYSTEMS
    for subentry_type, flow in subsystem.subentry_flows.items()
}
