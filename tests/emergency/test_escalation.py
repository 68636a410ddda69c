"""Escalation rules: first send, repeats at most every 60 s, next steps, undeliverable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from custom_components.smart_quarter.emergency.escalation import (
    Dispatch,
    EscalationPolicy,
    EscalationPolicyError,
    EscalationStep,
    escalate,
    next_wakeup,
)
from custom_components.smart_quarter.emergency.lifecycle import Alarm, AlarmState, Trigger

T0 = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)
S = timedelta(seconds=1)
POLICY = EscalationPolicy(
    steps=(
        EscalationStep(("notify:pflege_handy",), 120 * S),
        EscalationStep(("webhook:pflegedienst", "notify:pflege_handy"), 180 * S),
    ),
    repeat_every=60 * S,
)


def _active() -> Alarm:
    return Alarm.raise_alarm("a1", "apt-1", Trigger("device:b", "button", T0), T0, timedelta(0))


def test_the_whole_timeline_of_an_unanswered_alarm() -> None:
    alarm = _active()
    assert next_wakeup(alarm, POLICY) == T0
    sent: list[tuple[int, Dispatch | None]] = []
    for second in range(421):
        dispatch = escalate(alarm, POLICY, T0 + second * S)
        if dispatch is not None:
            sent.append((second, dispatch))
    assert [(s, d.reason, d.targets) for s, d in sent] == [
        (0, "first", ("notify:pflege_handy",)),
        (60, "repeat", ("notify:pflege_handy",)),
        (120, "escalated", ("notify:pflege_handy", "webhook:pflegedienst")),
        (180, "repeat", ("notify:pflege_handy", "webhook:pflegedienst")),
        (240, "repeat", ("notify:pflege_handy", "webhook:pflegedienst")),
        (300, "undeliverable", ("notify:pflege_handy", "webhook:pflegedienst")),
        (360, "repeat", ("notify:pflege_handy", "webhook:pflegedienst")),
        (420, "repeat", ("notify:pflege_handy", "webhook:pflegedienst")),
    ]
    assert alarm.state is AlarmState.UNDELIVERABLE
    gaps = [b - a for (a, _), (b, _) in pairwise(sent)]
    assert max(gaps) <= 60


def test_acknowledgement_stops_everything() -> None:
    alarm = _active()
    assert escalate(alarm, POLICY, T0) is not None
    alarm.acknowledge("user:anna", "mobile_app", T0 + 30 * S)
    assert escalate(alarm, POLICY, T0 + 500 * S) is None
    assert next_wakeup(alarm, POLICY) is None


def test_pre_alarm_is_not_escalated() -> None:
    alarm = Alarm.raise_alarm("a1", "apt", Trigger("d", "button", T0), T0, 30 * S)
    assert escalate(alarm, POLICY, T0) is None
    assert next_wakeup(alarm, POLICY) is None


def test_next_wakeup_is_the_earlier_of_repeat_and_timeout() -> None:
    alarm = _active()
    escalate(alarm, POLICY, T0)
    assert next_wakeup(alarm, POLICY) == T0 + 60 * S
    policy = EscalationPolicy((EscalationStep(("x",), 20 * S),), repeat_every=60 * S)
    alarm = _active()
    escalate(alarm, policy, T0)
    assert next_wakeup(alarm, policy) == T0 + 20 * S


def test_late_wakeups_do_not_send_twice() -> None:
    """After a restart the escalation goes on from the stored fields, once."""
    alarm = _active()
    escalate(alarm, POLICY, T0)
    restored = Alarm.from_dict(alarm.as_dict())
    dispatch = escalate(restored, POLICY, T0 + 130 * S)
    assert dispatch is not None
    assert dispatch.reason == "escalated"
    assert escalate(restored, POLICY, T0 + 131 * S) is None


@pytest.mark.parametrize(
    ("steps", "repeat", "key"),
    [
        ((), 60, "no_steps"),
        ((EscalationStep((), 60 * S),), 60, "step_without_targets"),
        ((EscalationStep(("x",), 0 * S),), 60, "timeout_not_positive"),
        ((EscalationStep(("x",), 60 * S),), 61, "repeat_out_of_range"),
        ((EscalationStep(("x",), 60 * S),), 0, "repeat_out_of_range"),
    ],
)
def test_policies_that_cannot_work_are_refused(steps: tuple, repeat: int, key: str) -> None:
    with pytest.raises(EscalationPolicyError) as err:
        EscalationPolicy(steps, repeat_every=repeat * S)
    assert err.value.key == key


def test_a_receipt_after_undeliverable_does_not_flap() -> None:
    """Undeliverable, then a receiver confirms: delivered stays, repeats go on, no flapping."""
    alarm = _active()
    escalate(alarm, POLICY, T0)
    escalate(alarm, POLICY, T0 + 120 * S)
    assert escalate(alarm, POLICY, T0 + 300 * S).reason == "undeliverable"  # type: ignore[union-attr]
    assert alarm.mark_delivered("webhook", T0 + 301 * S)
    assert alarm.escalation_exhausted
    assert next_wakeup(alarm, POLICY) == T0 + 360 * S
    for minute in range(1, 6):
        dispatch = escalate(alarm, POLICY, T0 + (300 + 60 * minute) * S)
        assert dispatch is not None
        assert dispatch.reason == "repeat"
    assert alarm.state is AlarmState.DELIVERED
    states = [t.state for t in alarm.history]
    assert states.count(AlarmState.UNDELIVERABLE) == 1
    # Called again after someone took it: a fresh escalation.
    alarm.acknowledge("user:1", "button", T0 + 700 * S)
    alarm.add_trigger(Trigger("device:btn", "button", T0 + 710 * S), T0 + 710 * S)
    assert not alarm.escalation_exhausted
