"""Constants of the robot subsystem."""

from typing import Final

SUBENTRY_TYPE_ROBOT: Final = "robot"
CONF_SERIAL: Final = "serial"
CONF_APARTMENT: Final = "apartment"
CONF_HOME_BASE: Final = "home_base"
CONF_CALL_URL: Final = "call_url"
CONF_TRANSPORT: Final = "transport"
TRANSPORT_BRIDGE: Final = "mqtt_bridge"
TRANSPORT_CLOUD: Final = "cloud"
CONF_API_URL: Final = "api_url"
CONF_API_KEY: Final = "api_key"
CONF_CALL_CONTACT: Final = "call_contact"
DEFAULT_HOME_BASE: Final = "home base"

EVENT_ROBOT_GOTO: Final = "smart_quarter_robot_goto"
"""One event per go-to request with its outcome (arrived or why not)."""
REAUTH_ROBOT: Final = "reauth_robot"
"""Reauthentication data: the subentry id of the robot whose cloud API key was refused."""
