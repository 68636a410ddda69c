"""Trigger devices over MQTT in Home Assistant's harness (broker mocked at paho's level).

The real-broker path (Mosquitto, scripts/develop) is covered in tests/e2e/test_demo.py.
"""

from __future__ import annotations

from datetime import timedelta
import itertools
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.persistent_notification import _async_get_or_create_notifications
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.mqtt_input import DATA_INPUTS

TOPIC = "smart_quarter/jena_lobeda/emergency/{}/event"
STATE = "sensor.gesundheitswohnung_1_alarm"


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The mqtt integration unsubscribes after a cool-down on the loop's own clock.

    That timer outlives the unload (core's mqtt tests allow it the same way); it is not ours.
    """
    return True


def _send(hass: HomeAssistant, device: str, **payload: object) -> None:
    payload.setdefault("ts", "2026-11-23T03:12:00Z")
    async_fire_mqtt_message(hass, TOPIC.format(device), json.dumps(payload).encode(), qos=1)


async def test_subscribes_to_the_site_topic(
    hass: HomeAssistant, mqtt_site: MockConfigEntry
) -> None:
    subsystem = mqtt_site.runtime_data.subsystems["emergency"]
    assert subsystem.mqtt.topic == "smart_quarter/jena_lobeda/emergency/+/event"
    assert subsystem.mqtt.subscribed
    # Another site's topic is not ours.
    async_fire_mqtt_message(hass, "smart_quarter/crossen/emergency/btn-1/event", b"{}")
    await hass.async_block_till_done()
    assert subsystem.mqtt.received == 0


async def test_pull_cord_raises_duplicates_join_nothing(
    hass: HomeAssistant, mqtt_site: MockConfigEntry
) -> None:
    _send(hass, "cord-1", event="pull_cord", id="c-1")
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "pre_alarm"
    _send(hass, "cord-1", event="pull_cord", id="c-1")  # QoS 1 redelivery
    await hass.async_block_till_done()
    subsystem = mqtt_site.runtime_data.subsystems["emergency"]
    alarm = subsystem.apartments["01JAPARTMENT00000000000001"].alarm
    assert len(alarm.triggers) == 1
    assert subsystem.duplicates == 1

    _send(hass, "btn-1", event="button", id="b-1")  # a second device confirms
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "active"


async def test_device_cancel_and_reset(hass: HomeAssistant, mqtt_site: MockConfigEntry) -> None:
    _send(hass, "btn-1", event="button", id="b-1")
    await hass.async_block_till_done()
    _send(hass, "btn-1", event="cancel", id="b-2")
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "idle"
    # A cancel with nothing open is harmless.
    _send(hass, "btn-1", event="cancel", id="b-3")
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "idle"


async def test_malformed_messages_are_counted_and_change_nothing(
    hass: HomeAssistant, mqtt_site: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    for payload in (b"\xff", b"[]", b'{"event": "explode"}', b"{" * 3000):
        async_fire_mqtt_message(hass, TOPIC.format("btn-1"), payload)
    async_fire_mqtt_message(hass, "smart_quarter/jena_lobeda/emergency/bad id/event", b"{}")
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "idle"
    mqtt = mqtt_site.runtime_data.subsystems["emergency"].mqtt
    assert dict(mqtt.rejected) == {
        "not_json": 1,
        "not_an_object": 1,
        "unknown_event": 1,
        "too_large": 1,
        "bad_device_id": 1,
    }
    assert "Ignored emergency message" in caplog.text


async def test_formal_problems_still_raise_the_alarm(
    hass: HomeAssistant, mqtt_site: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    async_fire_mqtt_message(hass, TOPIC.format("btn-1"), b'{"event": "fall"}')
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "pre_alarm"
    assert "used despite: bad_message_id, bad_timestamp" in caplog.text


async def test_unknown_device_calling_for_help_is_loud(
    hass: HomeAssistant, mqtt_site: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    _send(hass, "stranger-9", event="button", id="s-1")
    _send(hass, "stranger-8", event="heartbeat", id="h-1")
    await hass.async_block_till_done()
    notifications = _async_get_or_create_notifications(hass)
    assert f"{DOMAIN}_unassigned_stranger-9" in notifications
    assert f"{DOMAIN}_unassigned_stranger-8" not in notifications
    assert "stranger-9 called for help" in caplog.text


async def test_heartbeats_and_battery_are_remembered(
    hass: HomeAssistant, mqtt_site: MockConfigEntry
) -> None:
    _send(hass, "btn-1", event="heartbeat", id="h-1", battery=64)
    _send(hass, "cord-1", event="battery_low", id="l-1")
    await hass.async_block_till_done()
    triggers = mqtt_site.runtime_data.subsystems["emergency"].triggers
    assert triggers["btn-1"].supervision.battery == 64
    assert triggers["cord-1"].supervision.battery_low is True
    assert (
        hass.states.get("binary_sensor.gesundheitswohnung_1_trigger_cord_1_battery").state == "on"
    )
    assert (
        hass.states.get("binary_sensor.gesundheitswohnung_1_trigger_btn_1_battery").state == "off"
    )
    assert hass.states.get(STATE).state == "idle"


async def test_a_site_without_mqtt_has_no_device_input(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    subsystem = loaded_site.runtime_data.subsystems["emergency"]
    assert subsystem.mqtt.received == 0
    assert not subsystem.mqtt.subscribed
    assert await hass.config_entries.async_unload(loaded_site.entry_id)
    assert hass.data[DATA_INPUTS] == {}


async def test_a_call_during_a_reload_is_kept_for_the_reloaded_site(
    hass: HomeAssistant, mqtt_site: MockConfigEntry
) -> None:
    """Adding an apartment reloads the site; a pull cord meanwhile must not be lost."""
    assert await hass.config_entries.async_unload(mqtt_site.entry_id)
    _send(hass, "cord-1", event="pull_cord", id="c-9")
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(mqtt_site.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "pre_alarm"


async def test_the_topic_is_released_when_no_site_comes_back(
    hass: HomeAssistant,
    mqtt_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    trigger_input = mqtt_site.runtime_data.subsystems["emergency"].mqtt
    assert await hass.config_entries.async_unload(mqtt_site.entry_id)
    _send(hass, "cord-1", event="pull_cord", id="c-10")
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert not trigger_input.subscribed
    assert hass.data[DATA_INPUTS] == {}
    assert "1 emergency messages" in caplog.text


async def test_alarms_are_published_to_the_care_topic(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, site_entry: MockConfigEntry
) -> None:
    """QoS 1 to the care service's topic; the broker's acceptance empties the outbox."""
    site_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        site_entry, options={**site_entry.options, "care_mqtt_topic": "pflegedienst/alarme"}
    )
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    hass.config_entries.async_update_subentry(
        site_entry,
        next(iter(site_entry.subentries.values())),
        data={**next(iter(site_entry.subentries.values())).data, "cancel_window": 0},
    )
    await hass.async_block_till_done()
    _send(hass, "cord-1", event="pull_cord", id="c-1")
    await hass.async_block_till_done(wait_background_tasks=True)
    calls = [
        call
        for call in mqtt_mock.async_publish.call_args_list
        if call.args[0] == "pflegedienst/alarme"
    ]
    assert len(calls) == 1
    _topic, payload, qos, retain = calls[0].args
    assert (qos, retain) == (1, False)
    assert json.loads(payload)["dispatch"] == "first"
    assert site_entry.runtime_data.subsystems["emergency"].delivery.entries == []
    assert hass.states.get(STATE).state == "active"  # published is not a receipt
    for entry in hass.config_entries.async_entries():
        await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


_CALL_IDS = itertools.count()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    hostile=st.lists(
        st.tuples(
            st.sampled_from(["btn-1", "cord-1", "x" * 70, "a/b", "ünïcode", "+", ""]),
            st.one_of(
                st.binary(max_size=200),
                st.builds(
                    lambda d: json.dumps(d).encode(),
                    st.dictionaries(
                        st.sampled_from(["event", "id", "ts", "battery"]),
                        st.one_of(st.none(), st.integers(), st.text(max_size=10)),
                        max_size=4,
                    ).filter(lambda d: d.get("event") != "cancel"),  # a real cancel may cancel
                ),
            ),
        ),
        max_size=15,
    ),
    position=st.integers(min_value=0, max_value=15),
)
async def test_hostile_traffic_never_loses_the_valid_call(
    hass: HomeAssistant,
    mqtt_site: MockConfigEntry,
    hostile: list[tuple[str, bytes]],
    position: int,
) -> None:
    """Garbage on the emergency topics around one real call: exactly that call is an alarm."""
    subsystem = mqtt_site.runtime_data.subsystems["emergency"]
    call_id = f"valid-{next(_CALL_IDS)}"  # never reused: a reused id is (rightly) a duplicate
    messages = [
        (
            TOPIC.format(device)
            if "/" not in device and "+" not in device
            else f"smart_quarter/jena_lobeda/emergency/{device}/event",
            payload,
        )
        for device, payload in hostile
    ]
    valid = (TOPIC.format("cord-1"), json.dumps({"event": "pull_cord", "id": call_id}).encode())
    messages.insert(min(position, len(messages)), valid)
    for topic, payload in messages:
        async_fire_mqtt_message(hass, topic, payload, qos=1)
    await hass.async_block_till_done()
    calls = [
        alarm
        for alarm in subsystem.book.open_alarms
        if any(trigger.message_id == call_id for trigger in alarm.triggers)
    ]
    assert len(calls) == 1
    # Back to no alarm for the next example (hostile payloads may have raised or joined too).
    for alarm in list(subsystem.book.open_alarms):
        await subsystem.async_close_alarm(alarm.alarm_id, "test", "reset")
