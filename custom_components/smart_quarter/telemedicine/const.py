"""Constants of the telemedicine subsystem."""

from typing import Final

SUBENTRY_TYPE_ROOM: Final = "telemedicine_room"
CONF_ADDRESS: Final = "address"
CONF_DEVICES: Final = "devices"
"""Room subentry data: Bluetooth address -> {kind, name} of its vitals devices."""
CONF_KIND: Final = "kind"
CONF_CLEAR_AFTER_SESSION: Final = "clear_after_session"
CONF_STETHOSCOPE: Final = "stethoscope"
"""Room subentry data: the room has a digital stethoscope (no standard Bluetooth profile)."""

EVENT_VITALS_MEASURED: Final = "smart_quarter_vitals_measured"
EVENT_SESSION_ENDED: Final = "smart_quarter_session_ended"
