"""End to end: scripts/develop starts Mosquitto and a real Home Assistant with the demo site.

Runs the README's demo command in a temporary folder on free ports, logs in with the documented
demo users over HTTP, checks that the integration and its entities are live, and that Ctrl-C
(SIGINT) stops everything the script started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any
import urllib.error

import pytest

from .conftest import IN_SERVICE, REPO, START_TIMEOUT, Demo, port_open

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(START_TIMEOUT + 120)]


def test_demo_serves_the_site_with_its_integrations(demo: Demo) -> None:
    """The admin sees the loaded site, the MQTT entry and the room's entity."""
    token = demo.log_in("admin", "smartquarter-admin")
    config = demo.request("/api/config", token)
    assert tuple(int(p) for p in config["version"].split(".")[:2]) >= (2026, 10)
    assert "smart_quarter" in config["components"]

    entries = demo.request("/api/config/config_entries/entry", token)
    states = {entry["domain"]: entry["state"] for entry in entries}
    assert states["smart_quarter"] == "loaded"
    assert states["mqtt"] == "loaded"
    [site] = [entry for entry in entries if entry["domain"] == "smart_quarter"]
    assert site["title"] == "Jena-Lobeda"

    # The demo runs in German, so the entity id comes from the German name.
    state = demo.request(f"/api/states/{IN_SERVICE}", token)
    assert state["state"] == "on"
    assert state["attributes"]["friendly_name"] == "TMR Lobeda In Betrieb"


def test_care_service_user_is_not_an_administrator(demo: Demo) -> None:
    """The documented non-admin login works and cannot add a site."""
    token = demo.log_in("pflege", "smartquarter-pflege")
    assert demo.request(f"/api/states/{IN_SERVICE}", token)["state"] == "on"
    with pytest.raises(urllib.error.HTTPError) as err:
        demo.request("/api/config/config_entries/flow", token, {"handler": "smart_quarter"})
    assert err.value.code == 401


def test_pull_cord_over_the_real_broker_raises_one_alarm(demo: Demo) -> None:
    """A device publishes to Mosquitto (QoS 1, twice, as a redelivery would): one pre-alarm."""
    from paho.mqtt import publish

    token = demo.log_in("admin", "smartquarter-admin")
    # Entity ids follow the apartment's name even though it is added while the site reloads
    # for the room added just before it (that race once gave them the site's name).
    sensor = demo.entity_id_named("Gesundheitswohnung 1 Alarm", token)
    cancel = demo.entity_id_named("Gesundheitswohnung 1 Alarm abbrechen", token)
    assert (sensor, cancel) == (
        "sensor.gesundheitswohnung_1_alarm",
        "button.gesundheitswohnung_1_alarm_abbrechen",
    )
    assert demo.request(f"/api/states/{sensor}", token)["state"] == "idle"
    path = demo.entity_id_named("Jena-Lobeda Notrufweg", token)
    assert demo.request(f"/api/states/{path}", token)["state"] == "off"  # broker connected
    topic = "smart_quarter/jena_lobeda/emergency/zugschnur-bad-1/event"
    payload = json.dumps({"event": "pull_cord", "id": "e2e-1", "ts": "2026-11-23T03:12:00Z"})
    for _ in range(2):
        publish.single(topic, payload, qos=1, hostname="127.0.0.1", port=demo.mqtt_port)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        state = demo.request(f"/api/states/{sensor}", token)
        if state["state"] != "idle":
            break
        time.sleep(0.2)
    assert state["state"] == "pre_alarm"
    time.sleep(1)  # let the redelivered copy arrive
    sites = demo.request("/api/states/sensor.jena_lobeda_offene_alarme", token)
    assert sites["state"] == "1"

    # The guest cancels on the TV (a button press through the API).
    demo.request("/api/services/button/press", token, {"entity_id": cancel})
    assert demo.request(f"/api/states/{sensor}", token)["state"] == "idle"


def _wait_for_state(demo: Demo, entity_id: str, token: str, wanted: str, within: float) -> str:
    deadline = time.monotonic() + within
    state = ""
    while time.monotonic() < deadline:
        state = demo.request(f"/api/states/{entity_id}", token)["state"]
        if state == wanted:
            break
        time.sleep(0.2)
    return state


def test_alarm_reaches_the_care_service_which_takes_it_back(demo: Demo) -> None:
    """Trigger over Mosquitto -> signed webhook -> care service's callback -> taken -> resolved.

    A second call confirms the pre-alarm at once, so nobody waits for the cancel window.
    """
    from paho.mqtt import publish

    token = demo.log_in("pflege", "smartquarter-pflege")
    sensor = "sensor.gesundheitswohnung_1_alarm"
    assert demo.request(f"/api/states/{sensor}", token)["state"] == "idle"
    for device, event, message_id in (
        ("sturzsensor-1", "fall", "e2e-care-1"),
        ("funkfinger-1", "button", "e2e-care-2"),
    ):
        publish.single(
            f"smart_quarter/jena_lobeda/emergency/{device}/event",
            json.dumps({"event": event, "id": message_id}),
            qos=1,
            hostname="127.0.0.1",
            port=demo.mqtt_port,
        )
    assert _wait_for_state(demo, sensor, token, "delivered", 30) == "delivered"
    care = f"http://127.0.0.1:{demo.care_port}"
    with urllib.request.urlopen(f"{care}/alarms", timeout=10) as response:
        received = json.loads(response.read())
    alarm_id = demo.request(f"/api/states/{sensor}", token)["attributes"]["alarm_id"]
    [first] = [message for message in received if message["alarm_id"] == alarm_id][:1]
    assert first["apartment"] == "Gesundheitswohnung 1"
    assert first["acknowledge"]["token"]

    request = urllib.request.Request(
        f"{care}/acknowledge/{alarm_id}",
        json.dumps({"by": "Schwester Anna"}).encode(),
        {"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["result"] == "acknowledged"
    state = demo.request(f"/api/states/{sensor}", token)
    assert state["state"] == "acknowledged"
    assert state["attributes"]["acknowledged_by"] == "care_service:Schwester Anna"

    # The care user is staff of the demo site: resolves it with a note.
    demo.request(
        "/api/services/smart_quarter/resolve_alarm",
        token,
        {"device_id": _apartment_device(demo), "note": "Sturz, versorgt"},
    )
    assert demo.request(f"/api/states/{sensor}", token)["state"] == "idle"


def test_calling_for_help_by_voice(demo: Demo) -> None:
    """Assist in the demo: "Ich brauche Hilfe" starts the pre-alarm, "Fehlalarm" cancels it."""
    token = demo.log_in("pflege", "smartquarter-pflege")
    sensor = "sensor.gesundheitswohnung_1_alarm"
    assert demo.request(f"/api/states/{sensor}", token)["state"] == "idle"
    said = demo.request(
        "/api/conversation/process", token, {"text": "Ich brauche Hilfe", "language": "de"}
    )
    assert said["response"]["speech"]["plain"]["speech"].startswith("Ich rufe die Pflege")
    assert demo.request(f"/api/states/{sensor}", token)["state"] == "pre_alarm"
    said = demo.request("/api/conversation/process", token, {"text": "Fehlalarm", "language": "de"})
    assert said["response"]["speech"]["plain"]["speech"] == "Der Notruf ist abgebrochen."
    assert demo.request(f"/api/states/{sensor}", token)["state"] == "idle"


def test_the_facade_is_alive_and_waters_on_request(demo: Demo) -> None:
    """The façade simulator answers over Modbus; a manual run opens the bed's valve."""
    token = demo.log_in("admin", "smartquarter-admin")
    tank = demo.entity_id_named("Fassade Nord Tankfüllstand", token)
    assert 0 < float(demo.request(f"/api/states/{tank}", token)["state"]) <= 100
    valve = demo.entity_id_named("Beet West Ventil", token)
    assert demo.request(f"/api/states/{valve}", token)["state"] in ("closed", "open")
    template = f"{{{{ device_id('{valve}') }}}}"
    request = urllib.request.Request(
        f"{demo.url}/api/template",
        json.dumps({"template": template}).encode(),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        device_id = response.read().decode()
    demo.request(
        "/api/services/smart_quarter/run_irrigation_zone?return_response",
        token,
        {"device_id": device_id, "minutes": 1},
    )
    assert demo.request(f"/api/states/{valve}", token)["state"] == "open"
    demo.request("/api/services/smart_quarter/stop_irrigation", token, {"device_id": device_id})
    assert demo.request(f"/api/states/{valve}", token)["state"] == "closed"


def _apartment_device(demo: Demo) -> str:
    token = demo.log_in("admin", "smartquarter-admin")  # rendering templates is for admins
    template = "{{ device_id('sensor.gesundheitswohnung_1_alarm') }}"
    request = urllib.request.Request(
        f"{demo.url}/api/template",
        json.dumps({"template": template}).encode(),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def test_simulated_devices_send_their_supervision_signal(demo: Demo) -> None:
    """A heartbeat from the device simulator reaches the supervision of its device."""
    token = demo.log_in("admin", "smartquarter-admin")
    silent = demo.entity_id_named(
        "Gesundheitswohnung 1 Auslöser funkfinger-1 meldet sich nicht", token
    )
    battery = demo.entity_id_named("Gesundheitswohnung 1 Auslöser funkfinger-1 Batterie", token)
    simulator = [sys.executable, str(REPO / "simulators" / "emergency_devices.py")]
    subprocess.run(
        [*simulator, "--port", str(demo.mqtt_port), "heartbeat", "funkfinger-1", "--battery", "12"],
        check=True,
        timeout=30,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = demo.request(f"/api/states/{silent}", token)
        level = demo.request(f"/api/states/{battery}", token)["attributes"]["battery_level"]
        if state["attributes"].get("last_seen") and level == 12:
            break
        time.sleep(0.5)
    assert state["attributes"]["last_seen"]
    assert state["state"] == "off"
    assert level == 12


def test_vitals_appear_live_when_a_demo_device_measures(demo: Demo) -> None:
    """Simulated proxy -> Bluetooth -> parser -> entities: "measure now" shows new values."""
    token = demo.log_in("admin", "smartquarter-admin")
    weight = demo.entity_id_named("Waage Körpergewicht", token)
    measured = demo.entity_id_named("Waage Gemessen um", token)
    before = demo.request(f"/api/states/{measured}", token)["state"]
    time.sleep(1.1)  # device clocks count whole seconds
    demo.request("/api/services/smart_quarter_demo/measure_now", token, {"kind": "weight_scale"})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if demo.request(f"/api/states/{measured}", token)["state"] != before:
            break
        time.sleep(0.25)
    assert demo.request(f"/api/states/{measured}", token)["state"] != before
    assert 70 < float(demo.request(f"/api/states/{weight}", token)["state"]) < 80
    battery = demo.entity_id_named("Waage Batterie", token)
    assert demo.request(f"/api/states/{battery}", token)["state"] == "87"


def test_dashboards_show_only_entities_that_exist(demo: Demo) -> None:
    """Every entity the shipped dashboards name exists in the demo (German entity ids)."""
    import yaml

    token = demo.log_in("admin", "smartquarter-admin")
    existing = {state["entity_id"] for state in demo.request("/api/states", token)}

    def entity_ids(node: Any) -> set[str]:
        if isinstance(node, dict):
            found = {
                value
                for key, value in node.items()
                if key in ("entity", "entity_id") and isinstance(value, str)
            }
            return found.union(*(entity_ids(value) for value in node.values()))
        if isinstance(node, list):
            return set().union(*(entity_ids(item) for item in node))
        return set()

    for path in (REPO / "dashboards").glob("*.yaml"):
        named = entity_ids(yaml.safe_load(path.read_text("utf-8")))
        assert named, path
        assert named <= existing, (path.name, sorted(named - existing))


def test_ctrl_c_stops_everything(demo: Demo) -> None:
    """SIGINT to the demo's process group stops Home Assistant and Mosquitto."""
    os.killpg(demo.process.pid, signal.SIGINT)
    demo.process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (port_open(demo.ha_port) or port_open(demo.mqtt_port)):
        time.sleep(0.5)
    assert not port_open(demo.ha_port)
    assert not port_open(demo.mqtt_port)
    assert not port_open(demo.facade_port)
