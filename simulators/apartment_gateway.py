"""A simulated apartment gateway speaking Smart Quarter's gateway protocol, for the demo and tests.

One gateway serves any number of apartments (the two health apartments of the demo, or 250 for
the scale benchmark). It announces them and their devices (retained), publishes each device's
state (retained) and answers commands on `.../set` with the new state, as a real gateway does.
Its last will is `offline` on `<base>/gateway/<id>/status`.

    python simulators/apartment_gateway.py --port 1883 --apartments 2

Not shipped by HACS.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
import json
import signal
import threading
from typing import Any

from paho.mqtt import client as mqtt

# The devices of a health apartment (the quarter's other apartments have a subset).
HEALTH_APARTMENT: tuple[dict[str, Any], ...] = (
    {"id": "licht-wohnzimmer", "type": "light", "name": "Licht", "room": "Wohnzimmer"},
    {"id": "licht-schlafzimmer", "type": "light", "name": "Licht", "room": "Schlafzimmer"},
    {"id": "licht-bad", "type": "light", "name": "Licht", "room": "Bad", "dimmable": False},
    {"id": "heizung-wohnzimmer", "type": "climate", "name": "Heizung", "room": "Wohnzimmer"},
    {"id": "heizung-schlafzimmer", "type": "climate", "name": "Heizung", "room": "Schlafzimmer"},
    {"id": "strom", "type": "meter", "name": "Strom", "room": None},
    {"id": "pflegebett", "type": "bed", "name": "Pflegebett", "room": "Schlafzimmer"},
    {"id": "kueche", "type": "kitchen", "name": "Küchenzeile", "room": "Küche"},
    {"id": "rollladen-wohnzimmer", "type": "blind", "name": "Rollladen", "room": "Wohnzimmer"},
    {"id": "wohnungstuer", "type": "lock", "name": "Wohnungstür", "room": "Flur"},
    {"id": "tuerkontakt", "type": "door", "name": "Wohnungstür", "room": "Flur"},
    {"id": "fenster-schlafzimmer", "type": "window", "name": "Fenster", "room": "Schlafzimmer"},
    {"id": "bewegung-wohnzimmer", "type": "presence", "name": "Bewegung", "room": "Wohnzimmer"},
    {"id": "rollstuhl", "type": "wheelchair", "name": "E-Rollstuhl", "room": None},
)

INITIAL_STATES: dict[str, dict[str, Any]] = {
    "light": {"on": False, "brightness": 0},
    "climate": {"current": 20.5, "target": 20.0, "mode": "heat"},
    "meter": {"power": 85.0, "energy": 1042.5},
    "bed": {"height": 20, "head": 0, "foot": 0},
    "kitchen": {"height": 50},
    "blind": {"position": 100},
    "lock": {"locked": True},
    "door": {"open": False},
    "window": {"open": False},
    "presence": {"occupied": False},
    "wheelchair": {"rented": False, "battery": 100},
}

# What a command may change, per type (anything else is ignored, as by a real gateway).
SETTABLE: dict[str, tuple[str, ...]] = {
    "light": ("on", "brightness"),
    "climate": ("target", "mode"),
    "bed": ("height", "head", "foot"),
    "kitchen": ("height",),
    "blind": ("position",),
    "lock": ("locked",),
}


# The limits the devices keep to (a care bed's foot part goes up to 45 degrees ...).
LIMITS: dict[str, tuple[float, float]] = {
    "brightness": (0, 100),
    "target": (5, 30),
    "height": (0, 100),
    "head": (0, 70),
    "foot": (0, 45),
    "position": (0, 100),
}


def _within(key: str, value: Any) -> Any:
    if key in LIMITS and isinstance(value, int | float) and not isinstance(value, bool):
        low, high = LIMITS[key]
        return min(high, max(low, value))
    return value


@dataclass
class ApartmentGateway:
    """One gateway with its apartments; start() connects and announces everything."""

    port: int
    base: str
    gateway_id: str = "gw-1"
    apartments: list[str] = field(default_factory=lambda: ["whg-1", "whg-2"])
    host: str = "127.0.0.1"
    devices: tuple[dict[str, Any], ...] = HEALTH_APARTMENT
    states: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    commands: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Prepare the client and the devices' states."""
        self._lock = threading.Lock()
        for apartment in self.apartments:
            for device in self.devices:
                self.states[apartment, device["id"]] = dict(INITIAL_STATES[device["type"]])
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"gateway-{self.gateway_id}"
        )
        self.client.will_set(self._status_topic, "offline", qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message

    @property
    def _status_topic(self) -> str:
        return f"{self.base}/gateway/{self.gateway_id}/status"

    def _device_type(self, device_id: str) -> str | None:
        return next((d["type"] for d in self.devices if d["id"] == device_id), None)

    def start(self) -> None:
        """Connect; announcing happens on every (re)connect."""
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        """Say offline and disconnect."""
        self.client.publish(self._status_topic, "offline", qos=1, retain=True).wait_for_publish(5)
        self.client.disconnect()
        self.client.loop_stop()

    def _publish(self, topic: str, payload: Any, *, retain: bool = True) -> None:
        body = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        self.client.publish(topic, body, qos=1, retain=retain)

    def _on_connect(self, client: mqtt.Client, *_args: Any) -> None:
        client.subscribe(f"{self.base}/apartment/+/+/set", qos=1)
        self._publish(self._status_topic, "online")
        self._publish(
            f"{self.base}/gateway/{self.gateway_id}/apartments",
            [{"id": a, "name": f"Wohnung {a.removeprefix('whg-')}"} for a in self.apartments],
        )
        for apartment in self.apartments:
            self.announce(apartment)

    def announce(self, apartment: str) -> None:
        """Publish an apartment's device list and every device's state."""
        self._publish(f"{self.base}/apartment/{apartment}/devices", list(self.devices))
        for device in self.devices:
            self.publish_state(apartment, device["id"])

    def publish_state(self, apartment: str, device: str) -> None:
        """Publish one device's state (retained)."""
        with self._lock:
            state = dict(self.states[apartment, device])
        self._publish(f"{self.base}/apartment/{apartment}/{device}/state", state)

    def set_state(self, apartment: str, device: str, **values: Any) -> None:
        """Change a device's state as the device itself would (a meter counts) and publish it."""
        with self._lock:
            self.states[apartment, device].update(values)
        self.publish_state(apartment, device)

    def remove_device(self, apartment: str, device: str) -> None:
        """Take a device out (its list shrinks; its retained state is cleared)."""
        self.devices = tuple(d for d in self.devices if d["id"] != device)
        self._publish(f"{self.base}/apartment/{apartment}/{device}/state", "")
        self._publish(f"{self.base}/apartment/{apartment}/devices", list(self.devices))

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        parts = message.topic[len(self.base) + 1 :].split("/")
        if len(parts) != 4 or (parts[1], parts[2]) not in self.states:  # noqa: PLR2004
            return
        apartment, device = parts[1], parts[2]
        try:
            command = json.loads(message.payload)
        except ValueError:
            return
        if not isinstance(command, dict):
            return
        self.commands.append((apartment, device, command))
        allowed = SETTABLE.get(self._device_type(device) or "", ())
        with self._lock:
            state = self.states[apartment, device]
            for key, value in command.items():
                if key in allowed:
                    state[key] = _within(key, value)
            if "brightness" in command and "on" not in command and "on" in state:
                state["on"] = bool(command["brightness"])
        self.publish_state(apartment, device)


def main() -> None:
    """Run one gateway until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--base", default="smart_quarter/jena_lobeda")
    parser.add_argument("--apartments", type=int, default=2)
    args = parser.parse_args()
    gateway = ApartmentGateway(
        args.port,
        args.base,
        apartments=[f"whg-{n}" for n in range(1, args.apartments + 1)],
        host=args.host,
    )
    gateway.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(f"apartment gateway simulator: {len(gateway.apartments)} apartments", flush=True)
    done.wait()
    gateway.stop()


if __name__ == "__main__":
    main()
