"""The audit trail: alarm event entity, logbook entries, last alarm and delivery latency."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.audit import describe_transition
from custom_components.smart_quarter.logbook import async_describe_events

from .conftest import STATE, CareService, apartment_device_id, call_and_wait

EVENT = "event.gesundheitswohnung_1_alarm_event"
LAST = "sensor.jena_lobeda_last_alarm"
LATENCY = "sensor.jena_lobeda_delivery_latency"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Alarm übernommen durch user:1 über mobile_app (Notiz: ok)"),
        ("de-CH", "Alarm übernommen durch user:1 über mobile_app (Notiz: ok)"),
        ("en", "alarm taken by user:1 via mobile_app (note: ok)"),
        ("fr", "alarm taken by user:1 via mobile_app (note: ok)"),
    ],
)
def test_sentences(language: str, expected: str) -> None:
    assert describe_transition(language, "acknowledged", "user:1", "mobile_app", "ok") == expected
    assert describe_transition(language, "strange", None, None, None) == "strange"


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_every_step_is_an_event_and_a_bus_event(
    hass: HomeAssistant,
    loaded_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: User,
) -> None:
    """Pre-alarm, active, taken, resolved: one event entity state and one bus event each."""
    changes = async_capture_events(hass, "smart_quarter_alarm_changed")
    event_states: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            event_states.append(event.data["new_state"].attributes.get("event_type"))
            if event.data["entity_id"] == EVENT
            else None
        ),
    )
    assert hass.states.get(LAST).state == "unknown"
    device_id = apartment_device_id(hass, loaded_site)
    await hass.services.async_call(DOMAIN, "trigger_alarm", {"device_id": device_id}, blocking=True)
    await _tick(hass, freezer, 30)
    await hass.services.async_call(
        DOMAIN,
        "acknowledge_alarm",
        {"device_id": device_id},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.services.async_call(
        DOMAIN, "resolve_alarm", {"device_id": device_id, "note": "Sturz"}, blocking=True
    )
    await hass.async_block_till_done()
    steps = ["pre_alarm", "active", "acknowledged", "resolved"]
    assert [event.data["state"] for event in changes] == steps
    assert event_states == steps
    taken = changes[2]
    assert taken.data["actor"] == f"user:{hass_admin_user.id}"
    assert taken.context.user_id == hass_admin_user.id
    assert taken.data["entity_id"] == STATE
    assert changes[3].data["note"] == "Sturz"
    assert hass.states.get(EVENT).attributes["note"] == "Sturz"
    last = hass.states.get(LAST)
    assert last.state != "unknown"
    assert last.attributes["state"] == "resolved"


async def test_restart_does_not_repeat_old_steps(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    changes = async_capture_events(hass, "smart_quarter_alarm_changed")
    device_id = apartment_device_id(hass, loaded_site)
    await hass.services.async_call(DOMAIN, "trigger_alarm", {"device_id": device_id}, blocking=True)
    await hass.async_block_till_done()
    assert len(changes) == 1
    assert await hass.config_entries.async_reload(loaded_site.entry_id)
    await hass.async_block_till_done()
    assert len(changes) == 1
    await _tick(hass, freezer, 30)
    assert [event.data["state"] for event in changes] == ["pre_alarm", "active"]


async def test_logbook_tells_the_story(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Each step becomes a sentence in the system language, on the apartment's alarm sensor.

    Our logbook platform is called as the logbook calls it (the logbook integration itself
    needs the recorder and the frontend package, which the tests do not install).
    """
    hass.config.language = "de"
    described: dict[tuple[str, str], object] = {}
    async_describe_events(
        hass, lambda domain, event_type, fn: described.__setitem__((domain, event_type), fn)
    )
    describe = described[(DOMAIN, "smart_quarter_alarm_changed")]
    changes = async_capture_events(hass, "smart_quarter_alarm_changed")
    device_id = apartment_device_id(hass, loaded_site)
    await hass.services.async_call(DOMAIN, "trigger_alarm", {"device_id": device_id}, blocking=True)
    await _tick(hass, freezer, 30)
    entries = [describe(event) for event in changes]  # type: ignore[operator]
    assert [entry["message"] for entry in entries] == [
        "Voralarm (kann noch abgebrochen werden) durch automation (Notiz: manual)",
        "Alarm aktiv (Notiz: cancel window over)",
    ]
    assert {entry["name"] for entry in entries} == {"Jena-Lobeda: Gesundheitswohnung 1"}
    assert {entry["entity_id"] for entry in entries} == {STATE}


async def test_delivery_latency_from_the_care_service(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Active -> confirmed by the webhook: the site's latency sensor shows the seconds."""
    assert hass.states.get(LATENCY).state == "unknown"
    await call_and_wait(hass, webhook_site, freezer)
    assert hass.states.get(STATE).state == "delivered"
    latency = float(hass.states.get(LATENCY).state)
    assert 0 <= latency < 5
    assert hass.states.get(LATENCY).attributes["unit_of_measurement"] == "s"
