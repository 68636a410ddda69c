"""Trigger devices over MQTT: subscribe to a site's emergency topic, parse, hand on.

Uses Home Assistant's own mqtt integration (QoS 1; it re-subscribes after a reconnect). The
subscription outlives reloads of the site: adding an apartment reloads the site, and a call
for help that arrives meanwhile is kept and handed to the reloaded site instead of being
dropped. Only when no site has taken the topic back for RELEASE_AFTER is it unsubscribed.
A site without MQTT simply has no device triggers.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
import json
import logging
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from .trigger_message import (
    TriggerMessage,
    TriggerMessageError,
    device_id_from_topic,
    parse_trigger_message,
)

if TYPE_CHECKING:
    from homeassistant.components.mqtt import ReceiveMessage

_LOGGER = logging.getLogger(__name__)
MQTT_DOMAIN = "mqtt"
RELEASE_AFTER = timedelta(minutes=2)
MAX_WAITING = 1000

type MessageHandler = Callable[[TriggerMessage], Awaitable[None]]

DATA_INPUTS: HassKey[dict[str, MqttTriggerInput]] = HassKey("smart_quarter_mqtt_trigger_inputs")


class MqttTriggerInput:
    """The subscription to '<base topic>/emergency/+/event', shared across a site's reloads."""

    def __init__(self, hass: HomeAssistant, base_topic: str) -> None:
        """Create an unsubscribed input; use async_attach_mqtt_input to get one."""
        self._hass = hass
        self._base_topic = base_topic
        self._handle: MessageHandler | None = None
        self._on_status: Callable[[], None] | None = None
        self._unsubscribe: CALLBACK_TYPE | None = None
        self._unsubscribe_status: CALLBACK_TYPE | None = None
        self.connected = False
        self._release: CALLBACK_TYPE | None = None
        self._waiting: deque[TriggerMessage] = deque(maxlen=MAX_WAITING)
        self.rejected: Counter[str] = Counter()
        self.received = 0

    @property
    def topic(self) -> str:
        """The subscribed topic filter."""
        return f"{self._base_topic}/emergency/+/event"

    @property
    def subscribed(self) -> bool:
        """Whether the MQTT subscription exists."""
        return self._unsubscribe is not None

    async def _async_subscribe(self) -> bool:
        if self._unsubscribe is not None:
            return True
        if not any(
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
        self._unsubscribe_status = mqtt.async_subscribe_connection_status(
            self._hass, self._connection_changed
        )
        self.connected = mqtt.is_connected(self._hass)
        return True

    @callback
    def _connection_changed(self, connected: bool) -> None:
        self.connected = connected
        if self._on_status is not None:
            self._on_status()

    async def async_attach(
        self, handle: MessageHandler, on_status: Callable[[], None] | None = None
    ) -> bool:
        """Hand messages (and those that waited) to `handle`; return whether subscribed.

        `on_status` is called when the broker connection is lost or comes back.
        """
        if self._release is not None:
            self._release()
            self._release = None
        self._handle = handle
        self._on_status = on_status
        while self._waiting:
            await handle(self._waiting.popleft())
        return self.subscribed

    async def async_acknowledge(self, device_id: str, body: dict[str, str | None]) -> None:
        """Tell the device its message is stored: '<base>/emergency/<id>/ack' (QoS 1).

        Devices (or their gateway) repeat a call until this arrives, so a call sent while
        Home Assistant was away from the broker is not lost. Nothing is sent while the
        broker is away: the device's repetition is what gets the call through then.
        """
        if not self.subscribed or not self.connected:
            return
        from homeassistant.components import mqtt  # noqa: PLC0415 - only sites with MQTT

        try:
            await mqtt.async_publish(
                self._hass,
                f"{self._base_topic}/emergency/{device_id}/ack",
                json.dumps(body, separators=(",", ":")),
                qos=1,
                retain=False,
            )
        except Exception:  # noqa: BLE001 - the device repeats; log and go on
            _LOGGER.warning("Could not acknowledge message %s to device %s", body, device_id)

    async def async_subscribe(self) -> bool:
        """Subscribe once MQTT is available (waits for its client); return whether it did."""
        return await self._async_subscribe()

    @callback
    def detach(self) -> None:
        """Let the site go (it unloads): keep listening a while and keep what arrives."""
        self._handle = None
        self._on_status = None
        if self._unsubscribe is None:
            self._hass.data[DATA_INPUTS].pop(self._base_topic, None)
        elif self._release is None:
            self._release = async_call_later(self._hass, RELEASE_AFTER, self._async_release)

    @callback
    def _async_release(self, _now: datetime) -> None:
        self._release = None
        if self._handle is not None:
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._unsubscribe_status is not None:
            self._unsubscribe_status()
            self._unsubscribe_status = None
        if self._waiting:
            _LOGGER.error(
                "%d emergency messages on %s arrived while no site was loaded to take them",
                len(self._waiting),
                self.topic,
            )
        self._hass.data[DATA_INPUTS].pop(self._base_topic, None)

    async def _async_message(self, msg: ReceiveMessage) -> None:
        self.received += 1
        payload = msg.payload
        try:
            device_id = device_id_from_topic(msg.topic, self._base_topic)
            message = parse_trigger_message(
                device_id, bytes(payload) if isinstance(payload, bytearray) else payload
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
        if self._handle is None:
            # The site is reloading: keep the message for it.
            self._waiting.append(message)
            return
        await self._handle(message)


async def async_attach_mqtt_input(
    hass: HomeAssistant,
    base_topic: str,
    handle: MessageHandler,
    on_status: Callable[[], None] | None = None,
) -> MqttTriggerInput:
    """Return the site's input (creating it once), with `handle` receiving its messages."""
    inputs = hass.data.setdefault(DATA_INPUTS, {})
    if (trigger_input := inputs.get(base_topic)) is None:
        trigger_input = inputs[base_topic] = MqttTriggerInput(hass, base_topic)
    await trigger_input.async_attach(handle, on_status)
    return trigger_input
