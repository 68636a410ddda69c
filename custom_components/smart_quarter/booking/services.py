"""Booking actions: book, cancel, reschedule, find free slots, check in and out.

Changes are for staff (administrators and the site's staff users) and automations; finding free
slots tells nothing personal and is open to everyone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio

from ..const import DOMAIN
from ..device_target import loaded_site_of_device, wrong_device
from ..runtime import SmartQuarterConfigEntry
from ..staff import async_require_staff
from .engine import MAX_SLOTS, Booking
from .rules import ResourceKind
from .subsystem import BookableResource, BookingSubsystem

ATTR_BOOKING_ID: Final = "booking_id"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_CONSULTATION_TYPE: Final = "consultation_type"
ATTR_ARRIVAL: Final = "arrival"
ATTR_DEPARTURE: Final = "departure"
ATTR_CODE: Final = "code"
ATTR_CONTACT: Final = "contact"
ATTR_NIGHTS: Final = "nights"
ATTR_LIMIT: Final = "limit"
DEFAULT_SEARCH_DAYS: Final = 14

BOOK_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_CONSULTATION_TYPE): cv.string,
        probatio.Optional(ATTR_ARRIVAL): cv.date,
        probatio.Optional(ATTR_DEPARTURE): cv.date,
        probatio.Optional(ATTR_CODE): cv.string,
        probatio.Optional(ATTR_CONTACT): cv.string,
    }
)
BOOKING_SCHEMA = probatio.Schema({probatio.Required(ATTR_BOOKING_ID): cv.string})
RESCHEDULE_SCHEMA = BOOKING_SCHEMA.extend(
    {
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_CONSULTATION_TYPE): cv.string,
        probatio.Optional(ATTR_ARRIVAL): cv.date,
        probatio.Optional(ATTR_DEPARTURE): cv.date,
    }
)
FIND_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_END): cv.datetime,
        probatio.Optional(ATTR_CONSULTATION_TYPE): cv.string,
        probatio.Optional(ATTR_NIGHTS): probatio.All(int, probatio.Range(min=1, max=365)),
        probatio.Optional(ATTR_LIMIT, default=20): probatio.All(
            int, probatio.Range(min=1, max=MAX_SLOTS)
        ),
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the booking actions (once, whatever the number of sites)."""
    for name, handler, schema in (
        ("book", _async_book, BOOK_SCHEMA),
        ("cancel", _async_cancel, BOOKING_SCHEMA),
        ("reschedule", _async_reschedule, RESCHEDULE_SCHEMA),
        ("check_in", _async_check_in, BOOKING_SCHEMA),
        ("check_out", _async_check_out, BOOKING_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=SupportsResponse.OPTIONAL
        )
    hass.services.async_register(
        DOMAIN,
        "find_free_slots",
        _async_find_free_slots,
        schema=FIND_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )


def booking_response(resource: BookableResource, booking: Booking) -> dict[str, Any]:
    """Return what a caller learns of a booking it made or changed."""
    return {
        "booking_id": booking.booking_id,
        "code": booking.code,
        "resource": resource.subentry.title,
        "consultation_type": booking.consultation_type,
        "start": resource.local_iso(booking.start),
        "end": resource.local_iso(booking.end),
        "status": booking.status.value,
    }


async def _async_book(call: ServiceCall) -> ServiceResponse:
    entry, resource = _resource_of_device(call.hass, call.data[ATTR_DEVICE_ID])
    await async_require_staff(call.hass, entry, call.context)
    code = call.data.get(ATTR_CODE)
    contact = call.data.get(ATTR_CONTACT)
    if resource.kind is ResourceKind.ROOM:
        start = _aware(_required(call.data, ATTR_START, "start_required"))
        kind = _required(call.data, ATTR_CONSULTATION_TYPE, "unknown_consultation_type")
        booking = await resource.async_book_appointment(start, kind, code=code, contact=contact)
    else:
        arrival: date = _required(call.data, ATTR_ARRIVAL, "dates_required")
        departure: date = _required(call.data, ATTR_DEPARTURE, "dates_required")
        booking = await resource.async_book_stay(arrival, departure, code=code, contact=contact)
    return booking_response(resource, booking)


async def _async_cancel(call: ServiceCall) -> ServiceResponse:
    entry, subsystem, booking = _booking_of(call.hass, call.data[ATTR_BOOKING_ID])
    await async_require_staff(call.hass, entry, call.context)
    resource = subsystem.resource_of(booking)
    return booking_response(resource, await resource.async_cancel(booking.booking_id))


async def _async_reschedule(call: ServiceCall) -> ServiceResponse:
    entry, subsystem, booking = _booking_of(call.hass, call.data[ATTR_BOOKING_ID])
    await async_require_staff(call.hass, entry, call.context)
    start = call.data.get(ATTR_START)
    moved = await subsystem.async_reschedule(
        booking.booking_id,
        start=_aware(start) if start else None,
        consultation_type=call.data.get(ATTR_CONSULTATION_TYPE),
        arrival=call.data.get(ATTR_ARRIVAL),
        departure=call.data.get(ATTR_DEPARTURE),
    )
    return booking_response(subsystem.resource_of(moved), moved)


async def _async_check_in(call: ServiceCall) -> ServiceResponse:
    return await _async_check(call, arrived=True)


async def _async_check_out(call: ServiceCall) -> ServiceResponse:
    return await _async_check(call, arrived=False)


async def _async_check(call: ServiceCall, *, arrived: bool) -> ServiceResponse:
    entry, subsystem, booking = _booking_of(call.hass, call.data[ATTR_BOOKING_ID])
    await async_require_staff(call.hass, entry, call.context)
    checked = await subsystem.async_check(booking.booking_id, arrived=arrived)
    return booking_response(subsystem.resource_of(checked), checked)


async def _async_find_free_slots(call: ServiceCall) -> ServiceResponse:
    _entry, resource = _resource_of_device(call.hass, call.data[ATTR_DEVICE_ID])
    now = dt_util.utcnow()
    start = _aware(call.data[ATTR_START]) if ATTR_START in call.data else now
    end = (
        _aware(call.data[ATTR_END])
        if ATTR_END in call.data
        else start + timedelta(days=DEFAULT_SEARCH_DAYS)
    )
    slots = await resource.async_free_slots(
        start,
        end,
        consultation_type=call.data.get(ATTR_CONSULTATION_TYPE),
        nights=call.data.get(ATTR_NIGHTS),
        limit=call.data[ATTR_LIMIT],
    )
    return {
        "resource": resource.subentry.title,
        "slots": [{"start": slot.start.isoformat(), "end": slot.end.isoformat()} for slot in slots],
    }


def _required(data: dict[str, Any] | Any, key: str, error: str) -> Any:
    if data.get(key) in (None, ""):
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key=error)
    return data[key]


def _aware(moment: datetime) -> datetime:
    """Read a time without zone as the site's local time (as the UI's date-time picker sends it)."""
    return dt_util.as_utc(moment)


def _resource_of_device(
    hass: HomeAssistant, device_id: str
) -> tuple[SmartQuarterConfigEntry, BookableResource]:
    entry, subentry_id = loaded_site_of_device(hass, device_id, wrong_device_key="not_bookable")
    resource = entry.runtime_data.subsystem(BookingSubsystem).resources.get(subentry_id or "")
    if resource is None:
        raise wrong_device(device_id, "not_bookable")
    return entry, resource


def _booking_of(
    hass: HomeAssistant, booking_id: str
) -> tuple[SmartQuarterConfigEntry, BookingSubsystem, Booking]:
    entry: SmartQuarterConfigEntry
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is not ConfigEntryState.LOADED:
            continue
        subsystem = entry.runtime_data.subsystem(BookingSubsystem)
        if (booking := subsystem.find(booking_id)) is not None:
            return entry, subsystem, booking
    raise ServiceValidationError(translation_domain=DOMAIN, translation_key="booking_not_found")
