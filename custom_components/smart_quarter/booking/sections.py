"""The booking parts of the room and apartment forms (sections of their owners' flows)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TimeSelector,
)
import probatio

from ..subentry_flow import SectionContext, SubentrySection
from .opening_hours import ScheduleError
from .rules import CONSULTATION_TYPES
from .settings import (
    CONF_BOOKABLE,
    CONF_BUFFER_MINUTES,
    CONF_CHECK_IN,
    CONF_CHECK_OUT,
    CONF_CLEANING_HOURS,
    CONF_CLOSURES,
    CONF_CONSULTATION_TYPES,
    CONF_GUEST_USER,
    CONF_HOLIDAYS,
    CONF_MAX_NIGHTS,
    CONF_MIN_NIGHTS,
    CONF_OPENING_HOURS,
    CONF_SLOT_MINUTES,
    CONF_START_SESSION,
    DEFAULT_DURATIONS,
    DEFAULT_HOLIDAYS,
    DEFAULT_OPENING_HOURS,
    SECTION_APARTMENT,
    SECTION_ROOM,
    apartment_resource,
    duration_key,
    holiday_region,
    room_resource,
)

_UTC = ZoneInfo("UTC")


def _minutes(low: int, high: int, unit: str = "min") -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=low, max=high, step=1, unit_of_measurement=unit, mode=NumberSelectorMode.BOX
        )
    )


def room_schema(_context: SectionContext) -> probatio.Schema:
    """Return the booking settings of a telemedicine room."""
    return probatio.Schema(
        {
            probatio.Optional(CONF_BOOKABLE, default=False): BooleanSelector(),
            probatio.Optional(CONF_OPENING_HOURS, default=DEFAULT_OPENING_HOURS): TextSelector(),
            probatio.Optional(CONF_SLOT_MINUTES, default=15): _minutes(5, 120),
            probatio.Optional(
                CONF_CONSULTATION_TYPES, default=list(CONSULTATION_TYPES)
            ): SelectSelector(
                SelectSelectorConfig(
                    options=list(CONSULTATION_TYPES),
                    multiple=True,
                    translation_key="consultation_type",
                    mode=SelectSelectorMode.LIST,
                )
            ),
            **{
                probatio.Optional(duration_key(kind), default=minutes): _minutes(5, 240)
                for kind, minutes in DEFAULT_DURATIONS.items()
            },
            probatio.Optional(CONF_BUFFER_MINUTES, default=5): _minutes(0, 120),
            probatio.Optional(CONF_CLOSURES): TextSelector(),
            # A suggestion, not a default: a technician who clears it means "open on holidays".
            probatio.Optional(
                CONF_HOLIDAYS, description={"suggested_value": DEFAULT_HOLIDAYS}
            ): TextSelector(),
            probatio.Optional(CONF_START_SESSION, default=True): BooleanSelector(),
        }
    )


def apartment_schema(context: SectionContext) -> probatio.Schema:
    """Return the stay settings of a health apartment and the guest user who sees its bookings."""
    return probatio.Schema(
        {
            probatio.Optional(CONF_BOOKABLE, default=False): BooleanSelector(),
            probatio.Optional(CONF_CHECK_IN, default="15:00:00"): TimeSelector(),
            probatio.Optional(CONF_CHECK_OUT, default="11:00:00"): TimeSelector(),
            probatio.Optional(CONF_MIN_NIGHTS, default=1): _minutes(1, 365, "nights"),
            probatio.Optional(CONF_MAX_NIGHTS, default=28): _minutes(1, 365, "nights"),
            probatio.Optional(CONF_CLEANING_HOURS, default=3): _minutes(0, 72, "h"),
            probatio.Optional(CONF_CLOSURES): TextSelector(),
            probatio.Optional(CONF_GUEST_USER): SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=user_id, label=name)
                        for user_id, name in context.users.items()
                    ],
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
        }
    )


def _whole_numbers(data: dict[str, Any]) -> dict[str, Any]:
    # Number selectors send floats; minutes, nights and hours are stored as whole numbers.
    return {key: int(value) if isinstance(value, float) else value for key, value in data.items()}


def _room_errors(data: dict[str, Any]) -> dict[str, str]:
    try:
        holiday_region(data)
        room_resource("check", "check", data, _UTC)
    except ScheduleError as err:
        return {"base": err.key}
    return {}


def _apartment_errors(data: dict[str, Any]) -> dict[str, str]:
    try:
        apartment_resource("check", "check", data, _UTC)
    except ScheduleError as err:
        return {"base": err.key}
    return {}


def _room_settings(data: dict[str, Any]) -> dict[str, Any]:
    # Stored even when empty, so that reconfiguring does not suggest the holidays again.
    return {CONF_HOLIDAYS: "", **_whole_numbers(data)}


ROOM_SECTION = SubentrySection(
    SECTION_ROOM, room_schema, validate=_room_errors, normalize=_room_settings
)
APARTMENT_SECTION = SubentrySection(
    SECTION_APARTMENT, apartment_schema, validate=_apartment_errors, normalize=_whole_numbers
)
