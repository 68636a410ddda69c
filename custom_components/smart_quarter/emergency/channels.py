"""The care service's receivers: send one outbox message and say how it went.

Each sender returns a Receipt: CONFIRMED when the receiver itself confirmed the alarm (webhook
2xx, SIA DC-09 ACK), ACCEPTED when only the transport took it (the MQTT broker), FAILED when it
must be tried again. Senders never raise: every failure is logged with the alarm's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import json
import logging
from typing import TYPE_CHECKING

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .sia_client import async_send_event
from .sia_dc09 import ResponseKind, SiaAccount, SiaError, build_event, event_data
from .webhook import OutboxEntry, signature

if TYPE_CHECKING:
    from .mqtt_input import MqttTriggerInput

_LOGGER = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10  # seconds for one POST to the care service
SIA_ALARM_CODE = "MA"  # SIA: medical alarm


class Receipt(StrEnum):
    """How far a message got."""

    CONFIRMED = "confirmed"
    ACCEPTED = "accepted"
    FAILED = "failed"


async def async_post_webhook(
    session: aiohttp.ClientSession, url: str, secret: str, entry: OutboxEntry
) -> Receipt:
    """POST the signed message; 2xx is the care service's receipt."""
    timestamp = str(int(dt_util.utcnow().timestamp()))
    body = entry.body.encode()
    try:
        async with session.post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Smart-Quarter-Timestamp": timestamp,
                "X-Smart-Quarter-Signature": signature(secret, timestamp, body),
            },
            timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT),
            # A redirect would turn the POST into a bodiless GET whose 2xx proves nothing.
            allow_redirects=False,
        ) as response:
            if 200 <= response.status < 300:  # noqa: PLR2004
                return Receipt.CONFIRMED
            if 300 <= response.status < 400:  # noqa: PLR2004
                _LOGGER.error(
                    "Care service webhook redirects to %s for alarm %s: configure that address",
                    response.headers.get("Location"),
                    entry.alarm_id,
                )
                return Receipt.FAILED
            _LOGGER.warning(
                "Care service webhook answered %s for alarm %s (attempt %d)",
                response.status,
                entry.alarm_id,
                entry.attempts + 1,
            )
    except (aiohttp.ClientError, TimeoutError) as err:
        _LOGGER.warning(
            "Care service webhook not reached for alarm %s (attempt %d): %s",
            entry.alarm_id,
            entry.attempts + 1,
            err,
        )
    except Exception:
        # Whatever went wrong, the message stays in the outbox and is tried again.
        _LOGGER.exception("Care service webhook failed for alarm %s", entry.alarm_id)
    return Receipt.FAILED


async def async_publish_care(
    hass: HomeAssistant, topic: str, mqtt_input: MqttTriggerInput | None, entry: OutboxEntry
) -> Receipt:
    """Publish with QoS 1 while the broker is connected (the broker's PUBACK, no receipt)."""
    if mqtt_input is None or not mqtt_input.subscribed or not mqtt_input.connected:
        _LOGGER.warning(
            "Care service topic: alarm %s waits, MQTT is not connected (attempt %d)",
            entry.alarm_id,
            entry.attempts + 1,
        )
        return Receipt.FAILED
    from homeassistant.components import mqtt  # noqa: PLC0415 - only sites with MQTT

    try:
        await mqtt.async_publish(hass, topic, entry.body, qos=1, retain=False)
    except Exception:
        _LOGGER.exception("Care service topic: alarm %s not published", entry.alarm_id)
        return Receipt.FAILED
    return Receipt.ACCEPTED


@dataclass(frozen=True, slots=True)
class SiaReceiver:
    """Where the site's SIA DC-09 events go."""

    host: str
    port: int
    account: SiaAccount


def sia_body(account: str, apartment: str) -> str:
    """Return the stored form of one SIA event (framed anew, fresh timestamp, per attempt)."""
    return json.dumps({"account": account, "code": SIA_ALARM_CODE, "text": apartment})


async def async_send_sia(receiver: SiaReceiver, entry: OutboxEntry, now: datetime) -> Receipt:
    """Send the event; the receiver's ACK with our sequence number is its receipt."""
    stored = json.loads(entry.body)
    account = SiaAccount(
        stored["account"],
        line=receiver.account.line,
        receiver=receiver.account.receiver,
        key=receiver.account.key,
    )
    frame = build_event(
        account,
        entry.sequence or 1,
        event_data(account.account, stored["code"], text=stored["text"]),
        now,
    )
    try:
        answer = await async_send_event(receiver.host, receiver.port, frame, account.key)
    except (OSError, TimeoutError, SiaError) as err:
        _LOGGER.warning(
            "SIA receiver %s:%s: alarm %s not delivered (attempt %d): %s",
            receiver.host,
            receiver.port,
            entry.alarm_id,
            entry.attempts + 1,
            err,
        )
        return Receipt.FAILED
    if answer.kind in (ResponseKind.ACK, ResponseKind.RSP) and answer.sequence == entry.sequence:
        return Receipt.CONFIRMED
    _LOGGER.warning(
        "SIA receiver %s:%s answered %s (sequence %04d) to alarm %s (sequence %04d)%s",
        receiver.host,
        receiver.port,
        answer.kind,
        answer.sequence,
        entry.alarm_id,
        entry.sequence or 0,
        ": check this machine's clock" if answer.kind is ResponseKind.NAK else "",
    )
    return Receipt.FAILED
