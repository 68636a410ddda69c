"""The booking panel's websocket commands and the iCalendar feed, with their permissions."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from homeassistant.auth.models import User
from homeassistant.components import frontend
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import icalendar
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from ..common import ROOM_SUBENTRY_ID
from .site import APARTMENT_ID, bookable_site

P = "smart_quarter/booking"
BERLIN = ZoneInfo("Europe/Berlin")


def _open_day() -> date:
    """A weekday two weeks or more ahead on which the room is open (real time: logins need it)."""
    day = dt_util.now(BERLIN).date() + timedelta(days=14)
    closed = holidays.country_holidays("DE", subdiv="TH", years=[day.year, day.year + 1])
    while (
        day.weekday() > 3 or day in closed or (day.month, day.day) in {(12, 24), (12, 25), (12, 26)}
    ):
        day += timedelta(days=1)
    return day


DAY = _open_day()


def at(hour: int, days: int = 0) -> str:
    """A time of DAY (or days after it) in Jena, ISO 8601 with its offset."""
    return datetime.combine(DAY + timedelta(days=days), time(hour), tzinfo=BERLIN).isoformat()


@pytest.fixture
async def site(hass: HomeAssistant, hass_read_only_user: User) -> AsyncGenerator[MockConfigEntry]:
    """The bookable site; the read-only user is the apartment's guest (its Smart-TV login)."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = bookable_site(stays={"guest_user": hass_read_only_user.id})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


async def ask(client: Any, **message: Any) -> dict[str, Any]:
    """Send a command and return the whole answer."""
    await client.send_json_auto_id(message)
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def test_staff_book_list_reschedule_cancel(
    hass: HomeAssistant, site: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """The panel's round: resources, free slots, book, list, move, cancel; changes are pushed."""
    staff = await hass_ws_client(hass)
    resources = (await ask(staff, type=f"{P}/resources"))["result"]["resources"]
    assert {r["name"]: r["kind"] for r in resources} == {
        "TMR Lobeda": "room",
        "Gesundheitswohnung 1": "apartment",
    }
    room = next(r for r in resources if r["kind"] == "room")
    assert room["can_manage"] is True
    assert room["consultation_types"] == [
        {"type": "general_medicine", "label": "General medicine", "minutes": 20},
        {"type": "dermatology", "label": "Dermatology", "minutes": 30},
    ]
    assert room["opening_hours"] == (
        "Mo 08:00-12:00, 13:00-16:00; Di 08:00-12:00, 13:00-16:00; Mi 08:00-12:00, 13:00-16:00; "
        "Do 08:00-12:00, 13:00-16:00; Fr 08:00-12:00, 13:00-16:00"
    )

    watcher = await hass_ws_client(hass)
    assert (await ask(watcher, type=f"{P}/subscribe"))["success"] is True

    slots = await ask(
        staff,
        type=f"{P}/free_slots",
        resource_id=ROOM_SUBENTRY_ID,
        start=at(0),
        end=at(0, days=1),
        consultation_type="dermatology",
    )
    first = slots["result"]["slots"][0]
    assert first == {"start": at(8), "end": at(8).replace("T08:00", "T08:30")}
    booked = await ask(
        staff,
        type=f"{P}/book",
        resource_id=ROOM_SUBENTRY_ID,
        start=first["start"],
        consultation_type="dermatology",
        code="T-0815",
    )
    assert booked["success"] is True
    booking_id = booked["result"]["booking_id"]
    pushed = await watcher.receive_json()
    # The room changed, and so may the apartments' guests' next appointment.
    assert pushed["event"] == {"resource_ids": [APARTMENT_ID, ROOM_SUBENTRY_ID]}

    listed = await ask(
        staff,
        type=f"{P}/bookings",
        resource_id=ROOM_SUBENTRY_ID,
        start=at(0),
        end=at(0, days=1),
    )
    assert [(b["code"], b["label"], b["contact"]) for b in listed["result"]["bookings"]] == [
        ("T-0815", "Dermatology", None)
    ]
    again = await ask(
        staff,
        type=f"{P}/book",
        resource_id=ROOM_SUBENTRY_ID,
        start=first["start"],
        consultation_type="general_medicine",
    )
    assert again["success"] is False
    assert again["error"]["translation_key"] == "slot_taken"

    moved = await ask(staff, type=f"{P}/reschedule", booking_id=booking_id, start=at(10))
    assert moved["result"]["start"] == at(10)
    cancelled = await ask(staff, type=f"{P}/cancel", booking_id=booking_id)
    assert cancelled["result"]["status"] == "cancelled"


async def test_a_guest_sees_only_their_apartment(
    hass: HomeAssistant,
    site: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """The Smart-TV login sees the stay it is in and its appointment - no other patient's data.

    Not the next guest's stay either: a TV in an apartment is seen by whoever is there.
    """
    staff = await hass_ws_client(hass)
    today = dt_util.now(BERLIN).date()
    stay = await ask(
        staff,
        type=f"{P}/book",
        resource_id=APARTMENT_ID,
        arrival=today.isoformat(),
        departure=(today + timedelta(days=2)).isoformat(),
        code="PAT-4711",
    )
    assert stay["success"] is True
    later = await ask(
        staff,
        type=f"{P}/book",
        resource_id=APARTMENT_ID,
        arrival=DAY.isoformat(),
        departure=(DAY + timedelta(days=3)).isoformat(),
        code="PAT-9999",
    )
    assert later["success"] is True
    # Reception books the patient's consultation under the same code; another patient's too.
    for code, start in (
        ("PAT-4711", at(9, days=1)),
        ("PAT-0001", at(9)),
    ):
        answer = await ask(
            staff,
            type=f"{P}/book",
            resource_id=ROOM_SUBENTRY_ID,
            start=start,
            consultation_type="dermatology",
            code=code,
        )
        assert answer["success"] is True

    guest = await hass_ws_client(hass, hass_read_only_access_token)
    resources = (await ask(guest, type=f"{P}/resources"))["result"]["resources"]
    assert [(r["name"], r["can_manage"]) for r in resources] == [("Gesundheitswohnung 1", False)]

    card = (await ask(guest, type=f"{P}/next", resource_id=APARTMENT_ID))["result"]
    arrived = datetime.combine(today, time(15), tzinfo=BERLIN).isoformat()
    leaves = datetime.combine(today + timedelta(days=2), time(11), tzinfo=BERLIN).isoformat()
    assert (card["stay"]["start"], card["stay"]["end"]) == (arrived, leaves)
    assert card["appointment"]["start"] == at(9, days=1)
    assert card["appointment"]["resource"] == "TMR Lobeda"
    assert "PAT-0001" not in str(card)
    assert "PAT-9999" not in str(card)

    listed = await ask(
        guest,
        type=f"{P}/bookings",
        resource_id=APARTMENT_ID,
        start=datetime.combine(today, time(0), tzinfo=BERLIN).isoformat(),
        end=at(0, days=30),
    )
    assert [b["code"] for b in listed["result"]["bookings"]] == ["PAT-4711"]
    # Staff see both stays.
    everything = await ask(
        staff,
        type=f"{P}/bookings",
        resource_id=APARTMENT_ID,
        start=datetime.combine(today, time(0), tzinfo=BERLIN).isoformat(),
        end=at(0, days=30),
    )
    assert [b["code"] for b in everything["result"]["bookings"]] == ["PAT-4711", "PAT-9999"]
    assert "contact" not in listed["result"]["bookings"][0]

    for message in (
        {
            "type": f"{P}/bookings",
            "resource_id": ROOM_SUBENTRY_ID,
            "start": at(0),
            "end": at(23),
        },
        {"type": f"{P}/next", "resource_id": ROOM_SUBENTRY_ID},
        {
            "type": f"{P}/book",
            "resource_id": APARTMENT_ID,
            "arrival": str(DAY + timedelta(days=10)),
            "departure": str(DAY + timedelta(days=12)),
        },
        {"type": f"{P}/cancel", "booking_id": stay["result"]["booking_id"]},
        {"type": f"{P}/check_in", "booking_id": stay["result"]["booking_id"]},
        {"type": f"{P}/feed", "resource_id": APARTMENT_ID},
        {
            "type": f"{P}/free_slots",
            "resource_id": APARTMENT_ID,
            "start": at(0),
            "end": at(0, days=9),
        },
    ):
        refused = await ask(guest, **message)
        assert refused["success"] is False, message
        assert refused["error"]["code"] == "unauthorized", message


async def test_other_users_see_nothing(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, hass_read_only_access_token: str
) -> None:
    """A user who is neither staff nor an apartment's guest sees no resource at all."""
    entry = bookable_site()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    nobody = await hass_ws_client(hass, hass_read_only_access_token)
    assert (await ask(nobody, type=f"{P}/resources"))["result"] == {"resources": []}
    await hass.config_entries.async_unload(entry.entry_id)


async def test_ical_feed_behind_a_secret_link(
    hass: HomeAssistant,
    site: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The practitioner's link serves iCalendar without login; a renewed link kills the old."""
    staff = await hass_ws_client(hass)
    for start in (at(9), at(10)):
        await ask(
            staff,
            type=f"{P}/book",
            resource_id=ROOM_SUBENTRY_ID,
            start=start,
            consultation_type="dermatology",
            code="T-Feed",
        )
    path = (await ask(staff, type=f"{P}/feed", resource_id=ROOM_SUBENTRY_ID))["result"]["path"]
    client = await hass_client_no_auth()
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(await response.text())
    events = list(calendar.walk("VEVENT"))
    assert [str(event["SUMMARY"]) for event in events] == ["Dermatology · T-Feed"] * 2
    assert events[0].decoded("DTSTART") == datetime.fromisoformat(at(9))

    assert (await client.get(path.replace(".ics", "x.ics"))).status == 404
    renewed = await ask(staff, type=f"{P}/feed", resource_id=ROOM_SUBENTRY_ID, renew=True)
    assert renewed["result"]["path"] != path
    assert (await client.get(path)).status == 404
    assert (await client.get(renewed["result"]["path"])).status == 200


async def test_panel_and_card_are_served(
    hass: HomeAssistant, site: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """The sidebar panel appears with the site and goes with it; the bundles are served."""
    panels = hass.data[frontend.DATA_PANELS]
    panel = panels["smart-quarter-booking"]
    assert panel.sidebar_title == "Bookings"
    assert panel.require_admin is False
    module_url = panel.config["_panel_custom"]["module_url"]
    assert module_url.startswith("/smart_quarter_static/booking-panel.js?v=")
    client = await hass_client()
    response = await client.get(module_url)
    assert response.status == 200
    assert "smart-quarter-booking-panel" in await response.text()
    card_urls = [url for url in hass.data[frontend.DATA_EXTRA_MODULE_URL].urls if "card" in url]
    assert card_urls == [module_url.replace("booking-panel", "next-booking-card")]
    assert (await client.get(card_urls[0])).status == 200

    await hass.config_entries.async_unload(site.entry_id)
    assert "smart-quarter-booking" not in panels
