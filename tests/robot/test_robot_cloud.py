"""PRO robots on the temi cloud API (a local server): status, commands, 409, auth, time-out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.robot.const import SUBENTRY_TYPE_ROBOT

from ..common import free_port, site_entry

pytestmark = pytest.mark.usefixtures("socket_enabled")

SERIAL = "00119440008"
KEY = "key-1"
ROBOT_ID = "01JROBOTCLOUD0000000000001"
STATUS = "sensor.temi_pro_status"


class Cloud:
    """A local stand-in for the temi cloud API with the documented answers."""

    def __init__(self) -> None:
        self.key = KEY
        self.robot: dict[str, Any] = {"status": "online", "battery": 76, "charging": False}
        self.locations = ["home base", "Wohnzimmer", "Bett"]
        self.played: list[dict[str, Any]] = []
        self.delay = 0.0
        self.url = ""

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("x-api-key") == self.key

    async def robots(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        return web.json_response({"robots": [{"serial": SERIAL}]})

    async def robot_status(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay)
        if not self._authorized(request):
            return web.json_response({"error": "forbidden"}, status=403)
        return web.json_response(self.robot)

    async def robot_locations(self, request: web.Request) -> web.Response:
        return web.json_response({"locations": [{"name": n} for n in self.locations]})

    async def play(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay)
        if not self._authorized(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        if self.robot["status"] != "online":
            return web.json_response({"reason": self.robot["status"]}, status=409)
        body = await request.json()
        self.played.append(body)
        for action in body["actions"]:
            if action["type"] == "MOVEMENT":
                self.robot["movement"] = {"status": "complete", "location": action["location"]}
        return web.json_response({"ok": True})


@pytest.fixture
async def cloud() -> AsyncIterator[Cloud]:
    """The local temi cloud."""
    server = Cloud()
    app = web.Application()
    app.router.add_get("/robots", server.robots)
    app.router.add_get("/robots/{serial}", server.robot_status)
    app.router.add_get("/robots/{serial}/locations", server.robot_locations)
    app.router.add_post("/sequences/play", server.play)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    server.url = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


def _robot_data(cloud: Cloud, key: str = KEY) -> dict[str, Any]:
    return {
        CONF_NAME: "temi PRO",
        "serial": SERIAL,
        "home_base": "home base",
        "transport": "cloud",
        "api_url": cloud.url,
        "api_key": key,
        "call_contact": "Pflegedienst Lobeda",
    }


@pytest.fixture
async def site(hass: HomeAssistant, cloud: Cloud) -> AsyncIterator[MockConfigEntry]:
    """A site with a PRO robot on the local temi cloud."""
    entry = site_entry(
        with_room=False,
        subentries=[
            ConfigSubentryData(
                subentry_id=ROBOT_ID,
                subentry_type=SUBENTRY_TYPE_ROBOT,
                title="temi PRO",
                unique_id=None,
                data=_robot_data(cloud),
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


def _device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, ROBOT_ID), entry.entry_id)
    assert device is not None
    return device.id


async def _poll(hass: HomeAssistant) -> None:
    # Each poll schedules the next from the time it was fired at: go a step further each time.
    polls = hass.data["test_polls"] = hass.data.get("test_polls", 0) + 1
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11 * polls))
    # Interval timers run their jobs as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_status_speech_call_and_a_go_to(
    hass: HomeAssistant, site: MockConfigEntry, cloud: Cloud
) -> None:
    """Polled status; SPEAK in German, START_CALL to the contact, MOVEMENT to a location."""
    assert hass.states.get(STATUS).state == "idle"
    assert hass.states.get("sensor.temi_pro_battery").state == "76"
    assert hass.states.get("select.temi_pro_go_to").attributes["options"] == cloud.locations
    device = _device(hass, site)
    await hass.services.async_call(
        DOMAIN, "robot_speak", {"device_id": device, "text": "Guten Tag"}, blocking=True
    )
    await hass.services.async_call(DOMAIN, "robot_call", {"device_id": device}, blocking=True)
    assert [body["actions"] for body in cloud.played] == [
        [{"type": "SPEAK", "text": "Guten Tag", "language": "de-DE"}],
        [{"type": "START_CALL", "contact": "Pflegedienst Lobeda"}],
    ]
    task = hass.async_create_task(
        hass.services.async_call(
            DOMAIN,
            "robot_goto",
            {"device_id": device, "location": "bett"},
            blocking=True,
            return_response=True,
        )
    )
    await asyncio.sleep(0.1)
    await _poll(hass)  # the next status shows the movement complete
    result = await asyncio.wait_for(task, 5)
    assert result == {"location": "Bett", "result": "arrived", "attempts": 1, "reason": ""}
    assert cloud.played[-1]["actions"] == [{"type": "MOVEMENT", "location": "Bett"}]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "robot_stop", {"device_id": device}, blocking=True)
    assert err.value.translation_key == "robot_cannot_stop"


async def test_busy_and_privacy_are_clear_refusals(
    hass: HomeAssistant, site: MockConfigEntry, cloud: Cloud
) -> None:
    """409: the robot cannot now; the status says why."""
    cloud.robot["status"] = "busy"
    await _poll(hass)
    assert hass.states.get(STATUS).state == "busy"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "robot_speak",
            {"device_id": _device(hass, site), "text": "Hallo"},
            blocking=True,
        )
    assert err.value.translation_key == "robot_refused"
    assert err.value.translation_placeholders["reason"] == "busy"
    # A go-to the cloud refuses ends at once, as one outcome with the reason.
    refused = await hass.services.async_call(
        DOMAIN,
        "robot_goto",
        {"device_id": _device(hass, site), "location": "Bett"},
        blocking=True,
        return_response=True,
    )
    assert refused == {"location": "Bett", "result": "aborted", "attempts": 1, "reason": "busy"}
    cloud.robot["status"] = "privacy"
    await _poll(hass)
    assert hass.states.get(STATUS).state == "privacy"
    cloud.robot["status"] = "offline"
    await _poll(hass)
    assert hass.states.get(STATUS).state == "unavailable"


async def test_time_out_is_a_clear_error(
    hass: HomeAssistant, site: MockConfigEntry, cloud: Cloud
) -> None:
    """A cloud that does not answer in time: an error that says so, the robot offline."""
    cloud.delay = 0.5
    with (
        patch("custom_components.smart_quarter.robot.cloud_api.TIMEOUT", 0.1),
        pytest.raises(HomeAssistantError) as err,
    ):
        await hass.services.async_call(
            DOMAIN,
            "robot_speak",
            {"device_id": _device(hass, site), "text": "Hallo"},
            blocking=True,
        )
    assert err.value.translation_key == "robot_cloud_unavailable"


async def test_a_refused_key_starts_reauthentication(
    hass: HomeAssistant, site: MockConfigEntry, cloud: Cloud
) -> None:
    """401/403: the site asks for a new key; the new key is checked, stored, and works."""
    cloud.key = "key-2"
    await _poll(hass)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    flow_id = flows[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id, {"api_key": "still-wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(flow_id, {"api_key": " key-2 "})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert site.subentries[ROBOT_ID].data["api_key"] == "key-2"
    assert hass.states.get(STATUS).state == "idle"


async def test_reauthentication_of_a_removed_robot(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    """The robot was removed meanwhile: the flow says so and stops."""
    result = await site.start_reauth_flow(hass, data={"reauth_robot": "gone"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "robot_gone"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"api_key": "nope"}, {"base": "invalid_auth"}),
        ({"serial": "00000000000"}, {"base": "robot_not_found"}),
        ({"api_url": "http://127.0.0.1:9"}, {"base": "cannot_connect"}),
        ({"api_key": ""}, {"api_key": "cloud_needs_this"}),
        ({"api_url": "ftp://x"}, {"api_url": "invalid_url"}),
    ],
)
async def test_adding_a_cloud_robot_checks_the_key(
    hass: HomeAssistant, cloud: Cloud, change: dict[str, str], error: dict[str, str]
) -> None:
    """The key is tried against the cloud before the robot is saved."""
    entry = site_entry(with_room=False)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_ROBOT), context={"source": SOURCE_USER}
    )
    data = {**_robot_data(cloud), **change}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {k: v for k, v in data.items() if v != ""}
    )
    assert result["errors"] == error
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _robot_data(cloud)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)
