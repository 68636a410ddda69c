"""Entity descriptions of the gateway's devices (lights, meters, contacts, presence so far)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import Platform, UnitOfEnergy, UnitOfPower
from homeassistant.helpers.entity import EntityDescription

from ..binary_sensor import SmartQuarterBinarySensorEntityDescription
from ..light import SmartQuarterLightEntityDescription
from ..sensor import SmartQuarterSensorEntityDescription
from .gateway_protocol import DeviceInfo, DeviceType

if TYPE_CHECKING:
    from .subsystem import GatewayDevice


async def _set_light(device: GatewayDevice, on: bool, brightness: float | None) -> None:
    if on and brightness is not None and device.info.dimmable:
        await device.async_command(on=True, brightness=brightness)
    else:
        await device.async_command(on=on)


LIGHT: tuple[SmartQuarterLightEntityDescription, ...] = (
    SmartQuarterLightEntityDescription(
        key="light",
        name=None,  # the device's name ("Gesundheitswohnung 1 Wohnzimmer Licht")
        is_on_fn=lambda device: device.value("on"),
        brightness_fn=lambda device: device.value("brightness") if device.info.dimmable else None,
        dimmable_fn=lambda device: device.info.dimmable,
        set_fn=_set_light,
    ),
)

METER: tuple[SmartQuarterSensorEntityDescription, ...] = (
    SmartQuarterSensorEntityDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda device: device.value("power"),
    ),
    # Energy dashboard: a total that only grows (the meter's reading).
    SmartQuarterSensorEntityDescription(
        key="energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda device: device.value("energy"),
    ),
)


def _contact(kind: BinarySensorDeviceClass, key: str) -> SmartQuarterBinarySensorEntityDescription:
    return SmartQuarterBinarySensorEntityDescription(
        key=key, name=None, device_class=kind, is_on_fn=lambda device: device.value(key)
    )


BINARY_SENSORS: dict[DeviceType, tuple[SmartQuarterBinarySensorEntityDescription, ...]] = {
    DeviceType.DOOR: (_contact(BinarySensorDeviceClass.DOOR, "open"),),
    DeviceType.WINDOW: (_contact(BinarySensorDeviceClass.WINDOW, "open"),),
    DeviceType.PRESENCE: (_contact(BinarySensorDeviceClass.OCCUPANCY, "occupied"),),
}


def descriptions(platform: Platform, info: DeviceInfo) -> Sequence[EntityDescription]:
    """Return the entities of a gateway device of a type, for one platform."""
    match platform, info.type:
        case Platform.LIGHT, DeviceType.LIGHT:
            return LIGHT
        case Platform.SENSOR, DeviceType.METER:
            return METER
        case Platform.BINARY_SENSOR, _:
            return BINARY_SENSORS.get(info.type, ())
    return ()
