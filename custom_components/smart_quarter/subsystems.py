"""The list of subsystems a site is made of; each later subsystem adds itself here."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from homeassistant.config_entries import ConfigSubentryFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .emergency.services import async_setup_services as async_setup_emergency_services
from .emergency.subsystem import EmergencySubsystem
from .emergency.voice import async_setup_voice
from .facade.services import async_setup_services as async_setup_facade_services
from .facade.subsystem import FacadeSubsystem
from .subsystem import OptionsStep, Subsystem
from .telemedicine.services import async_setup_services as async_setup_telemedicine_services
from .telemedicine.subsystem import TelemedicineSubsystem
from .telemedicine.websocket import async_setup_websocket as async_setup_telemedicine_websocket

SUBSYSTEMS: tuple[type[Subsystem], ...] = (
    EmergencySubsystem,
    TelemedicineSubsystem,
    FacadeSubsystem,
)

# Each subsystem's action (and voice) registration; run once at integration set-up (not per
# site), so actions exist even while no site is loaded and can explain that in the user's
# language.
SERVICE_SETUPS: tuple[Callable[[HomeAssistant], None], ...] = (
    async_setup_emergency_services,
    async_setup_voice,
    async_setup_facade_services,
    async_setup_telemedicine_services,
    async_setup_telemedicine_websocket,
)

PLATFORMS: list[Platform] = sorted(
    {platform for subsystem in SUBSYSTEMS for platform in subsystem.platforms}
)

SUBENTRY_FLOWS: Mapping[str, type[ConfigSubentryFlow]] = {
    subentry_type: flow
    for subsystem in SUBSYSTEMS
    for subentry_type, flow in subsystem.subentry_flows.items()
}

OPTIONS_STEPS: Mapping[str, OptionsStep] = {
    step.step_id: step for subsystem in SUBSYSTEMS for step in subsystem.options_steps
}
