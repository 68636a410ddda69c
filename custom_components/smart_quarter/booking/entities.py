"""Entity descriptions of booking: a calendar per resource and the city's usage figures.

The calendar is visible to every Home Assistant user, so its events show the consultation
type (or "stay") and never a booking code or contact; staff see those in the booking panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from homeassistant.components.calendar import CalendarEvent
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import PERCENTAGE, Platform
from homeassistant.core import Context
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.util import dt as dt_util

from ..calendar import SmartQuarterCalendarEntityDescription
from ..const import DOMAIN
from ..sensor import SmartQuarterSensorEntityDescription
from .engine import Booking
from .rules import ResourceKind

if TYPE_CHECKING:
    from .subsystem import BookableResource


def _event(resource: BookableResource, booking: Booking) -> CalendarEvent:
    return CalendarEvent(
        start=booking.start,
        end=booking.end,
        summary=resource.label(booking),
        uid=booking.booking_id,
        description=booking.status.value,
    )


def _current(resource: BookableResource) -> CalendarEvent | None:
    booking = resource.upcoming()
    return _event(resource, booking) if booking else None


def _events(resource: BookableResource, start: datetime, end: datetime) -> list[CalendarEvent]:
    return [
        _event(resource, booking) for booking in resource.between(start, end) if booking.occupies
    ]


def _moment(value: Any, resource: BookableResource) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=resource.resource.time_zone)
    return resource.resource.local(value, datetime.min.time())


def _day(value: Any, resource: BookableResource) -> date:
    if isinstance(value, datetime):
        return dt_util.as_local(_moment(value, resource)).date()
    return value  # type: ignore[no-any-return]


def _consultation_type(resource: BookableResource, summary: str | None) -> str:
    rules = resource.resource.appointments
    types = list(rules.durations) if rules else []
    wanted = (summary or "").strip().casefold()
    for kind in types:
        if wanted in (kind.casefold(), resource.label_of(kind).casefold()):
            return kind
    if len(types) == 1:
        return types[0]
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key="unknown_consultation_type"
    )


async def _create(resource: BookableResource, event: dict[str, Any], context: Context) -> None:
    await resource.async_require_staff(context)
    code = (event.get("description") or "").strip() or None
    if resource.kind is ResourceKind.ROOM:
        await resource.async_book_appointment(
            _moment(event["dtstart"], resource),
            _consultation_type(resource, event.get("summary")),
            code=code,
        )
    else:
        await resource.async_book_stay(
            _day(event["dtstart"], resource), _day(event["dtend"], resource), code=code
        )


async def _update(
    resource: BookableResource, uid: str, event: dict[str, Any], context: Context
) -> None:
    await resource.async_require_staff(context)
    if resource.kind is ResourceKind.ROOM:
        await resource.async_reschedule(
            uid,
            start=_moment(event["dtstart"], resource),
            consultation_type=_consultation_type(resource, event.get("summary"))
            if event.get("summary")
            else None,
        )
    else:
        await resource.async_reschedule(
            uid,
            arrival=_day(event["dtstart"], resource),
            departure=_day(event["dtend"], resource),
        )


async def _delete(resource: BookableResource, uid: str, context: Context) -> None:
    await resource.async_require_staff(context)
    await resource.async_cancel(uid)


CALENDARS: tuple[SmartQuarterCalendarEntityDescription, ...] = (
    SmartQuarterCalendarEntityDescription(
        key="bookings",
        translation_key="bookings",
        current_fn=_current,
        events_fn=_events,
        create_fn=_create,
        update_fn=_update,
        delete_fn=_delete,
    ),
)


def _monthly(key: str, value: str) -> SmartQuarterSensorEntityDescription:
    return SmartQuarterSensorEntityDescription(
        key=key,
        translation_key=key,
        state_class=SensorStateClass.TOTAL,
        value_fn=lambda resource: getattr(resource.figures(), value),
        last_reset_fn=lambda resource: resource.month_start(),
    )


COMMON_SENSORS: tuple[SmartQuarterSensorEntityDescription, ...] = (
    _monthly("bookings_this_month", "bookings"),
    _monthly("cancellations_this_month", "cancellations"),
    _monthly("no_shows_this_month", "no_shows"),
    SmartQuarterSensorEntityDescription(
        key="utilisation_this_month",
        translation_key="utilisation_this_month",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda resource: resource.figures().utilisation,
    ),
    SmartQuarterSensorEntityDescription(
        key="next_booking",
        translation_key="next_booking",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda resource: booking.start if (booking := resource.upcoming()) else None,
    ),
)
ROOM_SENSORS = (_monthly("consultations_this_month", "held"), *COMMON_SENSORS)
APARTMENT_SENSORS = (
    _monthly("stays_this_month", "held"),
    *COMMON_SENSORS,
    # For the guest's reminders (the robot, the TV): when, and in which room - not what for.
    SmartQuarterSensorEntityDescription(
        key="guest_next_appointment",
        translation_key="guest_next_appointment",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda resource: (
            booking.start if (booking := resource.guest_appointment()) else None
        ),
        attributes_fn=lambda resource: {
            "room": resource.subsystem.resource_of(booking).subentry.title
            if (booking := resource.guest_appointment())
            else None
        },
    ),
)


def descriptions(platform: Platform, kind: ResourceKind) -> Sequence[EntityDescription]:
    """Return the booking entities of a room or apartment, for one platform."""
    match platform:
        case Platform.CALENDAR:
            return CALENDARS
        case Platform.SENSOR:
            return ROOM_SENSORS if kind is ResourceKind.ROOM else APARTMENT_SENSORS
    return ()
