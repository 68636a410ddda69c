"""End to end in a real browser: Debian's Chromium, driven by Playwright, against the demo.

The care service's login (staff, not an administrator) opens the booking panel from the
sidebar, books a free slot, finds it in the room's calendar entity, and cancels it. The
screenshots stay in test-artifacts/ for the people who look at a failed run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
import json
import shutil
from typing import Any
import urllib.parse

from playwright.sync_api import Browser, Page, expect, sync_playwright
import pytest

from .conftest import REPO, START_TIMEOUT, Demo

ARTIFACTS = REPO / "test-artifacts"
CALENDAR = "calendar.tmr_lobeda_buchungen"
CODE = "E2E-PANEL-1"

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(START_TIMEOUT + 180)]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium is missing: scripts/setup installs it"
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (its own browser downloads are not reachable here)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


def _log_in(page: Page, demo: Demo, username: str, password: str) -> None:
    """Log in through Home Assistant's own login page."""
    page.goto(demo.url)
    page.locator("input[name='username'], input[autocomplete='username']").first.fill(username)
    page.locator("input[type='password']").first.fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{demo.url}/**", timeout=60_000)
    expect(page.locator("home-assistant")).to_be_attached(timeout=60_000)


def _calendar_events(demo: Demo, token: str, day: date) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode(
        {"start": f"{day}T00:00:00+00:00", "end": f"{day + timedelta(days=7)}T00:00:00+00:00"}
    )
    events: list[dict[str, Any]] = demo.request(f"/api/calendars/{CALENDAR}?{query}", token)
    return events


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_book_and_cancel_in_the_panel(demo: Demo, browser: Browser) -> None:
    """Log in, open the panel, book a slot, see it in the calendar entity, cancel it."""
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}, base_url=demo.url
    )
    page = context.new_page()
    try:
        _log_in(page, demo, "pflege", "smartquarter-pflege")
        page.get_by_text("Buchungen", exact=True).first.click()
        page.wait_for_url("**/smart-quarter-booking", timeout=30_000)
        panel = page.locator("smart-quarter-booking-panel")
        expect(panel.get_by_role("button", name="TMR Lobeda")).to_be_visible(timeout=30_000)
        panel.get_by_role("button", name="TMR Lobeda").click()
        # Next week: free slots on every weekday, whatever day the test runs.
        panel.get_by_role("button", name="Nächste Woche").click()
        slot = panel.locator("button.slot").first
        expect(slot).to_be_visible(timeout=30_000)
        monday = panel.locator("section.day").first.get_attribute("data-day")
        assert monday is not None
        slot.click()
        panel.locator("input[name='code']").fill(CODE)
        _shot(page, "booking-panel-dialog.png")
        panel.get_by_role("button", name="Buchen", exact=True).click()
        expect(panel.locator("p.code")).to_have_text(CODE, timeout=30_000)
        panel.get_by_role("button", name="Schließen").click()
        booked = panel.locator("button.booking", has_text=CODE)
        expect(booked).to_be_visible()
        _shot(page, "booking-panel-booked.png")

        token = demo.log_in("admin", "smartquarter-admin")
        week = date.fromisoformat(monday)
        events = _calendar_events(demo, token, week)
        mine = [event for event in events if event["uid"]]
        assert len(mine) >= 1
        # The calendar shows the type, never the patient's code.
        assert CODE not in json.dumps(events)
        start = booked.inner_text().split("\u2013")[0].strip()[-5:]  # "08:00-08:20" with an en dash
        assert any(
            datetime.fromisoformat(event["start"]["dateTime"]).strftime("%H:%M") == start
            for event in mine
        )

        booked.click()
        panel.get_by_role("button", name="Stornieren").click()
        expect(panel.locator("button.booking", has_text=CODE)).to_have_count(0, timeout=30_000)
        _shot(page, "booking-panel-cancelled.png")
        assert len([e for e in _calendar_events(demo, token, week) if e["uid"]]) == len(mine) - 1
    except Exception:
        _shot(page, "booking-panel-failure.png")
        raise
    finally:
        context.close()
