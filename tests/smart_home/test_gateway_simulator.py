"""The apartment gateway simulator speaks the protocol: checked over a real Mosquitto."""

from __future__ import annotations

import json

import pytest

from custom_components.smart_quarter.smart_home import gateway_protocol as gp
from simulators.apartment_gateway import ApartmentGateway

from ..real_broker import Client, Mosquitto
from .conftest import BASE

pytestmark = pytest.mark.usefixtures("socket_enabled")


def test_announcements_states_and_commands(broker: Mosquitto) -> None:
    """Everything it publishes parses; a command comes back as the new state; a will on loss."""
    gateway = ApartmentGateway(broker.port, BASE, apartments=["whg-1", "whg-2"])
    gateway.start()
    listener = Client(broker.port, "listener", persistent=False)
    try:
        for topic in gp.subscriptions(BASE):
            listener.subscribe(topic)
        expected = 1 + 1 + 2 * (1 + len(gateway.devices))
        # Retained and live copies may both arrive while subscribing: the latest per topic counts.
        latest = {topic: payload for _, topic, payload in listener.wait_for(expected * 2, 3)}
        assert len(latest) == expected
        kinds: dict[str, int] = {}
        for topic, payload in latest.items():
            info = gp.classify(BASE, topic)
            assert info is not None, topic
            kinds[info.kind] = kinds.get(info.kind, 0) + 1
            if info.kind == "gateway_status":
                assert gp.parse_gateway_status(payload) is True
            elif info.kind == "gateway_apartments":
                assert [a.apartment_id for a in gp.parse_apartments(payload)] == ["whg-1", "whg-2"]
            elif info.kind == "devices":
                assert len(gp.parse_devices(payload)) == len(gateway.devices)
            else:
                device = next(d for d in gateway.devices if d["id"] == info.device)
                gp.parse_state(gp.DeviceType(device["type"]), payload)
        assert kinds == {"gateway_status": 1, "gateway_apartments": 1, "devices": 2, "state": 28}

        topic, payload = gp.command(BASE, "whg-1", "pflegebett", height=45, foot=99)
        listener.publish(topic, payload)
        [(_, _, state)] = listener.wait_for(
            1, 5, lambda t, _p: t.endswith("/whg-1/pflegebett/state")
        )
        parsed = gp.parse_state(gp.DeviceType.BED, state)
        # The gateway takes what it may change, within the device's limits.
        assert (parsed["height"], parsed["foot"], parsed["head"]) == (45, 45, 0)
        listener.publish(f"{BASE}/apartment/whg-1/pflegebett/set", "not json")
        assert gateway.commands[-1][2] == {"height": 45, "foot": 99}
        assert json.loads(state)["foot"] == 45
    finally:
        listener.close()
        gateway.stop()
