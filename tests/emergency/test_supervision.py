"""Supervision of trigger devices: pure rules, then entities and repair issues over 24 h."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.persistent_notification import _async_get_or_create_notifications
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_fire_time_changed,
)

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.supervision import DeviceSupervision

T0 = datetime(2026, 11, 23, tzinfo=UTC)
H = timedelta(hours=1)
SILENT = "binary_sensor.gesundheitswohnung_1_trigger_btn_1_not_heard"
TOPIC = "smart_quarter/jena_lobeda/emergency/{}/event"


def test_a_new_device_gets_a_full_interval() -> None:
    device = DeviceSupervision("btn-1", 24 * H, watched_since=T0)
    assert not device.is_silent(T0 + 23 * H)
    assert device.is_silent(T0 + 24 * H)


def test_any_message_is_a_sign_of_life_and_battery_rules() -> None:
    device = DeviceSupervision("btn-1", 24 * H, watched_since=T0)
    device.heard(T0 + 20 * H, None, battery_low=True)
    assert not device.is_silent(T0 + 43 * H)
    assert device.is_silent(T0 + 44 * H)
    assert device.battery_low
    device.heard(T0 + 21 * H, 15, battery_low=False)
    assert device.battery_low  # still low
    device.heard(T0 + 22 * H, 95, battery_low=False)
    assert not device.battery_low  # battery changed
    assert device.battery == 95


def test_round_trip_and_broken_data() -> None:
    device = DeviceSupervision("btn-1", 24 * H, T0, T0 + H, 80, True)
    restored = DeviceSupervision.from_dict("btn-1", 24 * H, device.as_dict(), T0 + 5 * H)
    assert restored == device
    fresh = DeviceSupervision.from_dict("btn-1", 24 * H, {"watched_since": "?"}, T0 + 5 * H)
    assert fresh == DeviceSupervision("btn-1", 24 * H, T0 + 5 * H)
    odd = DeviceSupervision.from_dict(
        "btn-1", 24 * H, {"watched_since": T0.isoformat(), "battery": True}, T0
    )
    assert odd.battery is None


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The mqtt integration unsubscribes after a cool-down on the loop's own clock."""
    return True


async def _hours(hass: HomeAssistant, freezer: FrozenDateTimeFactory, hours: float) -> None:
    freezer.tick(timedelta(hours=hours))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_silent_device_is_a_problem_and_a_repair_issue(
    hass: HomeAssistant,
    mqtt_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue_id = f"trigger_silent_{mqtt_site.entry_id}_btn-1"
    assert hass.states.get(SILENT).state == "off"
    await _hours(hass, freezer, 23)
    async_fire_mqtt_message(
        hass, TOPIC.format("cord-1"), json.dumps({"event": "heartbeat", "id": "h1"})
    )
    await _hours(hass, freezer, 1.05)
    assert hass.states.get(SILENT).state == "on"
    assert (
        hass.states.get("binary_sensor.gesundheitswohnung_1_trigger_cord_1_not_heard").state
        == "off"
    )
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders["apartment"] == "Gesundheitswohnung 1"
    # The technicians get a notification too, which goes when the device is heard again.
    notice = _async_get_or_create_notifications(hass)[f"{DOMAIN}_{issue_id}"]
    assert notice["title"] == "Trigger device btn-1 not heard"
    assert "more than 24 hours" in notice["message"]

    async_fire_mqtt_message(
        hass, TOPIC.format("btn-1"), json.dumps({"event": "heartbeat", "id": "h2"})
    )
    await hass.async_block_till_done()
    assert hass.states.get(SILENT).state == "off"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_last_seen_survives_a_restart(
    hass: HomeAssistant, mqtt_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A device silent for 20 h before a restart is flagged 4 h after it, not 24 h."""
    async_fire_mqtt_message(
        hass, TOPIC.format("btn-1"), json.dumps({"event": "heartbeat", "id": "h1"})
    )
    await hass.async_block_till_done()
    await _hours(hass, freezer, 20)
    assert await hass.config_entries.async_reload(mqtt_site.entry_id)
    await hass.async_block_till_done()
    await _hours(hass, freezer, 4.05)
    assert hass.states.get(SILENT).state == "on"


async def test_removing_the_site_removes_its_issues(
    hass: HomeAssistant,
    mqtt_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    await _hours(hass, freezer, 25)
    assert issue_registry.async_get_issue(DOMAIN, f"trigger_silent_{mqtt_site.entry_id}_btn-1")
    assert await hass.config_entries.async_remove(mqtt_site.entry_id)
    await hass.async_block_till_done()
    assert not [i for i in issue_registry.issues if i[0] == DOMAIN]


async def test_a_heartbeat_before_a_reload_never_overwrites_a_later_alarm(
    hass: HomeAssistant,
    mqtt_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict,
) -> None:
    """The unloaded instance's delayed heartbeat write must not replace newer records."""
    async_fire_mqtt_message(
        hass, TOPIC.format("btn-1"), json.dumps({"event": "heartbeat", "id": "h1"})
    )
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(mqtt_site.entry_id)
    await hass.async_block_till_done()
    async_fire_mqtt_message(
        hass, TOPIC.format("btn-1"), json.dumps({"event": "button", "id": "b1"})
    )
    await hass.async_block_till_done()
    await _hours(hass, freezer, 0.02)  # past the 30 s delay of the old heartbeat write
    stored = hass_storage[f"{DOMAIN}.{mqtt_site.entry_id}.emergency"]["data"]
    assert len(stored["alarms"]) == 1


async def test_a_removed_device_takes_its_issue_along(
    hass: HomeAssistant,
    mqtt_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    await _hours(hass, freezer, 25)
    issue_id = f"trigger_silent_{mqtt_site.entry_id}_btn-1"
    assert issue_registry.async_get_issue(DOMAIN, issue_id)
    apartment = next(iter(mqtt_site.subentries.values()))
    hass.config_entries.async_update_subentry(
        mqtt_site, apartment, data={**apartment.data, "trigger_devices": ["cord-1"]}
    )
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert issue_registry.async_get_issue(DOMAIN, f"trigger_silent_{mqtt_site.entry_id}_cord-1")


async def test_low_battery_is_an_issue_and_a_notice_until_replaced(
    hass: HomeAssistant, mqtt_site: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    battery = "binary_sensor.gesundheitswohnung_1_trigger_cord_1_battery"
    issue_id = f"trigger_battery_{mqtt_site.entry_id}_cord-1"
    async_fire_mqtt_message(
        hass, TOPIC.format("cord-1"), json.dumps({"event": "battery_low", "id": "b1"})
    )
    await hass.async_block_till_done()
    assert hass.states.get(battery).state == "on"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    notices = _async_get_or_create_notifications(hass)
    assert notices[f"{DOMAIN}_{issue_id}"]["title"] == "Low battery: cord-1"

    async_fire_mqtt_message(
        hass, TOPIC.format("cord-1"), json.dumps({"event": "heartbeat", "id": "h9", "battery": 100})
    )
    await hass.async_block_till_done()
    assert hass.states.get(battery).state == "off"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert f"{DOMAIN}_{issue_id}" not in _async_get_or_create_notifications(hass)
