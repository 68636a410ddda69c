"""Entity descriptions of the telemedicine subsystem: vitals devices and the stethoscope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    Platform,
    UnitOfBloodGlucoseConcentration,
    UnitOfMass,
    UnitOfPressure,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.helpers.entity import EntityDescription

from ..binary_sensor import SmartQuarterBinarySensorEntityDescription
from ..button import SmartQuarterButtonEntityDescription
from ..event import Occurrence, SmartQuarterEventEntityDescription
from ..sensor import SmartQuarterSensorEntityDescription
from ..switch import SmartQuarterSwitchEntityDescription
from . import readings as r
from .vitals_device import DeviceStatus, VitalsDevice

if TYPE_CHECKING:
    from .subsystem import TelemedicineRoom

PULSE_UNIT = "bpm"


def _value(key: str, unit: str | None, **kwargs: object) -> SmartQuarterSensorEntityDescription:
    return SmartQuarterSensorEntityDescription(
        key=key,
        translation_key=key,
        native_unit_of_measurement=unit,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda device: device.latest.get(key),
        **kwargs,  # type: ignore[arg-type]
    )


VALUE_SENSORS: dict[str, tuple[SmartQuarterSensorEntityDescription, ...]] = {
    r.KIND_BLOOD_PRESSURE: (
        _value(r.SYSTOLIC, UnitOfPressure.MMHG, suggested_display_precision=0),
        _value(r.DIASTOLIC, UnitOfPressure.MMHG, suggested_display_precision=0),
        _value(r.MEAN_ARTERIAL, UnitOfPressure.MMHG, suggested_display_precision=0),
        _value(r.PULSE, PULSE_UNIT, suggested_display_precision=0),
    ),
    r.KIND_GLUCOSE: (
        _value(
            r.GLUCOSE_MG_DL,
            UnitOfBloodGlucoseConcentration.MILLIGRAMS_PER_DECILITER,
            device_class=SensorDeviceClass.BLOOD_GLUCOSE_CONCENTRATION,
            suggested_display_precision=0,
        ),
        _value(
            r.GLUCOSE_MMOL_L,
            UnitOfBloodGlucoseConcentration.MILLIMOLE_PER_LITER,
            device_class=SensorDeviceClass.BLOOD_GLUCOSE_CONCENTRATION,
            suggested_display_precision=1,
        ),
    ),
    r.KIND_THERMOMETER: (
        _value(
            r.TEMPERATURE,
            UnitOfTemperature.CELSIUS,
            device_class=SensorDeviceClass.TEMPERATURE,
            suggested_display_precision=1,
        ),
    ),
    r.KIND_PULSE_OXIMETER: (
        _value(r.SPO2, PERCENTAGE, suggested_display_precision=0),
        _value(r.PULSE, PULSE_UNIT, suggested_display_precision=0),
    ),
    r.KIND_WEIGHT_SCALE: (
        _value(
            r.WEIGHT,
            UnitOfMass.KILOGRAMS,
            device_class=SensorDeviceClass.WEIGHT,
            suggested_display_precision=1,
        ),
        _value(r.BMI, "kg/m²", suggested_display_precision=1),
    ),
}

DEVICE_SENSORS: tuple[SmartQuarterSensorEntityDescription, ...] = (
    SmartQuarterSensorEntityDescription(
        key="measured_at",
        translation_key="measured_at",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda device: device.measured_at,
    ),
    SmartQuarterSensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda device: device.battery,
    ),
    SmartQuarterSensorEntityDescription(
        key="last_seen",
        translation_key="last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda device: device.last_seen,
    ),
    SmartQuarterSensorEntityDescription(
        key="signal_strength",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda device: device.rssi,
    ),
    SmartQuarterSensorEntityDescription(
        key="connection_status",
        translation_key="connection_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in DeviceStatus],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda device: device.status.value,
        attributes_fn=lambda device: {
            "last_visit": device.last_visit.isoformat() if device.last_visit else None,
            "corrupt_frames": device.corrupt_frames,
        },
    ),
)


def _flag(flag: str) -> SmartQuarterBinarySensorEntityDescription:
    return SmartQuarterBinarySensorEntityDescription(
        key=flag,
        translation_key=flag,
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda device: flag in device.flags if device.measured_at else None,
    )


DEVICE_BINARY_SENSORS: tuple[SmartQuarterBinarySensorEntityDescription, ...] = (
    SmartQuarterBinarySensorEntityDescription(
        key="reachable",
        translation_key="reachable",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda device: device.reachable,
    ),
)
FLAG_BINARY_SENSORS: dict[str, tuple[SmartQuarterBinarySensorEntityDescription, ...]] = {
    r.KIND_BLOOD_PRESSURE: tuple(_flag(flag) for flag in r.BLOOD_PRESSURE_FLAGS)
}


def _occurrences(device: VitalsDevice) -> list[Occurrence]:
    return [
        (
            reading.reading_id,
            reading.kind,
            {**reading.values, "flags": list(reading.flags), "measured_at": reading.at.isoformat()},
        )
        for reading in device.recent
    ]


def measurement_event(kind: str) -> SmartQuarterEventEntityDescription:
    """Describe the event entity that fires once per new measurement of a device."""
    return SmartQuarterEventEntityDescription(
        key="measurement",
        translation_key="measurement",
        event_types=[kind],
        latest_fn=_occurrences,
    )


DEVICE_BUTTONS: tuple[SmartQuarterButtonEntityDescription, ...] = (
    SmartQuarterButtonEntityDescription(
        key="read_now",
        translation_key="read_now",
        entity_category=EntityCategory.DIAGNOSTIC,
        press_fn=lambda device, _context: device.async_read_now(),
    ),
)


def device_descriptions(platform: Platform, kind: str) -> Sequence[EntityDescription]:
    """Return the entities of a vitals device of a kind, for one platform."""
    match platform:
        case Platform.SENSOR:
            return (*VALUE_SENSORS.get(kind, ()), *DEVICE_SENSORS)
        case Platform.BINARY_SENSOR:
            return (*DEVICE_BINARY_SENSORS, *FLAG_BINARY_SENSORS.get(kind, ()))
        case Platform.EVENT:
            return (measurement_event(kind),)
        case Platform.BUTTON:
            return DEVICE_BUTTONS
    return ()


RECORDING_STATES = ["no_session", "ready", "recording"]


def _recording_state(room: TelemedicineRoom) -> str:
    if room.session is None:
        return "no_session"
    return "recording" if room.recording_since else "ready"


def _last_recording_seconds(room: TelemedicineRoom) -> float | None:
    session = room.session
    if session is None or not session.recordings:
        return None
    return round(session.recordings[-1].seconds)


STETHOSCOPE_SENSORS: tuple[SmartQuarterSensorEntityDescription, ...] = (
    SmartQuarterSensorEntityDescription(
        key="recording_state",
        translation_key="recording_state",
        device_class=SensorDeviceClass.ENUM,
        options=RECORDING_STATES,
        value_fn=_recording_state,
        attributes_fn=lambda room: {
            "started_at": room.recording_since.isoformat() if room.recording_since else None,
            "recordings": len(room.session.recordings) if room.session else 0,
        },
    ),
    SmartQuarterSensorEntityDescription(
        key="last_recording",
        translation_key="last_recording",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        value_fn=_last_recording_seconds,
    ),
)

STETHOSCOPE_SWITCHES: tuple[SmartQuarterSwitchEntityDescription, ...] = (
    SmartQuarterSwitchEntityDescription(
        key="recording",
        translation_key="recording",
        is_on_fn=lambda room: room.recording_since is not None,
        set_fn=lambda room, on: room.async_set_recording(on),
    ),
)


def stethoscope_descriptions(platform: Platform) -> Sequence[EntityDescription]:
    """Return the entities of a room's stethoscope (they read the room), for one platform."""
    match platform:
        case Platform.SENSOR:
            return STETHOSCOPE_SENSORS
        case Platform.SWITCH:
            return STETHOSCOPE_SWITCHES
    return ()
