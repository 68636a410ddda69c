"""Constants shared by the whole Smart Quarter integration."""

from typing import Final

DOMAIN: Final = "smart_quarter"
MANUFACTURER: Final = "Smart Quarter"
CURRENT_VERSION: Final = 1
CURRENT_MINOR_VERSION: Final = 2

# Site config entry data (besides CONF_NAME, CONF_LATITUDE, CONF_LONGITUDE)
CONF_LOCATION: Final = "location"

# Site options (site-wide settings that the subsystems share)
CONF_MQTT_BASE_TOPIC: Final = "mqtt_base_topic"
DEFAULT_MQTT_BASE_TOPIC_PREFIX: Final = "smart_quarter"

CONF_STAFF_USERS: Final = "staff_users"
"""Users (ids) who act as staff besides the administrators: care staff, reception."""
