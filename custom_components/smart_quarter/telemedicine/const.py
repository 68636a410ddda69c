"""Constants of the telemedicine subsystem."""

from typing import Final

SUBENTRY_TYPE_ROOM: Final = "telemedicine_room"
CONF_ADDRESS: Final = "address"
