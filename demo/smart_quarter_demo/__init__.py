"""Demo only (not shipped): a simulated Bluetooth proxy with the telemedicine room's devices.

The proxy registers with Home Assistant's bluetooth integration exactly as an ESPHome
Bluetooth proxy does; its devices answer GATT with frames built from the Bluetooth SIG
specifications (simulators/ble_health.py). Smart Quarter discovers, connects, reads and
parses them through the same code path as real devices. The action
`smart_quarter_demo.measure_now` lets one device (or all) take a measurement and advertise it.
"""

from __future__ import annotations

from pathlib import Path
import sys

from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util
import probatio

DOMAIN = "smart_quarter_demo"
# The repository (this folder is linked into the demo's config): the simulators live there.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from simulators.ble_health import SimulatedBluetoothProxy, SimulatedDevice  # noqa: E402

DEVICES = (
    SimulatedDevice("A4:C1:38:DE:00:01", "BM54 Blutdruck", "blood_pressure", model="BM54"),
    SimulatedDevice("A4:C1:38:DE:00:02", "GL50 Glucose", "glucose", model="GL50"),
    SimulatedDevice("A4:C1:38:DE:00:03", "FT95 Thermometer", "thermometer", model="FT95"),
    SimulatedDevice("A4:C1:38:DE:00:04", "PO60 Oximeter", "pulse_oximeter", model="PO60"),
    SimulatedDevice("A4:C1:38:DE:00:05", "BF720 Waage", "weight_scale", model="BF720"),
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the proxy, let every device advertise once, offer "measure now"."""
    proxy = SimulatedBluetoothProxy("demo-proxy", "Simulierter Bluetooth-Proxy")
    bluetooth.async_register_scanner(hass, proxy, connection_slots=3)
    proxy.async_setup()
    for device in DEVICES:
        proxy.add(device)
        device.measure(dt_util.now().replace(tzinfo=None, microsecond=0))
        proxy.advertise(device)

    async def measure_now(call: ServiceCall) -> None:
        kind = call.data.get("kind")
        for device in DEVICES:
            if kind in (None, device.kind):
                device.measure(dt_util.now().replace(tzinfo=None, microsecond=0))
                proxy.advertise(device)

    hass.services.async_register(
        DOMAIN,
        "measure_now",
        measure_now,
        schema=probatio.Schema(
            {probatio.Optional("kind"): probatio.In([device.kind for device in DEVICES])}
        ),
    )
    return True
