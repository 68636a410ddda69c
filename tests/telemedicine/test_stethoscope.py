"""The room's digital stethoscope: a device with a recording state that belongs to the session."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.telemedicine.const import CONF_STETHOSCOPE, EVENT_SESSION_ENDED

from ..common import ROOM_SUBENTRY_ID, collect, room_subentry, site_entry

SWITCH = "switch.stethoscope_recording"
STATE = "sensor.stethoscope_recording_status"
LAST = "sensor.stethoscope_last_recording"
STETHOSCOPE_ID = f"{ROOM_SUBENTRY_ID}-stethoscope"


@pytest.fixture
def site_entry_with_stethoscope() -> MockConfigEntry:
    """The site with a room that has a stethoscope."""
    room = room_subentry(ROOM_SUBENTRY_ID, "TMR Lobeda", **{CONF_STETHOSCOPE: True})
    return site_entry(with_room=False, subentries=[room])


@pytest.fixture
async def site(
    hass: HomeAssistant, site_entry_with_stethoscope: MockConfigEntry
) -> MockConfigEntry:
    """The site, set up."""
    site_entry_with_stethoscope.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry_with_stethoscope.entry_id)
    await hass.async_block_till_done()
    return site_entry_with_stethoscope


def _room_device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, ROOM_SUBENTRY_ID), entry.entry_id
    )
    assert device is not None
    return device.id


async def _switch(hass: HomeAssistant, on: bool) -> None:
    await hass.services.async_call(
        "switch", "turn_on" if on else "turn_off", {"entity_id": SWITCH}, blocking=True
    )


async def test_the_stethoscope_is_a_device_below_its_room(
    hass: HomeAssistant,
    site: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Its own translated device, via the room, with a switch and two sensors."""
    device = device_registry.async_get_device_by_identifier((DOMAIN, STETHOSCOPE_ID), site.entry_id)
    assert device is not None
    assert device.name == "Stethoscope"
    assert device.model == "Digital stethoscope"
    assert device.via_device_id == _room_device(hass, site)
    assert device.config_subentry_id == ROOM_SUBENTRY_ID
    for entity_id in (SWITCH, STATE, LAST):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.device_id == device.id
        assert entry.unique_id.startswith(f"{STETHOSCOPE_ID}-")
    assert hass.states.get(STATE).state == "no_session"
    assert hass.states.get(SWITCH).state == STATE_OFF


async def test_recording_needs_a_consultation(hass: HomeAssistant, site: MockConfigEntry) -> None:
    """Without a consultation the switch refuses, in the user's language, and stays off."""
    with pytest.raises(ServiceValidationError) as err:
        await _switch(hass, True)
    assert err.value.translation_key == "no_session_for_recording"
    assert hass.states.get(SWITCH).state == STATE_OFF
    # Ending a recording when none runs is no error (the switch is already off).
    await _switch(hass, False)


async def test_a_recording_belongs_to_the_consultation(
    hass: HomeAssistant,
    site: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Start, record 95 s, the summary counts it; the live view is told."""
    room = _room_device(hass, site)
    ended: list[Event] = []
    hass.bus.async_listen(EVENT_SESSION_ENDED, collect(ended))
    await hass.services.async_call(
        DOMAIN, "start_session", {"device_id": room, "reference": "T-0042"}, blocking=True
    )
    assert hass.states.get(STATE).state == "ready"
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "smart_quarter/telemedicine/live", "device_id": room})
    assert (await client.receive_json())["success"] is True
    snapshot = (await client.receive_json())["event"]
    assert snapshot["session"]["recording"] is False

    await _switch(hass, True)
    assert hass.states.get(SWITCH).state == STATE_ON
    status = hass.states.get(STATE)
    assert status.state == "recording"
    assert status.attributes["started_at"] is not None
    assert (await client.receive_json())["event"]["type"] == "recording_started"
    await _switch(hass, True)  # already recording: nothing changes, no error

    freezer.tick(timedelta(seconds=95))
    await _switch(hass, False)
    assert hass.states.get(SWITCH).state == STATE_OFF
    assert hass.states.get(LAST).state == "95"
    assert hass.states.get(STATE).attributes["recordings"] == 1
    stopped = (await client.receive_json())["event"]
    assert stopped == {"type": "recording_ended", "at": stopped["at"], "seconds": 95}

    # A second recording still runs when the consultation ends: it ends with it.
    await _switch(hass, True)
    freezer.tick(timedelta(seconds=30))
    summary = await hass.services.async_call(
        DOMAIN, "stop_session", {"device_id": room}, blocking=True, return_response=True
    )
    await hass.async_block_till_done()
    assert summary is not None
    assert summary["stethoscope"] == {"recordings": 2, "seconds": 125}
    assert ended[0].data["stethoscope"] == {"recordings": 2, "seconds": 125}
    assert "reference" not in ended[0].data
    assert hass.states.get(SWITCH).state == STATE_OFF
    assert hass.states.get(STATE).state == "no_session"
    assert hass.states.get(LAST).state == STATE_UNKNOWN


async def test_a_running_recording_survives_a_restart(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    """Home Assistant restarts during a recording: it still runs afterwards."""
    room = _room_device(hass, site)
    await hass.services.async_call(DOMAIN, "start_session", {"device_id": room}, blocking=True)
    await _switch(hass, True)
    started = hass.states.get(STATE).attributes["started_at"]

    assert await hass.config_entries.async_reload(site.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SWITCH).state == STATE_ON
    assert hass.states.get(STATE).attributes["started_at"] == started


async def test_the_technician_adds_and_removes_the_stethoscope(
    hass: HomeAssistant, loaded_site: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A room without one has none; reconfiguring adds it, and removing it leaves nothing."""
    assert hass.states.get(SWITCH) is None

    async def reconfigure(stethoscope: bool) -> None:
        result = await loaded_site.start_subentry_reconfigure_flow(hass, ROOM_SUBENTRY_ID)
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"name": "TMR Lobeda", CONF_STETHOSCOPE: stethoscope}
        )
        assert result["type"] is FlowResultType.ABORT
        await hass.async_block_till_done()

    await reconfigure(True)
    assert loaded_site.subentries[ROOM_SUBENTRY_ID].data[CONF_STETHOSCOPE] is True
    assert hass.states.get(SWITCH) is not None
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, STETHOSCOPE_ID), loaded_site.entry_id
        )
        is not None
    )

    await reconfigure(False)
    assert hass.states.get(SWITCH) is None
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, STETHOSCOPE_ID), loaded_site.entry_id
        )
        is None
    )


async def test_the_session_button_refusal_is_translated(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    """Pressing 'end consultation' with none running says why in the user's language."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "button", "press", {"entity_id": "button.tmr_lobeda_end_consultation"}, blocking=True
        )
    assert err.value.translation_key == "no_session"
