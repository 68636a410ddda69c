"""Trigger messages: the documented schema, lenient on formalities, never another exception."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
import json

from hypothesis import assume, given, settings, strategies as st
import pytest

from custom_components.smart_quarter.emergency.trigger_message import (
    MAX_PAYLOAD_BYTES,
    TriggerKind,
    TriggerMessage,
    TriggerMessageError,
    device_id_from_topic,
    parse_trigger_message,
)


def _payload(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_a_complete_button_press() -> None:
    message = parse_trigger_message(
        "btn-1", _payload(event="button", id="m-17", ts="2026-11-23T08:15:00+01:00", battery=87)
    )
    assert message == TriggerMessage(
        device_id="btn-1",
        kind=TriggerKind.BUTTON,
        message_id="m-17",
        sent_at=datetime(2026, 11, 23, 8, 15, tzinfo=timezone(timedelta(hours=1))),
        battery=87,
    )
    assert message.kind.raises_alarm
    assert message.problems == ()


@pytest.mark.parametrize(
    ("kind", "raises"),
    [
        ("button", True),
        ("pull_cord", True),
        ("fall", True),
        ("cancel", False),
        ("heartbeat", False),
        ("battery_low", False),
    ],
)
def test_every_kind(kind: str, raises: bool) -> None:
    message = parse_trigger_message("d", _payload(event=kind, id="1", ts="2026-11-23T08:15:00Z"))
    assert message.kind == kind
    assert message.kind.raises_alarm is raises
    assert message.sent_at == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)


def test_formal_problems_never_lose_a_call_for_help() -> None:
    """A fall with no id, a naive time and a silly battery level is still a fall."""
    message = parse_trigger_message(
        "fall-2", _payload(event="fall", id=17, ts="2026-11-23T08:15:00", battery=True)
    )
    assert message.kind is TriggerKind.FALL
    assert message.message_id is None
    assert message.sent_at is None
    assert message.battery is None
    assert message.problems == ("bad_message_id", "bad_timestamp", "bad_battery")


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        (b"\xff\xfe", "not_json"),
        (b"button", "not_json"),
        (b"", "not_json"),
        (b"[]", "not_an_object"),
        (b'"button"', "not_an_object"),
        (b"{}", "unknown_event"),
        (_payload(event="BUTTON"), "unknown_event"),
        (_payload(event=["button"]), "unknown_event"),
        (b"[" * 5000 + b"]" * 5000, "too_large"),
        (b"[" * 2000 + b"]" * 40, "not_json"),
        (b" " * (MAX_PAYLOAD_BYTES + 1), "too_large"),
    ],
)
def test_unusable_payloads(payload: bytes, key: str) -> None:
    with pytest.raises(TriggerMessageError) as err:
        parse_trigger_message("d", payload)
    assert err.value.key == key


def test_text_payloads_are_accepted() -> None:
    message = parse_trigger_message(
        "d", '{"event": "heartbeat", "id": "h1", "ts": "2026-11-23T08:15:00Z"}'
    )
    assert message.kind is TriggerKind.HEARTBEAT


def test_device_id_from_topic() -> None:
    base = "smart_quarter/jena_lobeda"
    assert device_id_from_topic(f"{base}/emergency/btn-1/event", base) == "btn-1"
    for topic, key in (
        (f"{base}/emergency/btn-1/state", "wrong_topic"),
        ("other/emergency/btn-1/event", "wrong_topic"),
        (f"{base}/emergency//event", "bad_device_id"),
        (f"{base}/emergency/a/b/event", "bad_device_id"),
        (f"{base}/emergency/{'x' * 65}/event", "bad_device_id"),
    ):
        with pytest.raises(TriggerMessageError) as err:
            device_id_from_topic(topic, base)
        assert err.value.key == key, topic


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_only_raise_the_parse_error(payload: bytes) -> None:
    with contextlib.suppress(TriggerMessageError):
        parse_trigger_message("d", payload)


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["event", "id", "ts", "battery", "extra"]), json_values, max_size=5
    ),
    st.sampled_from([kind.value for kind in TriggerKind]),
)
def test_fuzz_objects_with_a_known_event_always_parse(fields: dict, event: str) -> None:
    """Whatever else an object of an allowed size holds, a known event is never refused."""
    fields["event"] = event
    raw = json.dumps(fields).encode()
    assume(len(raw) <= MAX_PAYLOAD_BYTES)  # larger ones are refused whole (test above)
    message = parse_trigger_message("d", raw)
    assert message.kind == event
