"""Trigger devices over MQTT: subscribe to the site's emergency topic, parse, hand on.

Uses Home Assistant's own mqtt integration (QoS 1 subscription; Home Assistant re-subscribes
after a reconnect). A site without MQTT simply has no device triggers.
"""

from __future__ import annotations

from collections import Counter
import logging
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant

from .trigger_message import (
    TriggerMessage,
    TriggerMessageError,
    device_id_from_topic,
    parse_trigger_message,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.components.mqtt import ReceiveMessage

_LOGGER = logging.getLogger(__name__)
MQTT_DOMAIN = "mqtt"


class MqttTriggerInput:
    """The subscription to '<base topic>/emergency/+/event' of one site."""

    def __init__(
        self,
        hass: HomeAssistant,
        base_topic: str,
        handle: Callable[[TriggerMessage], Awaitable[None]],
    ) -> None:
        """Remember where to listen and whom to hand valid messages."""
        self._hass = hass
        self._base_topic = base_topic
        self._handle = handle
        self._unsubscribe: CALLBACK_TYPE | None = None
        self.rejected: Counter[str] = Counter()
        self.received = 0

    @property
    def topic(self) -> str:
        """The subscribed topic filter."""
        return f"{self._base_topic}/emergency/+/event"

    async def async_start(self) -> bool:
        """Subscribe when the site uses MQTT; return whether it does."""
        if not self._hass.config_entries.async_loaded_entries(MQTT_DOMAIN) and not any(
            not entry.disabled_by for entry in self._hass.config_entries.async_entries(MQTT_DOMAIN)
        ):
            return False
        # Imported only here: a site without MQTT must not need paho-mqtt installed.
        from homeassistant.components import mqtt  # noqa: PLC0415

        if not await mqtt.async_wait_for_mqtt_client(self._hass):
            _LOGGER.error("MQTT is configured but not available; device triggers are not heard")
            return False
        self._unsubscribe = await mqtt.async_subscribe(
            self._hass, self.topic, self._async_message, qos=1, encoding=None
        )
        return True

    def stop(self) -> None:
        """Unsubscribe."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    async def _async_message(self, msg: ReceiveMessage) -> None:
        self.received += 1
        try:
            device_id = device_id_from_topic(msg.topic, self._base_topic)
            message = parse_trigger_message(
                device_id, bytes(msg.payload) if isinstance(msg.payload, bytearray) else msg.payload
            )
        except TriggerMessageError as err:
            self.rejected[err.key] += 1
            _LOGGER.warning("Ignored emergency message on %s: %s", msg.topic, err)
            return
        if message.problems:
            _LOGGER.warning(
                "Emergency message from %s used despite: %s",
                message.device_id,
                ", ".join(message.problems),
            )
        await self._handle(message)
