"""Simulated emergency trigger devices for the demo: pull cords, wearable buttons, fall sensors.

They publish exactly what real devices publish (see custom_components/smart_quarter/emergency/
trigger_message.py) to the demo's Mosquitto:

    python simulators/emergency_devices.py press funkfinger-1          # one button press
    python simulators/emergency_devices.py pull zugschnur-bad-1        # pull cord
    python simulators/emergency_devices.py fall sturzsensor-1
    python simulators/emergency_devices.py cancel funkfinger-1         # the guest cancels
    python simulators/emergency_devices.py battery-low sturzsensor-1
    python simulators/emergency_devices.py heartbeats --every 600 zugschnur-bad-1 funkfinger-1 ...

Calls (press, pull, fall, cancel, battery-low, heartbeat) are repeated every 2 s until Home
Assistant acknowledges them on <base>/emergency/<device>/ack, as real devices do.
"heartbeats" runs until stopped (scripts/develop starts it for the demo's devices); stop it to
see a device fall silent after its supervision interval. Not shipped by HACS.
"""

from __future__ import annotations

import argparse
import contextlib
from datetime import UTC, datetime
import json
import signal
import sys
import threading
import time
import uuid

from paho.mqtt import client as mqtt, publish

EVENTS = {
    "press": "button",
    "pull": "pull_cord",
    "fall": "fall",
    "cancel": "cancel",
    "battery-low": "battery_low",
    "heartbeat": "heartbeat",
}


def message(event: str, battery: int | None = None) -> str:
    """Build the JSON payload of one device message."""
    payload: dict[str, object] = {
        "event": event,
        "id": uuid.uuid4().hex[:16],
        "ts": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if battery is not None:
        payload["battery"] = battery
    return json.dumps(payload)


def send(args: argparse.Namespace, device: str, event: str, battery: int | None = None) -> None:
    """Publish one message with QoS 1, as the devices do."""
    topic = f"{args.base_topic}/emergency/{device}/event"
    publish.single(topic, message(event, battery), qos=1, hostname=args.host, port=args.port)
    print(f"{datetime.now():%H:%M:%S} {device}: {event}", flush=True)


def call_until_acknowledged(
    args: argparse.Namespace, device: str, event: str, within: float = 120
) -> bool:
    """Send a call and repeat it every 2 s until Home Assistant acknowledges it.

    Real devices and gateways repeat too: a call sent while Home Assistant is away from the
    broker is not kept by the broker.
    """
    payload = message(event, args.battery)
    message_id = json.loads(payload)["id"]
    base = f"{args.base_topic}/emergency/{device}"
    acknowledged = threading.Event()

    def on_message(client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        with contextlib.suppress(ValueError):
            if json.loads(msg.payload).get("id") == message_id:
                print(f"{datetime.now():%H:%M:%S} {device}: acknowledged {msg.payload.decode()}")
                acknowledged.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"sim-{device}")
    client.on_message = on_message
    client.on_connect = lambda c, *_: c.subscribe(f"{base}/ack", qos=1)
    client.reconnect_delay_set(1, 2)
    client.connect_async(args.host, args.port)
    client.loop_start()
    deadline = time.monotonic() + within
    try:
        while not acknowledged.is_set() and time.monotonic() < deadline:
            client.publish(f"{base}/event", payload, qos=1)
            print(f"{datetime.now():%H:%M:%S} {device}: {event}", flush=True)
            acknowledged.wait(2)
    finally:
        client.disconnect()
        client.loop_stop()
    return acknowledged.is_set()


def main() -> None:
    """Parse the command line and send."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=[*EVENTS, "heartbeats"])
    parser.add_argument("devices", nargs="+")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--base-topic", default="smart_quarter/jena_lobeda")
    parser.add_argument("--every", type=float, default=600, help="heartbeat period in seconds")
    parser.add_argument("--battery", type=int, default=None)
    args = parser.parse_args()

    if args.command != "heartbeats":
        for device in args.devices:
            if not call_until_acknowledged(args, device, EVENTS[args.command]):
                print(f"{device}: no acknowledgement from Home Assistant", file=sys.stderr)
                sys.exit(1)
        return

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            for device in args.devices:
                try:
                    send(
                        args, device, "heartbeat", args.battery if args.battery is not None else 90
                    )
                except OSError as err:  # broker restarting: try again next round
                    print(f"heartbeat of {device} not sent: {err}", file=sys.stderr, flush=True)
            stop.wait(args.every)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
