"""The alarm lifecycle as a pure state machine (no Home Assistant imports).

pre_alarm --(cancel window over, or a second call)--> active --(a receiver confirmed)--> delivered
active/delivered/undeliverable --(someone takes it)--> acknowledged --(with a note)--> resolved
pre_alarm --(the person cancels)--> cancelled
acknowledged --(the person calls again)--> active (escalation starts over)
active/delivered --(no receiver acknowledged in time)--> undeliverable (still acknowledgeable)
any open state --(reset by the device that raised it, EN 50134)--> resolved

Several triggers at once never interrupt an alarm: while an apartment has an open alarm, further
calls join it. Every change is recorded with who, when and through which channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class AlarmState(StrEnum):
    """Where an alarm is in its life."""

    PRE_ALARM = "pre_alarm"
    ACTIVE = "active"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    UNDELIVERABLE = "undeliverable"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """True until the alarm is resolved or cancelled."""
        return self not in (AlarmState.RESOLVED, AlarmState.CANCELLED)

    @property
    def awaits_acknowledgement(self) -> bool:
        """True while receivers must still be called."""
        return self in (AlarmState.ACTIVE, AlarmState.DELIVERED, AlarmState.UNDELIVERABLE)


class AlarmTransitionError(ValueError):
    """A change the alarm's state does not allow; `key` names it for a translated message."""

    def __init__(self, key: str, state: AlarmState) -> None:
        """Keep the reason and the state the alarm was in."""
        super().__init__(f"{key} (alarm is {state})")
        self.key = key
        self.state = state


@dataclass(frozen=True, slots=True)
class Trigger:
    """One call for help: where it came from and what it was."""

    source: str
    """'device:<id>', 'entity:<entity id>', 'action', 'dashboard' or 'voice'."""
    kind: str
    at: datetime
    message_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "source": self.source,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "message_id": self.message_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trigger:
        """Read what as_dict wrote."""
        return cls(
            data["source"], data["kind"], datetime.fromisoformat(data["at"]), data["message_id"]
        )


@dataclass(frozen=True, slots=True)
class Transition:
    """One entry of the audit trail."""

    at: datetime
    state: AlarmState
    actor: str | None = None
    channel: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "at": self.at.isoformat(),
            "state": self.state.value,
            "actor": self.actor,
            "channel": self.channel,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transition:
        """Read what as_dict wrote."""
        return cls(
            datetime.fromisoformat(data["at"]),
            AlarmState(data["state"]),
            data["actor"],
            data["channel"],
            data["note"],
        )


@dataclass(slots=True)
class Alarm:
    """One alarm of one apartment, from the first call to its resolution."""

    alarm_id: str
    apartment_id: str
    created_at: datetime
    state: AlarmState
    pre_alarm_until: datetime | None = None
    triggers: list[Trigger] = field(default_factory=list)
    history: list[Transition] = field(default_factory=list)
    # Escalation progress (driven by escalation.py, stored with the alarm).
    step_index: int = 0
    step_started_at: datetime | None = None
    last_sent_at: datetime | None = None
    ack_token: str | None = None
    """The care service's single-use acknowledgement token of the current escalation."""

    @classmethod
    def raise_alarm(
        cls,
        alarm_id: str,
        apartment_id: str,
        trigger: Trigger,
        now: datetime,
        cancel_window: timedelta,
    ) -> Alarm:
        """Open an alarm: a pre-alarm when there is a cancel window, otherwise active at once."""
        state = AlarmState.PRE_ALARM if cancel_window > timedelta(0) else AlarmState.ACTIVE
        alarm = cls(
            alarm_id,
            apartment_id,
            now,
            state,
            pre_alarm_until=now + cancel_window if state is AlarmState.PRE_ALARM else None,
            triggers=[trigger],
        )
        alarm.history.append(Transition(now, state, actor=trigger.source, note=trigger.kind))
        return alarm

    # --- calls for help ---------------------------------------------------------------------

    def add_trigger(self, trigger: Trigger, now: datetime) -> bool:
        """Join a further call to this open alarm; a second call confirms a pre-alarm.

        Return True when the state changed.
        """
        if not self.state.is_open:
            raise AlarmTransitionError("alarm_closed", self.state)
        self.triggers.append(trigger)
        if self.state is AlarmState.PRE_ALARM:
            self._move(AlarmState.ACTIVE, now, actor=trigger.source, note="confirmed by a call")
            return True
        if self.state is AlarmState.ACKNOWLEDGED:
            # Someone took the alarm, but the person calls again: call the receivers again,
            # from the first step, instead of letting the new call disappear in a taken alarm.
            self._move(AlarmState.ACTIVE, now, actor=trigger.source, note="called again")
            self.step_index = 0
            self.step_started_at = None
            self.last_sent_at = None
            return True
        return False

    def activate_if_due(self, now: datetime) -> bool:
        """End the pre-alarm when its cancel window is over; return True when it did."""
        if self.state is not AlarmState.PRE_ALARM or self.pre_alarm_until is None:
            return False
        if now < self.pre_alarm_until:
            return False
        self._move(AlarmState.ACTIVE, now, note="cancel window over")
        return True

    # --- the person -------------------------------------------------------------------------

    def cancel(self, now: datetime, actor: str | None = None, channel: str | None = None) -> None:
        """Cancel during the pre-alarm (the person is fine); later only a reset ends it."""
        if self.state is not AlarmState.PRE_ALARM:
            raise AlarmTransitionError("not_cancellable", self.state)
        self._move(AlarmState.CANCELLED, now, actor=actor, channel=channel)

    def reset_by_device(self, source: str, now: datetime) -> None:
        """Reset by the device that raised the alarm (EN 50134: receiver or sending device)."""
        if not self.state.is_open:
            raise AlarmTransitionError("alarm_closed", self.state)
        if self.state is AlarmState.PRE_ALARM:
            self._move(AlarmState.CANCELLED, now, actor=source, channel="device")
            return
        if source not in {trigger.source for trigger in self.triggers}:
            raise AlarmTransitionError("not_the_sending_device", self.state)
        self._move(AlarmState.RESOLVED, now, actor=source, channel="device", note="reset")

    # --- receivers --------------------------------------------------------------------------

    def mark_delivered(self, via: str, now: datetime) -> bool:
        """Record that a receiver confirmed the alarm; return True for the first confirmation."""
        if self.state in (AlarmState.ACTIVE, AlarmState.UNDELIVERABLE):
            self._move(AlarmState.DELIVERED, now, channel=via)
            return True
        return False

    def mark_undeliverable(self, now: datetime) -> None:
        """Nobody acknowledged within the whole escalation."""
        if self.state not in (AlarmState.ACTIVE, AlarmState.DELIVERED):
            raise AlarmTransitionError("not_escalating", self.state)
        self._move(AlarmState.UNDELIVERABLE, now)

    def acknowledge(self, actor: str, channel: str, now: datetime) -> None:
        """Someone takes the alarm ("Übernehmen"); a second one is told it is taken."""
        if self.state is AlarmState.ACKNOWLEDGED:
            raise AlarmTransitionError("already_acknowledged", self.state)
        if not self.state.awaits_acknowledgement:
            raise AlarmTransitionError("not_acknowledgeable", self.state)
        self._move(AlarmState.ACKNOWLEDGED, now, actor=actor, channel=channel)
        self.ack_token = None  # used up, whoever took the alarm

    def resolve(self, actor: str, note: str | None, now: datetime) -> None:
        """Close an acknowledged alarm with what was done."""
        if self.state is not AlarmState.ACKNOWLEDGED:
            raise AlarmTransitionError("not_acknowledged", self.state)
        self._move(AlarmState.RESOLVED, now, actor=actor, note=(note or "").strip() or None)

    # --- reading ----------------------------------------------------------------------------

    @property
    def acknowledgement(self) -> Transition | None:
        """The transition that acknowledged the alarm, if any."""
        return next((t for t in reversed(self.history) if t.state is AlarmState.ACKNOWLEDGED), None)

    @property
    def escalation_exhausted(self) -> bool:
        """True once the last step passed without anyone taking the alarm (until called again)."""
        for transition in reversed(self.history):
            if transition.state is AlarmState.UNDELIVERABLE:
                return True
            if transition.state is AlarmState.ACKNOWLEDGED:
                return False
        return False

    @property
    def delivery_latency(self) -> timedelta | None:
        """Time from the alarm becoming active to the first confirmed delivery, if any."""
        active = next((t for t in self.history if t.state is AlarmState.ACTIVE), None)
        delivered = self.first_delivery
        if active is None or delivered is None:
            return None
        return delivered.at - active.at

    @property
    def first_delivery(self) -> Transition | None:
        """The first confirmed delivery, if any."""
        return next((t for t in self.history if t.state is AlarmState.DELIVERED), None)

    def _move(
        self,
        state: AlarmState,
        now: datetime,
        *,
        actor: str | None = None,
        channel: str | None = None,
        note: str | None = None,
    ) -> None:
        self.state = state
        self.history.append(Transition(now, state, actor, channel, note))

    # --- storage ----------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage (written through before the alarm is acted on)."""
        return {
            "alarm_id": self.alarm_id,
            "apartment_id": self.apartment_id,
            "created_at": self.created_at.isoformat(),
            "state": self.state.value,
            "pre_alarm_until": _iso(self.pre_alarm_until),
            "triggers": [trigger.as_dict() for trigger in self.triggers],
            "history": [transition.as_dict() for transition in self.history],
            "step_index": self.step_index,
            "step_started_at": _iso(self.step_started_at),
            "last_sent_at": _iso(self.last_sent_at),
            "ack_token": self.ack_token,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alarm:
        """Read what as_dict wrote."""
        return cls(
            alarm_id=data["alarm_id"],
            apartment_id=data["apartment_id"],
            created_at=datetime.fromisoformat(data["created_at"]),
            state=AlarmState(data["state"]),
            pre_alarm_until=_datetime(data["pre_alarm_until"]),
            triggers=[Trigger.from_dict(item) for item in data["triggers"]],
            history=[Transition.from_dict(item) for item in data["history"]],
            step_index=data["step_index"],
            step_started_at=_datetime(data["step_started_at"]),
            last_sent_at=_datetime(data["last_sent_at"]),
            ack_token=data.get("ack_token"),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
