"""Websocket commands of the booking panel and the Smart-TV card.

Staff (administrators and the site's staff users) see and manage every resource. Any other
user sees only the apartment assigned to them (the guest's Smart-TV login) and its bookings,
read-only, and never contact data. Refusals come back as websocket errors with the translated
message (Unauthorized for people who may not act).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Final

from homeassistant.components import websocket_api
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message, result_message
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util import dt as dt_util
import probatio

from ..const import DOMAIN
from ..runtime import SmartQuarterConfigEntry
from ..staff import async_is_staff
from .engine import ACTIVE, MAX_SLOTS, Booking
from .feed_view import feed_path
from .rules import ResourceKind
from .subsystem import BookableResource, BookingSubsystem, changes_signal

PREFIX: Final = f"{DOMAIN}/booking"
MAX_RANGE = timedelta(days=400)


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the booking commands (once)."""
    for command in (
        ws_resources,
        ws_bookings,
        ws_subscribe,
        ws_free_slots,
        ws_book,
        ws_cancel,
        ws_reschedule,
        ws_check_in,
        ws_check_out,
        ws_feed,
        ws_next,
    ):
        websocket_api.async_register_command(hass, command)


class _View:
    """What one user of one connection may see."""

    def __init__(self, hass: HomeAssistant, user_id: str) -> None:
        self.hass = hass
        self.user_id = user_id
        self._staff: dict[str, bool] = {}

    async def async_sites(self) -> list[tuple[SmartQuarterConfigEntry, bool]]:
        """Return the loaded sites and whether the user is staff of each."""
        sites = []
        for entry in self.hass.config_entries.async_entries(DOMAIN):
            if entry.state is ConfigEntryState.LOADED:
                if entry.entry_id not in self._staff:
                    self._staff[entry.entry_id] = await async_is_staff(
                        self.hass, entry, self.user_id
                    )
                sites.append((entry, self._staff[entry.entry_id]))
        return sites

    async def async_visible(self) -> list[tuple[BookableResource, bool]]:
        """Return the resources the user may see, each with whether they may manage it."""
        return [
            (resource, staff)
            for entry, staff in await self.async_sites()
            for resource in entry.runtime_data.subsystem(BookingSubsystem).resources.values()
            if staff or resource.guest_user == self.user_id
        ]

    async def async_resource(self, resource_id: str, *, manage: bool = False) -> BookableResource:
        """Return a resource the user may see (or manage); Unauthorized otherwise."""
        resource, staff = await self.async_resource_and_role(resource_id)
        if manage and not staff:
            raise Unauthorized
        return resource

    async def async_resource_and_role(self, resource_id: str) -> tuple[BookableResource, bool]:
        """Return a resource the user may see and whether they manage it; else Unauthorized."""
        for resource, staff in await self.async_visible():
            if resource.resource_id == resource_id:
                return resource, staff
        raise Unauthorized

    async def async_managed_booking(
        self, booking_id: str
    ) -> tuple[BookingSubsystem, BookableResource, Booking]:
        """Return a booking of a site the user is staff of; Unauthorized otherwise."""
        for entry, staff in await self.async_sites():
            subsystem = entry.runtime_data.subsystem(BookingSubsystem)
            if staff and (booking := subsystem.find(booking_id)) is not None:
                return subsystem, subsystem.resource_of(booking), booking
        raise Unauthorized


def _resource_message(resource: BookableResource, staff: bool) -> dict[str, Any]:
    rules = resource.resource
    message: dict[str, Any] = {
        "resource_id": resource.resource_id,
        "entry_id": resource.subsystem.entry.entry_id,
        "name": resource.subentry.title,
        "kind": resource.kind.value,
        "device_id": resource.device_id,
        "can_manage": staff,
        "keeps_contact": resource.subsystem.keeps_contact,
        "time_zone": str(rules.time_zone),
    }
    if rules.appointments is not None:
        message["opening_hours"] = str(rules.appointments.opening_hours)
        message["slot_minutes"] = rules.appointments.slot_minutes
        message["consultation_types"] = [
            {"type": kind, "label": resource.label_of(kind), "minutes": minutes}
            for kind, minutes in rules.appointments.durations.items()
        ]
    if rules.stays is not None:
        message |= {
            "check_in": rules.stays.check_in.isoformat(),
            "check_out": rules.stays.check_out.isoformat(),
            "min_nights": rules.stays.min_nights,
            "max_nights": rules.stays.max_nights,
        }
    return message


def booking_message(resource: BookableResource, booking: Booking, staff: bool) -> dict[str, Any]:
    """Return a booking as the panel shows it (contact data for staff only)."""
    message: dict[str, Any] = {
        "booking_id": booking.booking_id,
        "resource_id": booking.resource_id,
        "start": resource.local_iso(booking.start),
        "end": resource.local_iso(booking.end),
        "status": booking.status.value,
        "consultation_type": booking.consultation_type,
        "label": resource.label(booking),
        "code": booking.code,
    }
    if staff:
        message["contact"] = booking.contact
    return message


def _handler(
    schema: dict[Any, Any],
) -> Callable[
    [Callable[[HomeAssistant, ActiveConnection, dict[str, Any], _View], Any]],
    Callable[[HomeAssistant, ActiveConnection, dict[str, Any]], None],
]:
    """Declare a command whose handler gets the user's view; errors become websocket errors."""

    def wrap(
        handler: Callable[[HomeAssistant, ActiveConnection, dict[str, Any], _View], Any],
    ) -> Callable[[HomeAssistant, ActiveConnection, dict[str, Any]], None]:
        async def run(
            hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
        ) -> None:
            await handler(hass, connection, msg, _View(hass, connection.user.id))

        run.__doc__ = handler.__doc__
        return websocket_command(schema)(async_response(run))

    return wrap


def _range(msg: dict[str, Any]) -> tuple[datetime, datetime]:
    start = dt_util.as_utc(msg["start"])
    end = dt_util.as_utc(msg["end"])
    if end <= start or end - start > MAX_RANGE:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="range_invalid")
    return start, end


@_handler({probatio.Required("type"): f"{PREFIX}/resources"})
async def ws_resources(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """List the resources the user may see."""
    visible = await view.async_visible()
    connection.send_result(
        msg["id"], {"resources": [_resource_message(r, staff) for r, staff in visible]}
    )


@_handler(
    {
        probatio.Required("type"): f"{PREFIX}/bookings",
        probatio.Required("resource_id"): str,
        probatio.Required("start"): cv.datetime,
        probatio.Required("end"): cv.datetime,
    }
)
async def ws_bookings(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """List the bookings of a resource in a time range (cancelled ones left out)."""
    resource, staff = await view.async_resource_and_role(msg["resource_id"])
    start, end = _range(msg)
    shown = resource.between(start, end)
    if not staff:
        # A guest sees the stay they are in, never the guests before or after them.
        current = resource.current_stay()
        shown = [booking for booking in shown if current and booking is current]
    connection.send_result(
        msg["id"],
        {
            "bookings": [
                booking_message(resource, booking, staff) for booking in shown if booking.occupies
            ]
        },
    )


@_handler({probatio.Required("type"): f"{PREFIX}/subscribe"})
async def ws_subscribe(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Tell the panel which of its resources changed, as it happens."""
    visible = {resource.resource_id for resource, _ in await view.async_visible()}
    unsubscribes = []

    @callback
    def forward(resource_ids: list[str]) -> None:
        if changed := [rid for rid in resource_ids if rid in visible]:
            connection.send_message(event_message(msg["id"], {"resource_ids": changed}))

    for entry, _staff in await view.async_sites():
        unsubscribes.append(async_dispatcher_connect(hass, changes_signal(entry.entry_id), forward))

    @callback
    def unsubscribe() -> None:
        for undo in unsubscribes:
            undo()

    connection.subscriptions[msg["id"]] = unsubscribe
    connection.send_message(result_message(msg["id"]))


@_handler(
    {
        probatio.Required("type"): f"{PREFIX}/free_slots",
        probatio.Required("resource_id"): str,
        probatio.Required("start"): cv.datetime,
        probatio.Required("end"): cv.datetime,
        probatio.Optional("consultation_type"): str,
        probatio.Optional("nights"): probatio.All(int, probatio.Range(min=1, max=365)),
        probatio.Optional("limit", default=100): probatio.All(
            int, probatio.Range(min=1, max=MAX_SLOTS)
        ),
    }
)
async def ws_free_slots(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Return the bookable times of a resource in a range."""
    resource = await view.async_resource(msg["resource_id"], manage=True)
    start, end = _range(msg)
    slots = await resource.async_free_slots(
        start,
        end,
        consultation_type=msg.get("consultation_type"),
        nights=msg.get("nights"),
        limit=msg["limit"],
    )
    connection.send_result(
        msg["id"],
        {"slots": [{"start": s.start.isoformat(), "end": s.end.isoformat()} for s in slots]},
    )


@_handler(
    {
        probatio.Required("type"): f"{PREFIX}/book",
        probatio.Required("resource_id"): str,
        probatio.Optional("start"): cv.datetime,
        probatio.Optional("consultation_type"): str,
        probatio.Optional("arrival"): cv.date,
        probatio.Optional("departure"): cv.date,
        probatio.Optional("code"): str,
        probatio.Optional("contact"): str,
    }
)
async def ws_book(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Book a slot (staff)."""
    resource = await view.async_resource(msg["resource_id"], manage=True)
    code = msg.get("code") or None
    contact = msg.get("contact") or None
    if resource.kind is ResourceKind.ROOM:
        if "start" not in msg or "consultation_type" not in msg:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="start_required"
            )
        booking = await resource.async_book_appointment(
            dt_util.as_utc(msg["start"]), msg["consultation_type"], code=code, contact=contact
        )
    else:
        arrival: date | None = msg.get("arrival")
        departure: date | None = msg.get("departure")
        if arrival is None or departure is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="dates_required"
            )
        booking = await resource.async_book_stay(arrival, departure, code=code, contact=contact)
    connection.send_result(msg["id"], booking_message(resource, booking, staff=True))


@_handler({probatio.Required("type"): f"{PREFIX}/cancel", probatio.Required("booking_id"): str})
async def ws_cancel(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Cancel a booking (staff)."""
    _subsystem, resource, booking = await view.async_managed_booking(msg["booking_id"])
    cancelled = await resource.async_cancel(booking.booking_id)
    connection.send_result(msg["id"], booking_message(resource, cancelled, staff=True))


@_handler(
    {
        probatio.Required("type"): f"{PREFIX}/reschedule",
        probatio.Required("booking_id"): str,
        probatio.Optional("start"): cv.datetime,
        probatio.Optional("consultation_type"): str,
        probatio.Optional("arrival"): cv.date,
        probatio.Optional("departure"): cv.date,
    }
)
async def ws_reschedule(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Move a booking (staff)."""
    subsystem, resource, booking = await view.async_managed_booking(msg["booking_id"])
    moved = await subsystem.async_reschedule(
        booking.booking_id,
        start=dt_util.as_utc(msg["start"]) if "start" in msg else None,
        consultation_type=msg.get("consultation_type"),
        arrival=msg.get("arrival"),
        departure=msg.get("departure"),
    )
    connection.send_result(msg["id"], booking_message(resource, moved, staff=True))


@_handler({probatio.Required("type"): f"{PREFIX}/check_in", probatio.Required("booking_id"): str})
async def ws_check_in(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Check a patient or guest in (staff)."""
    subsystem, resource, booking = await view.async_managed_booking(msg["booking_id"])
    checked = await subsystem.async_check(booking.booking_id, arrived=True)
    connection.send_result(msg["id"], booking_message(resource, checked, staff=True))


@_handler({probatio.Required("type"): f"{PREFIX}/check_out", probatio.Required("booking_id"): str})
async def ws_check_out(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Check a guest out (staff)."""
    subsystem, resource, booking = await view.async_managed_booking(msg["booking_id"])
    checked = await subsystem.async_check(booking.booking_id, arrived=False)
    connection.send_result(msg["id"], booking_message(resource, checked, staff=True))


@_handler(
    {
        probatio.Required("type"): f"{PREFIX}/feed",
        probatio.Required("resource_id"): str,
        probatio.Optional("renew", default=False): bool,
    }
)
async def ws_feed(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Return (or renew) the secret iCalendar link of a resource (staff)."""
    resource = await view.async_resource(msg["resource_id"], manage=True)
    subsystem = resource.subsystem
    token = (
        await subsystem.async_new_feed(resource.resource_id)
        if msg["renew"]
        else subsystem.feeds[resource.resource_id]
    )
    connection.send_result(msg["id"], {"path": feed_path(token)})


@_handler(
    {
        probatio.Required("type"): f"{PREFIX}/next",
        probatio.Exclusive("resource_id", "resource"): str,
        probatio.Exclusive("entity_id", "resource"): str,
    }
)
async def ws_next(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any], view: _View
) -> None:
    """Return what the Smart-TV card shows: the apartment's stay and the next appointment.

    The next appointment is the next one in any room of the site booked under the stay's code
    (reception books the consultation with the patient's code). The card names the apartment
    by its resource id or by one of its entities (its calendar, say).
    """
    resource_id = msg.get("resource_id")
    if resource_id is None and (entity := er.async_get(hass).async_get(msg.get("entity_id", ""))):
        resource_id = entity.config_subentry_id
    resource, staff = await view.async_resource_and_role(resource_id or "")
    # The guest's own stay only; staff see the next one too (planning the arrival).
    stay = resource.upcoming() if staff else resource.current_stay()
    appointment = None
    if stay is not None and resource.kind is ResourceKind.APARTMENT and stay.code:
        now = dt_util.utcnow()
        appointment = next(
            (
                booking
                for booking in resource.book.by_code(stay.code)
                if booking.consultation_type is not None
                and booking.status in ACTIVE
                and booking.end > now
            ),
            None,
        )
    subsystem = resource.subsystem
    connection.send_result(
        msg["id"],
        {
            "resource": resource.subentry.title,
            "stay": booking_message(resource, stay, staff=False) if stay else None,
            "appointment": (
                {
                    **booking_message(subsystem.resource_of(appointment), appointment, staff=False),
                    "resource": subsystem.resource_of(appointment).subentry.title,
                }
                if appointment
                else None
            ),
        },
    )
