"""Constants of the emergency subsystem."""

from typing import Final

SUBENTRY_TYPE_APARTMENT: Final = "apartment"
CONF_TRIGGER_DEVICES: Final = "trigger_devices"
CONF_CANCEL_WINDOW: Final = "cancel_window"
DEFAULT_CANCEL_WINDOW: Final = 30  # seconds the person has to cancel a pre-alarm
MAX_CANCEL_WINDOW: Final = 120

EVENT_ALARM: Final = "smart_quarter_alarm"
"""Fired on every change of an alarm, for automations and blueprints (data: AlarmEventData)."""
