"""The apartment gateway protocol: announcements, device lists, states, topics, commands."""

from __future__ import annotations

from contextlib import suppress
import json

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_quarter.smart_home import gateway_protocol as gp

BASE = "smart_quarter/jena_lobeda"


def test_gateway_announces_apartments_and_devices() -> None:
    assert gp.parse_gateway_status(b"online") is True
    assert gp.parse_gateway_status("offline") is False
    assert gp.parse_apartments(
        '[{"id": "whg-0412", "name": "Wohnung 4.12"}, {"id": "whg-0413"}]'
    ) == [gp.ApartmentInfo("whg-0412", "Wohnung 4.12"), gp.ApartmentInfo("whg-0413", "whg-0413")]
    devices = gp.parse_devices(
        json.dumps(
            [
                {"id": "licht-wz", "type": "light", "name": "Licht", "room": "Wohnzimmer"},
                {"id": "bett", "type": "bed", "name": "Pflegebett", "room": "Schlafzimmer"},
                {"id": "lampe", "type": "light", "name": "Lampe", "dimmable": False},
            ]
        )
    )
    assert devices[0] == gp.DeviceInfo("licht-wz", gp.DeviceType.LIGHT, "Licht", "Wohnzimmer")
    assert devices[1].type is gp.DeviceType.BED
    assert devices[2].dimmable is False


@pytest.mark.parametrize(
    ("kind", "payload", "state"),
    [
        ("light", {"on": True, "brightness": 40}, {"on": True, "brightness": 40.0}),
        ("light", {"on": False}, {"on": False, "brightness": None}),
        (
            "climate",
            {"current": 20.5, "target": 21, "mode": "eco"},
            {"current": 20.5, "target": 21.0, "mode": "eco"},
        ),
        ("meter", {"power": 230.5, "energy": 1042.75}, {"power": 230.5, "energy": 1042.75}),
        (
            "bed",
            {"height": 30, "head": 45, "foot": 10},
            {"height": 30.0, "head": 45.0, "foot": 10.0},
        ),
        ("kitchen", {"height": 60}, {"height": 60.0}),
        ("blind", {"position": 100}, {"position": 100.0}),
        ("lock", {"locked": True}, {"locked": True}),
        ("door", {"open": False}, {"open": False}),
        ("window", {"open": True}, {"open": True}),
        ("presence", {"occupied": True}, {"occupied": True}),
        ("wheelchair", {"rented": True, "battery": 80}, {"rented": True, "battery": 80.0}),
    ],
)
def test_states_of_every_device_type(kind: str, payload: dict, state: dict) -> None:
    assert gp.parse_state(gp.DeviceType(kind), json.dumps(payload)) == state


@pytest.mark.parametrize(
    ("parse", "payload"),
    [
        (gp.parse_gateway_status, "maybe"),
        (gp.parse_apartments, '{"id": "x"}'),
        (gp.parse_apartments, '[{"id": "a/b"}]'),
        (gp.parse_apartments, '[{"id": "a"}, {"id": "a"}]'),
        (gp.parse_devices, '[{"id": "x", "type": "toaster"}]'),
        (gp.parse_devices, '[{"id": "x", "type": "light", "dimmable": "ja"}]'),
        (gp.parse_devices, '[{"id": "x", "type": "light", "name": ""}]'),
        (gp.parse_devices, "not json"),
        (lambda p: gp.parse_state(gp.DeviceType.LIGHT, p), '{"on": "yes"}'),
        (lambda p: gp.parse_state(gp.DeviceType.LIGHT, p), '{"on": true, "brightness": 140}'),
        (lambda p: gp.parse_state(gp.DeviceType.CLIMATE, p), '{"target": 40}'),
        (lambda p: gp.parse_state(gp.DeviceType.CLIMATE, p), '{"target": 20, "mode": "cool"}'),
        (lambda p: gp.parse_state(gp.DeviceType.BED, p), '{"height": 10}'),
        (lambda p: gp.parse_state(gp.DeviceType.METER, p), "[1]"),
        (
            lambda p: gp.parse_state(gp.DeviceType.LIGHT, p),
            '{"on": true, "note": "' + "x" * gp.MAX_STATE_BYTES + '"}',
        ),
    ],
)
def test_malformed_messages_raise_one_error_type(parse: object, payload: str) -> None:
    with pytest.raises(gp.GatewayMessageError):
        parse(payload)  # type: ignore[operator]


@given(
    st.sampled_from(list(gp.DeviceType)), st.one_of(st.binary(max_size=100), st.text(max_size=100))
)
def test_no_state_payload_raises_anything_else(kind: gp.DeviceType, payload: bytes | str) -> None:
    with suppress(gp.GatewayMessageError):
        gp.parse_state(kind, payload)


def test_topics_and_commands() -> None:
    assert gp.classify(BASE, f"{BASE}/gateway/gw-1/status") == gp.Topic(
        "gateway_status", gateway="gw-1"
    )
    assert gp.classify(BASE, f"{BASE}/apartment/whg-0412/devices") == gp.Topic(
        "devices", apartment="whg-0412"
    )
    assert gp.classify(BASE, f"{BASE}/apartment/whg-0412/bett/state") == gp.Topic(
        "state", apartment="whg-0412", device="bett"
    )
    assert gp.classify(BASE, f"{BASE}/emergency/x/event") is None
    assert gp.classify(BASE, "other/apartment/x/devices") is None
    assert gp.command(BASE, "whg-0412", "bett", height=40) == (
        f"{BASE}/apartment/whg-0412/bett/set",
        '{"height":40}',
    )
    assert f"{BASE}/apartment/+/+/state" in gp.subscriptions(BASE)
