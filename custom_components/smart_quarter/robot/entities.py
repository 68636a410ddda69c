"""Entity descriptions of a robot: battery, status, location, online, buttons, speech."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import PERCENTAGE, EntityCategory, Platform
from homeassistant.helpers.entity import EntityDescription

from ..binary_sensor import SmartQuarterBinarySensorEntityDescription
from ..button import SmartQuarterButtonEntityDescription
from ..entity import EntitySubject
from ..notify import SmartQuarterNotifyEntityDescription
from ..select import SmartQuarterSelectEntityDescription
from ..sensor import SmartQuarterSensorEntityDescription
from .robot_state import RobotStatus

if TYPE_CHECKING:
    from .subsystem import Robot


SENSORS: tuple[SmartQuarterSensorEntityDescription, ...] = (
    SmartQuarterSensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda robot: robot.state.battery,
    ),
    SmartQuarterSensorEntityDescription(
        key="status",
        translation_key="robot_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in RobotStatus if status is not RobotStatus.OFFLINE],
        value_fn=lambda robot: robot.state.status.value,
        attributes_fn=lambda robot: {"target": robot.state.target},
    ),
    SmartQuarterSensorEntityDescription(
        key="location",
        translation_key="robot_location",
        value_fn=lambda robot: robot.state.location or robot.state.last_location,
        attributes_fn=lambda robot: {
            "arrived": robot.state.location is not None,
            "last_location": robot.state.last_location,
        },
    ),
)

ONLINE: tuple[SmartQuarterBinarySensorEntityDescription, ...] = (
    SmartQuarterBinarySensorEntityDescription(
        key="online",
        translation_key="robot_online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda robot: robot.state.online,
        always_available=True,  # it tells whether the robot is there
    ),
)

BINARY_SENSORS: tuple[SmartQuarterBinarySensorEntityDescription, ...] = (
    SmartQuarterBinarySensorEntityDescription(
        key="charging",
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        is_on_fn=lambda robot: robot.state.charging,
    ),
)


async def _goto(robot: Robot, location: str) -> None:
    robot.goto_in_background(location)


SELECTS: tuple[SmartQuarterSelectEntityDescription, ...] = (
    SmartQuarterSelectEntityDescription(
        key="goto",
        translation_key="robot_goto",
        options_fn=lambda robot: list(robot.state.locations),
        current_fn=lambda robot: robot.state.location,
        select_fn=_goto,
    ),
)

BUTTONS: tuple[SmartQuarterButtonEntityDescription, ...] = (
    SmartQuarterButtonEntityDescription(
        key="home",
        translation_key="robot_home",
        press_fn=lambda robot, _context: robot.async_home(),
    ),
    SmartQuarterButtonEntityDescription(
        key="stop",
        translation_key="robot_stop",
        press_fn=lambda robot, _context: robot.async_stop(),
    ),
)

NOTIFIERS: tuple[SmartQuarterNotifyEntityDescription, ...] = (
    SmartQuarterNotifyEntityDescription(
        key="speak",
        translation_key="robot_speak",
        send_fn=lambda robot, message, _title: robot.async_speak(message),
    ),
)


def groups(
    platform: Platform, robot: Robot
) -> Iterator[tuple[EntitySubject, Sequence[EntityDescription]]]:
    """Yield the subjects and descriptions of a robot's entities for one platform."""
    match platform:
        case Platform.SENSOR:
            yield robot, SENSORS
        case Platform.BINARY_SENSOR:
            yield robot, (*BINARY_SENSORS, *ONLINE)
        case Platform.SELECT:
            yield robot, SELECTS
        case Platform.BUTTON:
            yield robot, BUTTONS
        case Platform.NOTIFY:
            yield robot, NOTIFIERS
