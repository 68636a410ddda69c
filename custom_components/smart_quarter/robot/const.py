"""Constants of the robot subsystem."""

from typing import Final

SUBENTRY_TYPE_ROBOT: Final = "robot"
CONF_SERIAL: Final = "serial"
CONF_APARTMENT: Final = "apartment"
CONF_HOME_BASE: Final = "home_base"
CONF_CALL_URL: Final = "call_url"
DEFAULT_HOME_BASE: Final = "home base"

EVENT_ROBOT_GOTO: Final = "smart_quarter_robot_goto"
"""One event per go-to request with its outcome (arrived or why not)."""
