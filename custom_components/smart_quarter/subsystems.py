"""The list of subsystems a site is made of; each later subsystem adds itself here."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from homeassistant.config_entries import ConfigSubentryFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .booking.feed_view import async_setup_feed as async_setup_booking_feed
from .booking.services import async_setup_services as async_setup_booking_services
from .booking.subsystem import BookingSubsystem
from .booking.websocket import async_setup_websocket as async_setup_booking_websocket
from .emergency.services import async_setup_services as async_setup_emergency_services
from .emergency.subsystem import EmergencySubsystem
from .emergency.voice import async_setup_voice as async_setup_emergency_voice
from .facade.services import async_setup_services as async_setup_facade_services
from .facade.subsystem import FacadeSubsystem
from .robot.services import async_setup_services as async_setup_robot_services
from .robot.subsystem import RobotSubsystem
from .smart_home.subsystem import SmartHomeSubsystem
from .smart_home.voice import async_setup_voice as async_setup_apartment_voice
from .subentry_flow import SiteSubentryFlow, SubentrySection
from .subsystem import OptionsStep, Subsystem
from .telemedicine.services import async_setup_services as async_setup_telemedicine_services
from .telemedicine.subsystem import TelemedicineSubsystem
from .telemedicine.websocket import async_setup_websocket as async_setup_telemedicine_websocket

SUBSYSTEMS: tuple[type[Subsystem], ...] = (
    EmergencySubsystem,
    TelemedicineSubsystem,
    FacadeSubsystem,
    BookingSubsystem,
    RobotSubsystem,
    SmartHomeSubsystem,
)

# Each subsystem's action (and voice) registration; run once at integration set-up (not per
# site), so actions exist even while no site is loaded and can explain that in the user's
# language.
SERVICE_SETUPS: tuple[Callable[[HomeAssistant], None], ...] = (
    async_setup_emergency_services,
    async_setup_emergency_voice,
    async_setup_facade_services,
    async_setup_telemedicine_services,
    async_setup_telemedicine_websocket,
    async_setup_booking_services,
    async_setup_booking_websocket,
    async_setup_booking_feed,
    async_setup_robot_services,
    async_setup_apartment_voice,
)

PLATFORMS: list[Platform] = sorted(
    {platform for subsystem in SUBSYSTEMS for platform in subsystem.platforms}
)

SUBENTRY_SECTIONS: Mapping[str, tuple[SubentrySection, ...]] = {
    subentry_type: tuple(
        part
        for subsystem in SUBSYSTEMS
        for part in subsystem.subentry_sections.get(subentry_type, ())
    )
    for subentry_type in {t for subsystem in SUBSYSTEMS for t in subsystem.subentry_sections}
}

# Each subentry type's flow, with the sections other subsystems add to its form.
SUBENTRY_FLOWS: Mapping[str, type[ConfigSubentryFlow]] = {
    subentry_type: (
        flow.with_sections(SUBENTRY_SECTIONS.get(subentry_type, ()))
        if issubclass(flow, SiteSubentryFlow)
        else flow
    )
    for subsystem in SUBSYSTEMS
    for subentry_type, flow in subsystem.subentry_flows.items()
}

OPTIONS_STEPS: Mapping[str, OptionsStep] = {
    step.step_id: step for subsystem in SUBSYSTEMS for step in subsystem.options_steps
}
