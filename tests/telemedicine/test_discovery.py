"""Bluetooth discovery puts a vitals device into a room; reconfiguring the room takes it out."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_BLUETOOTH
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import DOMAIN
from simulators.ble_health import SimulatedBluetoothProxy

from ..common import ROOM_SUBENTRY_ID, site_entry
from .ble import BP_ADDRESS, GLUCOSE_ADDRESS, simulated, site_with_devices, start_proxy


@pytest.fixture(autouse=True)
def quick_timing() -> Generator[None]:
    """Short silences (the device is done when it stops sending)."""
    with patch("custom_components.smart_quarter.telemedicine.gatt_reader.IDLE_SECONDS", 0.05):
        yield


@pytest.fixture
async def proxy(
    hass: HomeAssistant, mock_bluetooth: None
) -> AsyncGenerator[SimulatedBluetoothProxy]:
    """The simulated Bluetooth proxy."""
    async for started in start_proxy(hass):
        yield started


def _discovery_flows(hass: HomeAssistant) -> list[dict]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_BLUETOOTH
    ]


async def test_discovered_device_is_added_to_the_chosen_room(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, device_registry: dr.DeviceRegistry
) -> None:
    """The advertisement starts a flow; choosing the room adds the device and its entities."""
    entry = site_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    device = proxy.add(simulated(GLUCOSE_ADDRESS))
    proxy.advertise(device)
    await hass.async_block_till_done()
    flows = _discovery_flows(hass)
    assert len(flows) == 1
    assert flows[0]["step_id"] == "bluetooth_confirm"
    assert flows[0]["context"]["title_placeholders"] == {"name": "Blutzucker"}

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {"room": f"{entry.entry_id}/{ROOM_SUBENTRY_ID}", "name": " Accu-Chek "}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "device_added"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.subentries[ROOM_SUBENTRY_ID].data["devices"] == {
        GLUCOSE_ADDRESS: {"kind": "glucose", "name": "Accu-Chek"}
    }
    registered = device_registry.async_get_device_by_identifier(
        (DOMAIN, GLUCOSE_ADDRESS), entry.entry_id
    )
    assert registered is not None
    assert registered.name == "Accu-Chek"
    assert registered.config_subentry_id == ROOM_SUBENTRY_ID
    assert hass.states.get("sensor.accu_chek_glucose") is not None

    # Heard again later: it belongs to a room now, no new offer.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=_service_info(hass, GLUCOSE_ADDRESS)
    )
    assert result["reason"] == "already_in_room"


def _service_info(hass: HomeAssistant, address: str):
    from homeassistant.components import bluetooth

    info = bluetooth.async_last_service_info(hass, address, connectable=True)
    assert info is not None
    return info


async def test_discovery_without_a_room_says_what_to_do(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy
) -> None:
    """A site without rooms: the offer waits, explains, and continues once a room exists."""
    entry = site_entry(with_room=False)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    device = proxy.add(simulated(BP_ADDRESS))
    proxy.advertise(device)
    await hass.async_block_till_done()
    [flow] = _discovery_flows(hass)
    assert flow["step_id"] == "bluetooth_wait_room"  # the offer waits for a room
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["errors"] == {"base": "no_room"}
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "telemedicine_room"), context={"source": "user"}
    )
    await hass.config_entries.subentries.async_configure(result["flow_id"], {"name": "TMR Neu"})
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["step_id"] == "bluetooth_confirm"


async def test_device_without_a_health_profile_is_not_offered(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy
) -> None:
    """Only the SIG health services are devices of ours."""
    device = proxy.add(simulated(BP_ADDRESS))
    proxy.advertise(device)
    await hass.async_block_till_done()
    info = _service_info(hass, BP_ADDRESS)
    info.service_uuids.clear()
    info.service_uuids.append("0000180d-0000-1000-8000-00805f9b34fb")  # heart rate
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=info
    )
    assert result["reason"] == "not_supported"


async def test_reconfiguring_the_room_takes_a_device_out(
    hass: HomeAssistant, proxy: SimulatedBluetoothProxy, device_registry: dr.DeviceRegistry
) -> None:
    """Unselecting a device removes it from the room and from the device registry."""
    entry: MockConfigEntry = site_with_devices((BP_ADDRESS, GLUCOSE_ADDRESS))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert device_registry.async_get_device_by_identifier((DOMAIN, BP_ADDRESS), entry.entry_id)

    result = await entry.start_subentry_reconfigure_flow(hass, ROOM_SUBENTRY_ID)
    assert "keep_devices" in {str(field) for field in result["data_schema"].schema}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "TMR Lobeda", "keep_devices": [GLUCOSE_ADDRESS]}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert set(entry.subentries[ROOM_SUBENTRY_ID].data["devices"]) == {GLUCOSE_ADDRESS}
    assert (
        device_registry.async_get_device_by_identifier((DOMAIN, BP_ADDRESS), entry.entry_id) is None
    )
    assert device_registry.async_get_device_by_identifier((DOMAIN, GLUCOSE_ADDRESS), entry.entry_id)
