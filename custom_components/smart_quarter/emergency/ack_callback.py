"""The care service's acknowledgement callback, checked as pure code (no Home Assistant).

Every alarm message carries `acknowledge`: the callback's URL (or path), and a token that is
fresh for each escalation of the alarm. The care service POSTs

    {"alarm_id": "...", "token": "...", "by": "Schwester Anna"}

to the URL, signed exactly like our messages to it (X-Smart-Quarter-Timestamp and
X-Smart-Quarter-Signature = "sha256=" + HMAC-SHA256(secret, "<timestamp>." + body)). A request
is refused when the signature is wrong, the timestamp is more than five minutes off (replays),
the token is not the alarm's current one, or the token was used already (single use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import hmac
import json
import secrets

from .webhook import signature

MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_BODY = 4096
MAX_NAME = 80


class CallbackError(Exception):
    """A refused callback: the HTTP status and a short reason for the care service."""

    def __init__(self, status: int, reason: str) -> None:
        """Keep status and reason."""
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """A verified acknowledgement request."""

    alarm_id: str
    token: str
    by: str


def new_token() -> str:
    """Return a fresh, unguessable acknowledgement token."""
    return secrets.token_urlsafe(24)


def tokens_match(expected: str | None, given: str) -> bool:
    """Compare tokens in constant time; no token (used up) never matches."""
    return expected is not None and hmac.compare_digest(expected.encode(), given.encode())


def verify(
    secret: str,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    now: datetime,
) -> CallbackRequest:
    """Check signature, age and shape of a callback; CallbackError says why not."""
    _check_signature(secret, timestamp, signature_header, body, now)
    try:
        data = json.loads(body)
    except ValueError as err:
        raise CallbackError(400, "body is not JSON") from err
    if not isinstance(data, dict):
        raise CallbackError(400, "body is not a JSON object")
    alarm_id, token, by = data.get("alarm_id"), data.get("token"), data.get("by", "")
    if not isinstance(alarm_id, str) or not isinstance(token, str) or not isinstance(by, str):
        raise CallbackError(400, "alarm_id and token (strings) required")
    name = "".join(char for char in by if char.isprintable()).strip()[:MAX_NAME]
    return CallbackRequest(alarm_id, token, name or "care service")


def _check_signature(
    secret: str, timestamp: str | None, signature_header: str | None, body: bytes, now: datetime
) -> None:
    if len(body) > MAX_BODY:
        raise CallbackError(413, "body too large")
    if not secret:
        raise CallbackError(403, "no shared secret configured")
    if not timestamp or not signature_header:
        raise CallbackError(401, "signature headers missing")
    if not (timestamp.isascii() and signature_header.isascii()):
        raise CallbackError(401, "bad signature headers")
    try:
        sent = int(timestamp)
    except ValueError as err:
        raise CallbackError(401, "bad timestamp") from err
    if abs(now.timestamp() - sent) > MAX_CLOCK_SKEW.total_seconds():
        raise CallbackError(401, "timestamp too old or in the future")
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature_header.encode()):
        raise CallbackError(401, "bad signature")
