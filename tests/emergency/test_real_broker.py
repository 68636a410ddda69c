"""With a real Mosquitto: broker restart mid-alarm, and 50 apartments calling at once.

Home Assistant's own mqtt integration (real paho client, real sockets) is connected to a
Mosquitto started for the test; trigger devices and the care service are paho clients.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
import time

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..real_broker import Client, Mosquitto, async_setup_mqtt
from .conftest import site_with_apartments

BASE = "smart_quarter/jena_lobeda"
CARE_TOPIC = "pflege/alarme"
PATH = "binary_sensor.jena_lobeda_emergency_path"

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(120)]


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The mqtt integration unsubscribes after a cool-down on the loop's own clock."""
    return True


async def _wait(hass: HomeAssistant, check: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return bool(check())  # type: ignore[operator]


async def _site(hass: HomeAssistant, broker: Mosquitto, apartments: int) -> MockConfigEntry:
    await async_setup_mqtt(hass, broker.port)
    entry = site_with_apartments(apartments, cancel_window=0)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "care_mqtt_topic": CARE_TOPIC}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    subsystem = entry.runtime_data.subsystems["emergency"]
    assert await _wait(hass, lambda: subsystem.mqtt.subscribed, 10)
    await asyncio.sleep(1)  # HA's mqtt integration subscribes after a short cool-down
    return entry


@pytest.fixture
async def unload_all(hass: HomeAssistant) -> AsyncIterator[None]:
    yield
    for entry in hass.config_entries.async_entries():
        await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def _care_alarms(messages: list[tuple[float, str, bytes]]) -> list[dict]:
    return [json.loads(payload) for _, _, payload in messages]


async def test_broker_restart_mid_alarm_loses_nothing(
    hass: HomeAssistant, broker: Mosquitto, unload_all: None
) -> None:
    """An alarm before the outage, a call during it: both reach the care service, once each."""
    entry = await _site(hass, broker, apartments=2)
    subsystem = entry.runtime_data.subsystems["emergency"]
    care = Client(broker.port, "care-service")
    care.subscribe(CARE_TOPIC)
    device_0 = Client(broker.port, "btn-0")
    device_1 = Client(broker.port, "btn-1")
    try:
        await asyncio.sleep(0.5)
        device_0.publish(
            f"{BASE}/emergency/btn-0/event", json.dumps({"event": "button", "id": "a"})
        )
        first = await hass.async_add_executor_job(
            care.wait_for, 1, 10, lambda _topic, p: json.loads(p)["apartment"] == "Wohnung 0"
        )
        assert _care_alarms(first)[0]["dispatch"] == "first"

        broker.stop()
        assert await _wait(hass, lambda: hass.states.get(PATH).state == "on", 20)
        # The person in Wohnung 1 calls while the broker is down. The device repeats its call
        # until Home Assistant acknowledges it (calls sent before HA is back are lost by the
        # broker: HA's session is not persistent).
        ack_topic = f"{BASE}/emergency/btn-1/ack"
        device_1.subscribe(ack_topic)
        call = json.dumps({"event": "pull_cord", "id": "b"})
        repeating = hass.async_add_executor_job(
            device_1.publish_until_ack, f"{BASE}/emergency/btn-1/event", call, ack_topic, "b"
        )
        await asyncio.sleep(2)
        broker.start()
        answer = await repeating
        assert answer is not None
        assert answer["result"] in ("raised", "duplicate")
        assert hass.states.get(PATH).state == "off"
        # One more copy (a QoS 1 redelivery): acknowledged again as a duplicate.
        again = await hass.async_add_executor_job(
            device_1.publish_until_ack, f"{BASE}/emergency/btn-1/event", call, ack_topic, "b"
        )
        assert again is not None
        assert again["result"] == "duplicate"
        assert len(subsystem.book.open_alarms) == 2
        delivered = await hass.async_add_executor_job(
            care.wait_for, 1, 20, lambda _topic, p: json.loads(p)["apartment"] == "Wohnung 1"
        )
        assert [m["dispatch"] for m in _care_alarms(delivered)] == ["first"]
        alarm_1 = subsystem.book.open_alarm("01JAPT00000000000000000001")
        assert alarm_1 is not None
        assert len(alarm_1.triggers) == 1  # repeated copies did not count twice
        assert subsystem.duplicates >= 1
        assert subsystem.delivery.entries == []
    finally:
        for client in (care, device_0, device_1):
            client.close()


async def test_fifty_apartments_at_once_over_the_broker(
    hass: HomeAssistant, broker: Mosquitto, unload_all: None
) -> None:
    """50 devices call within the same instant: 50 alarms, 50 first messages to the care service."""
    entry = await _site(hass, broker, apartments=50)
    subsystem = entry.runtime_data.subsystems["emergency"]
    care = Client(broker.port, "care-service")
    care.subscribe(CARE_TOPIC)
    devices = Client(broker.port, "gateway")
    try:
        await asyncio.sleep(0.5)
        for n in range(50):
            devices.publish(
                f"{BASE}/emergency/btn-{n}/event", json.dumps({"event": "fall", "id": f"f{n}"})
            )
        messages = await hass.async_add_executor_job(care.wait_for, 50, 30)
        alarms = _care_alarms(messages)
        assert len({alarm["alarm_id"] for alarm in alarms}) == 50
        assert {alarm["apartment"] for alarm in alarms} == {f"Wohnung {n}" for n in range(50)}
        assert len(subsystem.book.open_alarms) == 50
    finally:
        care.close()
        devices.close()
