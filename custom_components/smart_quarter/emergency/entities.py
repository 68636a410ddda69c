"""The entity descriptions of the emergency subsystem (read from the subjects in subjects.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import EntityCategory, UnitOfTime

from ..binary_sensor import SmartQuarterBinarySensorEntityDescription
from ..button import SmartQuarterButtonEntityDescription
from ..event import SmartQuarterEventEntityDescription
from ..sensor import SmartQuarterSensorEntityDescription
from .lifecycle import Alarm, AlarmState
from .subjects import ApartmentEmergency

IDLE = "idle"
ALARM_STATES = [IDLE, *(state.value for state in AlarmState if state.is_open)]


def trigger_descriptions(
    device_id: str,
) -> tuple[SmartQuarterBinarySensorEntityDescription, ...]:
    """Return the problem and battery binary sensors of one trigger device."""
    placeholders = {"device": device_id}
    return (
        SmartQuarterBinarySensorEntityDescription(
            key=f"trigger_{device_id}_silent",
            translation_key="trigger_silent",
            translation_placeholders=placeholders,
            device_class=BinarySensorDeviceClass.PROBLEM,
            entity_category=EntityCategory.DIAGNOSTIC,
            is_on_fn=lambda device: device.silent,
            attributes_fn=lambda device: {
                "last_seen": _iso(device.supervision.last_seen),
                "interval_hours": device.supervision.interval.total_seconds() / 3600,
            },
        ),
        SmartQuarterBinarySensorEntityDescription(
            key=f"trigger_{device_id}_battery",
            translation_key="trigger_battery",
            translation_placeholders=placeholders,
            device_class=BinarySensorDeviceClass.BATTERY,
            entity_category=EntityCategory.DIAGNOSTIC,
            is_on_fn=lambda device: device.supervision.battery_low,
            attributes_fn=lambda device: {"battery_level": device.supervision.battery},
        ),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _alarm_attributes(apartment: ApartmentEmergency) -> dict[str, Any]:
    alarm = apartment.alarm
    if alarm is None:
        return {"alarm_id": None, "since": None, "acknowledged_by": None}
    ack = alarm.acknowledgement
    return {
        "alarm_id": alarm.alarm_id,
        "since": alarm.created_at.isoformat(),
        "acknowledged_by": ack.actor if ack else None,
    }


APARTMENT_SENSORS = (
    SmartQuarterSensorEntityDescription(
        key="alarm_state",
        translation_key="alarm_state",
        device_class=SensorDeviceClass.ENUM,
        options=ALARM_STATES,
        value_fn=lambda apartment: apartment.alarm.state.value if apartment.alarm else IDLE,
        attributes_fn=_alarm_attributes,
    ),
)
APARTMENT_BUTTONS = (
    SmartQuarterButtonEntityDescription(
        key="call_for_help",
        translation_key="call_for_help",
        press_fn=lambda apartment, context: apartment.async_call_for_help(
            f"button:{context.user_id or 'system'}"
        ),
    ),
    SmartQuarterButtonEntityDescription(
        key="cancel_alarm",
        translation_key="cancel_alarm",
        press_fn=lambda apartment, context: apartment.async_cancel(context, "button"),
    ),
    SmartQuarterButtonEntityDescription(
        key="acknowledge_alarm",
        translation_key="acknowledge_alarm",
        press_fn=lambda apartment, context: apartment.async_acknowledge(context, "button"),
    ),
    SmartQuarterButtonEntityDescription(
        key="resolve_alarm",
        translation_key="resolve_alarm",
        press_fn=lambda apartment, context: apartment.async_resolve(context, "button", None),
    ),
)
SITE_BINARY_SENSORS = (
    SmartQuarterBinarySensorEntityDescription(
        key="emergency_path",
        translation_key="emergency_path",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda site: site.path_problem is not None,
        attributes_fn=lambda site: {"reason": site.path_problem},
    ),
)
SITE_SENSORS = (
    SmartQuarterSensorEntityDescription(
        key="open_alarms",
        translation_key="open_alarms",
        value_fn=lambda site: len(site.open_alarms),
        attributes_fn=lambda site: {"alarm_ids": [alarm.alarm_id for alarm in site.open_alarms]},
    ),
    SmartQuarterSensorEntityDescription(
        key="last_alarm",
        translation_key="last_alarm",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda site: site.last_alarm.created_at if site.last_alarm else None,
        attributes_fn=lambda site: _last_alarm_attributes(site.last_alarm),
    ),
    SmartQuarterSensorEntityDescription(
        key="delivery_latency",
        translation_key="delivery_latency",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=1,
        value_fn=lambda site: site.last_delivery_latency,
    ),
)
APARTMENT_EVENTS = (
    SmartQuarterEventEntityDescription(
        key="alarm_event",
        translation_key="alarm_event",
        event_types=[state.value for state in AlarmState],
        latest_fn=lambda apartment: apartment.occurrences(),
    ),
)


def _last_alarm_attributes(alarm: Alarm | None) -> dict[str, Any]:
    if alarm is None:
        return {"alarm_id": None, "apartment_id": None, "state": None}
    return {"alarm_id": alarm.alarm_id, "apartment_id": alarm.apartment_id, "state": alarm.state}
