"""Consultations end to end: Bluetooth reading -> session -> FHIR server, live view, privacy."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from homeassistant.auth.models import User
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.telemedicine.const import (
    EVENT_SESSION_ENDED,
    EVENT_VITALS_MEASURED,
)
from custom_components.smart_quarter.telemedicine.options import CONF_FHIR_TOKEN, CONF_FHIR_URL
from simulators import ble_health as sim
from simulators.ble_health import SimulatedBluetoothProxy, SimulatedDevice

from ..common import ROOM_SUBENTRY_ID, collect
from .ble import BP_ADDRESS, OXI_ADDRESS, entity_id, simulated, site_with_devices, start_proxy
from .fhir_server import TOKEN, FhirServer, run_fhir_server
from .test_bluetooth import _measure

REFERENCE = "T-2026-0117"


@pytest.fixture(autouse=True)
def quick_timing() -> Generator[None]:
    """Short silences (the device is done when it stops sending)."""
    with (
        patch("custom_components.smart_quarter.telemedicine.gatt_reader.IDLE_SECONDS", 0.05),
        patch("custom_components.smart_quarter.telemedicine.vitals_device.HEARD_AFTER_VISIT", 0.0),
    ):
        yield


@pytest.fixture
async def proxy(
    hass: HomeAssistant, mock_bluetooth: None
) -> AsyncGenerator[SimulatedBluetoothProxy]:
    """The simulated Bluetooth proxy."""
    async for started in start_proxy(hass):
        yield started


@pytest.fixture
async def fhir(socket_enabled: None) -> AsyncGenerator[FhirServer]:
    """The doctor's FHIR server."""
    async for server in run_fhir_server():
        yield server


async def _site(hass: HomeAssistant, fhir: FhirServer | None, **room: Any) -> MockConfigEntry:
    options = {CONF_FHIR_URL: fhir.url, CONF_FHIR_TOKEN: TOKEN} if fhir else {}
    entry = site_with_devices((BP_ADDRESS, OXI_ADDRESS), options, room)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _room_device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, ROOM_SUBENTRY_ID), entry.entry_id
    )
    assert device is not None
    return device.id


def _bp(device: SimulatedDevice, systolic: int = 182, diastolic: int = 104) -> None:
    # The device clock (set by the integration) says "a minute ago", in whole seconds.
    at = (dt_util.now() - timedelta(minutes=1)).replace(tzinfo=None, microsecond=0)
    device.queue(
        sim.BP_MEASUREMENT, sim.blood_pressure_frame(systolic, diastolic, 130, pulse=88, at=at)
    )


async def test_consultation_sends_readings_to_the_doctor_and_clears_them(
    hass: HomeAssistant,
    proxy: SimulatedBluetoothProxy,
    fhir: FhirServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """Start, measure, stop: FHIR panel under the pseudonym, summary, values gone."""
    bp = proxy.add(simulated(BP_ADDRESS))
    entry = await _site(hass, fhir)
    room = _room_device(hass, entry)
    measured: list[Event] = []
    ended: list[Event] = []
    hass.bus.async_listen(EVENT_VITALS_MEASURED, collect(measured))
    hass.bus.async_listen(EVENT_SESSION_ENDED, collect(ended))

    started = await hass.services.async_call(
        DOMAIN,
        "start_session",
        {"device_id": room, "reference": REFERENCE},
        blocking=True,
        return_response=True,
    )
    assert started is not None
    assert started["reference"] == REFERENCE
    session = hass.states.get("sensor.tmr_lobeda_consultation")
    assert session is not None
    assert session.state == "running"
    assert session.attributes["reference"] == REFERENCE

    _bp(bp)
    await _measure(hass, proxy, bp)
    await hass.async_block_till_done(wait_background_tasks=True)

    # The doctor's server got the panel and the pulse, valid R4, under the pseudonym only.
    codes = [obs["code"]["coding"][0]["code"] for obs in fhir.observations]
    assert codes == ["85354-9", "8867-4"]
    panel = fhir.observations[0]
    assert panel["subject"]["identifier"]["value"] == REFERENCE
    assert [c["valueQuantity"]["value"] for c in panel["component"]][:2] == [182, 104]
    assert measured[-1].data["in_session"] is True
    assert "reference" not in measured[-1].data  # events are recorded: no identifiers
    assert hass.states.get("sensor.jena_lobeda_observations_waiting_for_the_doctor").state == "0"

    summary = await hass.services.async_call(
        DOMAIN, "stop_session", {"device_id": room}, blocking=True, return_response=True
    )
    assert summary is not None
    assert summary["reference"] == REFERENCE
    assert summary["measurements"]["blood_pressure"]["count"] == 1
    assert summary["measurements"]["blood_pressure"]["last"]["systolic"] == 182
    assert "reference" not in ended[-1].data
    assert ended[-1].data["measurements"]["blood_pressure"]["count"] == 1
    # Privacy: the next patient does not see these values.
    assert (
        hass.states.get(entity_id(entity_registry, "sensor", BP_ADDRESS, "systolic")).state
        == STATE_UNKNOWN
    )
    assert hass.states.get("sensor.tmr_lobeda_consultation").state == "idle"


async def test_readings_outside_a_consultation_belong_to_nobody(
    hass: HomeAssistant,
    proxy: SimulatedBluetoothProxy,
    fhir: FhirServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """Shown on the device, never sent; the event says so."""
    bp = proxy.add(simulated(BP_ADDRESS))
    await _site(hass, fhir)
    measured: list[Event] = []
    hass.bus.async_listen(EVENT_VITALS_MEASURED, collect(measured))
    _bp(bp, 128, 82)
    await _measure(hass, proxy, bp)
    assert measured[-1].data["in_session"] is False
    assert fhir.requests == 0
    assert (
        hass.states.get(entity_id(entity_registry, "sensor", BP_ADDRESS, "systolic")).state
        == "128.0"
    )


async def test_values_stay_when_the_room_keeps_them(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, entity_registry: er.EntityRegistry
) -> None:
    """A room set not to clear keeps the values after the consultation."""
    bp = proxy.add(simulated(BP_ADDRESS))
    entry = await _site(hass, None, clear_after_session=False)
    room = _room_device(hass, entry)
    await hass.services.async_call(DOMAIN, "start_session", {"device_id": room}, blocking=True)
    reference = hass.states.get("sensor.tmr_lobeda_consultation").attributes["reference"]
    assert reference.startswith("walk-in-")  # a generated pseudonym for a walk-in
    _bp(bp, 131, 85)
    await _measure(hass, proxy, bp)
    await hass.services.async_call(DOMAIN, "stop_session", {"device_id": room}, blocking=True)
    assert (
        hass.states.get(entity_id(entity_registry, "sensor", BP_ADDRESS, "systolic")).state
        == "131.0"
    )


async def test_refused_session_changes(hass: HomeAssistant, proxy: SimulatedBluetoothProxy) -> None:
    """A name as reference, a second start, a stop without a session, a closed room."""
    entry = await _site(hass, None)
    room = _room_device(hass, entry)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "start_session",
            {"device_id": room, "reference": "Erika Mustermann"},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_reference"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "stop_session", {"device_id": room}, blocking=True)
    assert err.value.translation_key == "no_session"
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.tmr_lobeda_start_consultation"}, blocking=True
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "start_session", {"device_id": room}, blocking=True)
    assert err.value.translation_key == "session_running"
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.tmr_lobeda_end_consultation"}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "set_room_out_of_service", {"device_id": room}, blocking=True
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "start_session", {"device_id": room}, blocking=True)
    assert err.value.translation_key == "room_out_of_service"


async def test_session_survives_a_restart(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy
) -> None:
    """A running consultation is stored; after a reload it still runs under its reference."""
    entry = await _site(hass, None)
    room = _room_device(hass, entry)
    await hass.services.async_call(
        DOMAIN, "start_session", {"device_id": room, "reference": REFERENCE}, blocking=True
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get("sensor.tmr_lobeda_consultation")
    assert state.state == "running"
    assert state.attributes["reference"] == REFERENCE


async def test_outbox_keeps_observations_until_the_server_takes_them(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, fhir: FhirServer
) -> None:
    """503 twice, a restart in between: delivered once, nothing lost, nothing twice."""
    oxi = proxy.add(simulated(OXI_ADDRESS))
    entry = await _site(hass, fhir)
    room = _room_device(hass, entry)
    await hass.services.async_call(
        DOMAIN, "start_session", {"device_id": room, "reference": REFERENCE}, blocking=True
    )
    fhir.statuses = [503, 503]
    oxi.queue(sim.PLX_SPOT_CHECK, sim.spot_check_frame(89, 101))  # no time: reception time
    await _measure(hass, proxy, oxi)
    await hass.async_block_till_done(wait_background_tasks=True)
    backlog = "sensor.jena_lobeda_observations_waiting_for_the_doctor"
    assert hass.states.get(backlog).state == "2"  # SpO2 and pulse
    assert hass.states.get(backlog).attributes["last_error"] == "HTTP 503"

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    # The reload tried at once (second 503); the retry after the back-off delivers.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(backlog).state == "0"
    assert [obs["code"]["coding"][0]["code"] for obs in fhir.observations] == ["59408-5", "8867-4"]
    assert fhir.observations[0]["valueQuantity"]["value"] == 89


@pytest.mark.parametrize("status", [401, 422])
async def test_outbox_rejected_token_and_refused_resource(
    hass: HomeAssistant,
    proxy: SimulatedBluetoothProxy,
    fhir: FhirServer,
    issue_registry: ir.IssueRegistry,
    status: int,
) -> None:
    """401 keeps the observations and raises a repair issue; 422 drops and counts them."""
    oxi = proxy.add(simulated(OXI_ADDRESS))
    entry = await _site(hass, fhir)
    room = _room_device(hass, entry)
    await hass.services.async_call(
        DOMAIN, "start_session", {"device_id": room, "reference": REFERENCE}, blocking=True
    )
    fhir.statuses = [status] * 5
    oxi.queue(sim.PLX_SPOT_CHECK, sim.spot_check_frame(95, 70))
    await _measure(hass, proxy, oxi)
    await hass.async_block_till_done(wait_background_tasks=True)
    backlog = hass.states.get("sensor.jena_lobeda_observations_waiting_for_the_doctor").state
    refused = hass.states.get(
        "sensor.jena_lobeda_observations_refused_by_the_doctor_s_server"
    ).state
    issue = issue_registry.async_get_issue(DOMAIN, f"fhir_auth_{entry.entry_id}")
    if status == 401:
        assert (backlog, refused) == ("2", "0")
        assert issue is not None
        assert issue.translation_key == "fhir_auth_failed"
    else:
        assert (backlog, refused) == ("0", "2")
        assert issue is None


async def test_outbox_with_server_unreachable(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, socket_enabled: None
) -> None:
    """Nobody listens: the observations wait, with the reason."""
    from ..common import free_port

    oxi = proxy.add(simulated(OXI_ADDRESS))
    entry = site_with_devices(
        (OXI_ADDRESS,),
        {CONF_FHIR_URL: f"http://127.0.0.1:{free_port()}/r4", CONF_FHIR_TOKEN: TOKEN},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "start_session",
        {"device_id": _room_device(hass, entry), "reference": REFERENCE},
        blocking=True,
    )
    oxi.queue(sim.PLX_SPOT_CHECK, sim.spot_check_frame(96, 66))
    await _measure(hass, proxy, oxi)
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get("sensor.jena_lobeda_observations_waiting_for_the_doctor")
    assert state.state == "2"
    assert state.attributes["last_error"].startswith("ClientConnectorError")


async def test_live_view_for_staff_only(
    hass: HomeAssistant,
    proxy: SimulatedBluetoothProxy,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: User,
    hass_read_only_access_token: str,
) -> None:
    """Staff get the snapshot and each reading with the session's reference; others nothing."""
    bp = proxy.add(simulated(BP_ADDRESS))
    entry = await _site(hass, None)
    room = _room_device(hass, entry)
    await hass.services.async_call(
        DOMAIN, "start_session", {"device_id": room, "reference": REFERENCE}, blocking=True
    )

    guest = await hass_ws_client(hass, hass_read_only_access_token)
    await guest.send_json_auto_id({"type": "smart_quarter/telemedicine/live", "device_id": room})
    refused = await guest.receive_json()
    assert refused["success"] is False
    assert refused["error"]["code"] == "unauthorized"

    client = await hass_ws_client(hass)  # the admin
    await client.send_json_auto_id({"type": "smart_quarter/telemedicine/live", "device_id": room})
    assert (await client.receive_json())["success"] is True
    snapshot = (await client.receive_json())["event"]
    assert snapshot["type"] == "snapshot"
    assert snapshot["session"]["reference"] == REFERENCE
    assert {device["name"] for device in snapshot["devices"]} == {"Blutdruck", "Pulsoximeter"}

    _bp(bp, 176, 99)
    await _measure(hass, proxy, bp)
    reading = (await client.receive_json())["event"]
    assert reading["type"] == "reading"
    assert reading["values"]["systolic"] == 176
    assert reading["reference"] == REFERENCE

    await client.send_json_auto_id({"type": "smart_quarter/telemedicine/live", "device_id": "nope"})
    assert (await client.receive_json())["error"]["code"] == "not_found"
