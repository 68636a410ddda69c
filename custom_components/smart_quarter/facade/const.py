"""Constants of the façade subsystem, and the register layout of the reference controller.

The defaults describe the Smart Quarter façade controller (and simulators/facade.py); any
other controller or IO gateway is described in the forms with the short register text
(see spec_text.py).
"""

from typing import Final

SUBENTRY_TYPE_FACADE: Final = "facade"
SUBENTRY_TYPE_ZONE: Final = "irrigation_zone"

# Façade subentry
CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_UNIT: Final = "unit"
CONF_POLL_SECONDS: Final = "poll_seconds"
CONF_TANK_LEVEL: Final = "tank_level"
CONF_TANK_CAPACITY: Final = "tank_capacity_litres"
CONF_FLOW_TOTAL: Final = "flow_total"
CONF_MAINS_VALVE: Final = "mains_valve"
CONF_PUMP: Final = "pump"
CONF_RAIN: Final = "rain_sensor"
CONF_TEMP_GREENED: Final = "temperature_greened"
CONF_TEMP_BARE: Final = "temperature_bare"
CONF_WATCHDOG: Final = "watchdog"
CONF_WATCHDOG_SECONDS: Final = "watchdog_seconds"
CONF_WINDOW_START: Final = "window_start"
CONF_WINDOW_END: Final = "window_end"
CONF_MIN_TANK: Final = "min_tank_percent"
CONF_MAINS_FALLBACK: Final = "mains_fallback"
CONF_DAILY_BUDGET: Final = "daily_budget_litres"
CONF_DRY_RUN_SECONDS: Final = "dry_run_seconds"
CONF_WEATHER: Final = "weather_entity"

# Zone subentry
CONF_FACADE: Final = "facade"
CONF_MOISTURE: Final = "moisture"
CONF_VALVE: Final = "valve"
CONF_TARGET: Final = "target"
CONF_HYSTERESIS: Final = "hysteresis"
CONF_MAX_CYCLE: Final = "max_cycle_minutes"
CONF_MAX_DAY: Final = "max_day_minutes"
CONF_SOAK: Final = "soak_minutes"

DEFAULT_PORT: Final = 502
DEFAULT_UNIT: Final = 1
DEFAULT_POLL_SECONDS: Final = 10
# The reference controller's layout (simulators/facade.py serves exactly this).
DEFAULT_TANK_LEVEL: Final = "input:0*0.1"
DEFAULT_FLOW_TOTAL: Final = "input:1:uint32*0.1"
DEFAULT_TEMP_GREENED: Final = ("input:10:int16*0.1", "input:11:int16*0.1")
DEFAULT_TEMP_BARE: Final = ("input:12:int16*0.1", "input:13:int16*0.1")
DEFAULT_RAIN: Final = "discrete:0"
DEFAULT_MAINS_VALVE: Final = "coil:0"
DEFAULT_PUMP: Final = "coil:1"
DEFAULT_WATCHDOG: Final = "holding:100"
ZONE_MOISTURE_BASE: Final = 20  # input 20 + n: moisture of zone n in tenths of a percent
ZONE_VALVE_BASE: Final = 2  # coil 2 + n: valve of zone n

EVENT_OUTPUT_MISMATCH: Final = "smart_quarter_facade_output_mismatch"
