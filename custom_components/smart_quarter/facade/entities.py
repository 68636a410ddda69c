"""The entity descriptions of the façade subsystem (read from Facade and Zone)."""

from __future__ import annotations

from functools import partial

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.valve.const import ValveDeviceClass
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolume,
    UnitOfVolumeFlowRate,
)

from ..binary_sensor import SmartQuarterBinarySensorEntityDescription
from ..button import SmartQuarterButtonEntityDescription
from ..number import SmartQuarterNumberEntityDescription
from ..select import SmartQuarterSelectEntityDescription
from ..sensor import SmartQuarterSensorEntityDescription
from ..valve import SmartQuarterValveEntityDescription
from .facade import Facade
from .irrigation import Block, Fault, Mode
from .registers import RegisterSpec

MANUAL_RUN_MINUTES = 10  # opening a zone valve from the UI waters this long
STATES = ["idle", "watering", *(block.value for block in Block)]


def facade_sensors(facade: Facade) -> tuple[SmartQuarterSensorEntityDescription, ...]:
    """Sensors of one façade (temperatures as configured)."""
    descriptions = [
        SmartQuarterSensorEntityDescription(
            key="irrigation_state",
            translation_key="irrigation_state",
            device_class=SensorDeviceClass.ENUM,
            options=STATES,
            value_fn=lambda f: f.state_label,
            attributes_fn=lambda f: {
                "reason": f.command.reason if f.command else None,
                "zone": f.zones[f.command.watering].subentry.title
                if f.command and f.command.watering
                else None,
                "source": f.command.source if f.command else None,
            },
        ),
        SmartQuarterSensorEntityDescription(
            key="water_rain",
            translation_key="water_rain",
            device_class=SensorDeviceClass.WATER,
            state_class=SensorStateClass.TOTAL_INCREASING,
            native_unit_of_measurement=UnitOfVolume.LITERS,
            suggested_display_precision=0,
            value_fn=lambda f: round(f.water.rain, 1),
        ),
        SmartQuarterSensorEntityDescription(
            key="water_mains",
            translation_key="water_mains",
            device_class=SensorDeviceClass.WATER,
            state_class=SensorStateClass.TOTAL_INCREASING,
            native_unit_of_measurement=UnitOfVolume.LITERS,
            suggested_display_precision=0,
            value_fn=lambda f: round(f.water.mains, 1),
        ),
        SmartQuarterSensorEntityDescription(
            key="flow_rate",
            translation_key="flow_rate",
            device_class=SensorDeviceClass.VOLUME_FLOW_RATE,
            state_class=SensorStateClass.MEASUREMENT,
            native_unit_of_measurement=UnitOfVolumeFlowRate.LITERS_PER_MINUTE,
            suggested_display_precision=1,
            value_fn=lambda f: f.water.flow_rate,
        ),
        SmartQuarterSensorEntityDescription(
            key="water_today",
            translation_key="water_today",
            device_class=SensorDeviceClass.WATER,
            state_class=SensorStateClass.TOTAL,
            native_unit_of_measurement=UnitOfVolume.LITERS,
            suggested_display_precision=0,
            value_fn=lambda f: round(f.water.today, 1),
        ),
    ]
    if facade.tank_spec is not None:
        descriptions.append(
            SmartQuarterSensorEntityDescription(
                key="tank_level",
                translation_key="tank_level",
                native_unit_of_measurement=PERCENTAGE,
                state_class=SensorStateClass.MEASUREMENT,
                suggested_display_precision=0,
                value_fn=lambda f: f.tank_percent,
            )
        )
        if facade.tank_capacity:
            descriptions.append(
                SmartQuarterSensorEntityDescription(
                    key="tank_volume",
                    translation_key="tank_volume",
                    device_class=SensorDeviceClass.VOLUME_STORAGE,
                    native_unit_of_measurement=UnitOfVolume.LITERS,
                    state_class=SensorStateClass.MEASUREMENT,
                    value_fn=lambda f: f.tank_litres,
                )
            )
    for greened, specs in ((True, facade.greened_specs), (False, facade.bare_specs)):
        for index, spec in enumerate(specs, start=1):
            kind = "greened" if greened else "bare"
            descriptions.append(
                SmartQuarterSensorEntityDescription(
                    key=f"temperature_{kind}_{index}",
                    translation_key=f"temperature_{kind}",
                    translation_placeholders={"number": str(index)},
                    device_class=SensorDeviceClass.TEMPERATURE,
                    native_unit_of_measurement=UnitOfTemperature.CELSIUS,
                    state_class=SensorStateClass.MEASUREMENT,
                    suggested_display_precision=1,
                    value_fn=partial(_temperature, spec=spec),
                )
            )
    if facade.greened_specs and facade.bare_specs:
        descriptions.append(
            SmartQuarterSensorEntityDescription(
                key="cooling",
                translation_key="cooling",
                device_class=SensorDeviceClass.TEMPERATURE,
                native_unit_of_measurement=UnitOfTemperature.CELSIUS,
                state_class=SensorStateClass.MEASUREMENT,
                suggested_display_precision=1,
                value_fn=lambda f: f.cooling,
            )
        )
    return tuple(descriptions)


def _temperature(facade: Facade, spec: RegisterSpec) -> float | None:
    value = facade.value(spec)
    if facade.temperature_checks[spec].problem or isinstance(value, bool):
        return None
    return value


FACADE_PROBLEMS = (
    SmartQuarterBinarySensorEntityDescription(
        key="communication",
        translation_key="communication",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda f: not f.communication_ok,
        attributes_fn=lambda f: {"failed_blocks": f.failed},
        always_available=True,
    ),
    SmartQuarterBinarySensorEntityDescription(
        key="tank_low",
        translation_key="tank_low",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda f: (
            f.tank_percent is None or f.tank_percent <= f.controller.settings.min_tank_percent
        ),
    ),
    SmartQuarterBinarySensorEntityDescription(
        key="frost_lock",
        translation_key="frost_lock",
        device_class=BinarySensorDeviceClass.COLD,
        is_on_fn=lambda f: f.controller.frost,
    ),
    SmartQuarterBinarySensorEntityDescription(
        key="dry_run",
        translation_key="dry_run",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda f: f.has_fault(Fault.DRY_RUN),
    ),
    SmartQuarterBinarySensorEntityDescription(
        key="output_mismatch",
        translation_key="output_mismatch",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda f: f.has_fault(Fault.OUTPUT_MISMATCH),
    ),
    SmartQuarterBinarySensorEntityDescription(
        key="pump",
        translation_key="pump",
        device_class=BinarySensorDeviceClass.RUNNING,
        is_on_fn=lambda f: bool(f.value(f.pump_spec)),
    ),
)
FACADE_VALVES = (
    SmartQuarterValveEntityDescription(
        key="mains_valve",
        translation_key="mains_valve",
        device_class=ValveDeviceClass.WATER,
        is_closed_fn=lambda f: None if f.value(f.mains_spec) is None else not f.value(f.mains_spec),
    ),
)
FACADE_BUTTONS = (
    SmartQuarterButtonEntityDescription(
        key="stop_irrigation",
        translation_key="stop_irrigation",
        press_fn=lambda f, _context: f.async_stop(),
    ),
    SmartQuarterButtonEntityDescription(
        key="reset_faults",
        translation_key="reset_faults",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda f, _context: f.async_reset_faults(),
    ),
)

ZONE_SENSORS = (
    SmartQuarterSensorEntityDescription(
        key="moisture",
        translation_key="soil_moisture",
        device_class=SensorDeviceClass.MOISTURE,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda z: z.moisture,
    ),
    SmartQuarterSensorEntityDescription(
        key="runtime_today",
        translation_key="runtime_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        state_class=SensorStateClass.TOTAL,
        value_fn=lambda z: z.runtime_today_minutes,
    ),
)
ZONE_PROBLEMS = (
    SmartQuarterBinarySensorEntityDescription(
        key="moisture_implausible",
        translation_key="moisture_implausible",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda z: z.check.problem is not None,
        attributes_fn=lambda z: {"reason": z.check.problem},
        always_available=True,  # it must show the problem when the moisture cannot be read
    ),
)
ZONE_VALVES = (
    SmartQuarterValveEntityDescription(
        key="valve",
        translation_key="zone_valve",
        device_class=ValveDeviceClass.WATER,
        is_closed_fn=lambda z: None if z.valve_open is None else not z.valve_open,
        open_fn=lambda z: z.async_run(MANUAL_RUN_MINUTES),
        close_fn=lambda z: z.async_stop(),
    ),
)

OPEN_DATA_SENSORS = (
    SmartQuarterSensorEntityDescription(
        key="open_data_last_success",
        translation_key="open_data_last_success",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda p: p.last_success,
        attributes_fn=lambda p: {"last_error": p.last_error, "rejected": p.rejected},
    ),
    SmartQuarterSensorEntityDescription(
        key="open_data_backlog",
        translation_key="open_data_backlog",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda p: len(p.backlog),
    ),
)

ZONE_NUMBERS = (
    SmartQuarterNumberEntityDescription(
        key="target",
        translation_key="moisture_target",
        entity_category=EntityCategory.CONFIG,
        native_min_value=5,
        native_max_value=95,
        native_step=1,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=lambda z: z.settings.target,
        set_fn=lambda z, value: z.async_set(target=value),
    ),
    SmartQuarterNumberEntityDescription(
        key="hysteresis",
        translation_key="moisture_hysteresis",
        entity_category=EntityCategory.CONFIG,
        native_min_value=1,
        native_max_value=30,
        native_step=1,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=lambda z: z.settings.hysteresis,
        set_fn=lambda z, value: z.async_set(hysteresis=value),
    ),
)
ZONE_SELECTS = (
    SmartQuarterSelectEntityDescription(
        key="mode",
        translation_key="irrigation_mode",
        entity_category=EntityCategory.CONFIG,
        options=[mode.value for mode in Mode],
        current_fn=lambda z: z.settings.mode.value,
        select_fn=lambda z, option: z.async_set(mode=Mode(option)),
    ),
)
