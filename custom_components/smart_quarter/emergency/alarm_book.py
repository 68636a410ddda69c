"""All alarms of a site and the duplicate filter for trigger messages (no Home Assistant).

The book decides what a trigger means: a new alarm, a further call to an open alarm of the same
apartment, a cancel or reset, or a QoS 1 duplicate to ignore. It never drops a call for help:
a message that is not a duplicate always ends up in an alarm.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .lifecycle import Alarm, AlarmState, AlarmTransitionError, Trigger

SEEN_MESSAGES_KEPT = 10_000
DUPLICATE_WINDOW = timedelta(minutes=10)
CLOSED_ALARMS_KEPT = 200


class Outcome(StrEnum):
    """What a trigger did."""

    RAISED = "raised"
    JOINED = "joined"
    CANCELLED = "cancelled"
    RESET = "reset"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class TriggerResult:
    """The outcome of one trigger, and the alarm it concerned (if any)."""

    outcome: Outcome
    alarm: Alarm | None


class AlarmBook:
    """Open alarms by apartment, recent closed ones, and message ids already seen."""

    def __init__(self, new_alarm_id: Callable[[], str]) -> None:
        """Start empty; `new_alarm_id` makes unique ids (a ULID in Home Assistant)."""
        self._new_alarm_id = new_alarm_id
        self._alarms: dict[str, Alarm] = {}
        self._seen: OrderedDict[tuple[str, str], datetime] = OrderedDict()

    def __iter__(self) -> Iterator[Alarm]:
        """Every kept alarm, oldest first."""
        return iter(sorted(self._alarms.values(), key=lambda alarm: alarm.created_at))

    def open_alarm(self, apartment_id: str) -> Alarm | None:
        """Return the open alarm of an apartment, if there is one."""
        return next(
            (
                alarm
                for alarm in self._alarms.values()
                if alarm.apartment_id == apartment_id and alarm.state.is_open
            ),
            None,
        )

    def alarms_of(self, apartment_id: str) -> list[Alarm]:
        """Every alarm of an apartment still kept (open ones and recent closed ones)."""
        return [alarm for alarm in self if alarm.apartment_id == apartment_id]

    @property
    def latest(self) -> Alarm | None:
        """The most recently raised alarm of the site, if any."""
        return max(self, key=lambda alarm: alarm.created_at, default=None)

    @property
    def latest_delivered(self) -> Alarm | None:
        """The most recently raised alarm that a receiver confirmed."""
        delivered = [alarm for alarm in self if alarm.first_delivery is not None]
        return max(delivered, key=lambda alarm: alarm.created_at, default=None)

    @property
    def open_alarms(self) -> list[Alarm]:
        """Every open alarm, oldest first."""
        return [alarm for alarm in self if alarm.state.is_open]

    def call_for_help(
        self, apartment_id: str, trigger: Trigger, now: datetime, cancel_window: timedelta
    ) -> TriggerResult:
        """Handle a call for help: raise an alarm, or join the apartment's open one."""
        if self._is_duplicate(trigger):
            return TriggerResult(Outcome.DUPLICATE, self.open_alarm(apartment_id))
        if (alarm := self.open_alarm(apartment_id)) is not None:
            alarm.add_trigger(trigger, now)
            return TriggerResult(Outcome.JOINED, alarm)
        alarm = Alarm.raise_alarm(self._new_alarm_id(), apartment_id, trigger, now, cancel_window)
        self._alarms[alarm.alarm_id] = alarm
        self._forget_old_closed()
        return TriggerResult(Outcome.RAISED, alarm)

    def cancel_from_device(
        self, apartment_id: str, trigger: Trigger, now: datetime
    ) -> TriggerResult:
        """Handle a device's cancel: end a pre-alarm, reset an alarm that device raised."""
        if self._is_duplicate(trigger):
            return TriggerResult(Outcome.DUPLICATE, self.open_alarm(apartment_id))
        alarm = self.open_alarm(apartment_id)
        if alarm is None:
            return TriggerResult(Outcome.IGNORED, None)
        try:
            alarm.reset_by_device(trigger.source, now)
        except AlarmTransitionError:
            # Another device cannot end someone else's alarm: the alarm goes on.
            return TriggerResult(Outcome.IGNORED, alarm)
        outcome = Outcome.CANCELLED if alarm.state is AlarmState.CANCELLED else Outcome.RESET
        return TriggerResult(outcome, alarm)

    def _is_duplicate(self, trigger: Trigger) -> bool:
        """Tell a redelivery: the same id from the same source within DUPLICATE_WINDOW.

        Outside the window an id counts as new, so a device whose counter restarted is
        never muted for good.
        """
        if trigger.message_id is None:
            return False
        key = (trigger.source, trigger.message_id)
        seen_at = self._seen.get(key)
        if seen_at is not None and trigger.at - seen_at <= DUPLICATE_WINDOW:
            return True
        self._seen[key] = trigger.at
        self._seen.move_to_end(key)
        while len(self._seen) > SEEN_MESSAGES_KEPT:
            self._seen.popitem(last=False)
        return False

    def _forget_old_closed(self) -> None:
        closed = [alarm for alarm in self if not alarm.state.is_open]
        for alarm in closed[: max(0, len(closed) - CLOSED_ALARMS_KEPT)]:
            del self._alarms[alarm.alarm_id]

    def as_dict(self) -> dict[str, Any]:
        """Serialise alarms and seen message ids for storage."""
        return {
            "alarms": [alarm.as_dict() for alarm in self],
            "seen": [[*key, at.isoformat()] for key, at in self._seen.items()],
        }

    def load(self, data: dict[str, Any]) -> None:
        """Read what as_dict wrote (replacing what the book held)."""
        self._alarms = {
            alarm.alarm_id: alarm for alarm in map(Alarm.from_dict, data.get("alarms", []))
        }
        self._seen = OrderedDict(
            ((item[0], item[1]), datetime.fromisoformat(item[2]))
            for item in data.get("seen", [])
            if len(item) == 3  # noqa: PLR2004 - entries of an older format are dropped
        )
