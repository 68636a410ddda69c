"""Home Assistant's Bluetooth with a simulated proxy and simulated health devices."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from typing import Any

from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.ble_health import SimulatedBluetoothProxy, SimulatedDevice

from ..common import ROOM_SUBENTRY_ID, SITE_NAME, room_subentry, site_entry

BP_ADDRESS = "A4:C1:38:00:00:01"
GLUCOSE_ADDRESS = "A4:C1:38:00:00:02"
THERMO_ADDRESS = "A4:C1:38:00:00:03"
OXI_ADDRESS = "A4:C1:38:00:00:04"
SCALE_ADDRESS = "A4:C1:38:00:00:05"
DEVICES = {
    BP_ADDRESS: ("blood_pressure", "Blutdruck"),
    GLUCOSE_ADDRESS: ("glucose", "Blutzucker"),
    THERMO_ADDRESS: ("thermometer", "Thermometer"),
    OXI_ADDRESS: ("pulse_oximeter", "Pulsoximeter"),
    SCALE_ADDRESS: ("weight_scale", "Waage"),
}


def site_with_devices(
    addresses: tuple[str, ...] = tuple(DEVICES),
    options: dict[str, Any] | None = None,
    room: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """The site with room 'TMR Lobeda' holding the given devices (more options, room data)."""
    entry = site_entry(with_room=False)
    subentry = room_subentry(
        ROOM_SUBENTRY_ID,
        "TMR Lobeda",
        devices={
            address: {"kind": DEVICES[address][0], "name": DEVICES[address][1]}
            for address in addresses
        },
    )
    return MockConfigEntry(
        domain=entry.domain,
        title=SITE_NAME,
        unique_id=entry.unique_id,
        data=dict(entry.data),
        options={**entry.options, **(options or {})},
        subentries_data=[{**subentry, "data": {**subentry["data"], **(room or {})}}],
    )


def simulated(address: str) -> SimulatedDevice:
    """A simulated device of the kind DEVICES names."""
    kind, name = DEVICES[address]
    return SimulatedDevice(address, name, kind)


async def start_proxy(hass: HomeAssistant) -> AsyncGenerator[SimulatedBluetoothProxy]:
    """Set up Bluetooth and register the simulated proxy like an ESPHome proxy registers."""
    assert await async_setup_component(hass, "bluetooth", {})
    await hass.async_block_till_done()
    proxy = SimulatedBluetoothProxy()
    unregister = bluetooth.async_register_scanner(hass, proxy, connection_slots=3)
    unsetup = proxy.async_setup()
    yield proxy
    unsetup()
    unregister()


def entity_id(registry: er.EntityRegistry, platform: str, address: str, key: str) -> str:
    """The entity id of a vitals device's entity, found by its unique id."""
    found = registry.async_get_entity_id(platform, "smart_quarter", f"{address}-{key}")
    assert found is not None, f"{platform} {address}-{key}"
    return found


type Now = Callable[[], datetime]
