"""Constants of the emergency subsystem."""

from typing import Final

SUBENTRY_TYPE_APARTMENT: Final = "apartment"
CONF_TRIGGER_DEVICES: Final = "trigger_devices"
CONF_CANCEL_WINDOW: Final = "cancel_window"
DEFAULT_CANCEL_WINDOW: Final = 30  # seconds the person has to cancel a pre-alarm
MAX_CANCEL_WINDOW: Final = 120
CONF_SUPERVISION_HOURS: Final = "supervision_hours"
DEFAULT_SUPERVISION_HOURS: Final = 24  # EN 50134-2: a supervision signal at least every 24 h
MAX_SUPERVISION_HOURS: Final = 72

EVENT_ALARM: Final = "smart_quarter_alarm"
"""Fired whenever an alarm is sent to its receivers, for automations and blueprints.

Data: alarm_id, device_id (the apartment's device, for the emergency actions), site,
apartment, apartment_id, state, dispatch ("first", "repeat", "escalated", "undeliverable"),
targets.
"""

TAKE_ACTION_PREFIX: Final = "SMART_QUARTER_TAKE_"
"""Action id of the 'Übernehmen' button of phone notifications: prefix + apartment device id."""
