"""The MQTT message a trigger device sends, and its strict parser (no Home Assistant imports).

Topic:   <site base topic>/emergency/<device id>/event      (QoS 1, not retained)
Payload: {"event": "<kind>", "id": "<message id>", "ts": "<ISO 8601 with zone>",
          "battery": <0..100, optional>}

kinds: "button" (wearable or wall button), "pull_cord", "fall" (fall detector), "cancel"
(the user cancels from the device), "heartbeat" (supervision signal, at least every 24 h),
"battery_low". "id" is unique per message from a device; QoS 1 may deliver a message twice,
and the id is what recognises the duplicate.

Acknowledgement: once a message with an id is stored (or recognised as a duplicate), Home
Assistant publishes {"id": "<message id>", "result": "raised|joined|duplicate|cancelled|reset|
ignored|heard|unassigned", "alarm_id": "<id or null>"} to <base>/emergency/<device id>/ack
(QoS 1). Devices repeat a call until it arrives: the broker does not keep messages for Home
Assistant while it is disconnected.

A call for help must never be lost to a formality: only a payload that is not a JSON object or
names no known event is refused (one exception type, `TriggerMessageError`, with a key that
names the reason). A bad or missing id, time stamp or battery level is reported in `problems`
and replaced by nothing; the receiver then uses its own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import json
import re
from typing import Any

MAX_PAYLOAD_BYTES = 2048
MAX_BATTERY = 100
_DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class TriggerKind(StrEnum):
    """What a trigger device reports."""

    BUTTON = "button"
    PULL_CORD = "pull_cord"
    FALL = "fall"
    CANCEL = "cancel"
    HEARTBEAT = "heartbeat"
    BATTERY_LOW = "battery_low"

    @property
    def raises_alarm(self) -> bool:
        """True for the kinds that call for help."""
        return self in (TriggerKind.BUTTON, TriggerKind.PULL_CORD, TriggerKind.FALL)


class TriggerMessageError(ValueError):
    """A message that cannot be used; `key` says why (for counters and logs)."""

    def __init__(self, key: str, detail: str = "") -> None:
        """Keep the reason key and a human-readable detail."""
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key


@dataclass(frozen=True, slots=True)
class TriggerMessage:
    """One parsed message of a trigger device."""

    device_id: str
    kind: TriggerKind
    message_id: str | None
    sent_at: datetime | None
    battery: int | None = None
    problems: tuple[str, ...] = ()


def device_id_from_topic(topic: str, base_topic: str) -> str:
    """Return the device id of '<base>/emergency/<device id>/event'."""
    prefix = f"{base_topic}/emergency/"
    if not topic.startswith(prefix) or not topic.endswith("/event"):
        raise TriggerMessageError("wrong_topic", topic)
    device_id = topic[len(prefix) : -len("/event")]
    if not _DEVICE_ID_RE.match(device_id):
        raise TriggerMessageError("bad_device_id", device_id)
    return device_id


def parse_trigger_message(device_id: str, payload: bytes | str) -> TriggerMessage:
    """Parse a payload; raise TriggerMessageError only when it cannot say what happened."""
    raw = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else payload
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise TriggerMessageError("too_large", f"{len(raw)} bytes")
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise TriggerMessageError("not_json", str(err)) from err
    if not isinstance(data, dict):
        raise TriggerMessageError("not_an_object", type(data).__name__)

    event = data.get("event")
    try:
        kind = TriggerKind(event) if isinstance(event, str) else None
    except ValueError:
        kind = None
    if kind is None:
        raise TriggerMessageError("unknown_event", repr(event)[:80])

    problems: list[str] = []
    message_id = data.get("id")
    if not isinstance(message_id, str) or not _MESSAGE_ID_RE.match(message_id):
        problems.append("bad_message_id")
        message_id = None
    sent_at = _timestamp(data.get("ts"))
    if sent_at is None:
        problems.append("bad_timestamp")
    battery = data.get("battery")
    if battery is not None and (
        isinstance(battery, bool) or not isinstance(battery, int) or not 0 <= battery <= MAX_BATTERY
    ):
        problems.append("bad_battery")
        battery = None
    return TriggerMessage(device_id, kind, message_id, sent_at, battery, tuple(problems))


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
