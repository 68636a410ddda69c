"""Entity descriptions of the gateway's devices, per device type."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.cover import CoverDeviceClass
from homeassistant.components.number import NumberMode
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import PERCENTAGE, Platform, UnitOfEnergy, UnitOfPower
from homeassistant.helpers.entity import EntityDescription

from ..binary_sensor import SmartQuarterBinarySensorEntityDescription
from ..climate import SmartQuarterClimateEntityDescription
from ..cover import SmartQuarterCoverEntityDescription
from ..light import SmartQuarterLightEntityDescription
from ..lock import SmartQuarterLockEntityDescription
from ..number import SmartQuarterNumberEntityDescription
from ..select import SmartQuarterSelectEntityDescription
from ..sensor import SmartQuarterSensorEntityDescription
from .gateway_protocol import DeviceInfo, DeviceType
from .stay import ApartmentMode

if TYPE_CHECKING:
    from .stays import ApartmentStay
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
    DeviceType.WHEELCHAIR: (
        SmartQuarterBinarySensorEntityDescription(
            key="rented",
            translation_key="wheelchair_rented",
            is_on_fn=lambda device: device.value("rented"),
        ),
    ),
}

WHEELCHAIR_SENSORS: tuple[SmartQuarterSensorEntityDescription, ...] = (
    SmartQuarterSensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda device: device.value("battery"),
    ),
)

CLIMATE: tuple[SmartQuarterClimateEntityDescription, ...] = (
    SmartQuarterClimateEntityDescription(
        key="climate",
        name=None,
        current_fn=lambda device: device.value("current"),
        target_fn=lambda device: device.value("target"),
        mode_fn=lambda device: device.value("mode"),
        set_fn=lambda device, values: device.async_command(**values),
    ),
)

BLIND: tuple[SmartQuarterCoverEntityDescription, ...] = (
    SmartQuarterCoverEntityDescription(
        key="blind",
        name=None,
        device_class=CoverDeviceClass.BLIND,
        position_fn=lambda device: device.value("position"),
        set_fn=lambda device, position: device.async_command(position=position),
    ),
)

LOCK: tuple[SmartQuarterLockEntityDescription, ...] = (
    SmartQuarterLockEntityDescription(
        key="lock",
        name=None,
        is_locked_fn=lambda device: device.value("locked"),
        set_fn=lambda device, locked: device.async_command(locked=locked),
    ),
)


def _position(key: str, high: float, unit: str) -> SmartQuarterNumberEntityDescription:
    return SmartQuarterNumberEntityDescription(
        key=key,
        translation_key=key,
        native_min_value=0,
        native_max_value=high,
        native_step=5,
        native_unit_of_measurement=unit,
        mode=NumberMode.SLIDER,
        value_fn=lambda device: device.value(key.split("_", 1)[1]),
        set_fn=lambda device, value: device.async_command(**{key.split("_", 1)[1]: value}),
    )


NUMBERS: dict[DeviceType, tuple[SmartQuarterNumberEntityDescription, ...]] = {
    DeviceType.BED: (
        _position("bed_height", 100, PERCENTAGE),
        _position("bed_head", 70, "°"),
        _position("bed_foot", 45, "°"),
    ),
    DeviceType.KITCHEN: (_position("kitchen_height", 100, PERCENTAGE),),
}


DESCRIPTIONS: dict[tuple[Platform, DeviceType], Sequence[EntityDescription]] = {
    (Platform.LIGHT, DeviceType.LIGHT): LIGHT,
    (Platform.SENSOR, DeviceType.METER): METER,
    (Platform.SENSOR, DeviceType.WHEELCHAIR): WHEELCHAIR_SENSORS,
    (Platform.CLIMATE, DeviceType.CLIMATE): CLIMATE,
    (Platform.COVER, DeviceType.BLIND): BLIND,
    (Platform.LOCK, DeviceType.LOCK): LOCK,
    **{(Platform.BINARY_SENSOR, kind): found for kind, found in BINARY_SENSORS.items()},
    **{(Platform.NUMBER, kind): found for kind, found in NUMBERS.items()},
}


def descriptions(platform: Platform, info: DeviceInfo) -> Sequence[EntityDescription]:
    """Return the entities of a gateway device of a type, for one platform."""
    return DESCRIPTIONS.get((platform, info.type), ())


def _select_mode(stay: ApartmentStay, option: str) -> Awaitable[None]:
    return stay.async_select(option)


STAY_SELECT: tuple[SmartQuarterSelectEntityDescription, ...] = (
    SmartQuarterSelectEntityDescription(
        key="mode",
        translation_key="apartment_mode",
        options=[mode.value for mode in ApartmentMode],
        current_fn=lambda stay: stay.mode,
        select_fn=_select_mode,
    ),
)

STAY_SENSORS: tuple[SmartQuarterSensorEntityDescription, ...] = (
    # For billing: the kWh of the current (or last) stay; it starts from 0 at check-in.
    SmartQuarterSensorEntityDescription(
        key="stay_energy",
        translation_key="stay_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=1,
        value_fn=lambda stay: stay.stay.stay_energy,
        last_reset_fn=lambda stay: stay.stay.stay_started,
    ),
)

STAYS: dict[Platform, Sequence[EntityDescription]] = {
    Platform.SELECT: STAY_SELECT,
    Platform.SENSOR: STAY_SENSORS,
}
