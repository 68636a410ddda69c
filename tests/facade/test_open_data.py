"""Publishing to the open data platform: SensorThings payloads, and a FROST-like server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
import json
from pathlib import Path

from aiohttp import web
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.facade.sensorthings import (
    KINDS,
    Observation,
    PlatformError,
    batch_order,
    create_observations,
    datastream,
    id_from_location,
    rejected_rows,
    thing,
)
from custom_components.smart_quarter.facade.subsystem import FacadeSubsystem

from .conftest import facade_site
from .modbus_server import Server

T0 = datetime(2026, 7, 14, 12, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("socket_enabled")


def test_payloads() -> None:
    body = thing("Jena-Lobeda", "Fassade Nord", 50.88, 11.61)
    assert body["Locations"][0]["location"] == {"type": "Point", "coordinates": [11.61, 50.88]}
    stream = datastream(KINDS["cooling"], "Fassade Nord", 1, 2, 3)
    assert stream["unitOfMeasurement"]["definition"] == "ucum:K"
    assert (stream["Thing"], stream["Sensor"], stream["ObservedProperty"]) == (
        {"@iot.id": 1},
        {"@iot.id": 2},
        {"@iot.id": 3},
    )


def test_batches_group_by_datastream_in_a_known_order() -> None:
    batch = [Observation(4, T0, 1.0), Observation(5, T0, 2.0), Observation(4, T0, 3.0)]
    body = create_observations(batch)
    assert [(item["Datastream"], item["dataArray"]) for item in body] == [
        ({"@iot.id": 4}, [[T0.isoformat(), 1.0], [T0.isoformat(), 3.0]]),
        ({"@iot.id": 5}, [[T0.isoformat(), 2.0]]),
    ]
    assert [o.value for o in batch_order(batch)] == [1.0, 3.0, 2.0]
    assert Observation.from_dict(batch[0].as_dict()) == batch[0]


def test_answers() -> None:
    assert id_from_location("https://frost.example/v1.1/Things(42)") == 42
    assert id_from_location("https://frost.example/v1.1/Things('a-b')") == "a-b"
    with pytest.raises(PlatformError):
        id_from_location(None)
    assert rejected_rows(["http://x/Observations(1)", "error: bad value", None], 3) == [1, 2]
    with pytest.raises(PlatformError):
        rejected_rows({"error": 1}, 1)


class Frost:
    """A FROST-Server stand-in: creates entities, takes observations, fails on request."""

    def __init__(self) -> None:
        self.created: dict[str, list[dict]] = {}
        self.observations: list[list] = []
        self.fail_with: list[int] = []
        self.refuse_values: set[float] = set()
        self.authorization: list[str | None] = []

    async def create(self, request: web.Request) -> web.Response:
        collection = request.match_info["collection"]
        self.authorization.append(request.headers.get("Authorization"))
        items = self.created.setdefault(collection, [])
        items.append(await request.json())
        return web.Response(
            status=201,
            headers={"Location": f"{request.url.origin()}/v1.1/{collection}({len(items)})"},
        )

    async def observations_batch(self, request: web.Request) -> web.Response:
        if self.fail_with:
            return web.Response(status=self.fail_with.pop(0))
        answer = []
        for item in await request.json():
            for row in item["dataArray"]:
                if row[1] in self.refuse_values:
                    answer.append("error: refused")
                else:
                    self.observations.append([item["Datastream"]["@iot.id"], *row])
                    answer.append(f"/v1.1/Observations({len(self.observations)})")
        return web.Response(status=201, text=json.dumps(answer))


@pytest.fixture
async def frost() -> AsyncIterator[tuple[Frost, str]]:
    service = Frost()
    app = web.Application()

    async def observations(request: web.Request) -> web.Response:
        return await service.observations_batch(request)  # looked up per request: swappable

    app.router.add_post("/v1.1/CreateObservations", observations)
    app.router.add_post("/v1.1/{collection}", service.create)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield service, f"http://127.0.0.1:{port}/v1.1"
    await runner.cleanup()


async def _site(hass: HomeAssistant, server: Server, url: str) -> MockConfigEntry:
    entry = facade_site(server.port, window_start="00:00:00", window_end="00:00:01")
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            "open_data_url": url,
            "open_data_token": "secret-token",
            "open_data_minutes": 10,
            "open_data_kinds": ["temperature_greened", "cooling", "tank_level"],
        },
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_provisions_once_and_publishes_in_batches(
    hass: HomeAssistant, server: Server, frost: tuple[Frost, str]
) -> None:
    service, url = frost
    entry = await _site(hass, server, url)
    publisher = entry.runtime_data.subsystem(FacadeSubsystem).publisher
    assert publisher is not None
    publisher.sample(T0)
    await publisher.async_flush()
    assert len(service.created["Things"]) == 1
    assert len(service.created["Datastreams"]) == 3
    assert {row[2] for row in service.observations} == {17.75, -2.75, 80.0}
    assert set(service.authorization) == {"Bearer secret-token"}
    publisher.sample(T0)
    await publisher.async_flush()
    assert len(service.created["Datastreams"]) == 3  # ids are remembered
    assert len(service.observations) == 6
    assert hass.states.get("sensor.jena_lobeda_open_data_waiting_observations").state == "0"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_outage_loses_nothing_across_a_restart(
    hass: HomeAssistant, server: Server, frost: tuple[Frost, str]
) -> None:
    service, url = frost
    entry = await _site(hass, server, url)
    publisher = entry.runtime_data.subsystem(FacadeSubsystem).publisher
    assert publisher is not None
    service.fail_with = [500]
    publisher.sample(T0)
    await publisher.async_flush()
    assert len(publisher.backlog) == 3
    assert publisher.last_error == "HTTP 500"
    # Home Assistant restarts with the backlog (same storage); the platform is back.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    publisher = entry.runtime_data.subsystem(FacadeSubsystem).publisher
    assert publisher is not None
    assert len(publisher.backlog) == 3
    await publisher.async_flush()
    assert publisher.backlog == []
    assert len(service.observations) == 3
    assert len(service.created["Things"]) == 1  # not created twice after the restart
    await hass.config_entries.async_unload(entry.entry_id)


async def test_refused_rows_are_counted_not_retried(
    hass: HomeAssistant, server: Server, frost: tuple[Frost, str]
) -> None:
    service, url = frost
    entry = await _site(hass, server, url)
    publisher = entry.runtime_data.subsystem(FacadeSubsystem).publisher
    assert publisher is not None
    service.refuse_values = {80.0}
    publisher.sample(T0)
    await publisher.async_flush()
    assert publisher.rejected == 1
    assert publisher.backlog == []
    service.fail_with = [400]
    publisher.sample(T0)
    await publisher.async_flush()
    assert publisher.rejected == 4
    assert publisher.backlog == []
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_unreachable_platform_keeps_the_backlog(
    hass: HomeAssistant, server: Server
) -> None:
    from ..common import free_port

    entry = await _site(hass, server, f"http://127.0.0.1:{free_port()}/v1.1")
    publisher = entry.runtime_data.subsystem(FacadeSubsystem).publisher
    assert publisher is not None
    publisher.sample(T0)
    await publisher.async_flush()
    assert len(publisher.backlog) == 3
    assert publisher.failures == 1
    await publisher.async_flush()  # inside the back-off: not tried again yet
    assert publisher.failures == 1
    await hass.config_entries.async_unload(entry.entry_id)


async def test_existing_datastreams_are_used_not_created(
    hass: HomeAssistant, server: Server, frost: tuple[Frost, str]
) -> None:
    """Mapped ids: no Datastream is created for them; observations go to the given id."""
    service, url = frost
    entry = facade_site(server.port, window_start="00:00:00", window_end="00:00:01")
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            "open_data_url": url,
            "open_data_kinds": ["cooling"],
            "open_data_ids": ["Fassade Nord/cooling = 77"],
        },
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    publisher = entry.runtime_data.subsystem(FacadeSubsystem).publisher
    assert publisher is not None
    publisher.sample(T0)
    await publisher.async_flush()
    assert "Datastreams" not in service.created
    assert [row[0] for row in service.observations] == [77]
    await hass.config_entries.async_unload(entry.entry_id)


def test_mappings_are_checked() -> None:
    from custom_components.smart_quarter.facade.options import parse_mappings

    assert parse_mappings(["Fassade Nord/cooling = 17", " ", "Süd/tank_level=ds-4"]) == {
        ("Fassade Nord", "cooling"): 17,
        ("Süd", "tank_level"): "ds-4",
    }
    for bad in ("Fassade Nord cooling = 1", "Fassade Nord/humidity = 1", "x/cooling ="):
        with pytest.raises(ValueError, match=r"\S"):
            parse_mappings([bad])


async def test_observations_over_mqtt(
    hass: HomeAssistant, server: Server, frost: tuple[Frost, str], tmp_path: Path
) -> None:
    """With a broker set, observations go over MQTT (QoS 1); entities still over HTTP."""
    from ..real_broker import Client, Mosquitto

    broker = Mosquitto(tmp_path)
    broker.start()
    listener = Client(broker.port, "platform", persistent=False)
    listener.subscribe("v1.1/#")
    try:
        service, url = frost
        entry = facade_site(server.port, window_start="00:00:00", window_end="00:00:01")
        entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(
            entry,
            options={
                **entry.options,
                "open_data_url": url,
                "open_data_kinds": ["tank_level"],
                "open_data_mqtt": f"mqtt://127.0.0.1:{broker.port}",
            },
        )
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        publisher = entry.runtime_data.subsystem(FacadeSubsystem).publisher
        assert publisher is not None
        publisher.sample(T0)
        await publisher.async_flush()
        assert publisher.backlog == []
        assert len(service.created["Datastreams"]) == 1
        assert service.observations == []  # nothing over HTTP
        [(_, topic, payload)] = await hass.async_add_executor_job(listener.wait_for, 1, 5)
        assert topic == "v1.1/Datastreams(1)/Observations"
        assert json.loads(payload) == {"result": 80.0, "phenomenonTime": T0.isoformat()}
        # The broker is gone: the observation waits in the backlog.
        broker.stop()
        publisher.sample(T0)
        await hass.async_add_executor_job(publisher.mqtt.close)  # type: ignore[union-attr]
        await publisher.async_flush()
        assert len(publisher.backlog) == 1
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        listener.close()
        broker.stop()


async def test_a_platform_that_does_not_answer_in_time(
    hass: HomeAssistant, server: Server, frost: tuple[Frost, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timeout is an outage like any other: the backlog waits."""
    import asyncio

    from custom_components.smart_quarter.facade import publisher as publisher_module

    service, url = frost
    monkeypatch.setattr(publisher_module, "TIMEOUT", 0.2)
    entry = await _site(hass, server, url)
    publisher = entry.runtime_data.subsystem(FacadeSubsystem).publisher
    assert publisher is not None
    original = service.observations_batch

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return await original(request)

    service.observations_batch = slow  # type: ignore[method-assign]
    publisher.sample(T0)
    await publisher.async_flush()
    assert len(publisher.backlog) == 3
    assert publisher.last_error == "TimeoutError"
    await hass.config_entries.async_unload(entry.entry_id)
