"""An apartment removed while its alarm is open: the alarm goes on, a repair closes it."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smart_quarter.const import DOMAIN

from ..common import site_entry as make_site_entry
from .conftest import APARTMENT_ID, apartment_device_id, apartment_subentry


async def _site_with_alarm_then_removed(hass: HomeAssistant) -> tuple[MockConfigEntry, str]:
    entry = make_site_entry(
        with_room=False,
        subentries=[
            apartment_subentry(cancel_window=0),
            apartment_subentry("01JAPARTMENT00000000000002", "Wohnung 2", ("btn-2",)),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN, "trigger_alarm", {"device_id": apartment_device_id(hass, entry)}, blocking=True
    )
    [alarm] = entry.runtime_data.subsystems["emergency"].book.open_alarms
    assert hass.config_entries.async_remove_subentry(entry, APARTMENT_ID)
    await hass.async_block_till_done()
    return entry, alarm.alarm_id


async def test_removed_apartment_keeps_its_alarm_and_raises_a_repair(
    hass: HomeAssistant,
) -> None:
    entry, alarm_id = await _site_with_alarm_then_removed(hass)
    subsystem = entry.runtime_data.subsystems["emergency"]
    assert [alarm.alarm_id for alarm in subsystem.book.open_alarms] == [alarm_id]
    assert hass.states.get("sensor.jena_lobeda_open_alarms").state == "1"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"orphan_alarm_{entry.entry_id}_{alarm_id}")
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.CRITICAL
    assert issue.translation_placeholders == {
        "apartment": "Gesundheitswohnung 1",
        "site": "Jena-Lobeda",
    }


async def test_the_repair_closes_it_with_a_note(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    entry, alarm_id = await _site_with_alarm_then_removed(hass)
    issue_id = f"orphan_alarm_{entry.entry_id}_{alarm_id}"
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == 200
    flow = await response.json()
    assert flow["step_id"] == "close"
    response = await client.post(
        f"/api/repairs/issues/fix/{flow['flow_id']}", json={"note": "Vor Ort versorgt"}
    )
    assert response.status == 200
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()
    subsystem = entry.runtime_data.subsystems["emergency"]
    assert subsystem.book.open_alarms == []
    closed = next(alarm for alarm in subsystem.book if alarm.alarm_id == alarm_id)
    assert closed.history[-1].note == "Vor Ort versorgt"
    assert closed.history[-1].actor == "repair"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("sensor.jena_lobeda_open_alarms").state == "0"


async def test_the_repair_of_an_unloaded_site_aborts(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    entry, alarm_id = await _site_with_alarm_then_removed(hass)
    await hass.config_entries.async_unload(entry.entry_id)
    issue_id = f"orphan_alarm_{entry.entry_id}_{alarm_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.CRITICAL,
        translation_key="orphan_alarm",
        translation_placeholders={"apartment": "x", "site": "y"},
        data={"entry_id": entry.entry_id, "alarm_id": alarm_id},
    )
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    flow = await response.json()
    assert flow["type"] == "abort"
    assert flow["reason"] == "site_not_loaded"


async def test_closing_works_from_every_open_state(hass: HomeAssistant) -> None:
    """Pre-alarm: cancelled; taken: resolved; unknown or closed ids: nothing happens."""
    entry = make_site_entry(with_room=False, subentries=[apartment_subentry(cancel_window=30)])
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    subsystem = entry.runtime_data.subsystems["emergency"]
    device_id = apartment_device_id(hass, entry)
    await hass.services.async_call(DOMAIN, "trigger_alarm", {"device_id": device_id}, blocking=True)
    [alarm] = subsystem.book.open_alarms
    await subsystem.async_close_alarm(alarm.alarm_id, "repair", "Fehlalarm")
    assert alarm.state.value == "cancelled"
    await subsystem.async_close_alarm(alarm.alarm_id, "repair", "again")
    assert len(alarm.history) == 2
    await hass.services.async_call(DOMAIN, "trigger_alarm", {"device_id": device_id}, blocking=True)
    await hass.services.async_call(DOMAIN, "trigger_alarm", {"device_id": device_id}, blocking=True)
    [second] = subsystem.book.open_alarms
    await hass.services.async_call(
        DOMAIN, "acknowledge_alarm", {"device_id": device_id}, blocking=True
    )
    await subsystem.async_close_alarm(second.alarm_id, "repair", "erledigt")
    assert (second.state.value, second.history[-1].note) == ("resolved", "erledigt")
