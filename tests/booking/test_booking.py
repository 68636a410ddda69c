"""Booking in Home Assistant: actions, calendar, storage, concurrency, clock, sessions, figures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util.file import WriteError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.smart_quarter.booking.interface import (
    EVENT_APPOINTMENT_ENDED,
    EVENT_APPOINTMENT_STARTED,
    EVENT_CHECKED_IN,
    EVENT_CHECKED_OUT,
)
from custom_components.smart_quarter.const import DOMAIN

from ..common import ROOM_SUBENTRY_ID, collect
from .site import APARTMENT_ID, bookable_site

# Monday 23 November 2026, 08:00 in Jena.
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
CALENDAR = "calendar.tmr_lobeda_bookings"
STAY_CALENDAR = "calendar.gesundheitswohnung_1_bookings"


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> str:
    """A local (Berlin) time as the UI's pickers send it: without zone."""
    return f"2026-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:00"


@pytest.fixture
async def site(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> AsyncGenerator[MockConfigEntry]:
    """The bookable site, set up in Jena's time zone at Monday 08:00."""
    freezer.move_to(NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = bookable_site()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


def device(hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str) -> str:
    """The device id of a room or apartment."""
    found = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, subentry_id), entry.entry_id)
    assert found is not None
    return found.id


async def call(
    hass: HomeAssistant, action: str, user: User | None = None, **data: Any
) -> dict[str, Any]:
    """Run a booking action and return its response."""
    response = await hass.services.async_call(
        DOMAIN,
        action,
        data,
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id if user else None),
    )
    assert isinstance(response, dict)
    return response


async def book_appointment(
    hass: HomeAssistant, entry: MockConfigEntry, start: str, **extra: Any
) -> dict[str, Any]:
    """Book a dermatology appointment in the room."""
    return await call(
        hass,
        "book",
        device_id=device(hass, entry, ROOM_SUBENTRY_ID),
        start=start,
        consultation_type="dermatology",
        **extra,
    )


async def test_book_find_reschedule_cancel(hass: HomeAssistant, site: MockConfigEntry) -> None:
    """The whole round through the actions; the calendar shows what is booked, without codes."""
    room = device(hass, site, ROOM_SUBENTRY_ID)
    booked = await book_appointment(hass, site, local(30, 9), code="T-2026-0117")
    assert booked["code"] == "T-2026-0117"
    assert booked["start"] == "2026-11-30T09:00:00+01:00"
    assert booked["end"] == "2026-11-30T09:30:00+01:00"
    assert booked["status"] == "booked"

    free = await call(
        hass,
        "find_free_slots",
        device_id=room,
        start=local(30, 8),
        end=local(30, 10),
        consultation_type="general_medicine",
    )
    starts = [slot["start"] for slot in free["slots"]]
    # 08:00, 08:15 and 08:30 would collide with 09:00-09:30 (+5 min buffer), 09:30 too.
    assert starts[:3] == [
        "2026-11-30T08:00:00+01:00",
        "2026-11-30T08:15:00+01:00",
        "2026-11-30T08:30:00+01:00",
    ]
    assert "2026-11-30T09:30:00+01:00" not in starts
    assert "2026-11-30T09:45:00+01:00" in starts

    events = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": CALENDAR, "start_date_time": local(30, 0), "end_date_time": local(30, 23)},
        blocking=True,
        return_response=True,
    )
    assert events is not None
    shown = events[CALENDAR]["events"]  # type: ignore[index]
    assert [event["summary"] for event in shown] == ["Dermatology"]
    assert "T-2026-0117" not in str(shown)

    moved = await call(hass, "reschedule", booking_id=booked["booking_id"], start=local(30, 13))
    assert moved["start"] == "2026-11-30T13:00:00+01:00"
    with pytest.raises(ServiceValidationError) as err:
        await book_appointment(hass, site, local(30, 13, 15))
    assert err.value.translation_key == "slot_taken"

    cancelled = await call(hass, "cancel", booking_id=booked["booking_id"])
    assert cancelled["status"] == "cancelled"
    await book_appointment(hass, site, local(30, 13, 15))
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "cancel", booking_id="does-not-exist")
    assert err.value.translation_key == "booking_not_found"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"start": local(28, 10)}, "outside_opening_hours"),  # Saturday
        ({"start": local(24, 10, month=12)}, "closed_that_day"),  # closure
        ({"start": "2027-03-26 10:00:00"}, "closed_that_day"),  # Good Friday in Thuringia
        ({"start": local(20, 10)}, "in_the_past"),
        ({"start": local(30, 10), "consultation_type": "surgery"}, "unknown_consultation_type"),
        ({"start": local(30, 10), "code": "Frau Müller"}, "invalid_code"),
        ({"start": local(30, 10), "contact": "0176 123"}, "contact_not_kept"),
        ({}, "start_required"),
    ],
)
async def test_impossible_bookings_are_refused(
    hass: HomeAssistant, site: MockConfigEntry, data: dict[str, Any], key: str
) -> None:
    """Each refusal names its reason in the user's language; nothing is stored."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "book",
            device_id=device(hass, site, ROOM_SUBENTRY_ID),
            **{"consultation_type": "dermatology", **data},
        )
    assert err.value.translation_key == key
    assert hass.states.get("sensor.tmr_lobeda_bookings_this_month").state == "0"


async def test_stays_check_in_and_out(hass: HomeAssistant, site: MockConfigEntry) -> None:
    """A stay from check-in to check-out; the events tell the apartment, without the code."""
    apartment = device(hass, site, APARTMENT_ID)
    seen: list[Event] = []
    hass.bus.async_listen(EVENT_CHECKED_IN, collect(seen))
    hass.bus.async_listen(EVENT_CHECKED_OUT, collect(seen))
    stay = await call(
        hass, "book", device_id=apartment, arrival="2026-11-23", departure="2026-11-26"
    )
    assert stay["start"] == "2026-11-23T15:00:00+01:00"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "book", device_id=apartment, arrival="2026-11-25", departure="2026-11-27")
    assert err.value.translation_key == "slot_taken"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "book", device_id=apartment, arrival="2026-12-01", departure="2026-12-02")
    assert err.value.translation_key == "nights_out_of_range"

    await call(hass, "check_in", booking_id=stay["booking_id"])
    await call(hass, "check_out", booking_id=stay["booking_id"])
    await hass.async_block_till_done()
    assert [event.event_type for event in seen] == [EVENT_CHECKED_IN, EVENT_CHECKED_OUT]
    assert seen[0].data["resource_id"] == APARTMENT_ID
    assert seen[0].data["resource_device_id"] == apartment
    assert seen[0].data["kind"] == "apartment"
    assert stay["code"] not in str(seen[0].data)
    # Leaving on the first day frees the other nights.
    await call(hass, "book", device_id=apartment, arrival="2026-11-24", departure="2026-11-26")


async def test_only_staff_may_change_bookings(
    hass: HomeAssistant, site: MockConfigEntry, hass_read_only_user: User, hass_admin_user: User
) -> None:
    """A guest's login is refused; an administrator may; free slots are open to everyone."""
    room = device(hass, site, ROOM_SUBENTRY_ID)
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "book",
            hass_read_only_user,
            device_id=room,
            start=local(30, 9),
            consultation_type="dermatology",
        )
    booked = await call(
        hass,
        "book",
        hass_admin_user,
        device_id=room,
        start=local(30, 9),
        consultation_type="dermatology",
    )
    with pytest.raises(Unauthorized):
        await call(hass, "cancel", hass_read_only_user, booking_id=booked["booking_id"])
    free = await call(
        hass,
        "find_free_slots",
        hass_read_only_user,
        device_id=room,
        consultation_type="dermatology",
        limit=2,
    )
    assert len(free["slots"]) == 2


async def test_one_hundred_at_once_one_wins(hass: HomeAssistant, site: MockConfigEntry) -> None:
    """100 concurrent attempts at one slot: exactly one booking, 99 clear refusals."""
    results = await asyncio.gather(
        *(book_appointment(hass, site, local(30, 10)) for _ in range(100)),
        return_exceptions=True,
    )
    won = [result for result in results if isinstance(result, dict)]
    refused = [result for result in results if isinstance(result, ServiceValidationError)]
    assert len(won) == 1
    assert len(refused) == 99
    assert {error.translation_key for error in refused} == {"slot_taken"}
    assert hass.states.get("sensor.tmr_lobeda_bookings_this_month").state == "1"


async def test_bookings_survive_a_restart_and_a_failed_write(
    hass: HomeAssistant, site: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Written through with a schema version; a failed write leaves the stored state."""
    booked = await book_appointment(hass, site, local(30, 9), code="T-1")
    stored = hass_storage[f"{DOMAIN}.{site.entry_id}.booking"]
    assert (stored["version"], stored["minor_version"]) == (1, 1)
    assert stored["data"]["bookings"][0]["code"] == "T-1"

    # Home Assistant's Store only logs a failed write; the booking must still be refused.
    with (
        patch(
            "homeassistant.helpers.storage.Store._async_write_data",
            side_effect=WriteError("disk full"),
        ),
        pytest.raises(WriteError, match="disk full"),
    ):
        await book_appointment(hass, site, local(30, 10))
    # Nor kept in memory: the slot is free at once.
    again = await book_appointment(hass, site, local(30, 10))
    await call(hass, "cancel", booking_id=again["booking_id"])
    # The refused write is not kept in memory either: 10:00 is still free.
    assert await hass.config_entries.async_reload(site.entry_id)
    await hass.async_block_till_done()
    again = await book_appointment(hass, site, local(30, 10))
    assert again["booking_id"] != booked["booking_id"]
    with pytest.raises(ServiceValidationError):
        await book_appointment(hass, site, local(30, 9))


async def test_appointment_opens_the_consultation_and_ends(
    hass: HomeAssistant, site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """At its start the room's consultation opens under the code; the events carry no code."""
    seen: list[Event] = []
    hass.bus.async_listen(EVENT_APPOINTMENT_STARTED, collect(seen))
    hass.bus.async_listen(EVENT_APPOINTMENT_ENDED, collect(seen))
    booked = await book_appointment(hass, site, local(23, 8, 30), code="T-2026-0042")
    await call(hass, "check_in", booking_id=booked["booking_id"])

    freezer.move_to(NOW + timedelta(minutes=30, seconds=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    session = hass.states.get("sensor.tmr_lobeda_consultation")
    assert session.state == "running"
    assert session.attributes["reference"] == "T-2026-0042"
    assert [event.event_type for event in seen] == [EVENT_APPOINTMENT_STARTED]
    assert "T-2026-0042" not in str(seen[0].data)

    freezer.move_to(NOW + timedelta(hours=1, seconds=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [event.event_type for event in seen][-1] == EVENT_APPOINTMENT_ENDED
    assert hass.states.get("sensor.tmr_lobeda_consultations_this_month").state == "1"


async def test_no_shows_and_the_monthly_figures(
    hass: HomeAssistant, site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Missed appointments count as no-shows; totals reset monthly for long-term statistics."""
    missed = await book_appointment(hass, site, local(23, 9))
    cancelled = await book_appointment(hass, site, local(23, 10))
    await call(hass, "cancel", booking_id=cancelled["booking_id"])
    freezer.move_to(NOW + timedelta(hours=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    figures = {
        key: hass.states.get(f"sensor.tmr_lobeda_{key}_this_month")
        for key in ("bookings", "cancellations", "no_shows", "consultations", "utilisation")
    }
    assert {key: state.state for key, state in figures.items()} == {
        "bookings": "2",
        "cancellations": "1",
        "no_shows": "1",
        "consultations": "0",
        # 30 minutes of a month with 21 open weekdays of 7 hours (closures are in December).
        "utilisation": str(round(100 * 30 / (21 * 7 * 60), 1)),
    }
    bookings = figures["bookings"]
    assert bookings.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL
    assert bookings.attributes["last_reset"] == "2026-11-01T00:00:00+01:00"
    assert missed["booking_id"]


async def test_retention_removes_personal_data(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hass_storage: dict[str, Any]
) -> None:
    """After the retention time a past booking keeps no code or contact."""
    freezer.move_to(NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = bookable_site(options={"booking_retention_days": 7, "booking_keep_contact": True})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await book_appointment(hass, entry, local(23, 9), code="T-9", contact="0176 555")
    assert hass_storage[f"{DOMAIN}.{entry.entry_id}.booking"]["data"]["bookings"][0]["contact"]

    freezer.move_to(NOW + timedelta(days=8, hours=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    kept = hass_storage[f"{DOMAIN}.{entry.entry_id}.booking"]["data"]["bookings"][0]
    assert (kept["code"], kept["contact"], kept["purged"]) == ("", None, True)
    assert kept["status"] == "no_show"  # still counted, anonymously
    await hass.config_entries.async_unload(entry.entry_id)


async def test_calendar_create_update_delete(
    hass: HomeAssistant, site: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """Staff can book through the calendar entity too."""
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": CALENDAR,
            "summary": "Dermatology",
            "start_date_time": local(30, 9),
            "end_date_time": local(30, 9, 30),
            "description": "T-77",
        },
        blocking=True,
    )
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": STAY_CALENDAR,
            "summary": "Aufenthalt",
            "start_date": "2026-12-01",
            "end_date": "2026-12-04",
        },
        blocking=True,
    )
    subsystem = site.runtime_data.subsystems["booking"]
    made = sorted(subsystem.book, key=lambda booking: booking.start)  # type: ignore[attr-defined]
    assert (made[0].code, made[0].consultation_type) == ("T-77", "dermatology")
    assert made[1].start == datetime(2026, 12, 1, 14, tzinfo=UTC)
    state = hass.states.get(CALENDAR)
    assert state.attributes["message"] == "Dermatology"

    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "calendar/event/update",
            "entity_id": CALENDAR,
            "uid": made[0].booking_id,
            "event": {
                "summary": "Dermatology",
                "dtstart": "2026-11-30T13:00:00+01:00",
                "dtend": "2026-11-30T13:30:00+01:00",
            },
        }
    )
    assert (await client.receive_json())["success"] is True
    assert made[0].start == datetime(2026, 11, 30, 12, tzinfo=UTC)
    await client.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": STAY_CALENDAR, "uid": made[1].booking_id}
    )
    assert (await client.receive_json())["success"] is True
    assert made[1].status.value == "cancelled"
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "calendar",
            "create_event",
            {
                "entity_id": CALENDAR,
                "summary": "Psychiatry",
                "start_date_time": local(30, 10),
                "end_date_time": local(30, 10, 30),
            },
            blocking=True,
        )


async def test_unknown_holiday_region_raises_a_repair(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, issue_registry: ir.IssueRegistry
) -> None:
    """A region the holidays library does not know: open on holidays, and the technician is told."""
    freezer.move_to(NOW)
    entry = bookable_site(room={"holidays": "XX"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, f"holidays_unknown_{ROOM_SUBENTRY_ID}")
    assert issue is not None
    assert issue.translation_placeholders == {"resource": "TMR Lobeda", "region": "XX"}
    await hass.config_entries.async_unload(entry.entry_id)


async def test_records_this_version_cannot_read_are_kept(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hass_storage: dict[str, Any]
) -> None:
    """A record of a newer release (unknown status) survives set-up and later writes."""
    freezer.move_to(NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = bookable_site()
    future = {
        "booking_id": "from-the-future",
        "resource_id": ROOM_SUBENTRY_ID,
        "status": "waitlisted",
    }
    hass_storage[f"{DOMAIN}.{entry.entry_id}.booking"] = {
        "version": 1,
        "minor_version": 2,
        "key": f"{DOMAIN}.{entry.entry_id}.booking",
        "data": {"bookings": [future], "feeds": {}},
    }
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await book_appointment(hass, entry, local(30, 9))
    written = hass_storage[f"{DOMAIN}.{entry.entry_id}.booking"]["data"]["bookings"]
    assert future in written
    assert len(written) == 2
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_guest_cannot_change_bookings_through_the_calendar(
    hass: HomeAssistant,
    site: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """Home Assistant's calendar commands pass no caller: the connection's user counts."""
    booked = await book_appointment(hass, site, local(30, 9))
    guest = await hass_ws_client(hass, hass_read_only_access_token)
    await guest.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": CALENDAR, "uid": booked["booking_id"]}
    )
    answer = await guest.receive_json()
    assert answer["success"] is False
    assert answer["error"]["code"] == "unauthorized"
    subsystem = site.runtime_data.subsystems["booking"]
    assert subsystem.find(booked["booking_id"]).status.value == "booked"  # type: ignore[attr-defined]


async def test_the_guests_next_appointment(hass: HomeAssistant, site: MockConfigEntry) -> None:
    """The apartment shows when its guest's next appointment is (for reminders), and where."""
    sensor = "sensor.gesundheitswohnung_1_guest_s_next_appointment"
    assert hass.states.get(sensor).state == "unknown"
    apartment = device(hass, site, APARTMENT_ID)
    await call(
        hass,
        "book",
        device_id=apartment,
        arrival="2026-11-23",
        departure="2026-11-26",
        code="PAT-4711",
    )
    await book_appointment(hass, site, local(24, 9), code="PAT-4711")
    await book_appointment(hass, site, local(24, 10), code="PAT-0001")  # someone else's
    state = hass.states.get(sensor)
    assert state.state == "2026-11-24T08:00:00+00:00"
    assert state.attributes["room"] == "TMR Lobeda"
    assert "consultation_type" not in state.attributes
