"""Messages to the care service and their durable outbox (no Home Assistant imports).

Channels: the signed webhook (below) and the care service's MQTT topic (QoS 1; the broker's
acceptance takes a message out of the outbox, which is not a receipt by the care service).

Every message is a JSON object POSTed to the care service's URL with two headers:
X-Smart-Quarter-Timestamp (seconds since the epoch) and X-Smart-Quarter-Signature
("sha256=" + hex HMAC-SHA256 with the shared secret over "<timestamp>." + body). The receiver
recomputes the signature and rejects old timestamps. A message stays in the outbox, stored
with the alarms, until the receiver answers 2xx; failures are retried with a growing delay
(at most every 60 s), never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import hashlib
import hmac
import json
from typing import Any

from ..backoff import retry_delay


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


@dataclass(slots=True)
class OutboxEntry:
    """One message to the care service that is not confirmed yet."""

    message_id: str
    alarm_id: str
    body: str
    created_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    channel: str = "webhook"
    """'webhook', 'mqtt' (the care service's topic) or 'sia' (SIA DC-09 receiver)."""
    sequence: int | None = None
    """SIA DC-09 sequence number (kept for every retransmission of the message)."""

    def due(self, now: datetime) -> bool:
        """Tell whether it should be sent now."""
        return self.next_attempt_at is None or self.next_attempt_at <= now

    def failed(self, now: datetime) -> None:
        """Record a failed attempt and when to try again."""
        self.attempts += 1
        self.next_attempt_at = now + retry_delay(self.attempts)

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "message_id": self.message_id,
            "alarm_id": self.alarm_id,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "channel": self.channel,
            "sequence": self.sequence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutboxEntry:
        """Read what as_dict wrote."""
        next_at = data.get("next_attempt_at")
        return cls(
            data["message_id"],
            data["alarm_id"],
            data["body"],
            datetime.fromisoformat(data["created_at"]),
            int(data.get("attempts", 0)),
            datetime.fromisoformat(next_at) if next_at else None,
            str(data.get("channel", "webhook")),
            data.get("sequence"),
        )


def alarm_message(  # noqa: PLR0913 - keyword-only fields of the message
    *,
    message_id: str,
    alarm_id: str,
    site: str,
    apartment: str,
    state: str,
    dispatch: str,
    sent_at: datetime,
    acknowledge: dict[str, str | None] | None = None,
) -> str:
    """Build the JSON body of one alarm message (no personal data: names of places only).

    `acknowledge` tells the receiver how to take the alarm: the callback's url (None when
    Home Assistant has no URL configured), its path and the single-use token.
    """
    return json.dumps(
        {
            "message_id": message_id,
            "alarm_id": alarm_id,
            "site": site,
            "apartment": apartment,
            "state": state,
            "dispatch": dispatch,
            "sent_at": sent_at.isoformat(),
            "acknowledge": acknowledge,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
