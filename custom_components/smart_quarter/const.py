"""Constants shared by the whole Smart Quarter integration."""

from typing import Final

DOMAIN: Final = "smart_quarter"
MANUFACTURER: Final = "Smart Quarter"

# Site config entry data (besides CONF_NAME, CONF_LATITUDE, CONF_LONGITUDE)
CONF_LOCATION: Final = "location"

# Site options (site-wide settings that the subsystems share)
CONF_MQTT_BASE_TOPIC: Final = "mqtt_base_topic"
DEFAULT_MQTT_BASE_TOPIC_PREFIX: Final = "smart_quarter"

# Emergency escalation of the site (kept with the site's options until subsystems can add
# option steps of their own)
CONF_CARE_NOTIFY_TARGETS: Final = "care_notify_targets"
CONF_ESCALATION_MINUTES: Final = "escalation_minutes"
DEFAULT_ESCALATION_MINUTES: Final = 5
CONF_CARE_WEBHOOK_URL: Final = "care_webhook_url"
CONF_CARE_WEBHOOK_SECRET: Final = "care_webhook_secret"  # noqa: S105 - an option key, not a secret
MIN_WEBHOOK_SECRET_LENGTH: Final = 16
CONF_CARE_MQTT_TOPIC: Final = "care_mqtt_topic"
