"""Escalation steps configured in the UI: the flow, the migration from 1.1, and the steps at work.

The SIA DC-09 receiver of the alarm-receiving centre is pysiaalarm on loopback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from pysiaalarm.aio import SIAAccount as ReceiverAccount, SIAClient, SIAEvent
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.const import SUBENTRY_TYPE_ESCALATION_STEP
from custom_components.smart_quarter.emergency.subsystem import EmergencySubsystem

from ..common import free_port, site_entry as make_site_entry
from .conftest import apartment_device_id, apartment_subentry, escalation_step

STATE = "sensor.gesundheitswohnung_1_alarm"
KEY = "AAAAAAAAAAAAAAAA"


async def _start_step_flow(hass: HomeAssistant, entry: MockConfigEntry) -> dict:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_ESCALATION_STEP), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return result


async def test_add_a_step(hass: HomeAssistant, loaded_site: MockConfigEntry) -> None:
    """Every check of the form; a step is settings only: no device."""
    async_mock_service(hass, "notify", "nachtdienst")
    result = await _start_step_flow(hass, loaded_site)
    schema = result["data_schema"].schema
    targets = next(key for key in schema if key == "targets")
    assert "notify.nachtdienst" in schema[targets].config["options"]
    base = {CONF_NAME: "Nachtdienst", "position": 1, "ack_timeout": 3}
    for targets_input, error in (
        ([" ", ""], {"targets": "no_targets"}),
        (["webhook"], {"targets": "receiver_not_configured"}),
        (["sia"], {"targets": "receiver_not_configured"}),
        (["notify.niemand"], {"targets": "unknown_notify_target"}),
        (["light.flur"], {"targets": "unknown_notify_target"}),
    ):
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**base, "targets": targets_input}
        )
        assert result["errors"] == error, targets_input
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            **base,
            "targets": ["notify.nachtdienst", "persistent_notification", "notify.nachtdienst"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_NAME: "Nachtdienst",
        "position": 1,
        "targets": ["notify.nachtdienst", "persistent_notification"],
        "ack_timeout": 3,
    }
    await hass.async_block_till_done()
    step_id = next(
        subentry_id
        for subentry_id, subentry in loaded_site.subentries.items()
        if subentry.subentry_type == SUBENTRY_TYPE_ESCALATION_STEP
    )
    registry = dr.async_get(hass)
    assert registry.async_get_device_by_identifier((DOMAIN, step_id), loaded_site.entry_id) is None

    # The next step is proposed at the next position; a used position is refused.
    result = await _start_step_flow(hass, loaded_site)
    position = next(key for key in result["data_schema"].schema if key == "position")
    assert position.default() == 2
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Leitung", "position": 1, "targets": ["persistent_notification"]},
    )
    assert result["errors"] == {"position": "position_in_use"}

    # Reconfiguring the step itself may keep its position.
    result = await loaded_site.start_subentry_reconfigure_flow(hass, step_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Nachtdienst", "position": 1, "targets": ["persistent_notification"]},
    )
    assert result["type"] is FlowResultType.ABORT
    assert loaded_site.subentries[step_id].data["targets"] == ["persistent_notification"]


async def test_migration_from_1_1_makes_the_step(hass: HomeAssistant) -> None:
    """Notify targets and minutes of 1.1 become step 1 with the same receivers."""
    async_mock_service(hass, "notify", "pflege_handy")
    entry = make_site_entry(with_room=False, subentries=[apartment_subentry()])
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data=dict(entry.data),
        options={
            **entry.options,
            "care_notify_targets": ["notify.pflege_handy"],
            "escalation_minutes": 3,
            "care_mqtt_topic": "pflege/alarme",
        },
        subentries_data=[apartment_subentry()],
        minor_version=1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.minor_version == 2
    assert "care_notify_targets" not in entry.options
    assert "escalation_minutes" not in entry.options
    [step] = [s for s in entry.subentries.values() if s.subentry_type == "escalation_step"]
    assert dict(step.data) == {
        CONF_NAME: "Pflegedienst",
        "position": 1,
        "targets": ["persistent_notification", "notify.pflege_handy", "mqtt"],
        "ack_timeout": 3,
    }


async def test_migration_without_old_settings_adds_nothing(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Jena-Lobeda",
        data=dict(make_site_entry().data),
        options={**make_site_entry().options, "escalation_minutes": 5},
        minor_version=1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.minor_version == 2
    assert entry.options == make_site_entry().options
    assert not entry.subentries


async def test_a_site_from_a_newer_release_is_not_touched(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, title="Jena-Lobeda", version=2)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_steps_escalate_in_order(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Step 1 is repeated every 60 s; on its timeout step 2 joins; then undeliverable."""
    night = async_mock_service(hass, "notify", "nachtdienst")
    lead = async_mock_service(hass, "notify", "leitung")
    entry = make_site_entry(
        with_room=False,
        subentries=[
            apartment_subentry(cancel_window=0),
            # Given out of order: positions decide.
            escalation_step(2, ["notify.leitung"], minutes=2),
            escalation_step(1, ["notify.nachtdienst"], minutes=2),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN, "trigger_alarm", {"device_id": apartment_device_id(hass, entry)}, blocking=True
    )
    await hass.async_block_till_done()
    assert (len(night), len(lead)) == (1, 0)
    await _tick(hass, freezer, 60)
    assert (len(night), len(lead)) == (2, 0)  # repeated
    await _tick(hass, freezer, 60)
    assert (len(night), len(lead)) == (3, 1)  # step 2 joins, step 1 stays
    assert hass.states.get(STATE).state == "active"
    await _tick(hass, freezer, 60)
    await _tick(hass, freezer, 60)
    assert hass.states.get(STATE).state == "undeliverable"
    assert len(lead) >= 2


async def test_a_step_naming_a_removed_receiver_still_alarms(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The webhook was removed from the options: logged; the step falls back to HA's notice."""
    entry = make_site_entry(
        with_room=False,
        subentries=[apartment_subentry(cancel_window=0), escalation_step(1, ["webhook"])],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert "names a receiver that is not configured" in caplog.text
    await hass.services.async_call(
        DOMAIN, "trigger_alarm", {"device_id": apartment_device_id(hass, entry)}, blocking=True
    )
    await hass.async_block_till_done()
    notifications = hass.data["persistent_notification"]
    assert any(key.startswith(f"{DOMAIN}_alarm_") for key in notifications)


# --- the alarm-receiving centre (SIA DC-09) ---------------------------------------------


@pytest.fixture
async def arc(socket_enabled: None) -> AsyncIterator[tuple[int, list[SIAEvent]]]:
    """pysiaalarm as the alarm-receiving centre, account AB12 encrypted."""
    received: list[SIAEvent] = []

    async def on_event(event: SIAEvent) -> None:
        received.append(event)

    port = free_port()
    client = SIAClient(
        "127.0.0.1", port, [ReceiverAccount("AB12", KEY), ReceiverAccount("C0FE", KEY)], on_event
    )
    await client.async_start()
    try:
        yield port, received
    finally:
        await client.async_stop()


def _sia_site(port: int, apartment_account: str | None = None) -> MockConfigEntry:
    apartment = apartment_subentry(cancel_window=0)
    if apartment_account:
        apartment["data"] = {**apartment["data"], "sia_account": apartment_account}
    entry = make_site_entry(
        with_room=False, subentries=[apartment, escalation_step(1, ["sia"], minutes=5)]
    )
    return MockConfigEntry(
        domain=DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data=dict(entry.data),
        options={
            **entry.options,
            "sia_host": "127.0.0.1",
            "sia_port": port,
            "sia_account": "AB12",
            "sia_receiver": "1",
            "sia_line": "0",
            "sia_key": KEY,
        },
        subentries_data=[apartment, escalation_step(1, ["sia"], minutes=5)],
    )


async def test_alarm_reaches_the_receiving_centre_encrypted(
    hass: HomeAssistant, arc: tuple[int, list[SIAEvent]], hass_storage: dict
) -> None:
    """Medical alarm, our sequence number, the apartment's own account; ACK = delivered."""
    port, received = arc
    entry = _sia_site(port, apartment_account="C0FE")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN, "trigger_alarm", {"device_id": apartment_device_id(hass, entry)}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(received) == 1
    event = received[0]
    assert (event.account, event.code, event.sequence, event.encrypted) == (
        "C0FE",
        "MA",
        "0001",
        True,
    )
    assert "Gesundheitswohnung 1" in (event.message or "")
    assert hass.states.get(STATE).state == "delivered"
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}.emergency"]["data"]
    assert stored["outbox"] == []
    assert stored["sia_sequence"] == 1


async def test_receiving_centre_down_keeps_the_event(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict,
    socket_enabled: None,
) -> None:
    """Nobody listening: the event waits in the outbox with its sequence number, retried."""
    port = free_port()
    entry = _sia_site(port)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN, "trigger_alarm", {"device_id": apartment_device_id(hass, entry)}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}.emergency"]["data"]
    assert [(item["channel"], item["sequence"], item["attempts"]) for item in stored["outbox"]] == [
        ("sia", 1, 1)
    ]
    assert hass.states.get(STATE).state == "active"

    # The centre comes up: the retry (same sequence number) is taken.
    received: list[SIAEvent] = []

    async def on_event(event: SIAEvent) -> None:
        received.append(event)

    client = SIAClient("127.0.0.1", port, [ReceiverAccount("AB12", KEY)], on_event)
    await client.async_start()
    try:
        await _tick(hass, freezer, 6)
        # freezegun moves HA's clock, the receiver checks the timestamp against real time:
        # only the first retry is close enough to now; later ones are NAKed and retried.
        assert [event.sequence for event in received][:1] == ["0001"]
    finally:
        await client.async_stop()


async def test_messages_for_a_removed_receiver_are_dropped_loudly(
    hass: HomeAssistant, hass_storage: dict, caplog: pytest.LogCaptureFixture
) -> None:
    entry = make_site_entry(with_room=False, subentries=[apartment_subentry()])
    hass_storage[f"{DOMAIN}.{entry.entry_id}.emergency"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.emergency",
        "data": {
            "alarms": [],
            "outbox": [
                {
                    "message_id": "m1",
                    "alarm_id": "a1",
                    "body": "{}",
                    "created_at": "2026-11-23T03:00:00+00:00",
                    "channel": "sia",
                    "sequence": 4,
                }
            ],
        },
    }
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert "the sia receiver was removed" in caplog.text
    assert entry.runtime_data.subsystem(EmergencySubsystem).delivery.entries == []
