"""Retry delays shared by everything that sends to a server and keeps what failed (pure)."""

from __future__ import annotations

from datetime import timedelta

MAX_RETRY_DELAY = timedelta(seconds=60)
FIRST_RETRY_DELAY = timedelta(seconds=5)


def retry_delay(attempts: int) -> timedelta:
    """Delay before the next attempt after `attempts` failures: 5 s doubling, at most 60 s."""
    delay: timedelta = FIRST_RETRY_DELAY * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY_DELAY)
