"""A quarter's smart home through a real Mosquitto, against Home Assistant's own MQTT platforms.

The site: 250 apartments, each linked to its id at one gateway, each with the simulator's health
apartment (14 devices: 3 lights, 2 thermostats, a power/energy meter, care bed, kitchen, blind,
door lock and contact, window contact, presence, e-wheelchair = 18 entities, 4500 in all). The
same entities are measured twice, each in a fresh Home Assistant with its real mqtt integration
on a Mosquitto of its own:

- smart_home: the site's config entry with its apartments linked to the gateway, which has
  announced them (retained: status, apartment list, device lists, device states - the gateway
  protocol of the README). "(+N) entities": the site's other entities of those apartments
  (alarm buttons and sensors ...), set up in the same time and held in the same heap.
- HA MQTT discovery: the same entities configured through Home Assistant's MQTT discovery
  (`homeassistant/<component>/<apartment>/<device>_<key>/config`, retained; light with the
  template schema, climate, sensor, number, cover, lock, binary_sensor), reading the very same
  retained state topics and JSON payloads with value templates, available with the same gateway
  status topic, subscribed with QoS 1 like the site.

Measured for each (both after a warm-up with one apartment that loads code and platforms, and
without asyncio's debug mode, which the test harness turns on and Home Assistant does not):

- set-up: from the config entry's async_setup (the site's; for HA MQTT the mqtt entry's, which
  includes connecting to the broker) until each of the 4500 entities has a state that is neither
  unavailable nor unknown (seen in state_changed events, no polling). RSS growth over the set-up
  is indicative only: other benchmarks share the process and leave freed memory behind.
- state messages per second: three runs of 20,000 state messages (round-robin over the 3500
  devices; each changes every entity of its device; the same topics, payloads and QoS 1 for
  both), published by the gateway in a process of its own (not sharing Home Assistant's GIL) as
  fast as the broker takes them. Rate: 20,000 over the time from the first publish to the
  state_changed event of the last expected change. Each run checks that every entity saw exactly
  its number of changes and shows its device's last value. Also recorded: Home Assistant's CPU
  time per message (process time over the run / 20,000) and how fast the broker took the
  gateway's messages (when that is not well above the rate, the gateway was the limit). The
  broker queues without limit here (max_queued_messages 0): a slow subscriber is measured,
  not dropped.
- heap: the set-up once more in a fresh Home Assistant under tracemalloc (not timed): the Python
  heap retained once all entities have their state, and the peak during set-up.
- smart_home only, onboarding: a site without apartments; time until the gateway's 250
  apartments are offered (one discovery flow), and from accepting the offer until all their
  4500 entities have states.

Nothing is asserted about speed. The requirement: set-up under 5 s, at least HA MQTT's rate.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
import gc
import json
from pathlib import Path
import subprocess
import sys
import time
import tracemalloc
from typing import Any, ClassVar
from unittest.mock import patch

from homeassistant.components import mqtt
from homeassistant.config_entries import (
    SOURCE_INTEGRATION_DISCOVERY,
    ConfigEntry,
    ConfigSubentryData,
)
from homeassistant.const import (
    CONF_NAME,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import CONF_MQTT_BASE_TOPIC, DOMAIN
from custom_components.smart_quarter.emergency.const import SUBENTRY_TYPE_APARTMENT
from custom_components.smart_quarter.smart_home import (
    entities as gateway_entities,
    gateway_protocol as gp,
)
from simulators.apartment_gateway import HEALTH_APARTMENT, INITIAL_STATES
from tests.common import site_entry
from tests.real_broker import Mosquitto, async_setup_mqtt

from .conftest import Recorder

BASE = "smart_quarter/jena_lobeda"
WARM_BASE = "smart_quarter/warmup"
GATEWAY = "gw-1"
APARTMENTS = 250
MESSAGES = 20_000
LOAD_RUNS = 3
DISCOVERY_PREFIX = "homeassistant"

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(170)]

type Message = tuple[str, str]
"""Topic and payload; everything is published with QoS 1 and retained, as the gateway does."""


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The mqtt integration unsubscribes after a cool-down on the loop's own clock."""
    return True


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Measure without asyncio's debug mode (the harness's default), as Home Assistant runs."""
    asyncio.get_running_loop().set_debug(False)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A real Mosquitto that queues without limit for a subscriber that falls behind."""
    mosquitto = Mosquitto(tmp_path)
    config = mosquitto.config.read_text()
    mosquitto.config.write_text(
        config.replace("max_queued_messages 10000", "max_queued_messages 0")
    )
    mosquitto.start()
    yield mosquitto
    mosquitto.stop()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# The gateway's messages --------------------------------------------------------------------------


def _apartment_ids(count: int, prefix: str = "whg") -> list[str]:
    return [f"{prefix}-{n}" for n in range(1, count + 1)]


def _title(apartment: str) -> str:
    """The apartment's name, as the simulator announces it ("whg-7" -> "Wohnung 7")."""
    return f"Wohnung {apartment.split('-', 1)[1]}"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _gateway_messages(base: str, apartments: list[str]) -> list[Message]:
    """Everything the gateway keeps retained: status, apartments, device lists, states."""
    messages = [
        (f"{base}/gateway/{GATEWAY}/status", "online"),
        (
            f"{base}/gateway/{GATEWAY}/apartments",
            _json([{"id": a, "name": _title(a)} for a in apartments]),
        ),
    ]
    for apartment in apartments:
        messages.append((f"{base}/apartment/{apartment}/devices", _json(list(HEALTH_APARTMENT))))
        messages.extend(
            (
                f"{base}/apartment/{apartment}/{device['id']}/state",
                _json(INITIAL_STATES[device["type"]]),
            )
            for device in HEALTH_APARTMENT
        )
    return messages


# Round r of the load: every message changes every entity of its device (r < 20: in range).
LOAD_STATES: dict[str, Callable[[int], dict[str, Any]]] = {
    "light": lambda r: {"on": r % 2 == 0, "brightness": 10 + r},
    "climate": lambda r: {"current": 10.0 + r, "target": 20.0, "mode": "heat"},
    "meter": lambda r: {"power": 100.0 + r, "energy": 2000.0 + r},
    "bed": lambda r: {"height": 30 + r, "head": 1 + r, "foot": 1 + r},
    "kitchen": lambda r: {"height": 30 + r},
    "blind": lambda r: {"position": 10 + r},
    "lock": lambda r: {"locked": r % 2 == 1},
    "door": lambda r: {"open": r % 2 == 0},
    "window": lambda r: {"open": r % 2 == 0},
    "presence": lambda r: {"occupied": r % 2 == 0},
    "wheelchair": lambda r: {"rented": r % 2 == 0, "battery": 90 - r},
}

TYPE_OF: dict[str, str] = {device["id"]: device["type"] for device in HEALTH_APARTMENT}


@dataclass(frozen=True)
class Load:
    """One run of the load: its messages; per (apartment, device) how many, and the last round."""

    messages: list[Message]
    sent: dict[tuple[str, str], tuple[int, int]]


def _load(base: str, apartments: list[str], run: int) -> Load:
    """MESSAGES state messages round-robin over all devices; each run goes on where the last ended.

    A device's k-th message of all runs has round k, so each of them changes every entity.
    """
    devices = [(a, d["id"]) for a in apartments for d in HEALTH_APARTMENT]
    messages: list[Message] = []
    sent: dict[tuple[str, str], tuple[int, int]] = {}
    for n in range(run * MESSAGES, (run + 1) * MESSAGES):
        apartment, device = devices[n % len(devices)]
        round_ = n // len(devices)
        state = LOAD_STATES[TYPE_OF[device]](round_)
        messages.append((f"{base}/apartment/{apartment}/{device}/state", _json(state)))
        count, _ = sent.get((apartment, device), (0, 0))
        sent[apartment, device] = (count + 1, round_)
    return Load(messages, sent)


def _shows_last_value(state: State, device: str, key: str, round_: int) -> bool:
    """Whether an entity shows the value its device's state of that round gives."""
    values = LOAD_STATES[TYPE_OF[device]](round_)
    attributes = state.attributes
    match key:
        case "light":
            return state.state == ("on" if values["on"] else "off")
        case "climate":
            return bool(attributes.get("current_temperature") == values["current"])
        case "blind":
            return bool(attributes.get("current_position") == values["position"])
        case "lock":
            return state.state == ("locked" if values["locked"] else "unlocked")
        case "open" | "occupied" | "rented":
            return state.state == ("on" if values[key] else "off")
        case _:  # power, energy, battery, bed_height, kitchen_height ...
            return bool(float(state.state) == values[key.rsplit("_", 1)[-1]])


# Home Assistant's MQTT discovery for the same entities -------------------------------------------


type Component = tuple[str, str, dict[str, Any]]
"""An entity's discovery config: Home Assistant component, key (as the site's entity), config."""


def _number(key: str, name: str, high: int, unit: str) -> Callable[[str, str], Component]:
    part = key.rsplit("_", 1)[-1]
    return lambda state, command: (
        "number",
        key,
        {
            "name": name,
            "state_topic": state,
            "value_template": f"{{{{ value_json.{part} }}}}",
            "command_topic": command,
            "command_template": f'{{"{part}": {{{{ value }}}}}}',
            "min": 0,
            "max": high,
            "step": 5,
            "mode": "slider",
            "unit_of_measurement": unit,
        },
    )


def _sensor(key: str, kind: str, unit: str, state_class: str) -> Callable[[str, str], Component]:
    return lambda state, _command: (
        "sensor",
        key,
        {
            "name": key.capitalize(),
            "state_topic": state,
            "value_template": f"{{{{ value_json.{key} }}}}",
            "device_class": kind,
            "unit_of_measurement": unit,
            "state_class": state_class,
        },
    )


def _contact(key: str, kind: str | None) -> Callable[[str, str], Component]:
    return lambda state, _command: (
        "binary_sensor",
        key,
        {
            # Like the site's: the device's name, or "Rented" for the wheelchair.
            "name": None if kind else key.capitalize(),
            "state_topic": state,
            "value_template": f"{{{{ 'ON' if value_json.{key} else 'OFF' }}}}",
        }
        | ({"device_class": kind} if kind else {}),
    )


def _light(dimmable: bool) -> Callable[[str, str], Component]:
    brightness = (
        {"brightness_template": "{{ (value_json.brightness * 2.55) | round(0) | int }}"}
        if dimmable
        else {}
    )
    return lambda state, command: (
        "light",
        "light",
        {
            "name": None,
            "schema": "template",
            "state_topic": state,
            "state_template": "{{ 'on' if value_json.on else 'off' }}",
            "command_topic": command,
            "command_on_template": '{"on": true{% if brightness is defined %}, '
            '"brightness": {{ (brightness / 2.55) | round(0) | int }}{% endif %}}',
            "command_off_template": '{"on": false}',
        }
        | brightness,
    )


def _climate(state: str, command: str) -> Component:
    return (
        "climate",
        "climate",
        {
            "name": None,
            "temperature_unit": "C",
            "min_temp": 5,
            "max_temp": 30,
            "temp_step": 0.5,
            "modes": ["off", "heat"],
            "preset_modes": ["comfort", "eco"],
            "current_temperature_topic": state,
            "current_temperature_template": "{{ value_json.current }}",
            "temperature_state_topic": state,
            "temperature_state_template": "{{ value_json.target }}",
            "temperature_command_topic": command,
            "temperature_command_template": '{"target": {{ value }}}',
            "mode_state_topic": state,
            "mode_state_template": "{{ 'off' if value_json.mode == 'off' else 'heat' }}",
            "mode_command_topic": command,
            "mode_command_template": '{"mode": "{{ value }}"}',
            "preset_mode_state_topic": state,
            "preset_mode_value_template": "{{ 'eco' if value_json.mode == 'eco' else 'comfort' }}",
            "preset_mode_command_topic": command,
            "preset_mode_command_template": (
                "{\"mode\": \"{{ 'eco' if value == 'eco' else 'heat' }}\"}"
            ),
        },
    )


def _blind(state: str, command: str) -> Component:
    return (
        "cover",
        "blind",
        {
            "name": None,
            "device_class": "blind",
            "command_topic": command,
            "payload_open": '{"position": 100}',
            "payload_close": '{"position": 0}',
            "payload_stop": None,
            "position_topic": state,
            "position_template": "{{ value_json.position }}",
            "set_position_topic": command,
            "set_position_template": '{"position": {{ position }}}',
        },
    )


def _lock(state: str, command: str) -> Component:
    return (
        "lock",
        "lock",
        {
            "name": None,
            "state_topic": state,
            "value_template": "{{ 'LOCKED' if value_json.locked else 'UNLOCKED' }}",
            "command_topic": command,
            "payload_lock": '{"locked": true}',
            "payload_unlock": '{"locked": false}',
        },
    )


DISCOVERY: dict[str, tuple[Callable[[str, str], Component], ...]] = {
    "climate": (_climate,),
    "meter": (
        _sensor("power", "power", "W", "measurement"),
        _sensor("energy", "energy", "kWh", "total_increasing"),
    ),
    "bed": (
        _number("bed_height", "Height", 100, "%"),
        _number("bed_head", "Head section", 70, "°"),
        _number("bed_foot", "Foot section", 45, "°"),
    ),
    "kitchen": (_number("kitchen_height", "Height", 100, "%"),),
    "blind": (_blind,),
    "lock": (_lock,),
    "door": (_contact("open", "door"),),
    "window": (_contact("open", "window"),),
    "presence": (_contact("occupied", "occupancy"),),
    "wheelchair": (_contact("rented", None), _sensor("battery", "battery", "%", "measurement")),
}
"""The discovery configs of a gateway device's entities, by type (lights: _light)."""


def _discovery_components(device: dict[str, Any], state: str, command: str) -> list[Component]:
    """The discovery configs of one gateway device, reading its state topic."""
    builders = (
        (_light(device.get("dimmable", True)),)
        if device["type"] == "light"
        else DISCOVERY[device["type"]]
    )
    return [build(state, command) for build in builders]


def _discovery_messages(prefix: str, base: str, apartments: list[str]) -> list[Message]:
    """The retained discovery configs of every apartment's gateway devices."""
    messages: list[Message] = []
    for apartment in apartments:
        for device in HEALTH_APARTMENT:
            topic = f"{base}/apartment/{apartment}/{device['id']}"
            area = " ".join(part for part in (_title(apartment), device["room"]) if part)
            for component, key, config in _discovery_components(
                device, f"{topic}/state", f"{topic}/set"
            ):
                payload = config | {
                    "unique_id": f"{apartment}-gw-{device['id']}-{key}",
                    "qos": 1,
                    "availability_topic": f"{base}/gateway/{GATEWAY}/status",
                    "device": {
                        "identifiers": [f"{apartment}-gw-{device['id']}"],
                        "name": device["name"],
                        "manufacturer": "Smart Quarter",
                        "model": f"Gateway {device['type']}",
                        "suggested_area": area,
                    },
                }
                messages.append(
                    (
                        f"{prefix}/{component}/{apartment}/{device['id']}_{key}/config",
                        _json(payload),
                    )
                )
    return messages


def _entity_keys(*, ours: bool) -> dict[str, list[tuple[str, str]]]:
    """Per device type, (platform, key) of its entities: the site's, or the discovery configs'."""
    keys: dict[str, list[tuple[str, str]]] = {}
    for info in gp.parse_devices(_json(list(HEALTH_APARTMENT))):
        if ours:
            keys[info.type.value] = sorted(
                (str(platform), description.key)
                for platform in Platform
                for description in gateway_entities.descriptions(platform, info)
            )
        else:
            device = next(d for d in HEALTH_APARTMENT if d["id"] == info.device_id)
            keys[info.type.value] = sorted(
                (component, key) for component, key, _ in _discovery_components(device, "s", "c")
            )
    return keys


ENTITIES_PER_APARTMENT = sum(
    len(_entity_keys(ours=True)[device["type"]]) for device in HEALTH_APARTMENT
)


# The gateway process -----------------------------------------------------------------------------

_PUBLISHER = """
import json, sys, time
from paho.mqtt import client as paho

port, path = int(sys.argv[1]), sys.argv[2]
with open(path, encoding="utf-8") as file:
    batches = json.load(file)
client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="gateway-publisher")
client.max_inflight_messages_set(1000)
client.connect("127.0.0.1", port)
client.loop_start()
deadline = time.monotonic() + 10
while not client.is_connected() and time.monotonic() < deadline:
    time.sleep(0.01)
print("ready", flush=True)
for line in sys.stdin:
    start = time.perf_counter()
    sent = [client.publish(t, p, qos=1, retain=True) for t, p in batches[line.strip()]]
    for info in sent:
        info.wait_for_publish(120)
    print(start, time.perf_counter(), flush=True)
client.disconnect()
client.loop_stop()
"""


class Publisher:
    """The gateway in a process of its own: publishes named batches (QoS 1, retained).

    perf_counter is the system's monotonic clock, so its times compare with this process's.
    """

    def __init__(self, port: int, folder: Path, batches: dict[str, list[Message]]) -> None:
        """Write the batches for the process; start() starts it."""
        self._port = port
        self._path = folder / "gateway-batches.json"
        self._batches = batches
        self._process: subprocess.Popen[str] | None = None

    def _start(self) -> None:
        self._path.write_text(json.dumps(self._batches), encoding="utf-8")
        self._process = subprocess.Popen(  # noqa: S603 - our interpreter, our script
            [sys.executable, "-c", _PUBLISHER, str(self._port), str(self._path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        assert self._process.stdout.readline().strip() == "ready"

    def _publish(self, batch: str) -> tuple[float, float]:
        assert self._process is not None
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.write(f"{batch}\n")
        self._process.stdin.flush()
        first, acknowledged = self._process.stdout.readline().split()
        return float(first), float(acknowledged)

    def _stop(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=10)
            self._process = None

    async def async_start(self, hass: HomeAssistant) -> None:
        """Start the process and wait until it is connected."""
        await hass.async_add_executor_job(self._start)

    async def async_publish(self, hass: HomeAssistant, batch: str) -> tuple[float, float]:
        """Publish a batch; return when its first message went out and all were acknowledged."""
        return await hass.async_add_executor_job(self._publish, batch)

    async def async_stop(self, hass: HomeAssistant) -> None:
        """Let the process end."""
        await hass.async_add_executor_job(self._stop)


# Watching the entities ---------------------------------------------------------------------------


class Watch:
    """state_changed of the measured entities: when all have a state, how many changes each saw."""

    def __init__(self, hass: HomeAssistant, tracked: Callable[[er.RegistryEntry], bool]) -> None:
        """Listen from now on; `tracked` picks the measured entities from the registry."""
        self._registry = er.async_get(hass)
        self._tracked = tracked
        self._known: dict[str, bool] = {}
        self.ready: set[str] = set()
        self.changes: Counter[str] = Counter()
        self.total = 0
        self._want_ready: int | None = None
        self._want_total: int | None = None
        self.done_at = 0.0
        self._done = asyncio.Event()
        self.stop = hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_state_changed)

    @callback
    def _on_state_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        tracked = self._known.get(entity_id)
        if tracked is None:
            entry = self._registry.async_get(entity_id)
            tracked = self._known[entity_id] = entry is not None and self._tracked(entry)
        if not tracked:
            return
        new = event.data["new_state"]
        if new is None or new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            self.ready.discard(entity_id)
        else:
            self.ready.add(entity_id)
        self.changes[entity_id] += 1
        self.total += 1
        if (self._want_ready is not None and len(self.ready) >= self._want_ready) or (
            self._want_total is not None and self.total >= self._want_total
        ):
            self._want_ready = self._want_total = None
            self.done_at = time.perf_counter()
            self._done.set()

    async def async_all_ready(self, count: int, within: float) -> float:
        """Wait until `count` entities have a state; return when that happened."""
        self._want_ready, self._want_total = count, None
        return await self._async_wait(within, lambda: f"{len(self.ready)} of {count} ready")

    def expect_changes(self, count: int) -> None:
        """From now on, count changes until there were `count` (see async_changes_done)."""
        self.changes.clear()
        self.total = 0
        self._want_total, self._want_ready = count, None
        self._done.clear()

    async def async_changes_done(self, within: float) -> float:
        """Wait for the changes expect_changes asked for; return when the last one happened."""
        return await self._async_wait(within, lambda: f"{self.total} changes")

    async def _async_wait(self, within: float, progress: Callable[[], str]) -> float:
        if self._want_ready is not None and len(self.ready) >= self._want_ready:
            self._want_ready = None
            self.done_at = time.perf_counter()
            self._done.set()
        try:
            async with asyncio.timeout(within):
                await self._done.wait()
        except TimeoutError:
            pytest.fail(f"not done within {within} s: {progress()}")
        self._done.clear()
        return self.done_at


# The two sides -----------------------------------------------------------------------------------


class Side:
    """How one implementation is set up and which entities are its gateway devices' entities."""

    label: ClassVar[str]

    def __init__(self, hass: HomeAssistant, port: int) -> None:
        """Nothing set up yet."""
        self.hass = hass
        self.port = port
        self.apartments = _apartment_ids(APARTMENTS)

    def setup_messages(self) -> list[Message]:
        """Retained before the set-up: the gateway's, and whatever the side needs besides."""
        return _gateway_messages(BASE, self.apartments) + _gateway_messages(WARM_BASE, ["warm-1"])

    async def async_prepare(self) -> None:
        """Everything before the measured set-up (MQTT, a warm-up with one apartment)."""

    async def async_set_up(self) -> None:
        """Start the measured set-up (its entities come in the background)."""

    def tracked(self, entry: er.RegistryEntry) -> bool:
        """Whether an entity is one of the measured set-up's."""
        raise NotImplementedError

    def entities(self, expected: int) -> str:
        """'4500 entities', or '4500 (+1504) entities' when its config entry has others too."""
        others = sum(
            1
            for entity in er.async_get(self.hass).entities.values()
            if entity.config_entry_id == self.entry_id and not self.tracked(entity)
        )
        return f"{expected} (+{others}) entities" if others else f"{expected} entities"

    @property
    def entry_id(self) -> str:
        """The measured config entry."""
        raise NotImplementedError

    def apartment_of(self, owner: str) -> str:
        """The gateway's apartment id from the part of a unique id before '-gw-'."""
        return owner

    async def async_tear_down(self) -> None:
        """Unload everything."""
        for loaded in self.hass.config_entries.async_entries():
            await self.hass.config_entries.async_unload(loaded.entry_id)
        await self.hass.async_block_till_done()


def _site(base: str, apartments: list[str]) -> MockConfigEntry:
    """A site with an apartment linked to each of the gateway's apartments."""
    return site_entry(
        with_room=False,
        options={CONF_MQTT_BASE_TOPIC: base},
        subentries=[
            ConfigSubentryData(
                subentry_id=f"01JSMARTHOME-{apartment}",  # type: ignore[typeddict-unknown-key]
                subentry_type=SUBENTRY_TYPE_APARTMENT,
                title=_title(apartment),
                unique_id=None,
                data={
                    CONF_NAME: _title(apartment),
                    "trigger_devices": [],
                    "smart_home": {"gateway_apartment": apartment},
                },
            )
            for apartment in apartments
        ],
    )


class SmartHome(Side):
    """The site's smart-home subsystem."""

    label = "smart_home"

    def __init__(self, hass: HomeAssistant, port: int, *, linked: bool = True) -> None:
        """The site, not added yet: its 250 apartments linked (or none: the gateway offers them)."""
        super().__init__(hass, port)
        self.site = _site(BASE, self.apartments if linked else [])

    async def async_prepare(self) -> None:
        await async_setup_mqtt(self.hass, self.port)
        warm = _site(WARM_BASE, ["warm-1"])
        watch = Watch(
            self.hass, lambda e: e.config_entry_id == warm.entry_id and "-gw-" in e.unique_id
        )
        warm.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(warm.entry_id)
        await watch.async_all_ready(ENTITIES_PER_APARTMENT, 30)
        watch.stop()
        assert await self.hass.config_entries.async_remove(warm.entry_id)
        await self.hass.async_block_till_done()
        self.site.add_to_hass(self.hass)

    async def async_set_up(self) -> None:
        assert await self.hass.config_entries.async_setup(self.site.entry_id)

    @property
    def entry_id(self) -> str:
        return str(self.site.entry_id)

    def tracked(self, entry: er.RegistryEntry) -> bool:
        return entry.config_entry_id == self.site.entry_id and "-gw-" in entry.unique_id

    def apartment_of(self, owner: str) -> str:
        return str(self.site.subentries[owner].data["smart_home"]["gateway_apartment"])


def _mqtt_entry(port: int, prefix: str) -> MockConfigEntry:
    """Home Assistant's mqtt integration (as tests/real_broker.py) with a discovery prefix."""
    return MockConfigEntry(
        domain=mqtt.DOMAIN,
        data={mqtt.CONF_BROKER: "127.0.0.1", "port": port},
        options={
            "birth_message": {},
            "will_message": {},
            "discovery": True,
            "discovery_prefix": prefix,
        },
        version=2,
        minor_version=1,
    )


class HaMqtt(Side):
    """Home Assistant's own MQTT platforms, configured by MQTT discovery."""

    label = "HA MQTT discovery"

    def __init__(self, hass: HomeAssistant, port: int) -> None:
        """The mqtt entry, not added yet."""
        super().__init__(hass, port)
        self.entry = _mqtt_entry(port, DISCOVERY_PREFIX)

    def setup_messages(self) -> list[Message]:
        return (
            super().setup_messages()
            + _discovery_messages(DISCOVERY_PREFIX, BASE, self.apartments)
            + _discovery_messages("warmup", WARM_BASE, ["warm-1"])
        )

    async def _async_setup_mqtt(self, entry: ConfigEntry) -> None:
        # The test harness's config folder has no configuration.yaml for mqtt to read.
        with patch("homeassistant.config.async_hass_config_yaml", return_value={}):
            assert await self.hass.config_entries.async_setup(entry.entry_id)

    async def async_prepare(self) -> None:
        warm = _mqtt_entry(self.port, "warmup")
        watch = Watch(self.hass, lambda e: e.unique_id.startswith("warm-1-gw-"))
        warm.add_to_hass(self.hass)
        await self._async_setup_mqtt(warm)
        await watch.async_all_ready(ENTITIES_PER_APARTMENT, 30)
        watch.stop()
        assert await self.hass.config_entries.async_remove(warm.entry_id)
        await self.hass.async_block_till_done()
        self.entry.add_to_hass(self.hass)

    async def async_set_up(self) -> None:
        await self._async_setup_mqtt(self.entry)

    @property
    def entry_id(self) -> str:
        return str(self.entry.entry_id)

    def tracked(self, entry: er.RegistryEntry) -> bool:
        return entry.config_entry_id == self.entry.entry_id and entry.unique_id.startswith("whg-")


SIDES = pytest.mark.parametrize("side_type", [SmartHome, HaMqtt], ids=["smart_home", "ha_mqtt"])


async def _async_prepared(
    hass: HomeAssistant, broker: Mosquitto, tmp_path: Path, side_type: type[Side], runs: int
) -> tuple[Side, Publisher, list[Load]]:
    """The side, its gateway's messages retained, warmed up, ready for the measured set-up."""
    side = side_type(hass, broker.port)
    loads = [_load(BASE, side.apartments, run) for run in range(runs)]
    batches = {"setup": side.setup_messages()} | {
        f"load-{run}": load.messages for run, load in enumerate(loads)
    }
    publisher = Publisher(broker.port, tmp_path, batches)
    await publisher.async_start(hass)
    await publisher.async_publish(hass, "setup")
    await side.async_prepare()
    return side, publisher, loads


# The benchmarks ----------------------------------------------------------------------------------


def test_both_sides_have_the_same_entities() -> None:
    """Fairness: the discovery configs describe exactly the site's entities, per device type."""
    assert _entity_keys(ours=False) == _entity_keys(ours=True)
    assert ENTITIES_PER_APARTMENT == 18


@SIDES
async def test_setup_and_state_messages_per_second(
    hass: HomeAssistant,
    broker: Mosquitto,
    tmp_path: Path,
    record: Recorder,
    side_type: type[Side],
) -> None:
    side, publisher, loads = await _async_prepared(hass, broker, tmp_path, side_type, LOAD_RUNS)
    expected = APARTMENTS * ENTITIES_PER_APARTMENT
    watch = Watch(hass, side.tracked)
    rates: list[float] = []
    cpu: list[float] = []
    gateway_rates: list[float] = []
    try:
        gc.collect()
        rss_before = _rss_mb()
        start = time.perf_counter()
        await side.async_set_up()
        ready = await watch.async_all_ready(expected, 120)
        gc.collect()
        rss_growth = _rss_mb() - rss_before
        measured = [e for e in er.async_get(hass).entities.values() if side.tracked(e)]
        assert len(measured) == expected
        entities = side.entities(expected)
        # entity -> (gateway apartment, device, key), from '<owner>-gw-<device>-<key>'
        wanted: dict[str, tuple[str, str, str]] = {}
        for entity in measured:
            owner, rest = entity.unique_id.split("-gw-", 1)
            device, key = rest.rsplit("-", 1)
            wanted[entity.entity_id] = (side.apartment_of(owner), device, key)
        await asyncio.sleep(1)  # the mqtt integration's subscribe cool-downs are over

        for run, load in enumerate(loads):
            watch.expect_changes(sum(load.sent[a, d][0] for a, d, _ in wanted.values()))
            cpu_before = time.process_time()
            first, acknowledged = await publisher.async_publish(hass, f"load-{run}")
            last = await watch.async_changes_done(120)
            cpu.append((time.process_time() - cpu_before) / MESSAGES * 1e6)
            rates.append(MESSAGES / (last - first))
            gateway_rates.append(MESSAGES / (acknowledged - first))
            await asyncio.sleep(0.5)  # nothing more may come
            # Every entity saw each of its device's messages, and shows the last one's value.
            for entity_id, (apartment, device, key) in wanted.items():
                count, last_round = load.sent[apartment, device]
                assert watch.changes[entity_id] == count, entity_id
                state = hass.states.get(entity_id)
                assert state is not None
                assert _shows_last_value(state, device, key, last_round), (entity_id, state)
        watch.stop()
    finally:
        await publisher.async_stop(hass)
        await side.async_tear_down()

    label = side.label
    record(f"{label}: set-up, {APARTMENTS} apartments, {entities}", [ready - start], "s")
    record(f"{label}:   RSS growth over the set-up", [rss_growth], "MB")
    record(f"{label}: state messages processed ({MESSAGES} a run)", rates, "msg/s")
    record(f"{label}:   Home Assistant's CPU time per message", cpu, "µs")
    record(f"{label}:   gateway -> broker meanwhile", gateway_rates, "msg/s")


async def _async_offer(hass: HomeAssistant, within: float) -> str:
    """Wait for the site's offer of the gateway's new apartments; return the flow's id."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN):
            if flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY:
                return flow["flow_id"]
        await asyncio.sleep(0.01)
    pytest.fail("no offer of the gateway's apartments")


async def test_smart_home_onboarding_250_apartments_in_one_step(
    hass: HomeAssistant, broker: Mosquitto, tmp_path: Path, record: Recorder
) -> None:
    """A site without apartments; the gateway's list of 250 is offered and accepted at once."""
    side = SmartHome(hass, broker.port, linked=False)
    publisher = Publisher(broker.port, tmp_path, {"setup": side.setup_messages()})
    await publisher.async_start(hass)
    await publisher.async_publish(hass, "setup")
    await side.async_prepare()
    expected = APARTMENTS * ENTITIES_PER_APARTMENT
    watch = Watch(hass, side.tracked)
    try:
        start = time.perf_counter()
        await side.async_set_up()
        flow_id = await _async_offer(hass, 30)
        offered = time.perf_counter()
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"apartments": side.apartments}
        )
        assert result.get("reason") == "apartments_added"
        ready = await watch.async_all_ready(expected, 120)
        linked = {side.apartment_of(subentry) for subentry in side.site.subentries}
        assert linked == set(side.apartments)
        watch.stop()
    finally:
        await publisher.async_stop(hass)
        await side.async_tear_down()
    record(f"smart_home: site set-up -> {APARTMENTS} apartments offered", [offered - start], "s")
    record(
        f"smart_home: offer accepted -> their {expected} entities",
        [ready - offered],
        "s",
    )


@SIDES
async def test_setup_heap(
    hass: HomeAssistant,
    broker: Mosquitto,
    tmp_path: Path,
    record: Recorder,
    side_type: type[Side],
) -> None:
    side, publisher, _ = await _async_prepared(hass, broker, tmp_path, side_type, 0)
    expected = APARTMENTS * ENTITIES_PER_APARTMENT
    watch = Watch(hass, side.tracked)
    try:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        await side.async_set_up()
        await watch.async_all_ready(expected, 150)
        await asyncio.sleep(1)  # cool-downs over, no message in flight
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        entities = side.entities(expected)
        watch.stop()
    finally:
        tracemalloc.stop()
        await publisher.async_stop(hass)
        await side.async_tear_down()
    record(f"{side.label}: heap retained, {entities}", [(after - before) / 2**20], "MB")
    record(f"{side.label}:   heap peak during set-up", [(peak - before) / 2**20], "MB")
