"""Home Assistant entities as emergency triggers: which state changes call for help.

Pure rules (states as strings, no Home Assistant imports): a binary sensor calls when it turns
on from off, unknown or unavailable (a sensor first seen "on" at start-up does not: it would
raise an alarm at every restart); an event entity calls when it gets a new event, i.e. a new
time stamp that is recent (a restored, old event after a restart does not).
"""

from __future__ import annotations

from datetime import datetime, timedelta

ON = "on"
NOT_THERE = ("unknown", "unavailable")
MAX_EVENT_AGE = timedelta(seconds=60)


def binary_sensor_calls(old: str | None, new: str | None) -> bool:
    """Tell whether a binary sensor's change from `old` to `new` is a call for help."""
    return old is not None and new == ON and old != ON


def event_entity_calls(old: str | None, new: str | None, now: datetime) -> bool:
    """Tell whether an event entity's change from `old` to `new` is a new, recent event."""
    if new is None or new in NOT_THERE or new == old:
        return False
    try:
        fired = datetime.fromisoformat(new)
    except ValueError:
        return False
    if fired.tzinfo is None:
        return False
    return abs(now - fired) <= MAX_EVENT_AGE
