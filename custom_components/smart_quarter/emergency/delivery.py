"""The durable outbox to the care service's receivers, and the loop that empties it.

Messages are stored with the alarms (the subsystem saves them before anything is sent); each
is sent until its receiver takes it, retried with a growing delay, also after a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..const import DOMAIN
from ..runtime import SmartQuarterConfigEntry
from .channels import Receipt, async_post_webhook, async_publish_care, async_send_sia, sia_body
from .const import (
    CONF_CARE_MQTT_TOPIC,
    CONF_CARE_WEBHOOK_SECRET,
    CONF_CARE_WEBHOOK_URL,
    TARGET_MQTT,
    TARGET_SIA,
)
from .escalation import Dispatch
from .escalation_flow import RECEIVER_OPTION
from .lifecycle import Alarm
from .receivers import sia_receiver
from .sia_dc09 import next_sequence
from .webhook import OutboxEntry, alarm_message

if TYPE_CHECKING:
    from .mqtt_input import MqttTriggerInput

_LOGGER = logging.getLogger(__name__)


class CareDelivery:
    """The outbox of one site."""

    def __init__(  # noqa: PLR0913 - the owner's hooks, named
        self,
        hass: HomeAssistant,
        entry: SmartQuarterConfigEntry,
        *,
        lock: asyncio.Lock,
        is_closed: Callable[[], bool],
        save: Callable[[], Awaitable[None]],
        on_receipt: Callable[[str, str], None],
        mqtt_input: Callable[[], MqttTriggerInput | None],
    ) -> None:
        """Bind to the site and to the owner's lock, state, storage and receipt handler."""
        self.hass = hass
        self.entry = entry
        self._lock = lock
        self._is_closed = is_closed
        self._save = save
        self._on_receipt = on_receipt
        self._mqtt_input = mqtt_input
        self.sia = sia_receiver(entry.options)
        self.entries: list[OutboxEntry] = []
        self._sia_sequence = 0
        self._flushing = False
        self._cancel_timer: CALLBACK_TYPE | None = None

    def load(self, stored: dict[str, Any]) -> None:
        """Read the stored outbox; drop (loudly) messages whose receiver was removed."""
        self.entries = [OutboxEntry.from_dict(item) for item in stored.get("outbox", [])]
        self._sia_sequence = int(stored.get("sia_sequence", 0))
        for entry in list(self.entries):
            if not self.entry.options.get(RECEIVER_OPTION[entry.channel]):
                _LOGGER.error(
                    "Alarm %s: the %s receiver was removed from %s; its message is dropped",
                    entry.alarm_id,
                    entry.channel,
                    self.entry.title,
                )
                self.entries.remove(entry)

    def as_dict(self) -> dict[str, Any]:
        """Return the outbox's part of the stored data."""
        return {
            "outbox": [entry.as_dict() for entry in self.entries],
            "sia_sequence": self._sia_sequence,
        }

    def enqueue(  # noqa: PLR0913 - one message's facts
        self,
        alarm: Alarm,
        dispatch: Dispatch,
        now: datetime,
        channel: str,
        *,
        apartment: str,
        sia_account: str | None,
        acknowledge: dict[str, str | None] | None,
    ) -> None:
        """Add one message for a receiver (the caller stores before it kicks)."""
        message_id = ulid_now()
        sequence = None
        if channel == TARGET_SIA:
            if self.sia is None:
                return
            self._sia_sequence = next_sequence(self._sia_sequence)
            sequence = self._sia_sequence
            body = sia_body(sia_account or self.sia.account.account, apartment)
        else:
            body = alarm_message(
                message_id=message_id,
                alarm_id=alarm.alarm_id,
                site=self.entry.title,
                apartment=apartment,
                state=alarm.state.value,
                dispatch=dispatch.reason,
                sent_at=now,
                acknowledge=acknowledge,
            )
        self.entries.append(
            OutboxEntry(message_id, alarm.alarm_id, body, now, channel=channel, sequence=sequence)
        )

    def drop(self, alarm_id: str) -> None:
        """Forget the unsent messages of an alarm (they are outdated)."""
        self.entries = [entry for entry in self.entries if entry.alarm_id != alarm_id]

    @callback
    def kick(self) -> None:
        """Send what is due, in the background."""
        if self.entries and not self._flushing and not self._is_closed():
            self.entry.async_create_background_task(
                self.hass, self._async_flush(), f"{DOMAIN} care service delivery"
            )

    @callback
    def stop(self) -> None:
        """Cancel the retry timer (the site unloads)."""
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None

    async def _async_flush(self) -> None:
        """Send every due message; taken ones leave the outbox, failed ones wait.

        Each receiver is served on its own, in order: a receiver that hangs or fails never
        holds back the messages for the others.
        """
        self._flushing = True
        try:
            now = dt_util.utcnow()
            due = [entry for entry in self.entries if entry.due(now)]
            channels = dict.fromkeys(entry.channel for entry in due)
            await asyncio.gather(
                *(
                    self._async_flush_channel([e for e in due if e.channel == channel])
                    for channel in channels
                )
            )
        finally:
            self._flushing = False
            self._schedule()

    async def _async_flush_channel(self, entries: list[OutboxEntry]) -> None:
        for entry in entries:
            try:
                receipt = await self._async_send(entry)
            except Exception:
                # Whatever it was (a host name that cannot even be encoded ...): this message
                # waits and is retried, and the others go on.
                _LOGGER.exception("Alarm %s: %s message failed", entry.alarm_id, entry.channel)
                receipt = Receipt.FAILED
            async with self._lock:
                if entry not in self.entries:
                    continue  # dropped meanwhile (its alarm was taken or closed)
                if receipt is Receipt.FAILED:
                    entry.failed(dt_util.utcnow())
                else:
                    self.entries.remove(entry)
                    # Only a receiver's own confirmation counts as delivered.
                    if receipt is Receipt.CONFIRMED:
                        self._on_receipt(entry.alarm_id, entry.channel)
                if not self._is_closed():
                    await self._save()

    async def _async_send(self, entry: OutboxEntry) -> Receipt:
        options = self.entry.options
        if entry.channel == TARGET_MQTT:
            return await async_publish_care(
                self.hass, options[CONF_CARE_MQTT_TOPIC], self._mqtt_input(), entry
            )
        if entry.channel == TARGET_SIA and self.sia is not None:
            return await async_send_sia(self.sia, entry, dt_util.utcnow())
        return await async_post_webhook(
            async_get_clientsession(self.hass),
            options[CONF_CARE_WEBHOOK_URL],
            options[CONF_CARE_WEBHOOK_SECRET],
            entry,
        )

    @callback
    def _schedule(self) -> None:
        self.stop()
        if self._is_closed() or not self.entries:
            return
        due = min(entry.next_attempt_at or dt_util.utcnow() for entry in self.entries)
        self._cancel_timer = async_track_point_in_utc_time(self.hass, self._async_timer, due)

    async def _async_timer(self, _now: datetime) -> None:
        self._cancel_timer = None
        self.kick()
