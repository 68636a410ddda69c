"""End to end: the guest's Smart-TV dashboard in Debian's Chromium at 1920x1080, on the demo.

Every card of dashboards/health_apartment_tv.yaml names an entity the demo has (and that is
not unavailable); the TV login (a guest, not an administrator) sees the dashboard; its
screenshot stays in test-artifacts/; "Hilfe rufen" starts the apartment's pre-alarm and the
guest calls it off on the same screen.
"""

from __future__ import annotations

from collections.abc import Iterator
import struct
import time
from typing import Any
import urllib.error

from homeassistant.util.yaml import load_yaml_dict
from playwright.async_api import Browser, expect
import pytest

from .conftest import ARTIFACTS, REPO, START_TIMEOUT, Demo, log_in_page

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(START_TIMEOUT + 180)]

DASHBOARD = REPO / "dashboards" / "health_apartment_tv.yaml"
ALARM = "sensor.gesundheitswohnung_1_alarm"


def entity_ids(node: Any) -> Iterator[str]:
    """Every entity a dashboard names (cards, conditions, action targets)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("entity", "entity_id") and isinstance(value, str):
                yield value
            else:
                yield from entity_ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from entity_ids(item)


def _state(demo: Demo, token: str, entity_id: str) -> str:
    return str(demo.request(f"/api/states/{entity_id}", token)["state"])


def _wait_state(demo: Demo, token: str, entity_id: str, wanted: str, within: float = 20) -> str:
    deadline = time.monotonic() + within
    state = _state(demo, token, entity_id)
    while state != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        state = _state(demo, token, entity_id)
    return state


def test_every_card_resolves_to_a_live_entity(demo: Demo) -> None:
    """No card of the TV dashboard points at a missing or dead entity (the guest's login)."""
    token = demo.log_in("wohnung1", "smartquarter-tv")
    named = sorted(set(entity_ids(load_yaml_dict(str(DASHBOARD)))))
    assert len(named) >= 14
    problems: dict[str, str] = {}
    for entity_id in named:
        try:
            state = _state(demo, token, entity_id)
        except urllib.error.HTTPError as err:
            problems[entity_id] = f"HTTP {err.code}"
            continue
        if state == "unavailable":
            problems[entity_id] = state
    assert problems == {}
    # The demo's guest is in: the welcome shows, the heating is at comfort temperature.
    assert _state(demo, token, "select.gesundheitswohnung_1_modus") == "occupied"


async def test_the_guest_tv_at_1920x1080_and_its_help_button(demo: Demo, browser: Browser) -> None:
    """Rendered for the TV, screenshot kept; "Hilfe rufen" starts a pre-alarm, cancelled here."""
    # A TV browser at 150 % zoom: 1280x720 CSS pixels on a 1920x1080 screen.
    context = await browser.new_context(
        locale="de-DE",
        viewport={"width": 1280, "height": 720},
        device_scale_factor=1.5,
        base_url=demo.url,
    )
    # The TV is set up as the README says: sidebar hidden, the "Smart Quarter TV" theme (both
    # are the browser's own settings, kept in its storage).
    await context.add_init_script(
        "localStorage.setItem('dockedSidebar', JSON.stringify('always_hidden'));"
        "localStorage.setItem('selectedTheme', JSON.stringify({theme: 'Smart Quarter TV'}));"
    )
    page = await context.new_page()
    token = demo.log_in("admin", "smartquarter-admin")
    try:
        await log_in_page(page, demo, "wohnung1", "smartquarter-tv")
        await page.goto(f"{demo.url}/wohnung-1-tv/wohnung")
        help_tile = page.locator("hui-button-card", has_text="Hilfe rufen")
        await expect(help_tile).to_be_visible(timeout=60_000)
        await expect(page.get_by_text("Herzlich willkommen!")).to_be_visible()
        await expect(page.locator("smart-quarter-next-booking-card")).to_be_visible()
        for label in ("Wohnzimmer", "Schlafzimmer", "Bett Höhe", "Küche Höhe", "temi rufen"):
            await expect(page.get_by_text(label, exact=True).first).to_be_visible()
        await page.wait_for_timeout(1500)  # let the icons and the card's data arrive
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "guest_tv_1920x1080.png"
        await page.screenshot(path=str(shot))
        width, height = struct.unpack(">II", shot.read_bytes()[16:24])
        assert (width, height) == (1920, 1080)

        assert _state(demo, token, ALARM) == "idle"
        await help_tile.click()
        assert _wait_state(demo, token, ALARM, "pre_alarm") == "pre_alarm"
        cancel = page.locator("hui-button-card", has_text="Alles gut? Notruf abbrechen")
        await expect(cancel).to_be_visible(timeout=20_000)
        await page.screenshot(path=str(ARTIFACTS / "guest_tv_pre_alarm.png"))
        await cancel.click()
        assert _wait_state(demo, token, ALARM, "idle") == "idle"
        await expect(cancel).to_be_hidden(timeout=20_000)
    finally:
        await context.close()
