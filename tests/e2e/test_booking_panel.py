"""End to end in a real browser: Debian's Chromium, driven by Playwright, against the demo.

The care service's login (staff, not an administrator) opens the booking panel from the
sidebar, books a free slot, finds it in the room's calendar entity, and cancels it. The
screenshots stay in test-artifacts/ for the people who look at a failed run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
import json
import time
from typing import Any
import urllib.error
import urllib.parse

from playwright.async_api import Browser, Page, expect
import pytest

from .conftest import ARTIFACTS, START_TIMEOUT, Demo, log_in_page

CALENDAR = "calendar.tmr_lobeda_buchungen"
CODE = "E2E-PANEL-1"

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(START_TIMEOUT + 180)]


def _calendar_events(demo: Demo, token: str, day: date) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode(
        {"start": f"{day}T00:00:00+00:00", "end": f"{day + timedelta(days=7)}T00:00:00+00:00"}
    )
    events: list[dict[str, Any]] = demo.request(f"/api/calendars/{CALENDAR}?{query}", token)
    return events


async def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / name), full_page=True)


async def test_book_and_cancel_in_the_panel(demo: Demo, browser: Browser) -> None:
    """Log in, open the panel, book a slot, see it in the calendar entity, cancel it."""
    context = await browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}, base_url=demo.url
    )
    page = await context.new_page()
    try:
        await log_in_page(page, demo, "pflege", "smartquarter-pflege")
        await page.get_by_text("Buchungen", exact=True).first.click()
        await page.wait_for_url("**/smart-quarter-booking", timeout=30_000)
        panel = page.locator("smart-quarter-booking-panel")
        await expect(panel.get_by_role("button", name="TMR Lobeda")).to_be_visible(timeout=30_000)
        await panel.get_by_role("button", name="TMR Lobeda").click()
        # Next week: free slots on every weekday, whatever day the test runs.
        this_monday = await panel.locator("section.day").first.get_attribute("data-day")
        assert this_monday is not None
        monday = (date.fromisoformat(this_monday) + timedelta(days=7)).isoformat()
        await panel.get_by_role("button", name="Nächste Woche").click()
        await expect(panel.locator("section.day").first).to_have_attribute("data-day", monday)
        token = demo.log_in("admin", "smartquarter-admin")
        week = date.fromisoformat(monday)
        before = {event["uid"] for event in _calendar_events(demo, token, week)}

        slot = panel.locator("button.slot").first
        await expect(slot).to_be_visible(timeout=30_000)
        await slot.click()
        await panel.locator("input[name='code']").fill(CODE)
        await _shot(page, "booking-panel-dialog.png")
        await panel.get_by_role("button", name="Buchen", exact=True).click()
        await expect(panel.locator("p.code")).to_have_text(CODE, timeout=30_000)
        await panel.get_by_role("button", name="Schließen").click()
        booked = panel.locator("button.booking", has_text=CODE)
        await expect(booked).to_be_visible()
        await _shot(page, "booking-panel-booked.png")

        events = _calendar_events(demo, token, week)
        [mine] = [event for event in events if event["uid"] not in before]
        # The calendar entity shows the type, never the patient's code.
        assert mine["summary"] == "Allgemeinmedizin"
        assert CODE not in json.dumps(events)
        shown = (await booked.inner_text()).split("\u2013")[0].strip()  # "08:00" before the dash
        assert datetime.fromisoformat(mine["start"]["dateTime"]).strftime("%H:%M") == shown

        await booked.click()
        await panel.get_by_role("button", name="Stornieren").click()
        await expect(panel.locator("button.booking", has_text=CODE)).to_have_count(
            0, timeout=30_000
        )
        await _shot(page, "booking-panel-cancelled.png")
        after = {event["uid"] for event in _calendar_events(demo, token, week)}
        assert mine["uid"] not in after
        assert after == before
    except Exception:
        await _shot(page, "booking-panel-failure.png")
        raise
    finally:
        await context.close()


async def test_smart_tv_card_shows_the_stay_and_the_next_appointment(
    demo: Demo, browser: Browser
) -> None:
    """The apartment's TV login sees "Ihr nächster Termin" and its stay, large, on 1920x1080."""
    context = await browser.new_context(
        locale="de-DE", viewport={"width": 1920, "height": 1080}, base_url=demo.url
    )
    page = await context.new_page()
    try:
        await log_in_page(page, demo, "wohnung1", "smartquarter-tv")
        await page.goto(f"{demo.url}/wohnung-1-tv/willkommen")
        card = page.locator("smart-quarter-next-booking-card")
        await expect(card.get_by_text("Ihr nächster Termin")).to_be_visible(timeout=30_000)
        await expect(card.get_by_text("Ihr Aufenthalt")).to_be_visible()
        appointment = card.locator("[data-role='appointment']")
        # The demo books the patient's consultation for one of the coming days, in German.
        await expect(appointment).to_contain_text(" Uhr")
        await expect(card).to_contain_text("Allgemeinmedizin · TMR Lobeda")
        size = await appointment.evaluate(
            "element => parseFloat(getComputedStyle(element).fontSize)"
        )
        assert size >= 32  # readable from 3 m
        await _shot(page, "smart-tv-card.png")
    except Exception:
        await _shot(page, "smart-tv-card-failure.png")
        raise
    finally:
        await context.close()


def test_apartment_devices_come_from_the_simulated_gateway(demo: Demo) -> None:
    """The demo's gateway announces Gesundheitswohnung 1's devices: they are entities."""
    token = demo.log_in("admin", "smartquarter-admin")
    for entity_id in (
        "light.gesundheitswohnung_1_wohnzimmer_licht",
        "climate.gesundheitswohnung_1_wohnzimmer_heizung",
        "lock.gesundheitswohnung_1_flur_wohnungstur",
    ):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                state = demo.request(f"/api/states/{entity_id}", token)
            except urllib.error.HTTPError:
                time.sleep(0.5)
                continue
            break
        assert state["state"] not in ("unavailable", "unknown"), entity_id
