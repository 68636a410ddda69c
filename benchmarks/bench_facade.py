"""Façade benchmarks: poll cycle of 3 façades x 8 zones against a real pymodbus server, and
the open data publisher, batched vs one observation per request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
import json
import time

from aiohttp import ClientSession, web
from homeassistant.core import HomeAssistant
import pytest

from custom_components.smart_quarter.facade.registers import plan_reads
from custom_components.smart_quarter.facade.sensorthings import Observation, create_observations
from custom_components.smart_quarter.facade.subsystem import FacadeSubsystem
from tests.common import site_entry
from tests.facade.conftest import facade_subentry, zone_subentry
from tests.facade.modbus_server import Server

from .conftest import Recorder

pytestmark = pytest.mark.usefixtures("socket_enabled")
FACADES = 3
ZONES = 8
CYCLES = 50


@pytest.fixture
async def servers() -> AsyncIterator[list[Server]]:
    running = [Server() for _ in range(FACADES)]
    for server in running:
        await server.start()
        await server.set("ir", 0, [800])
        await server.set("ir", 10, [180, 175, 200, 210])
        await server.set("ir", 20, [300] * ZONES)
    yield running
    for server in running:
        await server.stop()


async def test_poll_cycle(hass: HomeAssistant, servers: list[Server], record: Recorder) -> None:
    """One poll-and-control cycle per façade: requests per cycle and time per cycle."""
    subentries = []
    for index, server in enumerate(servers):
        facade = facade_subentry(
            server.port, name=f"Fassade {index}", window_start="00:00:00", window_end="00:00:01"
        )
        facade["subentry_id"] = f"01JFACADE{index:019d}"
        facade["title"] = f"Fassade {index}"
        subentries.append(facade)
        for zone in range(ZONES):
            data = zone_subentry(zone % 2)
            data["subentry_id"] = f"01JZONE{index}{zone:019d}"
            data["title"] = f"Zone {index}-{zone}"
            data["data"] = {
                **data["data"],
                "name": data["title"],
                "facade": facade["subentry_id"],
                "moisture": f"input:{20 + zone}*0.1",
                "valve": f"coil:{2 + zone}",
            }
            subentries.append(data)
    entry = site_entry(with_room=False, subentries=subentries)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    facades = list(entry.runtime_data.subsystem(FacadeSubsystem).facades.values())
    assert len(facades) == FACADES
    samples = []
    for _ in range(CYCLES):
        for facade in facades:
            start = time.perf_counter()
            await facade.coordinator.async_refresh()
            samples.append((time.perf_counter() - start) * 1000)
    blocks = len(plan_reads(facades[0]._read_specs()))  # noqa: SLF001
    assert facades[0].requests_last_poll == blocks
    record("façade poll-and-control cycle, 8 zones (real pymodbus)", samples, "ms")
    record(
        "  requests per cycle (= contiguous blocks)",
        [float(f.requests_last_poll) for f in facades],
        "req",
    )
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def frost() -> AsyncIterator[str]:
    async def batch(request: web.Request) -> web.Response:
        rows = sum(len(item["dataArray"]) for item in await request.json())
        return web.Response(status=201, text=json.dumps(["/v1.1/Observations(1)"] * rows))

    async def single(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=201, headers={"Location": "/v1.1/Observations(1)"})

    app = web.Application()
    app.router.add_post("/v1.1/CreateObservations", batch)
    app.router.add_post("/v1.1/Datastreams({stream})/Observations", single)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
    yield f"http://127.0.0.1:{port}/v1.1"
    await runner.cleanup()


async def test_publisher_batched_vs_single(frost: str, record: Recorder) -> None:
    """1000 observations: one CreateObservations request per 500 vs one POST each."""
    now = datetime.now(UTC)
    observations = [Observation(1 + n % 6, now, 20.0 + n % 7) for n in range(1000)]
    async with ClientSession() as session:
        start = time.perf_counter()
        for first in range(0, len(observations), 500):
            async with session.post(
                f"{frost}/CreateObservations",
                json=create_observations(observations[first : first + 500]),
            ) as response:
                assert response.status == 201
        batched = len(observations) / (time.perf_counter() - start)
        start = time.perf_counter()
        for observation in observations:
            async with session.post(
                f"{frost}/Datastreams({observation.datastream_id})/Observations",
                json={"result": observation.value, "phenomenonTime": now.isoformat()},
            ) as response:
                assert response.status == 201
        single = len(observations) / (time.perf_counter() - start)
    record("open data: observations per second, batched (500)", [batched], "obs/s")
    record("open data: observations per second, one per request", [single], "obs/s")
