"""The alarm lifecycle: every transition, the refused ones, the audit trail and storage."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.smart_quarter.emergency.lifecycle import (
    Alarm,
    AlarmState,
    AlarmTransitionError,
    Trigger,
)

T0 = datetime(2026, 11, 23, 3, 12, tzinfo=UTC)
S = timedelta(seconds=1)
BUTTON = Trigger("device:btn-1", "button", T0, "m1")
CORD = Trigger("device:cord-1", "pull_cord", T0 + 5 * S, "c1")


def _alarm(window: timedelta = 30 * S) -> Alarm:
    return Alarm.raise_alarm("a1", "apt-1", BUTTON, T0, window)


def test_pre_alarm_then_active_when_the_window_is_over() -> None:
    alarm = _alarm()
    assert alarm.state is AlarmState.PRE_ALARM
    assert alarm.pre_alarm_until == T0 + 30 * S
    assert not alarm.activate_if_due(T0 + 29 * S)
    assert alarm.activate_if_due(T0 + 30 * S)
    assert alarm.state is AlarmState.ACTIVE
    assert not alarm.activate_if_due(T0 + 31 * S)
    assert [t.state for t in alarm.history] == [AlarmState.PRE_ALARM, AlarmState.ACTIVE]


def test_no_cancel_window_means_active_at_once() -> None:
    alarm = _alarm(timedelta(0))
    assert alarm.state is AlarmState.ACTIVE
    assert alarm.pre_alarm_until is None
    assert not alarm.activate_if_due(T0 + 999 * S)


def test_a_second_call_confirms_a_pre_alarm_and_never_interrupts() -> None:
    alarm = _alarm()
    assert alarm.add_trigger(CORD, T0 + 5 * S) is True
    assert alarm.state is AlarmState.ACTIVE
    assert alarm.add_trigger(Trigger("device:fall-1", "fall", T0 + 6 * S), T0 + 6 * S) is False
    assert alarm.state is AlarmState.ACTIVE
    assert len(alarm.triggers) == 3


def test_cancel_only_during_the_pre_alarm() -> None:
    alarm = _alarm()
    alarm.cancel(T0 + 10 * S, actor="guest", channel="dashboard")
    assert alarm.state is AlarmState.CANCELLED
    assert not alarm.state.is_open
    assert alarm.history[-1].actor == "guest"

    active = _alarm(timedelta(0))
    with pytest.raises(AlarmTransitionError) as err:
        active.cancel(T0 + S)
    assert err.value.key == "not_cancellable"
    assert active.state is AlarmState.ACTIVE


def test_full_path_with_who_when_and_channel() -> None:
    alarm = _alarm(timedelta(0))
    assert alarm.mark_delivered("webhook:pflegedienst", T0 + S) is True
    assert alarm.mark_delivered("mqtt:care", T0 + 2 * S) is False
    alarm.acknowledge("user:schwester-anna", "mobile_app", T0 + 40 * S)
    alarm.resolve("user:schwester-anna", "  Patientin aufgeholfen ", T0 + 600 * S)
    assert alarm.state is AlarmState.RESOLVED
    assert alarm.first_delivery is not None
    assert alarm.first_delivery.channel == "webhook:pflegedienst"
    ack = alarm.acknowledgement
    assert ack is not None
    assert (ack.actor, ack.channel, ack.at) == ("user:schwester-anna", "mobile_app", T0 + 40 * S)
    assert alarm.history[-1].note == "Patientin aufgeholfen"


def test_second_acknowledgement_is_refused_and_names_the_state() -> None:
    alarm = _alarm(timedelta(0))
    alarm.acknowledge("user:anna", "dashboard", T0 + S)
    with pytest.raises(AlarmTransitionError) as err:
        alarm.acknowledge("user:bernd", "mobile_app", T0 + 2 * S)
    assert err.value.key == "already_acknowledged"
    assert alarm.acknowledgement is not None
    assert alarm.acknowledgement.actor == "user:anna"


@pytest.mark.parametrize(
    ("setup", "action", "key"),
    [
        ("pre", lambda a: a.acknowledge("u", "c", T0 + S), "not_acknowledgeable"),
        ("active", lambda a: a.resolve("u", None, T0 + S), "not_acknowledged"),
        ("resolved", lambda a: a.add_trigger(CORD, T0 + S), "alarm_closed"),
        ("resolved", lambda a: a.reset_by_device("device:btn-1", T0 + S), "alarm_closed"),
        ("pre", lambda a: a.mark_undeliverable(T0 + S), "not_escalating"),
        (
            "active",
            lambda a: a.reset_by_device("device:someone-else", T0 + S),
            "not_the_sending_device",
        ),
    ],
)
def test_refused_transitions_change_nothing(setup: str, action, key: str) -> None:
    alarm = _alarm(timedelta(0) if setup != "pre" else 30 * S)
    if setup == "resolved":
        alarm.acknowledge("u", "c", T0)
        alarm.resolve("u", None, T0)
    before = alarm.as_dict()
    with pytest.raises(AlarmTransitionError) as err:
        action(alarm)
    assert err.value.key == key
    assert alarm.as_dict() == before


def test_the_sending_device_may_reset() -> None:
    """EN 50134: the receiving centre or the sending device resets an alarm."""
    alarm = _alarm(timedelta(0))
    alarm.add_trigger(CORD, T0 + 5 * S)
    alarm.reset_by_device("device:cord-1", T0 + 9 * S)
    assert alarm.state is AlarmState.RESOLVED
    assert (alarm.history[-1].channel, alarm.history[-1].note) == ("device", "reset")

    pre = _alarm()
    pre.reset_by_device("device:other", T0 + S)  # a cancel during the pre-alarm is fine
    assert pre.state is AlarmState.CANCELLED


def test_undeliverable_can_still_be_delivered_and_acknowledged() -> None:
    alarm = _alarm(timedelta(0))
    alarm.mark_undeliverable(T0 + 300 * S)
    assert alarm.state is AlarmState.UNDELIVERABLE
    assert alarm.state.awaits_acknowledgement
    assert alarm.mark_delivered("late", T0 + 301 * S)
    alarm.acknowledge("u", "c", T0 + 302 * S)
    assert alarm.state is AlarmState.ACKNOWLEDGED


def test_storage_round_trip() -> None:
    alarm = _alarm()
    alarm.add_trigger(CORD, T0 + 5 * S)
    alarm.mark_delivered("webhook", T0 + 6 * S)
    alarm.step_index, alarm.step_started_at, alarm.last_sent_at = 1, T0 + 7 * S, T0 + 8 * S
    restored = Alarm.from_dict(alarm.as_dict())
    assert restored == alarm
    assert restored.as_dict() == alarm.as_dict()


OPERATIONS = st.lists(
    st.sampled_from(
        ["trigger", "activate", "cancel", "reset", "deliver", "undeliverable", "ack", "resolve"]
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(OPERATIONS, st.booleans())
def test_any_sequence_keeps_the_trail_consistent(operations: list[str], window: bool) -> None:
    """Whatever happens, the state is the last history entry and closed stays closed."""
    alarm = _alarm(30 * S if window else timedelta(0))
    now = T0
    for op in operations:
        now += 7 * S
        closed_before = not alarm.state.is_open
        actions = {
            "trigger": lambda at: alarm.add_trigger(Trigger("device:x", "button", at), at),
            "activate": alarm.activate_if_due,
            "cancel": alarm.cancel,
            "reset": lambda at: alarm.reset_by_device("device:btn-1", at),
            "deliver": lambda at: alarm.mark_delivered("w", at),
            "undeliverable": alarm.mark_undeliverable,
            "ack": lambda at: alarm.acknowledge("u", "c", at),
            "resolve": lambda at: alarm.resolve("u", None, at),
        }
        # A refused action is fine; what follows checks that nothing inconsistent happened.
        with contextlib.suppress(AlarmTransitionError):
            actions[op](now)
        assert alarm.history[-1].state is alarm.state
        if closed_before:
            assert not alarm.state.is_open
        assert [t.at for t in alarm.history] == sorted(t.at for t in alarm.history)
    assert Alarm.from_dict(alarm.as_dict()) == alarm
