"""Escalation of an unacknowledged alarm to care services, as pure rules (no Home Assistant).

A policy is an ordered list of steps, each with its targets and an acknowledgement timeout.
While an alarm waits for acknowledgement it is sent again at most every `repeat_every`
(<= 60 s, DIN VDE V 0825-11) to every target reached so far; when a step's timeout passes the
next step's targets join; after the last step the alarm is undeliverable and is still sent to
everyone, cyclically, until someone acknowledges it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .lifecycle import Alarm

MAX_REPEAT = timedelta(seconds=60)
DEFAULT_STEP_TIMEOUT = timedelta(minutes=5)


class EscalationPolicyError(ValueError):
    """A policy that cannot work; `key` names the problem for the configuration flow."""

    def __init__(self, key: str) -> None:
        """Keep the key."""
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """Whom to call, and how long to wait for an acknowledgement before the next step."""

    targets: tuple[str, ...]
    ack_timeout: timedelta


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    """The ordered steps of a site, and how often an alarm is repeated."""

    steps: tuple[EscalationStep, ...]
    repeat_every: timedelta = MAX_REPEAT

    def __post_init__(self) -> None:
        """Refuse policies that could leave an alarm unsent or sent too rarely."""
        if not self.steps:
            raise EscalationPolicyError("no_steps")
        if any(not step.targets for step in self.steps):
            raise EscalationPolicyError("step_without_targets")
        if any(step.ack_timeout <= timedelta(0) for step in self.steps):
            raise EscalationPolicyError("timeout_not_positive")
        if not timedelta(0) < self.repeat_every <= MAX_REPEAT:
            raise EscalationPolicyError("repeat_out_of_range")

    def targets_up_to(self, step_index: int) -> tuple[str, ...]:
        """Every target of the steps reached so far, each once, in order."""
        seen: dict[str, None] = {}
        for step in self.steps[: step_index + 1]:
            seen.update(dict.fromkeys(step.targets))
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Dispatch:
    """Send the alarm to these targets now."""

    targets: tuple[str, ...]
    step_index: int
    reason: str
    """'first', 'repeat', 'escalated' or 'undeliverable'."""


def escalate(alarm: Alarm, policy: EscalationPolicy, now: datetime) -> Dispatch | None:
    """Advance the alarm's escalation to `now`; return what to send now, if anything.

    Changes the alarm's escalation fields (and its state to undeliverable); the caller stores
    the alarm before it sends the dispatch.
    """
    if not alarm.state.awaits_acknowledgement:
        return None
    if alarm.step_started_at is None:
        alarm.step_index = 0
        alarm.step_started_at = now
        alarm.last_sent_at = now
        return Dispatch(policy.targets_up_to(0), 0, "first")

    step = policy.steps[min(alarm.step_index, len(policy.steps) - 1)]
    # Once undeliverable, an alarm only repeats: a later receipt (delivered) must not make it
    # fall back to undeliverable at every repeat.
    if not alarm.escalation_exhausted and now >= alarm.step_started_at + step.ack_timeout:
        alarm.last_sent_at = now
        if alarm.step_index + 1 < len(policy.steps):
            alarm.step_index += 1
            alarm.step_started_at = now
            return Dispatch(policy.targets_up_to(alarm.step_index), alarm.step_index, "escalated")
        alarm.mark_undeliverable(now)
        return Dispatch(policy.targets_up_to(alarm.step_index), alarm.step_index, "undeliverable")

    last_sent_at = alarm.last_sent_at or alarm.step_started_at
    if now >= last_sent_at + policy.repeat_every:
        alarm.last_sent_at = now
        return Dispatch(policy.targets_up_to(alarm.step_index), alarm.step_index, "repeat")
    return None


def next_wakeup(alarm: Alarm, policy: EscalationPolicy) -> datetime | None:
    """When escalate() must run next for this alarm (None: nothing is pending)."""
    if not alarm.state.awaits_acknowledgement:
        return None
    if alarm.step_started_at is None or alarm.last_sent_at is None:
        return alarm.created_at
    repeat_at = alarm.last_sent_at + policy.repeat_every
    if alarm.escalation_exhausted:
        return repeat_at
    step = policy.steps[min(alarm.step_index, len(policy.steps) - 1)]
    return min(repeat_at, alarm.step_started_at + step.ack_timeout)


def build_policy(
    steps: Iterable[tuple[int, Sequence[str], int]], fallback: Sequence[str]
) -> EscalationPolicy:
    """Make the policy from configured steps (position, targets, timeout in minutes).

    Steps run in the order of their positions. Without steps the site alarms every target of
    `fallback` at once and counts an alarm undeliverable after the default timeout.
    """
    ordered = sorted(steps, key=lambda step: step[0])
    if not ordered:
        return EscalationPolicy((EscalationStep(tuple(fallback), DEFAULT_STEP_TIMEOUT),))
    return EscalationPolicy(
        tuple(
            EscalationStep(tuple(targets), timedelta(minutes=minutes))
            for _, targets, minutes in ordered
        )
    )
