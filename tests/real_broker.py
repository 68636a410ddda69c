"""A real Mosquitto on loopback and Home Assistant's mqtt integration connected to it.

For tests and benchmarks where the broker's own behaviour matters (restarts, QoS 1 queues,
real sockets). Mosquitto keeps a persistent store, so a restart keeps the sessions and the
queued QoS 1 messages of clients that connected with clean_session=False, as in production.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import getpass
import json
from pathlib import Path
import queue
import shutil
import socket
import subprocess
import time
from typing import Any
from unittest.mock import patch

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from paho.mqtt import client as paho
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .common import free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


class Mosquitto:
    """One broker process; stop() and start() keep its port and persistent store."""

    def __init__(self, folder: Path) -> None:
        """Prepare the configuration in `folder`."""
        self.port = free_port()
        self.folder = folder
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            f"user {getpass.getuser()}\n"  # as root, mosquitto would drop to a user without access
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {folder}/\n"
            "autosave_interval 1\n"
            f"log_dest file {folder}/mosquitto.log\n"
            "max_queued_messages 10000\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the broker and wait until it accepts connections."""
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start: {self.folder}/mosquitto.log")

    def stop(self) -> None:
        """Stop the broker (SIGTERM: it saves its store, as on a planned restart)."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Client:
    """A paho client in its own thread: a device or the care service's subscriber."""

    def __init__(self, port: int, client_id: str, *, persistent: bool = True) -> None:
        """Connect (with a persistent session unless told otherwise) and start the loop."""
        self.messages: queue.Queue[tuple[float, str, bytes]] = queue.Queue()
        self._client = paho.Client(
            paho.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=not persistent,
        )
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(0.2, 1)
        self._subscriptions: list[str] = []
        self._client.on_connect = self._on_connect
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()

    def _on_connect(self, client: paho.Client, *_: Any) -> None:
        for topic in self._subscriptions:
            client.subscribe(topic, qos=1)

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        self.messages.put((time.perf_counter(), message.topic, message.payload))

    def subscribe(self, topic: str) -> None:
        """Subscribe with QoS 1 (again after every reconnect)."""
        self._subscriptions.append(topic)
        self._client.subscribe(topic, qos=1)

    def publish(self, topic: str, payload: str) -> paho.MQTTMessageInfo:
        """Publish with QoS 1 (queued by paho while the broker is away)."""
        return self._client.publish(topic, payload, qos=1)

    def publish_until_ack(
        self, topic: str, payload: str, ack_topic: str, message_id: str, within: float = 40
    ) -> dict[str, Any] | None:
        """Repeat a call every second until its acknowledgement arrives, as devices do."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            self.publish(topic, payload)
            for _, _, body in self.wait_for(1, 1.0, lambda t, _payload: t == ack_topic):
                answer: dict[str, Any] = json.loads(body)
                if answer.get("id") == message_id:
                    return answer
        return None

    def close(self) -> None:
        """Disconnect and stop the thread."""
        with contextlib.suppress(Exception):
            self._client.disconnect()
        self._client.loop_stop()

    def wait_for(
        self,
        count: int,
        within: float,
        accept: Callable[[str, bytes], bool] = lambda _topic, _payload: True,
    ) -> list[tuple[float, str, bytes]]:
        """Return the next `count` accepted messages (fewer when `within` seconds pass)."""
        found: list[tuple[float, str, bytes]] = []
        deadline = time.monotonic() + within
        while len(found) < count and time.monotonic() < deadline:
            try:
                item = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if accept(item[1], item[2]):
                found.append(item)
        return found


async def async_setup_mqtt(hass: HomeAssistant, port: int) -> MockConfigEntry:
    """Home Assistant's real mqtt integration (real paho client) on the given broker."""
    entry = MockConfigEntry(
        domain=mqtt.DOMAIN,
        data={mqtt.CONF_BROKER: "127.0.0.1", "port": port},
        # No birth message: HA's own birth publish raises unretrieved when the broker goes
        # away while it waits for the PUBACK (seen when a test stops the broker early).
        options={"birth_message": {}, "will_message": {}},
        version=2,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    # The test harness's config folder has no configuration.yaml for mqtt to read.
    with patch("homeassistant.config.async_hass_config_yaml", return_value={}):
        assert await hass.config_entries.async_setup(entry.entry_id)
    assert await mqtt.async_wait_for_mqtt_client(hass)
    return entry
