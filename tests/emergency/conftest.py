"""A site with one apartment (two trigger devices, 30 s cancel window), loaded."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta
import json

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.const import (
    CONF_ACK_TIMEOUT,
    CONF_CANCEL_WINDOW,
    CONF_POSITION,
    CONF_TARGETS,
    CONF_TRIGGER_DEVICES,
    SUBENTRY_TYPE_APARTMENT,
    SUBENTRY_TYPE_ESCALATION_STEP,
)
from custom_components.smart_quarter.emergency.webhook import signature

from ..common import site_entry as make_site_entry

APARTMENT_ID = "01JAPARTMENT00000000000001"
SECRET = "0123456789abcdef-pflege"
STATE = "sensor.gesundheitswohnung_1_alarm"


def apartment_subentry(
    subentry_id: str = APARTMENT_ID,
    name: str = "Gesundheitswohnung 1",
    devices: tuple[str, ...] = ("btn-1", "cord-1"),
    cancel_window: int = 30,
) -> ConfigSubentryData:
    return ConfigSubentryData(
        subentry_id=subentry_id,
        subentry_type=SUBENTRY_TYPE_APARTMENT,
        title=name,
        unique_id=None,
        data={
            CONF_NAME: name,
            CONF_TRIGGER_DEVICES: list(devices),
            CONF_CANCEL_WINDOW: cancel_window,
        },
    )


def site_with_apartments(count: int, cancel_window: int = 0) -> MockConfigEntry:
    """A site without rooms and with `count` apartments, one trigger device each."""
    return make_site_entry(
        with_room=False,
        subentries=[
            apartment_subentry(f"01JAPT{n:020d}", f"Wohnung {n}", (f"btn-{n}",), cancel_window)
            for n in range(count)
        ],
    )


@pytest.fixture
def site_entry() -> MockConfigEntry:
    """The site with one apartment (and no room)."""
    return make_site_entry(with_room=False, subentries=[apartment_subentry()])


def apartment_device_id(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str = APARTMENT_ID
) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subentry_id), entry.entry_id
    )
    assert device is not None
    return device.id


@pytest.fixture
async def mqtt_site(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, site_entry: MockConfigEntry
) -> AsyncGenerator[MockConfigEntry]:
    """The site loaded with Home Assistant's mqtt integration (paho mocked)."""
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    yield site_entry
    for entry in hass.config_entries.async_entries():
        await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def escalation_step(
    position: int,
    targets: list[str],
    minutes: int = 5,
    name: str | None = None,
) -> ConfigSubentryData:
    """An escalation step subentry as stored in a config entry."""
    title = name or f"Stufe {position}"
    return ConfigSubentryData(
        subentry_id=f"01JSTEP{position:020d}",
        subentry_type=SUBENTRY_TYPE_ESCALATION_STEP,
        title=title,
        unique_id=None,
        data={
            CONF_NAME: title,
            CONF_POSITION: position,
            CONF_TARGETS: targets,
            CONF_ACK_TIMEOUT: minutes,
        },
    )


class CareService:
    """A receiver that checks signatures and answers with the status it is told to."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[dict] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        timestamp = request.headers["X-Smart-Quarter-Timestamp"]
        assert request.headers["X-Smart-Quarter-Signature"] == signature(SECRET, timestamp, body)
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            self.received.append(json.loads(body))
        return web.Response(status=status)


@pytest.fixture
async def care_service(socket_enabled: None) -> AsyncGenerator[tuple[CareService, str]]:
    service = CareService()
    app = web.Application()
    app.router.add_post("/alarm", service.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield service, f"http://127.0.0.1:{port}/alarm"
    await runner.cleanup()


@pytest.fixture
async def webhook_site(
    hass: HomeAssistant, site_entry: MockConfigEntry, care_service: tuple[CareService, str]
) -> MockConfigEntry:
    site_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        site_entry,
        options={
            **site_entry.options,
            "care_webhook_url": care_service[1],
            "care_webhook_secret": SECRET,
        },
    )
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return site_entry


async def call_and_wait(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        DOMAIN, "trigger_alarm", {"device_id": apartment_device_id(hass, entry)}, blocking=True
    )
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
