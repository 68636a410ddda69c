"""Trigger-to-first-delivery latency with a real Mosquitto and a quarter's background traffic.

Home Assistant's own mqtt integration (real paho client, real sockets) on a Mosquitto started
for the run. The site has 250 apartments, each linked to its id at the simulated apartment
gateway, whose 3500 devices (4500 entities) the site's smart-home subsystem hears first. Then
the gateway's meters publish their state 250 times a second in all (one per apartment and
second, round-robin; each message changes the apartment's power sensor), handled by the real
apartment subsystem. Meanwhile 100 trigger devices call for help one after the other; each
latency runs from the device's publish to the moment the care service's MQTT subscriber
receives the first alarm message (device -> broker -> HA -> stored -> outbox -> broker -> care
service). Memory: the heap the site's set-up retains (tracemalloc, before the gateway's devices
arrive), the stored size of the 100 open alarms, and the process's RSS growth during the run
(absolute RSS is not reported: other benchmarks share the process).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import json
from pathlib import Path
import threading
import time
import tracemalloc

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.apartment_gateway import ApartmentGateway
from tests.common import site_entry, wait_for
from tests.emergency.conftest import apartment_subentry, site_with_apartments
from tests.real_broker import Client, Mosquitto, async_setup_mqtt
from tests.smart_home.conftest import all_devices_heard

from .conftest import Recorder

BASE = "smart_quarter/jena_lobeda"
CARE_TOPIC = "pflege/alarme"
APARTMENTS = 250
CALLS = 100

pytestmark = [pytest.mark.usefixtures("socket_enabled")]


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The mqtt integration unsubscribes after a cool-down on the loop's own clock."""
    return True


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    mosquitto = Mosquitto(tmp_path)
    mosquitto.start()
    yield mosquitto
    mosquitto.stop()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _background(port: int, stop: threading.Event, sent: list[int]) -> None:
    """The gateway's meters: one state per apartment and second, spread over the second."""
    client = Client(port, "apartment-gateway-meters", persistent=False)
    try:
        n = 0
        start = time.perf_counter()
        while not stop.is_set():
            apartment = n % APARTMENTS
            client.publish(
                f"{BASE}/apartment/whg-{apartment}/strom/state",
                json.dumps({"power": 100.0 + n % 500, "energy": 1042.5 + n / 1000}),
            )
            n += 1
            # keep the average at APARTMENTS messages per second
            delay = start + n / APARTMENTS - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        sent.append(n)
    finally:
        client.close()


def _site() -> MockConfigEntry:
    """250 apartments, one trigger device each, each linked to its id at the gateway."""
    apartments: list[ConfigSubentryData] = []
    for n in range(APARTMENTS):
        subentry = apartment_subentry(f"01JAPT{n:020d}", f"Wohnung {n}", (f"btn-{n}",), 0)
        subentry["data"] = {**subentry["data"], "smart_home": {"gateway_apartment": f"whg-{n}"}}
        apartments.append(subentry)
    return site_entry(with_room=False, subentries=apartments)


async def _async_load_site(hass: HomeAssistant) -> tuple[MockConfigEntry, float]:
    """Load the measured site; return it and the heap (KiB) its set-up retained."""
    # Warm-up: the first site loads HA's platforms and translations; measure the second.
    warm = site_with_apartments(1, cancel_window=0)
    warm.add_to_hass(hass)
    assert await hass.config_entries.async_setup(warm.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_remove(warm.entry_id)
    await hass.async_block_till_done()
    entry = _site()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "care_mqtt_topic": CARE_TOPIC}
    )
    tracemalloc.start()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    site_heap = tracemalloc.get_traced_memory()[0] / 1024
    tracemalloc.stop()  # not while measuring latency
    return entry, site_heap


async def test_trigger_to_first_delivery_real_broker(
    hass: HomeAssistant, broker: Mosquitto, record: Recorder
) -> None:
    await async_setup_mqtt(hass, broker.port)
    gateway = ApartmentGateway(
        broker.port, BASE, apartments=[f"whg-{n}" for n in range(APARTMENTS)]
    )
    gateway.start()
    entry, site_heap = await _async_load_site(hass)
    # The smart-home subsystem has all the gateway's devices, with their states.
    assert await wait_for(lambda: all_devices_heard(entry, APARTMENTS), within=60)
    # The registries save 3500 new devices 10 s later (the test harness keeps the JSON in
    # memory): let that land first, so the RSS growth below is the run's own.
    await asyncio.sleep(11)
    rss_loaded = _rss_mb()
    received = 0

    @callback
    def _power_changed(event: Event) -> None:
        nonlocal received
        if event.data["entity_id"].endswith("_strom_power"):
            received += 1

    hass.bus.async_listen(EVENT_STATE_CHANGED, _power_changed)
    care = Client(broker.port, "care-service")
    care.subscribe(CARE_TOPIC)
    devices = Client(broker.port, "device-gateway")
    stop = threading.Event()
    sent: list[int] = []
    background = threading.Thread(target=_background, args=(broker.port, stop, sent))
    background.start()
    await asyncio.sleep(3)  # the background load is running
    load_start, received_start = time.perf_counter(), received
    samples: list[float] = []
    try:
        for n in range(CALLS):
            start = time.perf_counter()
            devices.publish(
                f"{BASE}/emergency/btn-{n}/event", json.dumps({"event": "button", "id": f"b{n}"})
            )
            [(arrived, _, _)] = await hass.async_add_executor_job(
                care.wait_for,
                1,
                10,
                lambda _topic, body, n=n: json.loads(body)["apartment"] == f"Wohnung {n}",
            )
            samples.append((arrived - start) * 1000)
            await asyncio.sleep(0.1)
    finally:
        load_rate = (received - received_start) / (time.perf_counter() - load_start)
        stop.set()
        await hass.async_add_executor_job(background.join)
        care.close()
        devices.close()
        await hass.async_add_executor_job(gateway.stop)
    rss_end = _rss_mb()
    subsystem = entry.runtime_data.subsystems["emergency"]
    stored_bytes = len(json.dumps(subsystem._data_to_store()))  # noqa: SLF001
    for loaded in hass.config_entries.async_entries():
        await hass.config_entries.async_unload(loaded.entry_id)
    await hass.async_block_till_done()

    assert len(samples) == CALLS
    assert received > APARTMENTS  # the meters' states reached the apartments' sensors
    record("emergency Mosquitto: trigger -> care topic (+250 msg/s)", samples, "ms")
    record("  gateway states handled by the site meanwhile", [load_rate], "msg/s")
    record("  site of 250 apartments: heap retained at set-up", [site_heap], "KiB")
    record("  100 open alarms: stored JSON", [stored_bytes / 1024], "KiB")
    record("  RSS growth during the run (100 alarms, load)", [rss_end - rss_loaded], "MB")
