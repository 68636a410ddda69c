"""Telemedicine benchmarks: advertisement to entity update, and parser throughput."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
import time
from unittest.mock import patch

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.smart_quarter.telemedicine import health_profiles as hp
from simulators import ble_health as sim
from simulators.ble_health import SimulatedBluetoothProxy
from tests.telemedicine.ble import BP_ADDRESS, entity_id, simulated, site_with_devices, start_proxy

from .conftest import Recorder

ROUNDS = 50


@pytest.fixture
async def proxy(
    hass: HomeAssistant, mock_bluetooth: None
) -> AsyncGenerator[SimulatedBluetoothProxy]:
    """The simulated Bluetooth proxy (the path of an ESPHome proxy)."""
    async for started in start_proxy(hass):
        yield started


async def test_advertisement_to_entity_update(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, record: Recorder
) -> None:
    """A blood pressure monitor advertises a new measurement -> its 'measured at' changes.

    Everything in between is real: habluetooth's manager and client wrapper, bleak-retry-
    connector, the visit (battery, clock, subscribe, indication), the parser, the entity. The
    simulated device hangs up once it has sent its measurement, as real ones do.
    """
    device = proxy.add(simulated(BP_ADDRESS))
    entry = site_with_devices((BP_ADDRESS,))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    measured_at = entity_id(er.async_get(hass), "sensor", BP_ADDRESS, "measured_at")
    changed: list[float] = []

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == measured_at:
            changed.append(time.perf_counter())

    hass.bus.async_listen("state_changed", _changed)
    samples: list[float] = []
    with patch("custom_components.smart_quarter.telemedicine.vitals_device.HEARD_AFTER_VISIT", 0.0):
        for round_ in range(ROUNDS):
            changed.clear()
            device.measure(datetime(2026, 11, 20, 9, 0, round_), seed=round_)  # noqa: DTZ001
            started = time.perf_counter()
            proxy.advertise(device)
            await hass.async_block_till_done(wait_background_tasks=True)
            assert changed, f"round {round_}: no update"
            samples.append((changed[0] - started) * 1000)
    record("vitals: advertisement -> entity update (simulated proxy)", samples, "ms")


def test_parser_throughput(record: Recorder) -> None:
    """Frames parsed per second, per profile (pure code)."""
    at = datetime(2026, 11, 20, 9, 0)  # noqa: DTZ001 - a device clock
    cases = {
        "blood pressure 0x2A35": (
            hp.parse_blood_pressure,
            sim.blood_pressure_frame(128, 82, 97, pulse=71, at=at, status=0x0004),
        ),
        "glucose 0x2A18": (hp.parse_glucose, sim.glucose_frame(17, at, 104)),
        "thermometer 0x2A1C": (hp.parse_temperature, sim.temperature_frame(36.8, at)),
        "PLX spot-check 0x2A5E": (hp.parse_spot_check, sim.spot_check_frame(97, 72, at)),
        "weight 0x2A9D": (hp.parse_weight, sim.weight_frame(74.2, at)),
    }
    count = 20_000
    for name, (parse, frame) in cases.items():
        started = time.perf_counter()
        for _ in range(count):
            parse(frame)
        record(f"parser: {name}", [count / (time.perf_counter() - started)], "frames/s")
