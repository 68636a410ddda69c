"""The robot end to end: real Mosquitto, Home Assistant's mqtt integration, the simulated robot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
import json
from pathlib import Path
import shutil
import time
from unittest.mock import patch

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.robot.const import EVENT_ROBOT_GOTO, SUBENTRY_TYPE_ROBOT
from simulators.temi_bridge import TemiBridge

from ..common import collect, site_entry
from ..real_broker import Mosquitto, async_setup_mqtt

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(120)]

SERIAL = "00120485036"
ROBOT_ID = "01JROBOT000000000000000001"
STATUS = "sensor.temi_wohnung_1_status"
ONLINE = "binary_sensor.temi_wohnung_1_online"
BATTERY = "sensor.temi_wohnung_1_battery"
GOTO = "select.temi_wohnung_1_go_to"


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The mqtt integration unsubscribes after a cool-down on the loop's own clock."""
    return True


@pytest.fixture(autouse=True)
def quick_go_to() -> Iterator[None]:
    """Short waits between tries and a short start time-out."""
    with (
        patch("custom_components.smart_quarter.robot.goto.RETRY_DELAY", 0.2),
        patch("custom_components.smart_quarter.robot.goto.START_TIMEOUT", 2.0),
    ):
        yield


@pytest.fixture
def robot(broker: Mosquitto) -> Iterator[TemiBridge]:
    """The simulated robot (fast: a go-to takes about 0.3 s)."""
    bridge = TemiBridge(SERIAL, broker.port, status_interval=0.5, step_seconds=0.1)
    bridge.start()
    yield bridge
    bridge.stop()


async def _wait(check: Callable[[], object], within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.05)
    return bool(check())


@pytest.fixture
async def site(hass: HomeAssistant, broker: Mosquitto) -> AsyncIterator[MockConfigEntry]:
    """A site with the robot 'temi Wohnung 1', its mqtt integration on the real broker."""
    await async_setup_mqtt(hass, broker.port)
    entry = site_entry(
        with_room=False,
        subentries=[
            ConfigSubentryData(
                subentry_id=ROBOT_ID,
                subentry_type=SUBENTRY_TYPE_ROBOT,
                title="temi Wohnung 1",
                unique_id=None,
                data={
                    CONF_NAME: "temi Wohnung 1",
                    "serial": SERIAL,
                    "home_base": "home base",
                    "call_url": "https://meet.example/pflege-lobeda",
                },
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    for loaded in hass.config_entries.async_entries():
        await hass.config_entries.async_unload(loaded.entry_id)
    await hass.async_block_till_done()


def _device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, ROBOT_ID), entry.entry_id)
    assert device is not None
    return device.id


async def _online(hass: HomeAssistant) -> None:
    assert await _wait(lambda: hass.states.get(ONLINE).state == STATE_ON)
    assert await _wait(lambda: hass.states.get(GOTO).attributes.get("options"))


async def test_go_to_arrives_and_entities_follow(
    hass: HomeAssistant, site: MockConfigEntry, robot: TemiBridge
) -> None:
    """Status, battery, the saved locations as options; a go-to arrives and says so once."""
    await _online(hass)
    assert hass.states.get(GOTO).attributes["options"] == list(robot.locations)
    assert hass.states.get(BATTERY).state == str(robot.battery)
    outcomes: list[Event] = []
    hass.bus.async_listen(EVENT_ROBOT_GOTO, collect(outcomes))

    result = await hass.services.async_call(
        DOMAIN,
        "robot_goto",
        {"device_id": _device(hass, site), "location": "  küche "},
        blocking=True,
        return_response=True,
    )
    assert result == {"location": "Küche", "result": "arrived", "attempts": 1, "reason": "Arrived"}
    assert robot.commands[0] == ("waypoint/goto", {"location": "Küche"})
    await hass.async_block_till_done()
    assert [event.data["result"] for event in outcomes] == ["arrived"]
    assert hass.states.get(STATUS).state == "arrived"
    assert hass.states.get("sensor.temi_wohnung_1_location").state == "Küche"
    assert hass.states.get(GOTO).state == "Küche"


async def test_obstacle_stop_and_retry(
    hass: HomeAssistant, site: MockConfigEntry, robot: TemiBridge
) -> None:
    """An obstacle: stop, wait, go again - and arrive on the second try."""
    await _online(hass)
    robot.obstacles = 1
    result = await hass.services.async_call(
        DOMAIN,
        "robot_goto",
        {"device_id": _device(hass, site), "location": "Bad"},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    assert (result["result"], result["attempts"]) == ("arrived", 2)
    names = [name for name, _ in robot.commands]
    assert names == ["waypoint/goto", "move/stop", "waypoint/goto"]


async def test_unknown_location_is_refused_before_sending(
    hass: HomeAssistant, site: MockConfigEntry, robot: TemiBridge
) -> None:
    """The robot would drop it silently; Home Assistant says why, and sends nothing."""
    await _online(hass)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "robot_goto",
            {"device_id": _device(hass, site), "location": "Balkon"},
            blocking=True,
        )
    assert err.value.translation_key == "unknown_location"
    assert err.value.translation_placeholders["location"] == "Balkon"
    assert robot.commands == []


async def test_speak_show_call_stop_and_follow(
    hass: HomeAssistant, site: MockConfigEntry, robot: TemiBridge
) -> None:
    """German speech through the notify entity and the action; the care call; no follow."""
    await _online(hass)
    device = _device(hass, site)
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.temi_wohnung_1_speak", "message": "Ich bin gleich bei Ihnen."},
        blocking=True,
    )
    await hass.services.async_call(
        DOMAIN, "robot_speak", {"device_id": device, "text": "Guten Morgen!"}, blocking=True
    )
    await hass.services.async_call(DOMAIN, "robot_call", {"device_id": device}, blocking=True)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.temi_wohnung_1_stop"}, blocking=True
    )
    assert await _wait(lambda: len(robot.commands) >= 4)
    assert robot.said == ["Ich bin gleich bei Ihnen.", "Guten Morgen!"]
    assert robot.shown == ["https://meet.example/pflege-lobeda"]
    assert robot.commands[-1] == ("move/stop", {})
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "robot_follow", {"device_id": device}, blocking=True)
    assert err.value.translation_key == "follow_not_supported"


async def test_last_will_makes_it_unavailable_and_it_comes_back(
    hass: HomeAssistant, site: MockConfigEntry, broker: Mosquitto
) -> None:
    """A dropped link: the broker's last will -> offline -> entities unavailable -> back."""
    bridge = TemiBridge(SERIAL, broker.port, status_interval=0.5, step_seconds=0.1)
    bridge.start()
    await _online(hass)
    bridge.drop()
    assert await _wait(lambda: hass.states.get(ONLINE).state == STATE_OFF, 15)
    assert hass.states.get(STATUS).state == STATE_UNAVAILABLE
    assert hass.states.get(BATTERY).state == STATE_UNAVAILABLE
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "robot_speak",
            {"device_id": _device(hass, site), "text": "Hallo"},
            blocking=True,
        )
    assert err.value.translation_key == "robot_offline"

    again = TemiBridge(SERIAL, broker.port, status_interval=0.5, step_seconds=0.1)
    again.start()
    try:
        await _online(hass)
        assert hass.states.get(STATUS).state != STATE_UNAVAILABLE
    finally:
        again.stop()


async def test_silence_means_offline(
    hass: HomeAssistant, site: MockConfigEntry, broker: Mosquitto
) -> None:
    """A clean shutdown sends no will: missed status messages make the robot offline."""
    bridge = TemiBridge(SERIAL, broker.port, status_interval=0.5, step_seconds=0.1)
    bridge.start()
    await _online(hass)
    bridge.stop()
    with patch("custom_components.smart_quarter.robot.robot_state.OFFLINE_AFTER", 1.0):
        assert await _wait(lambda: hass.states.get(ONLINE).state == STATE_OFF, 15)


async def test_malformed_status_is_ignored_with_a_log(
    hass: HomeAssistant,
    site: MockConfigEntry,
    robot: TemiBridge,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Broken messages change nothing and are logged; good ones keep working."""
    await _online(hass)
    before = hass.states.get(BATTERY).state
    robot.publish("status/info", "{not json")
    robot.publish("status/utils/battery", json.dumps({"percentage": "viel", "is_charging": 1}))
    subsystem = site.runtime_data.subsystems["robot"]
    state = subsystem.robots[ROBOT_ID].state  # type: ignore[attr-defined]
    assert await _wait(lambda: state.malformed == 2)
    assert "cannot be read (ignored)" in caplog.text
    assert hass.states.get(BATTERY).state == before
    robot.publish("status/utils/battery", json.dumps({"percentage": 42, "is_charging": False}))
    assert await _wait(lambda: hass.states.get(BATTERY).state == "42")


async def test_alarm_routine_sends_the_robot_to_the_patient(
    hass: HomeAssistant, site: MockConfigEntry, robot: TemiBridge
) -> None:
    """The blueprint as a real automation: an alarm -> go to the bed, calm words, the call."""
    await _online(hass)
    blueprint = (
        Path(__file__).parents[2]
        / "blueprints"
        / "automation"
        / "smart_quarter"
        / "robot_to_patient_on_alarm.yaml"
    )
    target = Path(hass.config.path("blueprints/automation/smart_quarter"))

    def _install() -> None:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(blueprint, target / blueprint.name)

    await hass.async_add_executor_job(_install)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "robot_alarm",
                "use_blueprint": {
                    "path": f"smart_quarter/{blueprint.name}",
                    "input": {
                        "apartment": "apartment-device-1",
                        "robot": _device(hass, site),
                        "location": "schlafzimmer",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()
    # Another apartment's alarm does not move this robot.
    hass.bus.async_fire(
        "smart_quarter_alarm",
        {"device_id": "apartment-device-2", "state": "active", "dispatch": "first"},
    )
    hass.bus.async_fire(
        "smart_quarter_alarm",
        {"device_id": "apartment-device-1", "state": "active", "dispatch": "first"},
    )
    assert await _wait(lambda: robot.shown, 15)
    assert robot.commands[0] == ("waypoint/goto", {"location": "Schlafzimmer"})
    assert robot.said == [
        "Ich bin bei Ihnen. Der Pflegedienst ist informiert und spricht gleich mit Ihnen."
    ]
    assert robot.shown == ["https://meet.example/pflege-lobeda"]
    assert hass.states.get("sensor.temi_wohnung_1_location").state == "Schlafzimmer"
    # The alarm's repeats (every minute until someone takes it) do not start it all again.
    sent = len(robot.commands)
    hass.bus.async_fire(
        "smart_quarter_alarm",
        {"device_id": "apartment-device-1", "state": "delivered", "dispatch": "repeat"},
    )
    await asyncio.sleep(0.5)
    assert len(robot.commands) == sent


async def test_locations_are_saved_and_deleted_and_the_head_tilts(
    hass: HomeAssistant, site: MockConfigEntry, robot: TemiBridge
) -> None:
    """Commands the bridge app knows; deleting checks the name against the list first."""
    await _online(hass)
    device = _device(hass, site)
    await hass.services.async_call(
        DOMAIN, "robot_save_location", {"device_id": device, "location": " Sessel "}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "robot_delete_location", {"device_id": device, "location": "bad"}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "robot_tilt", {"device_id": device, "angle": 20}, blocking=True
    )
    assert await _wait(lambda: len(robot.commands) == 3)
    assert robot.commands == [
        ("waypoint/save", {"location": "Sessel"}),
        ("waypoint/delete", {"location": "Bad"}),
        ("move/tilt", {"angle": 20}),
    ]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "robot_delete_location",
            {"device_id": device, "location": "Dach"},
            blocking=True,
        )
    assert err.value.translation_key == "unknown_location"
