"""A simulated temi robot running the "temi MQTT Client" bridge app (hapi-robo), for the demo/tests.

It speaks the app's protocol over a real MQTT broker: client id `temi-<serial>`, last will
`temi/<serial>/lwt` `{}`, commands on `temi/<serial>/command/#` (never acknowledged; bad JSON,
missing keys and unknown locations are dropped silently, as the app does), `status/info` every
few seconds, battery changes, go-to progress (start, calculating, going, complete or abort),
occasional obstacles. The battery drains while it drives and charges at the home base.

    python simulators/temi_bridge.py --port 1883 --serial 00120485036

Not shipped by HACS.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
import json
import random
import signal
import threading
import time
from typing import Any

from paho.mqtt import client as mqtt

DEFAULT_LOCATIONS = ("home base", "Wohnzimmer", "Schlafzimmer", "Küche", "Bad", "Eingang")


@dataclass
class TemiBridge:
    """One simulated robot; start() connects, stop() disconnects cleanly (no last will)."""

    serial: str
    port: int
    host: str = "127.0.0.1"
    locations: list[str] = field(default_factory=lambda: list(DEFAULT_LOCATIONS))
    status_interval: float = 3.0
    step_seconds: float = 1.0
    """Time between go-to progress events (a real drive takes longer)."""
    obstacle_rate: float = 0.0
    """Chance that a go-to meets an obstacle (the demo: sometimes; tests: set obstacles)."""
    obstacles: int = 0
    """The next this many go-tos abort with an obstacle (deterministic, for tests)."""
    battery: int = 90
    charging: bool = True
    seed: int | None = None
    said: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    commands: list[tuple[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Prepare the client (not connected yet)."""
        self._random = random.Random(self.seed)  # noqa: S311 - simulation, not secrets
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._drive: threading.Thread | None = None
        self._cancel_drive = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"temi-{self.serial}", clean_session=True
        )
        self.client.will_set(self._topic("lwt"), "{}", qos=1, retain=False)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self._heartbeat = threading.Thread(target=self._beat, daemon=True)

    def _topic(self, kind: str) -> str:
        return f"temi/{self.serial}/{kind}"

    def start(self) -> None:
        """Connect and start publishing status."""
        self.client.connect(self.host, self.port, keepalive=60)
        self.client.loop_start()
        self._heartbeat.start()

    def stop(self) -> None:
        """Disconnect cleanly (a clean shutdown sends no last will, as on the robot)."""
        self._stop.set()
        self._cancel_drive.set()
        self.client.disconnect()
        self.client.loop_stop()

    def drop(self) -> None:
        """Lose the link without a goodbye: the broker publishes the last will."""
        self._stop.set()
        self._cancel_drive.set()
        self.client._sock_close()  # noqa: SLF001 - simulate a dropped TCP link
        self.client.loop_stop()

    def publish(self, kind: str, payload: dict[str, Any] | str) -> None:
        """Publish as the app does (QoS 1, not retained); a str is sent as it is."""
        body = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        self.client.publish(self._topic(kind), body, qos=1, retain=False)

    def _on_connect(self, client: mqtt.Client, *_args: Any) -> None:
        client.subscribe(self._topic("command/#"), qos=0)
        self._status()

    def _beat(self) -> None:
        while not self._stop.wait(self.status_interval):
            with self._lock:
                if self.charging and self.battery < 100:  # noqa: PLR2004
                    self.battery += 1
            self._status()

    def _status(self) -> None:
        self.publish(
            "status/info",
            {"waypoint_list": list(self.locations), "battery_percentage": self.battery},
        )

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        name = message.topic.removeprefix(self._topic("command/"))
        try:
            data = json.loads(message.payload)
        except ValueError:
            return  # the app drops what it cannot read
        if not isinstance(data, dict):
            return
        self.commands.append((name, data))
        match name:
            case "waypoint/goto" if isinstance(data.get("location"), str):
                self._goto(data["location"])
            case "tts" if isinstance(data.get("utterance"), str):
                self.said.append(data["utterance"])
            case "move/stop":
                self._cancel_drive.set()
            case "media/webview" | "media/video" if isinstance(data.get("url"), str):
                self.shown.append(data["url"])

    def _goto(self, wanted: str) -> None:
        target = next(
            (name for name in self.locations if name.strip().lower() == wanted.strip().lower()),
            None,
        )
        if target is None:
            return  # unknown names: no movement, no event
        self._cancel_drive.set()
        if self._drive is not None:
            self._drive.join(timeout=5)
        self._cancel_drive = threading.Event()
        with self._lock:
            blocked = self.obstacles > 0 or self._random.random() < self.obstacle_rate
            if self.obstacles > 0:
                self.obstacles -= 1
        self._drive = threading.Thread(
            target=self._drive_to, args=(target, blocked, self._cancel_drive), daemon=True
        )
        self._drive.start()

    def _drive_to(self, target: str, blocked: bool, cancel: threading.Event) -> None:
        def event(status: str, description: str = "", description_id: int = 0) -> None:
            self.publish(
                "event/waypoint/goto",
                {
                    "location": target,
                    "status": status,
                    "description_id": description_id,
                    "description": description,
                },
            )

        event("start")
        with self._lock:
            self.charging = False
        self.publish("status/utils/battery", {"percentage": self.battery, "is_charging": False})
        for status in ("calculating", "going"):
            if cancel.wait(self.step_seconds):
                event("abort", "Stopped", 1006)
                return
            event(status)
        if cancel.wait(self.step_seconds):
            event("abort", "Stopped", 1006)
            return
        if blocked:
            event("abort", "Obstacle detected on the path", 1005)
            return
        with self._lock:
            self.battery = max(0, self.battery - 2)
            self.charging = target.strip().lower() == "home base"
        event("complete", "Arrived", 0)
        self.publish(
            "status/utils/battery", {"percentage": self.battery, "is_charging": self.charging}
        )


def main() -> None:
    """Run one simulated robot until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--serial", default="00120485036")
    parser.add_argument("--obstacle-rate", type=float, default=0.2)
    parser.add_argument("--step-seconds", type=float, default=2.0)
    args = parser.parse_args()
    robot = TemiBridge(
        args.serial,
        args.port,
        host=args.host,
        obstacle_rate=args.obstacle_rate,
        step_seconds=args.step_seconds,
    )
    robot.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(f"temi bridge simulator: robot {args.serial} on {args.host}:{args.port}", flush=True)
    done.wait()
    robot.stop()


if __name__ == "__main__":
    time.tzset()
    main()
