"""Vitals devices through Home Assistant's Bluetooth: a simulated proxy, byte-exact devices.

The proxy registers with Home Assistant's bluetooth integration as an ESPHome proxy does; its
client backend is the device's GATT server, answering with frames built from the Bluetooth SIG
specifications. Everything between the advertisement and the entity is the real code path:
habluetooth's manager and client wrapper, bleak-retry-connector, the integration's visit.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from datetime import datetime, timedelta
import logging
from typing import Any
from unittest.mock import patch

from bluetooth_data_tools import monotonic_time_coarse
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.telemedicine.const import EVENT_VITALS_MEASURED
from custom_components.smart_quarter.telemedicine.vitals_device import HEARD_CHECK
from simulators import ble_health as sim
from simulators.ble_health import SimulatedBluetoothProxy, SimulatedDevice

from ..common import ROOM_SUBENTRY_ID, collect
from .ble import (
    BP_ADDRESS,
    GLUCOSE_ADDRESS,
    OXI_ADDRESS,
    SCALE_ADDRESS,
    THERMO_ADDRESS,
    entity_id,
    simulated,
    site_with_devices,
    start_proxy,
)


@pytest.fixture(autouse=True)
def quick_timing() -> Generator[None]:
    """Short silences and no library back-off sleeps: the tests run in real time."""
    with (
        patch("custom_components.smart_quarter.telemedicine.gatt_reader.IDLE_SECONDS", 0.05),
        patch("custom_components.smart_quarter.telemedicine.gatt_reader.RACP_SECONDS", 1.0),
        patch("custom_components.smart_quarter.telemedicine.vitals_device.HEARD_AFTER_VISIT", 0.0),
        patch("bleak_retry_connector.BLEAK_OUT_OF_SLOTS_BACKOFF_TIME", 0.0),
        patch("bleak_retry_connector.BLEAK_BACKOFF_TIME", 0.0),
        patch("bleak_retry_connector.BLEAK_DBUS_BACKOFF_TIME", 0.0),
    ):
        yield


@pytest.fixture
async def proxy(
    hass: HomeAssistant, mock_bluetooth: None
) -> AsyncGenerator[SimulatedBluetoothProxy]:
    """The simulated Bluetooth proxy, registered with Home Assistant."""
    async for started in start_proxy(hass):
        yield started


async def _load(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def _measure(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, device: SimulatedDevice
) -> None:
    """Let the device advertise and wait until the visit it causes is over.

    An advertisement like the last one is not passed on by Home Assistant's bluetooth; the
    device's periodic "heard again since the last visit" check finds it instead.
    """
    # Heard clearly after the last visit ended (the clocks are coarse: equal times are a race).
    proxy.advertise(device, monotonic=lambda: monotonic_time_coarse() + 0.05)
    await hass.async_block_till_done(wait_background_tasks=True)
    async_fire_time_changed(hass, dt_util.utcnow() + HEARD_CHECK)
    await hass.async_block_till_done(wait_background_tasks=True)


def _state(
    hass: HomeAssistant,
    registry: er.EntityRegistry,
    address: str,
    key: str,
    platform: str = "sensor",
) -> str:
    state = hass.states.get(entity_id(registry, platform, address, key))
    assert state is not None
    return state.state


LOCAL = datetime(2026, 11, 20, 9, 15, 0)  # noqa: DTZ001 - a device clock, in the past


async def test_blood_pressure_reaches_the_entities(
    hass: HomeAssistant,
    proxy: SimulatedBluetoothProxy,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An indication of 0x2A35 becomes systolic/diastolic/MAP/pulse, flags, time and battery."""
    device = proxy.add(simulated(BP_ADDRESS))
    # 138/86 mmHg, MAP 103, pulse 77, irregular pulse (status bit 2), with time stamp.
    device.queue(
        sim.BP_MEASUREMENT,
        sim.blood_pressure_frame(138, 86, 103, pulse=77, at=LOCAL, status=0x0004),
    )
    entry = site_with_devices((BP_ADDRESS,))
    await _load(hass, entry)
    await _measure(hass, proxy, device)

    assert _state(hass, entity_registry, BP_ADDRESS, "systolic") == "138.0"
    assert _state(hass, entity_registry, BP_ADDRESS, "diastolic") == "86.0"
    assert _state(hass, entity_registry, BP_ADDRESS, "mean_arterial") == "103.0"
    assert _state(hass, entity_registry, BP_ADDRESS, "pulse") == "77.0"
    assert _state(hass, entity_registry, BP_ADDRESS, "battery") == "87"
    assert _state(hass, entity_registry, BP_ADDRESS, "connection_status") == "idle"
    assert _state(hass, entity_registry, BP_ADDRESS, "irregular_pulse", "binary_sensor") == STATE_ON
    assert _state(hass, entity_registry, BP_ADDRESS, "body_movement", "binary_sensor") == STATE_OFF
    assert _state(hass, entity_registry, BP_ADDRESS, "reachable", "binary_sensor") == STATE_ON
    measured = dt_util.parse_datetime(_state(hass, entity_registry, BP_ADDRESS, "measured_at"))
    assert measured == LOCAL.replace(tzinfo=dt_util.get_default_time_zone())
    event = hass.states.get(entity_id(entity_registry, "event", BP_ADDRESS, "measurement"))
    assert event is not None
    assert event.attributes["event_type"] == "blood_pressure"
    assert event.attributes["systolic"] == 138
    assert event.attributes["flags"] == ["irregular_pulse"]

    # The device clock was set to local time (Current Time, Exact Time 256, 10 bytes).
    assert device.clock is not None
    assert len(device.clock) == 10
    assert int.from_bytes(device.clock[0:2], "little") == dt_util.now().year
    assert device.clock[9] == 0x01  # adjust reason: manual time update
    # The link was closed again, the proxy's slot is free. (The "heard again" check may visit
    # once more when the machine is slow; the measurement still arrived once, see the event.)
    assert proxy.connected == set()
    assert device.connections >= 1

    registered = device_registry.async_get_device_by_identifier(
        (DOMAIN, BP_ADDRESS), entry.entry_id
    )
    assert registered is not None
    assert (dr.CONNECTION_BLUETOOTH, BP_ADDRESS) in registered.connections
    assert registered.manufacturer == "Smart Quarter Simulator"
    assert registered.model == "SIM-blood_pressure"
    assert registered.serial_number == "SIM-0001"
    room = device_registry.async_get_device_by_identifier(
        (DOMAIN, ROOM_SUBENTRY_ID), entry.entry_id
    )
    assert room is not None
    assert registered.via_device_id == room.id


@pytest.mark.parametrize(
    "case",
    [
        (
            THERMO_ADDRESS,
            lambda: (sim.TEMPERATURE_MEASUREMENT, sim.temperature_frame(38.4, LOCAL)),
            "temperature",
            "38.4",
        ),
        (
            OXI_ADDRESS,
            lambda: (sim.PLX_SPOT_CHECK, sim.spot_check_frame(93, 88, LOCAL)),
            "spo2",
            "93.0",
        ),
        (
            SCALE_ADDRESS,
            lambda: (sim.WEIGHT_MEASUREMENT, sim.weight_frame(81.35, LOCAL)),
            "weight",
            "81.35",
        ),
    ],
)
async def test_every_profile_reaches_its_entity(
    hass: HomeAssistant,
    proxy: SimulatedBluetoothProxy,
    entity_registry: er.EntityRegistry,
    case: tuple[str, Any, str, str],
) -> None:
    """Thermometer, pulse oximeter and scale: their indication becomes the value."""
    address, frame_of, key, expected = case
    device = proxy.add(simulated(address))
    device.queue(*frame_of())
    await _load(hass, site_with_devices((address,)))
    await _measure(hass, proxy, device)
    assert _state(hass, entity_registry, address, key) == expected


async def test_glucose_meter_is_synced_incrementally(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, entity_registry: er.EntityRegistry
) -> None:
    """First all records, then only those after the last sequence number, across a restart."""
    device = proxy.add(simulated(GLUCOSE_ADDRESS))
    for minutes, mg_dl in ((0, 95), (60, 142), (120, 118)):
        device.add_glucose_record(LOCAL + timedelta(minutes=minutes), mg_dl, meal=1)
    entry = site_with_devices((GLUCOSE_ADDRESS,))
    await _load(hass, entry)
    events: list[Event] = []
    hass.bus.async_listen(EVENT_VITALS_MEASURED, collect(events))
    await _measure(hass, proxy, device)

    # Report all stored records (a device still heard after the visit may be visited again:
    # then only for records after the last one read).
    assert device.racp_requests[0] == bytes([0x01, 0x01])
    assert set(device.racp_requests[1:]) <= {bytes([0x01, 0x03, 0x01, 0x04, 0x00])}
    assert _state(hass, entity_registry, GLUCOSE_ADDRESS, "glucose") == "118.0"
    assert _state(hass, entity_registry, GLUCOSE_ADDRESS, "glucose_mmol") == "6.55"
    assert [event.data["values"]["glucose"] for event in events] == [95.0, 142.0, 118.0]

    # A restart in between: the position survives in storage.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    device.add_glucose_record(LOCAL + timedelta(minutes=180), 101)
    await _measure(hass, proxy, device)
    # Report records with sequence number >= 4 (operator 3, filter type 1, uint16 4).
    assert device.racp_requests[-1] == bytes([0x01, 0x03, 0x01, 0x04, 0x00])
    assert [event.data["values"]["glucose"] for event in events] == [95.0, 142.0, 118.0, 101.0]
    assert _state(hass, entity_registry, GLUCOSE_ADDRESS, "glucose") == "101.0"


async def test_link_lost_in_the_middle_of_a_record_transfer(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, entity_registry: er.EntityRegistry
) -> None:
    """What arrived counts; the next visit continues after it; nothing twice, nothing lost."""
    device = proxy.add(simulated(GLUCOSE_ADDRESS))
    for minutes in range(5):
        device.add_glucose_record(LOCAL + timedelta(minutes=minutes), 100 + minutes)
    device.disconnect_after = 2
    await _load(hass, site_with_devices((GLUCOSE_ADDRESS,)))
    events: list[Event] = []
    hass.bus.async_listen(EVENT_VITALS_MEASURED, collect(events))
    await _measure(hass, proxy, device)
    assert [event.data["values"]["glucose"] for event in events] == [100.0, 101.0]
    assert _state(hass, entity_registry, GLUCOSE_ADDRESS, "connection_status") == "interrupted"

    # The technician's "Read now" (or the retry after the back-off) continues the transfer.
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(entity_registry, "button", GLUCOSE_ADDRESS, "read_now")},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert device.racp_requests[-1] == bytes([0x01, 0x03, 0x01, 0x03, 0x00])
    assert [event.data["values"]["glucose"] for event in events] == [
        100.0,
        101.0,
        102.0,
        103.0,
        104.0,
    ]
    assert _state(hass, entity_registry, GLUCOSE_ADDRESS, "connection_status") == "idle"


@pytest.mark.parametrize("code", [0x05, 0x02, 0x08])
async def test_racp_error_codes(
    hass: HomeAssistant,
    proxy: SimulatedBluetoothProxy,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
    code: int,
) -> None:
    """Invalid operand, opcode not supported, procedure not completed: a clear status and log."""
    device = proxy.add(simulated(GLUCOSE_ADDRESS))
    device.add_glucose_record(LOCAL, 99)
    device.racp_error = code
    await _load(hass, site_with_devices((GLUCOSE_ADDRESS,)))
    await _measure(hass, proxy, device)
    assert _state(hass, entity_registry, GLUCOSE_ADDRESS, "connection_status") == "records_refused"
    assert _state(hass, entity_registry, GLUCOSE_ADDRESS, "glucose") == STATE_UNKNOWN
    assert "refused the record request" in caplog.text


async def test_meter_without_sequence_filter_is_asked_for_all_records(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy
) -> None:
    """'Operator not supported' for '>= sequence': all records again, the known ones skipped."""
    device = proxy.add(simulated(GLUCOSE_ADDRESS))
    device.add_glucose_record(LOCAL, 90)
    await _load(hass, site_with_devices((GLUCOSE_ADDRESS,)))
    events: list[Event] = []
    hass.bus.async_listen(EVENT_VITALS_MEASURED, collect(events))
    await _measure(hass, proxy, device)
    device.add_glucose_record(LOCAL + timedelta(minutes=5), 91)
    device.racp_error = 0x04  # operator not supported
    await _measure(hass, proxy, device)
    assert device.racp_requests[-1] == bytes([0x01, 0x01])
    assert [event.data["values"]["glucose"] for event in events] == [90.0, 91.0]


async def test_proxy_out_of_connection_slots_backs_off(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, entity_registry: er.EntityRegistry
) -> None:
    """No free slot: 'waiting for a slot', no second attempt during the back-off."""
    device = proxy.add(simulated(THERMO_ADDRESS))
    device.queue(sim.TEMPERATURE_MEASUREMENT, sim.temperature_frame(37.2, LOCAL))
    proxy.slots = 0
    await _load(hass, site_with_devices((THERMO_ADDRESS,)))
    await _measure(hass, proxy, device)
    assert _state(hass, entity_registry, THERMO_ADDRESS, "connection_status") == "waiting_for_slot"
    assert device.connections == 0

    proxy.slots = 3
    await _measure(hass, proxy, device)  # still backing off: the advertisement is not a visit
    assert device.connections == 0
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(entity_registry, "button", THERMO_ADDRESS, "read_now")},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, entity_registry, THERMO_ADDRESS, "temperature") == "37.2"


async def test_device_that_never_answers(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, entity_registry: er.EntityRegistry
) -> None:
    """The connection attempt ends at the time limit with 'no answer'; the slot is free."""
    device = proxy.add(simulated(SCALE_ADDRESS))
    device.answers = False
    await _load(hass, site_with_devices((SCALE_ADDRESS,)))
    with patch("custom_components.smart_quarter.telemedicine.vitals_device.CONNECT_TIMEOUT", 0.3):
        await _measure(hass, proxy, device)
    assert _state(hass, entity_registry, SCALE_ADDRESS, "connection_status") == "no_answer"
    assert proxy.connected == set()


async def test_corrupt_frame_is_skipped_and_counted(
    hass: HomeAssistant,
    proxy: SimulatedBluetoothProxy,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A truncated frame is logged and counted; the good one after it counts."""
    device = proxy.add(simulated(BP_ADDRESS))
    good = sim.blood_pressure_frame(121, 79, 93, pulse=64, at=LOCAL)
    device.queue(sim.BP_MEASUREMENT, good[:5])
    device.queue(sim.BP_MEASUREMENT, good)
    await _load(hass, site_with_devices((BP_ADDRESS,)))
    with caplog.at_level(logging.WARNING):
        await _measure(hass, proxy, device)
    assert _state(hass, entity_registry, BP_ADDRESS, "systolic") == "121.0"
    status = hass.states.get(entity_id(entity_registry, "sensor", BP_ADDRESS, "connection_status"))
    assert status is not None
    assert status.attributes["corrupt_frames"] == 1
    assert "Skipped a corrupt blood_pressure frame" in caplog.text
