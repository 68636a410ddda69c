"""Home Assistant glue of booking: bookable rooms and apartments, stored bookings, their clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from datetime import date, datetime, timedelta
import logging
import secrets
from typing import Any, ClassVar, override
from zoneinfo import ZoneInfo

import holidays as public_holidays
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry, ConfigSubentryFlow
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_cached_translations, async_get_translations
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..device_target import subentry_device_id
from ..emergency.const import SUBENTRY_TYPE_APARTMENT
from ..entity import EntityGroup
from ..runtime import SmartQuarterConfigEntry
from ..staff import async_require_staff
from ..subentry_flow import SubentrySection
from ..subsystem import Subsystem
from ..telemedicine.const import SUBENTRY_TYPE_ROOM
from . import entities, stored
from .engine import ACTIVE, Booking, BookingBook, BookingError, FreeSlot
from .interface import (
    EVENT_APPOINTMENT_ENDED,
    EVENT_APPOINTMENT_STARTED,
    EVENT_CHECKED_IN,
    EVENT_CHECKED_OUT,
    AppointmentStarted,
    appointment_signal,
)
from .opening_hours import ScheduleError
from .options import BOOKING_STEP, CONF_KEEP_CONTACT, CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS
from .panel import async_hide_panel, async_show_panel
from .rules import Resource, ResourceKind
from .sections import APARTMENT_SECTION, ROOM_SECTION
from .settings import (
    CONF_BOOKABLE,
    CONF_GUEST_USER,
    CONF_START_SESSION,
    SECTION_APARTMENT,
    SECTION_ROOM,
    apartment_resource,
    holiday_region,
    room_resource,
)
from .usage import MonthFigures, month_figures

_LOGGER = logging.getLogger(__name__)

TICK = timedelta(minutes=1)
HOLIDAY_YEARS_BACK = 1
HOLIDAY_YEARS_AHEAD = 2


def _storage_key(entry_id: str) -> str:
    return f"{DOMAIN}.{entry_id}.booking"


def changes_signal(entry_id: str) -> str:
    """Return the dispatcher signal sent with the resource ids whose bookings changed."""
    return f"{DOMAIN}_booking_changed_{entry_id}"


class _BookingStore(Store[dict[str, Any]]):
    """The bookings' store: older formats are migrated by the pure `stored.migrate`.

    Home Assistant's Store logs a failed write and carries on; a booking must not be confirmed
    when it was not written, so the error is kept and raised by `async_save_or_raise`.
    """

    write_error: Exception | None = None

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        return stored.migrate(old_major_version, old_minor_version, old_data)

    async def _async_write_data(self, data: dict[str, Any]) -> None:
        try:
            await super()._async_write_data(data)
        except Exception as err:
            self.write_error = err
            raise
        self.write_error = None

    async def async_save_or_raise(self, data: dict[str, Any]) -> None:
        """Write now; raise what went wrong instead of only logging it."""
        self.write_error = None
        await self.async_save(data)
        if self.write_error is not None:
            raise self.write_error


class BookableResource:
    """A room or apartment as its booking entities see it."""

    def __init__(
        self, subsystem: BookingSubsystem, subentry: ConfigSubentry, resource: Resource
    ) -> None:
        """Tie the rules to the subentry they come from."""
        self._subsystem = subsystem
        self.subentry = subentry
        self.resource = resource
        self._figures: tuple[date, MonthFigures] | None = None

    @property
    def subsystem(self) -> BookingSubsystem:
        """The site's booking subsystem."""
        return self._subsystem

    @property
    def resource_id(self) -> str:
        """The subentry id."""
        return self.subentry.subentry_id

    @property
    def kind(self) -> ResourceKind:
        """Room (appointments) or apartment (stays)."""
        return self.resource.kind

    @property
    def settings(self) -> Mapping[str, Any]:
        """The resource's booking section."""
        key = SECTION_ROOM if self.kind is ResourceKind.ROOM else SECTION_APARTMENT
        return self.subentry.data.get(key) or {}

    @property
    def guest_user(self) -> str | None:
        """The user (a guest's Smart-TV login) who may see this apartment's bookings."""
        return self.settings.get(CONF_GUEST_USER) or None

    @property
    def update_signal(self) -> str:
        """Signal sent after its bookings changed."""
        return f"{DOMAIN}_booking_{self.resource_id}"

    @property
    def available(self) -> bool:
        """Bookings are local data: always there."""
        return True

    @property
    def device_id(self) -> str | None:
        """The room's or apartment's device."""
        return subentry_device_id(
            self._subsystem.hass, self._subsystem.entry.entry_id, self.resource_id
        )

    @property
    def book(self) -> BookingBook:
        """The site's bookings."""
        return self._subsystem.book

    def local_iso(self, moment: datetime) -> str:
        """Return a time as the site's local wall-clock time, ISO 8601 with its offset."""
        return moment.astimezone(self.resource.time_zone).isoformat()

    def between(self, start: datetime, end: datetime) -> list[Booking]:
        """Return its bookings that occupy time in [start, end)."""
        return self.book.between(self.resource_id, start, end)

    def current_stay(self) -> Booking | None:
        """Return the stay the apartment's guest is in: from the arrival day to its end.

        This is all an apartment's own (guest) login may see: never the guest before or after.
        """
        now = dt_util.utcnow()
        for booking in self.between(now, now + timedelta(days=1)):
            arrival_day = booking.start.astimezone(self.resource.time_zone).date()
            if (
                booking.status in ACTIVE
                and self.resource.local(arrival_day, datetime.min.time()) <= now < booking.end
            ):
                return booking
        return None

    def guest_appointment(self) -> Booking | None:
        """Return the next appointment booked under the code of the stay that runs now."""
        stay = self.current_stay()
        if stay is None or not stay.code:
            return None
        now = dt_util.utcnow()
        return next(
            (
                booking
                for booking in self.book.by_code(stay.code)
                if booking.consultation_type is not None
                and booking.status in ACTIVE
                and booking.start > now
            ),
            None,
        )

    def upcoming(self) -> Booking | None:
        """Return the booking running now or next."""
        now = dt_util.utcnow()
        for booking in self.between(now, now + timedelta(days=400)):
            if booking.status in ACTIVE:
                return booking
        return None

    def figures(self) -> MonthFigures:
        """Return this month's usage figures (recounted after each change)."""
        today = dt_util.now(self.resource.time_zone).date()
        if self._figures is None or self._figures[0] != today:
            self._figures = (today, month_figures(self.resource, self.book, today))
        return self._figures[1]

    def month_start(self) -> datetime:
        """Return the start of this month (the usage sensors' last reset)."""
        today = dt_util.now(self.resource.time_zone).date()
        return self.resource.local(today.replace(day=1), datetime.min.time())

    def changed(self) -> None:
        """Forget the counted figures and tell the entities."""
        self._figures = None
        async_dispatcher_send(self._subsystem.hass, self.update_signal)

    def label(self, booking: Booking) -> str:
        """Return what a calendar shows for a booking: its consultation type or 'stay'."""
        return self.label_of(booking.consultation_type or "stay")

    def label_of(self, key: str) -> str:
        """Return a consultation type's (or 'stay') name in the system language."""
        return self._subsystem.label(key)

    async def async_require_staff(self, context: Context) -> None:
        """Refuse people who are not staff of the site (automations may act)."""
        await async_require_staff(self._subsystem.hass, self._subsystem.entry, context)

    async def async_book_appointment(
        self,
        start: datetime,
        consultation_type: str,
        *,
        code: str | None = None,
        contact: str | None = None,
    ) -> Booking:
        """Book an appointment in this room."""
        self._subsystem.check_contact(contact)
        return await self._subsystem.async_change(
            lambda now: self.book.book_appointment(
                self.resource_id, start, consultation_type, now, code=code, contact=contact
            )
        )

    async def async_book_stay(
        self,
        arrival: date,
        departure: date,
        *,
        code: str | None = None,
        contact: str | None = None,
    ) -> Booking:
        """Book a stay in this apartment."""
        self._subsystem.check_contact(contact)
        return await self._subsystem.async_change(
            lambda now: self.book.book_stay(
                self.resource_id, arrival, departure, now, code=code, contact=contact
            )
        )

    async def async_reschedule(
        self,
        booking_id: str,
        *,
        start: datetime | None = None,
        consultation_type: str | None = None,
        arrival: date | None = None,
        departure: date | None = None,
    ) -> Booking:
        """Move one of its bookings (all or nothing)."""
        self._own(booking_id)
        return await self._subsystem.async_reschedule(
            booking_id,
            start=start,
            consultation_type=consultation_type,
            arrival=arrival,
            departure=departure,
        )

    async def async_cancel(self, booking_id: str) -> Booking:
        """Cancel one of its bookings."""
        self._own(booking_id)
        return await self._subsystem.async_change(lambda now: self.book.cancel(booking_id, now))

    async def async_free_slots(
        self,
        start: datetime,
        end: datetime,
        *,
        consultation_type: str | None = None,
        nights: int | None = None,
        limit: int = 20,
    ) -> list[FreeSlot]:
        """Return bookable times in [start, end); a room needs a consultation type."""
        try:
            return self.book.find_free_slots(
                self.resource_id,
                start,
                end,
                dt_util.utcnow(),
                consultation_type=consultation_type,
                nights=nights,
                limit=limit,
            )
        except BookingError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key=err.key
            ) from err

    def _own(self, booking_id: str) -> None:
        try:
            booking = self.book.get(booking_id)
        except BookingError:
            booking = None
        if booking is None or booking.resource_id != self.resource_id:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="booking_not_found"
            )


class BookingSubsystem(Subsystem):
    """Bookings of a site's telemedicine rooms and health apartments."""

    key = "booking"
    subentry_flows: ClassVar[Mapping[str, type[ConfigSubentryFlow]]] = {}
    subentry_sections: ClassVar[Mapping[str, tuple[SubentrySection, ...]]] = {
        SUBENTRY_TYPE_ROOM: (ROOM_SECTION,),
        SUBENTRY_TYPE_APARTMENT: (APARTMENT_SECTION,),
    }
    platforms = frozenset({Platform.CALENDAR, Platform.SENSOR})
    redact_keys = frozenset({"code", "contact", CONF_GUEST_USER, "feeds"})
    options_steps = (BOOKING_STEP,)

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """Prepare the store; bookings are read in async_setup."""
        super().__init__(hass, entry)
        self._store = _BookingStore(
            hass,
            stored.STORAGE_VERSION,
            _storage_key(entry.entry_id),
            minor_version=stored.STORAGE_MINOR_VERSION,
        )
        self.book = BookingBook()
        self.resources: dict[str, BookableResource] = {}
        self.feeds: dict[str, str] = {}
        self._kept: list[dict[str, Any]] = []
        """Stored records this version could not take in (unreadable, overlapping): kept."""
        self._lock = asyncio.Lock()
        self._last_tick = dt_util.utcnow()
        self._purged_on: date | None = None
        self._cancel_tick: CALLBACK_TYPE | None = None

    @override
    def subentries(self) -> list[ConfigSubentry]:
        return [
            subentry
            for subentry in self.entry.subentries.values()
            if subentry.subentry_type in self.subentry_sections
            and (subentry.data.get(_section_of(subentry)) or {}).get(CONF_BOOKABLE)
        ]

    @override
    async def async_setup(self) -> None:
        await async_get_translations(self.hass, self.hass.config.language, "selector", {DOMAIN})
        time_zone = ZoneInfo(self.hass.config.time_zone)
        for subentry in self.subentries():
            resource = await self._async_resource(subentry, time_zone)
            if resource is not None:
                self.resources[subentry.subentry_id] = BookableResource(self, subentry, resource)
        data = await self._store.async_load() or {}
        self._take_in(data)
        self.feeds = {
            resource_id: token
            for resource_id, token in (data.get("feeds") or {}).items()
            if resource_id in self.resources and isinstance(token, str)
        }
        missing_feeds = set(self.resources) - set(self.feeds)
        for resource_id in missing_feeds:
            self.feeds[resource_id] = secrets.token_urlsafe(24)
        if missing_feeds or await self._async_settle(dt_util.utcnow(), notify=False):
            await self._async_save()
        self._last_tick = dt_util.utcnow()
        if self.resources:
            self._cancel_tick = async_track_time_interval(self.hass, self._async_tick, TICK)
            await async_show_panel(self.hass)

    async def _async_resource(
        self, subentry: ConfigSubentry, time_zone: ZoneInfo
    ) -> Resource | None:
        settings = subentry.data.get(_section_of(subentry)) or {}
        try:
            if subentry.subentry_type == SUBENTRY_TYPE_ROOM:
                closed = await self._async_holidays(subentry, settings)
                return room_resource(
                    subentry.subentry_id, subentry.title, settings, time_zone, closed
                )
            return apartment_resource(subentry.subentry_id, subentry.title, settings, time_zone)
        except ScheduleError as err:
            # Settings are checked in the form; this is storage edited by hand.
            _LOGGER.error(  # noqa: TRY400 - the key says it all, no traceback
                "Booking settings of %s cannot be read: %s", subentry.title, err.key
            )
            return None

    async def _async_holidays(
        self, subentry: ConfigSubentry, settings: Mapping[str, Any]
    ) -> frozenset[date]:
        issue_id = f"holidays_unknown_{subentry.subentry_id}"
        region = holiday_region(settings)
        if region is None:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return frozenset()
        year = dt_util.now().year
        years = range(year - HOLIDAY_YEARS_BACK, year + HOLIDAY_YEARS_AHEAD + 1)
        try:
            found = await self.hass.async_add_executor_job(_holidays_of, *region, years)
        except NotImplementedError:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="holidays_unknown",
                translation_placeholders={
                    "resource": subentry.title,
                    "region": "-".join(part for part in region if part),
                },
            )
            return frozenset()
        ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        return found

    @override
    async def async_unload(self) -> None:
        if self._cancel_tick is not None:
            self._cancel_tick()
            self._cancel_tick = None
        if self.resources and not any(
            entry.entry_id != self.entry.entry_id
            and entry.state is ConfigEntryState.LOADED
            and entry.runtime_data.subsystem(BookingSubsystem).resources
            for entry in self.hass.config_entries.async_entries(DOMAIN)
        ):
            async_hide_panel(self.hass)

    # Changes --------------------------------------------------------------------------------

    async def async_change[T](self, change: Callable[[datetime], T]) -> T:
        """Apply one change under the lock and write it through before anyone sees it.

        A refused change raises a translated ServiceValidationError; if writing fails the
        bookings are read back from storage (the last state that was saved) and the error
        is raised, so memory and storage never disagree.
        """
        async with self._lock:
            try:
                result = change(dt_util.utcnow())
            except BookingError as err:
                raise ServiceValidationError(
                    translation_domain=DOMAIN, translation_key=err.key
                ) from err
            try:
                await self._async_save()
            except Exception:
                await self._async_reload()
                raise
        self._changed(_resources_of(result))
        return result

    def resource_of(self, booking: Booking) -> BookableResource:
        """Return a booking's room or apartment; refused when it no longer takes bookings."""
        if (resource := self.resources.get(booking.resource_id)) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="resource_not_bookable"
            )
        return resource

    def find(self, booking_id: str) -> Booking | None:
        """Return a booking of this site, if it has it."""
        try:
            return self.book.get(booking_id)
        except BookingError:
            return None

    async def async_reschedule(
        self,
        booking_id: str,
        *,
        start: datetime | None = None,
        consultation_type: str | None = None,
        arrival: date | None = None,
        departure: date | None = None,
    ) -> Booking:
        """Move a booking: an appointment to `start`, a stay to `arrival`-`departure`."""
        booking = self.find(booking_id)
        resource = self.resources.get(booking.resource_id) if booking else None
        if booking is None or resource is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="booking_not_found"
            )
        if resource.kind is ResourceKind.ROOM:
            if start is None:
                raise ServiceValidationError(
                    translation_domain=DOMAIN, translation_key="start_required"
                )
            return await self.async_change(
                lambda now: self.book.reschedule_appointment(
                    booking_id, start, now, consultation_type
                )
            )
        if arrival is None or departure is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="dates_required"
            )
        return await self.async_change(
            lambda now: self.book.reschedule_stay(booking_id, arrival, departure, now)
        )

    async def async_check(self, booking_id: str, *, arrived: bool) -> Booking:
        """Check a patient or guest in (arrived) or out, and tell automations."""
        if self.find(booking_id) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="booking_not_found"
            )
        booking = await self.async_change(
            lambda now: (self.book.check_in if arrived else self.book.check_out)(booking_id, now)
        )
        self._fire(EVENT_CHECKED_IN if arrived else EVENT_CHECKED_OUT, booking)
        return booking

    @property
    def keeps_contact(self) -> bool:
        """Whether the site keeps contact data with bookings (its booking options)."""
        return bool(self.entry.options.get(CONF_KEEP_CONTACT, False))

    def check_contact(self, contact: str | None) -> None:
        """Refuse contact data when the site chose not to keep any."""
        if contact and contact.strip() and not self.keeps_contact:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="contact_not_kept"
            )

    async def _async_save(self) -> None:
        await self._store.async_save_or_raise(
            {**stored.as_dict(list(self.book), self._kept), "feeds": self.feeds}
        )

    def _take_in(self, data: dict[str, Any]) -> None:
        bookings, self._kept = stored.from_dict(data)
        self.book = BookingBook({rid: r.resource for rid, r in self.resources.items()})
        for booking in self.book.restore(bookings):
            _LOGGER.warning(
                "Stored booking %s overlaps an earlier one and is left out (kept in storage)",
                booking.booking_id,
            )
            self._kept.append(stored.booking_as_dict(booking))

    async def _async_reload(self) -> None:
        self._take_in(await self._store.async_load() or {})

    async def async_new_feed(self, resource_id: str) -> str:
        """Replace a resource's feed token (the old link stops working)."""
        async with self._lock:
            self.feeds[resource_id] = secrets.token_urlsafe(24)
            await self._async_save()
        return self.feeds[resource_id]

    # The clock ------------------------------------------------------------------------------

    async def _async_tick(self, _now: datetime) -> None:
        now = dt_util.utcnow()
        last, self._last_tick = self._last_tick, now
        started: list[Booking] = []
        ended: list[Booking] = []
        for resource in self.resources.values():
            if resource.kind is not ResourceKind.ROOM:
                continue
            for booking in resource.between(last, now + TICK):
                if last < booking.start <= now and booking.status in ACTIVE:
                    started.append(booking)
                if last < booking.end <= now and booking.occupies:
                    ended.append(booking)
        async with self._lock:
            changed = await self._async_settle(now)
            if changed:
                await self._async_save()
        for booking in started:
            self._appointment_started(booking)
        for booking in ended:
            self._fire(EVENT_APPOINTMENT_ENDED, booking)

    async def _async_settle(self, now: datetime, *, notify: bool = True) -> bool:
        changed = self.book.settle(now)
        today = dt_util.now().date()
        purged = 0
        if self._purged_on != today:
            days = int(self.entry.options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))
            purged = self.book.purge(now, timedelta(days=days))
            self._purged_on = today
            if purged:
                _LOGGER.info("Removed the personal data of %s past bookings", purged)
        if notify and changed:
            self._changed({booking.resource_id for booking in changed})
        return bool(changed or purged)

    def _appointment_started(self, booking: Booking) -> None:
        resource = self.resources[booking.resource_id]
        self._fire(EVENT_APPOINTMENT_STARTED, booking)
        async_dispatcher_send(
            self.hass,
            appointment_signal(self.entry.entry_id),
            AppointmentStarted(
                resource_id=booking.resource_id,
                booking_id=booking.booking_id,
                reference=booking.code,
                consultation_type=booking.consultation_type,
                start=booking.start,
                end=booking.end,
                start_session=bool(resource.settings.get(CONF_START_SESSION, True)),
            ),
        )

    def _fire(self, event_type: str, booking: Booking) -> None:
        resource = self.resources.get(booking.resource_id)
        if resource is None:
            return
        # Recorded: no booking code, no contact.
        self.hass.bus.async_fire(
            event_type,
            {
                "entry_id": self.entry.entry_id,
                "resource_id": booking.resource_id,
                "resource_device_id": resource.device_id,
                "resource": resource.subentry.title,
                "kind": resource.kind.value,
                "booking_id": booking.booking_id,
                "consultation_type": booking.consultation_type,
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
            },
        )

    def _changed(self, resource_ids: Iterable[str]) -> None:
        # An appointment changes what an apartment's guest sees (its next appointment).
        ids = sorted(
            set(resource_ids)
            | {rid for rid, r in self.resources.items() if r.kind is ResourceKind.APARTMENT}
        )
        for resource_id in ids:
            if (resource := self.resources.get(resource_id)) is not None:
                resource.changed()
        async_dispatcher_send(self.hass, changes_signal(self.entry.entry_id), ids)

    # Reading --------------------------------------------------------------------------------

    def label(self, key: str) -> str:
        """Return a consultation type's (or 'stay') name in the system language."""
        texts = async_get_cached_translations(
            self.hass, self.hass.config.language, "selector", DOMAIN
        )
        return texts.get(
            f"component.{DOMAIN}.selector.consultation_type.options.{key}",
            key.replace("_", " ").capitalize(),
        )

    @override
    def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
        for resource in self.resources.values():
            descriptions = entities.descriptions(platform, resource.kind)
            if descriptions:
                yield EntityGroup(resource.subentry, resource, descriptions)

    @override
    def diagnostics(self) -> dict[str, Any]:
        return {
            "resources": {
                resource_id: {
                    "kind": resource.kind.value,
                    "closed_days": len(resource.resource.closed),
                    "figures": asdict(resource.figures()),
                }
                for resource_id, resource in self.resources.items()
            },
            "bookings": len(self.book),
            "bookings_by_status": _count_by_status(self.book),
        }

    @override
    @classmethod
    async def async_remove_site(cls, hass: HomeAssistant, entry_id: str) -> None:
        await Store[dict[str, Any]](
            hass, stored.STORAGE_VERSION, _storage_key(entry_id)
        ).async_remove()


def _section_of(subentry: ConfigSubentry) -> str:
    return SECTION_ROOM if subentry.subentry_type == SUBENTRY_TYPE_ROOM else SECTION_APARTMENT


def _holidays_of(country: str, subdivision: str | None, years: range) -> frozenset[date]:
    return frozenset(
        public_holidays.country_holidays(country, subdiv=subdivision, years=list(years))
    )


def _resources_of(result: object) -> set[str]:
    if isinstance(result, Booking):
        return {result.resource_id}
    if isinstance(result, (list, tuple)):
        return {item.resource_id for item in result if isinstance(item, Booking)}
    return set()


def _count_by_status(bookings: Iterable[Booking]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for booking in bookings:
        counts[booking.status.value] = counts.get(booking.status.value, 0) + 1
    return counts
