"""Alarms in Home Assistant: buttons, actions, timers, escalation, restarts, permissions."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.components.persistent_notification import _async_get_or_create_notifications
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.const import EVENT_ALARM

from ..common import site_entry as make_site_entry
from .conftest import (
    APARTMENT_ID,
    apartment_device_id,
    apartment_subentry,
    escalation_step,
    site_with_apartments,
)

STATE = "sensor.gesundheitswohnung_1_alarm"
CALL = "button.gesundheitswohnung_1_call_for_help"
CANCEL = "button.gesundheitswohnung_1_cancel_alarm"
OPEN_ALARMS = "sensor.jena_lobeda_open_alarms"
STORE_KEY = "smart_quarter.{}.emergency"


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call("button", "press", {"entity_id": entity_id}, blocking=True)


async def _action(
    hass: HomeAssistant, service: str, user: User | None = None, **data: object
) -> None:
    await hass.services.async_call(
        DOMAIN, service, data, blocking=True, context=Context(user_id=user.id if user else None)
    )


async def test_entities_start_idle(hass: HomeAssistant, loaded_site: MockConfigEntry) -> None:
    assert hass.states.get(STATE).state == "idle"
    assert hass.states.get(OPEN_ALARMS).state == "0"
    assert hass.states.get(CALL) is not None
    assert hass.states.get(CANCEL) is not None


async def test_button_pre_alarm_then_active_and_notified(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The guest's button starts a pre-alarm; after the cancel window the care side is called."""
    events = async_capture_events(hass, EVENT_ALARM)
    await _press(hass, CALL)
    assert hass.states.get(STATE).state == "pre_alarm"
    assert hass.states.get(OPEN_ALARMS).state == "1"
    assert events == []  # nobody is called during the cancel window

    await _tick(hass, freezer, 30)
    assert hass.states.get(STATE).state == "active"
    assert [e.data["dispatch"] for e in events] == ["first"]
    assert events[0].data["apartment"] == "Gesundheitswohnung 1"
    stored = _async_get_or_create_notifications(hass)
    alarm_id = hass.states.get(STATE).attributes["alarm_id"]
    assert f"{DOMAIN}_alarm_{alarm_id}" in stored
    assert "Gesundheitswohnung 1" in stored[f"{DOMAIN}_alarm_{alarm_id}"]["title"]


async def test_cancel_during_pre_alarm(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, EVENT_ALARM)
    await _press(hass, CALL)
    await _press(hass, CANCEL)
    assert hass.states.get(STATE).state == "idle"
    await _tick(hass, freezer, 120)
    assert events == []


async def test_cancel_after_the_window_is_refused(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await _press(hass, CALL)
    await _tick(hass, freezer, 31)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "cancel_alarm", device_id=apartment_device_id(hass, loaded_site))
    assert err.value.translation_key == "alarm_not_cancellable"
    assert hass.states.get(STATE).state == "active"


async def test_repeats_every_60_s_then_undeliverable_until_taken(
    hass: HomeAssistant,
    loaded_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: User,
) -> None:
    events = async_capture_events(hass, EVENT_ALARM)
    device_id = apartment_device_id(hass, loaded_site)
    await _action(hass, "trigger_alarm", device_id=device_id)
    await _tick(hass, freezer, 30)  # cancel window
    for _ in range(5):
        await _tick(hass, freezer, 60)
    assert [e.data["dispatch"] for e in events] == [
        "first",
        "repeat",
        "repeat",
        "repeat",
        "repeat",
        "undeliverable",
    ]
    assert hass.states.get(STATE).state == "undeliverable"

    await _action(hass, "acknowledge_alarm", hass_admin_user, device_id=device_id)
    state = hass.states.get(STATE)
    assert state.state == "acknowledged"
    assert state.attributes["acknowledged_by"] == f"user:{hass_admin_user.id}"
    await _tick(hass, freezer, 600)
    assert len(events) == 6  # nothing more after it was taken

    await _action(hass, "resolve_alarm", hass_admin_user, device_id=device_id, note="Aufgeholfen")
    assert hass.states.get(STATE).state == "idle"
    assert hass.states.get(OPEN_ALARMS).state == "0"


async def test_a_guest_cannot_take_or_resolve(
    hass: HomeAssistant, loaded_site: MockConfigEntry, hass_read_only_user: User
) -> None:
    device_id = apartment_device_id(hass, loaded_site)
    await _action(hass, "trigger_alarm", hass_read_only_user, device_id=device_id)
    for service in ("acknowledge_alarm", "resolve_alarm"):
        with pytest.raises(Unauthorized):
            await _action(hass, service, hass_read_only_user, device_id=device_id)
    assert hass.states.get(STATE).state == "pre_alarm"


async def test_stored_before_anyone_is_called(
    hass: HomeAssistant, loaded_site: MockConfigEntry, hass_storage: dict
) -> None:
    """Write-through: when the first dispatch happens, the alarm is already in storage."""
    seen_in_storage: list[bool] = []

    def _on_alarm(event: Event) -> None:
        stored = hass_storage[STORE_KEY.format(loaded_site.entry_id)]["data"]["alarms"]
        seen_in_storage.append(any(a["alarm_id"] == event.data["alarm_id"] for a in stored))

    hass.bus.async_listen(EVENT_ALARM, _on_alarm)
    # No cancel window for this apartment: it is called at once.
    hass.config_entries.async_update_subentry(
        loaded_site,
        loaded_site.subentries[APARTMENT_ID],
        data={**loaded_site.subentries[APARTMENT_ID].data, "cancel_window": 0},
    )
    await hass.async_block_till_done()
    await _action(hass, "trigger_alarm", device_id=apartment_device_id(hass, loaded_site))
    await hass.async_block_till_done()
    assert seen_in_storage == [True]


async def test_restart_mid_escalation_resumes_without_double_sending(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, EVENT_ALARM)
    await _press(hass, CALL)
    await _tick(hass, freezer, 30)
    await _tick(hass, freezer, 20)
    assert len(events) == 1

    assert await hass.config_entries.async_reload(loaded_site.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "active"
    assert len(events) == 1  # not sent again just because it restarted
    await _tick(hass, freezer, 40)  # 60 s after the first dispatch
    assert [e.data["dispatch"] for e in events] == ["first", "repeat"]


async def test_pre_alarm_that_expired_while_down_is_called_at_start(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, EVENT_ALARM)
    await _press(hass, CALL)
    assert await hass.config_entries.async_unload(loaded_site.entry_id)
    freezer.tick(timedelta(minutes=2))
    assert await hass.config_entries.async_setup(loaded_site.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "active"
    assert [e.data["dispatch"] for e in events] == ["first"]


async def test_fifty_apartments_at_once(hass: HomeAssistant) -> None:
    """50 calls at the same moment: 50 alarms, each called."""
    entry = site_with_apartments(50)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_ALARM)
    await asyncio.gather(
        *(
            _action(
                hass, "trigger_alarm", device_id=apartment_device_id(hass, entry, f"01JAPT{n:020d}")
            )
            for n in range(50)
        )
    )
    await hass.async_block_till_done()
    assert hass.states.get("sensor.jena_lobeda_open_alarms").state == "50"
    assert len({e.data["apartment_id"] for e in events}) == 50


async def test_actions_on_the_wrong_device(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "trigger_alarm", device_id="nope")
    assert err.value.translation_key == "not_an_apartment"
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "acknowledge_alarm", device_id=apartment_device_id(hass, loaded_site))
    assert err.value.translation_key == "no_open_alarm"


async def test_refused_changes_are_translated(
    hass: HomeAssistant, loaded_site: MockConfigEntry, hass_admin_user: User
) -> None:
    device_id = apartment_device_id(hass, loaded_site)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "cancel_alarm", device_id=device_id)
    assert err.value.translation_key == "alarm_no_open_alarm"

    await _action(hass, "trigger_alarm", device_id=device_id)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "resolve_alarm", hass_admin_user, device_id=device_id)
    assert err.value.translation_key == "alarm_not_acknowledged"
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "acknowledge_alarm", hass_admin_user, device_id=device_id)
    assert err.value.translation_key == "alarm_not_acknowledgeable"  # still a pre-alarm


async def test_second_acknowledgement_names_the_problem(
    hass: HomeAssistant,
    loaded_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: User,
) -> None:
    device_id = apartment_device_id(hass, loaded_site)
    await _action(hass, "trigger_alarm", device_id=device_id)
    await _tick(hass, freezer, 30)
    await _action(hass, "acknowledge_alarm", hass_admin_user, device_id=device_id)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "acknowledge_alarm", device_id=device_id)
    assert err.value.translation_key == "alarm_already_acknowledged"


async def test_a_room_is_not_an_apartment(hass: HomeAssistant, hass_storage: dict) -> None:
    """The room device of a site is ours, but it cannot call for help."""
    entry = make_site_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    from ..conftest import ROOM_SUBENTRY_ID

    with pytest.raises(ServiceValidationError) as err:
        await _action(
            hass, "trigger_alarm", device_id=apartment_device_id(hass, entry, ROOM_SUBENTRY_ID)
        )
    assert err.value.translation_key == "not_an_apartment"


async def test_device_duplicates_are_counted_not_raised(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """A QoS 1 duplicate from a device joins nothing and shows in diagnostics."""
    from homeassistant.util import dt as dt_util

    from custom_components.smart_quarter.emergency.lifecycle import Trigger

    subsystem = loaded_site.runtime_data.subsystems["emergency"]
    apartment = subsystem.apartments[APARTMENT_ID]
    trigger = Trigger("device:btn-1", "button", dt_util.utcnow(), "m-1")
    first = await subsystem.async_call_for_help(apartment, trigger)
    again = await subsystem.async_call_for_help(apartment, trigger)
    assert (first.outcome, again.outcome) == ("raised", "duplicate")
    assert len(apartment.alarm.triggers) == 1
    assert subsystem.diagnostics()["duplicates_ignored"] == 1


async def test_care_staff_buttons(
    hass: HomeAssistant,
    loaded_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: User,
    hass_read_only_user: User,
) -> None:
    """The care dashboard's buttons: the guest cannot take, staff takes and resolves."""
    take = "button.gesundheitswohnung_1_take_alarm"
    resolve = "button.gesundheitswohnung_1_resolve_alarm"
    await _press(hass, CALL)
    await _tick(hass, freezer, 30)

    async def press_as(user: User, entity_id: str) -> None:
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": entity_id},
            blocking=True,
            context=Context(user_id=user.id),
        )

    with pytest.raises(Unauthorized):
        await press_as(hass_read_only_user, take)
    await press_as(hass_admin_user, take)
    assert hass.states.get(STATE).state == "acknowledged"
    await press_as(hass_admin_user, resolve)
    assert hass.states.get(STATE).state == "idle"
    with pytest.raises(ServiceValidationError) as err:
        await press_as(hass_admin_user, resolve)
    assert err.value.translation_key == "no_open_alarm"
    with pytest.raises(ServiceValidationError) as err:
        await _press(hass, CANCEL)
    assert err.value.translation_key == "alarm_no_open_alarm"


async def _normal_user(hass: HomeAssistant) -> User:
    """A non-admin user who may use services (unlike the read-only user).

    Needs an owner to exist already: the first user of a Home Assistant is its owner.
    """
    user = await hass.auth.async_create_user("Gast", group_ids=["system-users"])
    assert not user.is_admin
    return user


async def test_a_normal_user_cannot_take_or_resolve(
    hass: HomeAssistant,
    hass_owner_user: User,
    loaded_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Our own check refuses them (HA's read-only policy is not what stops them)."""
    guest = await _normal_user(hass)
    device_id = apartment_device_id(hass, loaded_site)
    await _action(hass, "trigger_alarm", guest, device_id=device_id)
    await _tick(hass, freezer, 30)
    for service in ("acknowledge_alarm", "resolve_alarm"):
        with pytest.raises(Unauthorized):
            await _action(hass, service, guest, device_id=device_id)
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.gesundheitswohnung_1_take_alarm"},
            blocking=True,
            context=Context(user_id=guest.id),
        )
    assert hass.states.get(STATE).state == "active"


async def test_named_staff_may_take_and_resolve(
    hass: HomeAssistant,
    hass_owner_user: User,
    loaded_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A non-admin named as staff in the site options acts as care staff; deactivated: not."""
    nurse = await _normal_user(hass)
    hass.config_entries.async_update_entry(
        loaded_site, options={**loaded_site.options, "staff_users": [nurse.id]}
    )
    await hass.async_block_till_done()
    device_id = apartment_device_id(hass, loaded_site)
    await _action(hass, "trigger_alarm", device_id=device_id)
    await _tick(hass, freezer, 30)
    await hass.auth.async_deactivate_user(nurse)
    with pytest.raises(Unauthorized):
        await _action(hass, "acknowledge_alarm", nurse, device_id=device_id)
    await hass.auth.async_activate_user(nurse)
    await _action(hass, "acknowledge_alarm", nurse, device_id=device_id)
    assert hass.states.get(STATE).attributes["acknowledged_by"] == f"user:{nurse.id}"
    await _action(hass, "resolve_alarm", nurse, device_id=device_id, note="ok")
    assert hass.states.get(STATE).state == "idle"


async def test_calling_again_after_it_was_taken_calls_again(
    hass: HomeAssistant,
    loaded_site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: User,
) -> None:
    """A taken alarm must not swallow a new call: receivers are called again."""
    events = async_capture_events(hass, EVENT_ALARM)
    device_id = apartment_device_id(hass, loaded_site)
    await _action(hass, "trigger_alarm", device_id=device_id)
    await _tick(hass, freezer, 30)
    await _action(hass, "acknowledge_alarm", hass_admin_user, device_id=device_id)
    await _tick(hass, freezer, 3600)
    await _press(hass, CALL)
    assert hass.states.get(STATE).state == "active"
    assert [e.data["dispatch"] for e in events] == ["first", "first"]
    await _tick(hass, freezer, 60)
    assert [e.data["dispatch"] for e in events] == ["first", "first", "repeat"]


async def test_a_failed_write_does_not_stop_the_alarm(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """Disk full: the alarm is still sent, and the failure is shown."""
    from unittest.mock import patch

    events = async_capture_events(hass, EVENT_ALARM)
    hass.config_entries.async_update_subentry(
        loaded_site,
        loaded_site.subentries[APARTMENT_ID],
        data={**loaded_site.subentries[APARTMENT_ID].data, "cancel_window": 0},
    )
    await hass.async_block_till_done()
    with patch("homeassistant.helpers.storage.Store.async_save", side_effect=OSError("disk full")):
        await _action(hass, "trigger_alarm", device_id=apartment_device_id(hass, loaded_site))
    assert [e.data["dispatch"] for e in events] == ["first"]
    assert hass.states.get(STATE).state == "active"
    notifications = _async_get_or_create_notifications(hass)
    assert f"{DOMAIN}_storage_failed_{loaded_site.entry_id}" in notifications


async def test_notifications_speak_the_system_language(
    hass: HomeAssistant, site_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    hass.config.language = "de"
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    await _action(hass, "trigger_alarm", device_id=apartment_device_id(hass, site_entry))
    await _tick(hass, freezer, 30)
    titles = [n["title"] for n in _async_get_or_create_notifications(hass).values()]
    assert "NOTRUF: Gesundheitswohnung 1" in titles


async def test_care_phone_gets_the_alarm_and_takes_it(
    hass: HomeAssistant,
    site_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: User,
    hass_owner_user: User,
) -> None:
    """A notify target gets every dispatch with 'Übernehmen'; staff can take it, guests not."""
    calls = async_mock_service(hass, "notify", "pflege_handy")
    site_entry = make_site_entry(
        with_room=False,
        subentries=[apartment_subentry(), escalation_step(1, ["notify.pflege_handy"])],
    )
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    device_id = apartment_device_id(hass, site_entry)
    await _action(hass, "trigger_alarm", device_id=device_id)
    await _tick(hass, freezer, 30)
    assert len(calls) == 1
    data = calls[0].data
    assert data["title"] == "EMERGENCY: Gesundheitswohnung 1"
    [take] = data["data"]["actions"]
    [alarm] = site_entry.runtime_data.subsystems["emergency"].book.open_alarms
    assert take["action"] == f"SMART_QUARTER_TAKE_{device_id}_{alarm.alarm_id}"
    # A notification of an older alarm cannot take this one.
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"SMART_QUARTER_TAKE_{device_id}_01OLDALARM"},
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "active"

    guest = await _normal_user(hass)
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": take["action"]},
        context=Context(user_id=guest.id),
    )
    await hass.async_block_till_done()
    assert hass.states.get(STATE).state == "active"

    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": take["action"]},
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(STATE).state == "acknowledged"
    # The phone's notification is taken back.
    assert calls[1].data == {
        "message": "clear_notification",
        "data": {"tag": f"smart_quarter_{alarm.alarm_id}"},
    }
    await _tick(hass, freezer, 120)
    assert len(calls) == 2  # taken: no more repeats
