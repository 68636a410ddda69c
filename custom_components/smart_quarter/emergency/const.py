"""Constants of the emergency subsystem."""

from typing import Final

SUBENTRY_TYPE_APARTMENT: Final = "apartment"
CONF_TRIGGER_DEVICES: Final = "trigger_devices"
CONF_TRIGGER_ENTITIES: Final = "trigger_entities"
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

EVENT_ALARM_CHANGED: Final = "smart_quarter_alarm_changed"
"""Fired for every step of an alarm's life (the audit trail in the logbook).

Data: alarm_id, device_id, entity_id (the apartment's alarm sensor), site, apartment, state,
actor, channel, note.
"""

TAKE_ACTION_PREFIX: Final = "SMART_QUARTER_TAKE_"
"""Action id of the 'Übernehmen' button of phone notifications:
prefix + apartment device id + "_" + alarm id (an old notification cannot take a newer alarm;
a bare device id, as older notifications have, takes the apartment's open alarm)."""

# Care-service receivers (site options, page "care_receivers")
CONF_CARE_WEBHOOK_URL: Final = "care_webhook_url"
CONF_CARE_WEBHOOK_SECRET: Final = "care_webhook_secret"  # noqa: S105 - an option key
MIN_WEBHOOK_SECRET_LENGTH: Final = 16
CONF_CARE_MQTT_TOPIC: Final = "care_mqtt_topic"
CONF_SIA_HOST: Final = "sia_host"
CONF_SIA_PORT: Final = "sia_port"
DEFAULT_SIA_PORT: Final = 10001
CONF_SIA_ACCOUNT: Final = "sia_account"
CONF_SIA_LINE: Final = "sia_line"
CONF_SIA_RECEIVER: Final = "sia_receiver"
CONF_SIA_KEY: Final = "sia_key"

# Escalation steps (subentries of the site)
SUBENTRY_TYPE_ESCALATION_STEP: Final = "escalation_step"
CONF_POSITION: Final = "position"
CONF_TARGETS: Final = "targets"
CONF_ACK_TIMEOUT: Final = "ack_timeout"  # minutes
DEFAULT_ACK_TIMEOUT: Final = 5
MAX_ACK_TIMEOUT: Final = 30
MAX_STEPS: Final = 10

# Targets of a step besides Home Assistant notify actions ("notify.<service>")
TARGET_PERSISTENT_NOTIFICATION: Final = "persistent_notification"
TARGET_WEBHOOK: Final = "webhook"
TARGET_MQTT: Final = "mqtt"
TARGET_SIA: Final = "sia"
RECEIVER_TARGETS: Final = (TARGET_WEBHOOK, TARGET_MQTT, TARGET_SIA)
