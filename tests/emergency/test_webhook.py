"""The care-service webhook: signed messages, delivery confirmation, retries, restarts.

A real HTTP server on loopback plays the care service's receiver.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import hashlib
import hmac
import json

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.webhook import (
    OutboxEntry,
    alarm_message,
    retry_delay,
    signature,
)

from .conftest import SECRET, STATE, CareService, call_and_wait

T0 = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)


def test_signature_matches_an_independent_hmac() -> None:
    body = b'{"alarm_id":"a1"}'
    expected = hmac.new(SECRET.encode(), b"1795400000." + body, hashlib.sha256).hexdigest()
    assert signature(SECRET, "1795400000", body) == f"sha256={expected}"


def test_retry_delays_grow_to_a_minute() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_outbox_entry_round_trip_and_message() -> None:
    body = alarm_message(
        message_id="m1",
        alarm_id="a1",
        site="Jena-Lobeda",
        apartment="Gesundheitswohnung 1",
        state="active",
        dispatch="first",
        sent_at=T0,
    )
    assert json.loads(body)["apartment"] == "Gesundheitswohnung 1"
    entry = OutboxEntry("m1", "a1", body, T0)
    assert entry.due(T0)
    entry.failed(T0)
    assert not entry.due(T0 + timedelta(seconds=4))
    assert entry.due(T0 + timedelta(seconds=5))
    assert OutboxEntry.from_dict(entry.as_dict()) == entry


async def test_signed_alarm_reaches_the_care_service_and_is_delivered(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
    hass_storage: dict,
) -> None:
    service, _ = care_service
    await call_and_wait(hass, webhook_site, freezer)
    assert [message["dispatch"] for message in service.received] == ["first"]
    assert service.received[0]["apartment"] == "Gesundheitswohnung 1"
    assert hass.states.get(STATE).state == "delivered"
    stored = hass_storage[f"{DOMAIN}.{webhook_site.entry_id}.emergency"]["data"]
    assert stored["outbox"] == []


async def test_failures_are_retried_until_confirmed(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
    hass_storage: dict,
) -> None:
    service, _ = care_service
    service.statuses = [500, 503]
    await call_and_wait(hass, webhook_site, freezer)
    assert service.received == []
    assert hass.states.get(STATE).state == "active"
    stored = hass_storage[f"{DOMAIN}.{webhook_site.entry_id}.emergency"]["data"]
    assert len(stored["outbox"]) == 1
    assert stored["outbox"][0]["attempts"] == 1
    for seconds in (5, 10):
        freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert [message["dispatch"] for message in service.received][:1] == ["first"]
    assert hass.states.get(STATE).state == "delivered"


async def test_unsent_messages_survive_a_restart(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
) -> None:
    service, _ = care_service
    service.statuses = [500]
    await call_and_wait(hass, webhook_site, freezer)
    assert await hass.config_entries.async_reload(webhook_site.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [message["dispatch"] for message in service.received][:1] == ["first"]


async def test_an_unreachable_receiver_keeps_the_message(
    hass: HomeAssistant,
    site_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict,
    socket_enabled: None,
) -> None:
    """Connection refused: logged, kept in the outbox, tried again later."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        site_entry,
        options={
            **site_entry.options,
            "care_webhook_url": f"http://127.0.0.1:{port}/alarm",
            "care_webhook_secret": SECRET,
        },
    )
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await call_and_wait(hass, site_entry, freezer)
    stored = hass_storage[f"{DOMAIN}.{site_entry.entry_id}.emergency"]["data"]
    assert [entry["attempts"] for entry in stored["outbox"]] == [1]
    assert hass.states.get(STATE).state == "active"


async def test_a_redirect_is_not_a_receipt(
    hass: HomeAssistant,
    site_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    socket_enabled: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 302 (aiohttp would follow it with a bodiless GET) keeps the message and says why."""
    gets: list[str] = []

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    async def elsewhere(request: web.Request) -> web.Response:
        gets.append(request.method)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/alarm", moved)
    app.router.add_route("*", "/elsewhere", elsewhere)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        site_entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(
            site_entry,
            options={
                **site_entry.options,
                "care_webhook_url": f"http://127.0.0.1:{port}/alarm",
                "care_webhook_secret": SECRET,
            },
        )
        assert await hass.config_entries.async_setup(site_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        await call_and_wait(hass, site_entry, freezer)
        assert gets == []
        assert hass.states.get(STATE).state == "active"
        assert "redirects to /elsewhere" in caplog.text
        await hass.config_entries.async_unload(site_entry.entry_id)
    finally:
        await runner.cleanup()


async def test_a_broken_receiver_setting_does_not_hold_back_the_others(
    hass: HomeAssistant,
    site_entry: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
    hass_storage: dict,
) -> None:
    """A SIA host that cannot even be looked up fails alone; the webhook still delivers."""
    service, url = care_service
    site_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        site_entry,
        options={
            **site_entry.options,
            "care_webhook_url": url,
            "care_webhook_secret": SECRET,
            "sia_host": "arc..example",
            "sia_port": 10001,
            "sia_account": "1234",
        },
    )
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await call_and_wait(hass, site_entry, freezer)
    assert [message["dispatch"] for message in service.received] == ["first"]
    assert hass.states.get(STATE).state == "delivered"
    stored = hass_storage[f"{DOMAIN}.{site_entry.entry_id}.emergency"]["data"]
    assert [(entry["channel"], entry["attempts"]) for entry in stored["outbox"]] == [("sia", 1)]
