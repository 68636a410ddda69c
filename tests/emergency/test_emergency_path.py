"""The emergency path: saying loudly when device calls cannot reach Home Assistant."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.mqtt.const import MQTT_CONNECTION_STATE
from homeassistant.components.persistent_notification import _async_get_or_create_notifications
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_quarter.const import DOMAIN

PATH = "binary_sensor.jena_lobeda_emergency_path"


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The mqtt integration unsubscribes after a cool-down on the loop's own clock."""
    return True


async def test_no_mqtt_is_a_critical_problem(
    hass: HomeAssistant, loaded_site: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    state = hass.states.get(PATH)
    assert state.state == "on"
    assert state.attributes["reason"] == "no_mqtt"
    issue = issue_registry.async_get_issue(DOMAIN, f"emergency_path_{loaded_site.entry_id}")
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.CRITICAL
    assert issue.translation_key == "emergency_path_no_mqtt"


async def test_broker_loss_and_recovery(
    hass: HomeAssistant,
    mqtt_site: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    issue_id = f"emergency_path_{mqtt_site.entry_id}"
    assert hass.states.get(PATH).state == "off"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    async_dispatcher_send(hass, MQTT_CONNECTION_STATE, False)
    await hass.async_block_till_done()
    assert hass.states.get(PATH).attributes["reason"] == "broker_lost"
    assert issue_registry.async_get_issue(DOMAIN, issue_id).translation_key == (
        "emergency_path_broker_lost"
    )
    assert "cannot reach Home Assistant (broker_lost)" in caplog.text
    notices = _async_get_or_create_notifications(hass)
    assert notices[f"{DOMAIN}_{issue_id}"]["title"] == "Emergency path degraded: Jena-Lobeda"

    async_dispatcher_send(hass, MQTT_CONNECTION_STATE, True)
    await hass.async_block_till_done()
    assert hass.states.get(PATH).state == "off"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert "reach Home Assistant again" in caplog.text
    assert f"{DOMAIN}_{issue_id}" not in _async_get_or_create_notifications(hass)


async def test_mqtt_that_never_comes_is_reported_after_the_grace(
    hass: HomeAssistant, site_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """An MQTT entry that exists but never loads is reported after two minutes."""
    MockConfigEntry(domain="mqtt", data={"broker": "127.0.0.1"}).add_to_hass(hass)
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    assert hass.states.get(PATH).state == "off"
    for _ in range(3):
        freezer.tick(timedelta(seconds=61))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert hass.states.get(PATH).attributes["reason"] == "no_mqtt"
