"""'Temi, komm zu mir': the robot comes to the satellite's room, or the guest hears why not.

Real Mosquitto, the simulated gateway and temi bridge app, Home Assistant's conversation
agent; the satellite records what Home Assistant announces on it (tests/voice_satellite.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from unittest.mock import patch

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.robot.const import EVENT_ROBOT_GOTO
from simulators.apartment_gateway import ApartmentGateway
from simulators.temi_bridge import DEFAULT_LOCATIONS, TemiBridge

from ..common import collect, site_entry, wait_for
from ..real_broker import Mosquitto, async_setup_mqtt
from ..voice_satellite import async_satellite_in, hass_config_dir  # noqa: F401 - fixture
from .conftest import all_devices_heard, async_set_up, async_unload_all
from .test_voice import APARTMENT_ID, NEIGHBOUR_ID, _apartment, satellite_in, say

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(60)]

SERIAL = "00120485036"
ONLINE = "binary_sensor.temi_wohnung_1_online"
GOTO_SELECT = "select.temi_wohnung_1_go_to"


@pytest.fixture
async def temi(broker: Mosquitto) -> AsyncIterator[TemiBridge]:
    """The robot's bridge app, not started yet (a test can leave the robot off)."""
    bridge = TemiBridge(SERIAL, broker.port, status_interval=0.5, step_seconds=0.1)
    yield bridge
    bridge.stop()


async def _site_with_robot(hass: HomeAssistant, broker: Mosquitto) -> MockConfigEntry:
    """Two apartments behind the gateway, the first with temi; Assist running."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await async_setup_mqtt(hass, broker.port)
    robot = ConfigSubentryData(
        subentry_id="01JROBOT000000000000000001",
        subentry_type="robot",
        title="temi Wohnung 1",
        unique_id=None,
        data={CONF_NAME: "temi Wohnung 1", "serial": SERIAL, "apartment": APARTMENT_ID},
    )
    entry = site_entry(
        with_room=False,
        subentries=[
            _apartment(APARTMENT_ID, "Gesundheitswohnung 1", "whg-1"),
            _apartment(NEIGHBOUR_ID, "Gesundheitswohnung 2", "whg-2"),
            robot,
        ],
    )
    await async_set_up(hass, entry)
    assert await wait_for(lambda: all_devices_heard(entry, 2))
    return entry


async def _robot_online(hass: HomeAssistant, broker: Mosquitto, temi: TemiBridge) -> list[Event]:
    """Start the robot and the site, wait until it is online; return its go-to outcomes."""
    temi.start()
    await _site_with_robot(hass, broker)
    assert await wait_for(lambda: hass.states.get(ONLINE).state == "on")
    outcomes: list[Event] = []
    hass.bus.async_listen(EVENT_ROBOT_GOTO, collect(outcomes))
    return outcomes


async def test_temi_comes_to_the_guests_room(
    hass: HomeAssistant, broker: Mosquitto, gateway: ApartmentGateway, temi: TemiBridge
) -> None:
    """The robot goes to the satellite's room at once; it arrives, so nothing more is said."""
    outcomes = await _robot_online(hass, broker, temi)
    satellite_id, satellite = await async_satellite_in(hass, "Gesundheitswohnung 1 Schlafzimmer")
    assert await say(hass, "Temi, komm zu mir", satellite_id) == (
        "Temi kommt zu Ihnen: Schlafzimmer."
    )
    assert await wait_for(lambda: outcomes)
    assert outcomes[0].data["location"] == "Schlafzimmer"
    assert outcomes[0].data["result"] == "arrived"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert satellite.announcements == []
    # The neighbour has no robot.
    neighbour = satellite_in(hass, "Gesundheitswohnung 2 Wohnzimmer")
    assert await say(hass, "Temi, komm zu mir", neighbour) == (
        "Zu dieser Wohnung gehört kein Roboter."
    )
    await async_unload_all(hass)


async def test_an_obstacle_on_the_way_is_announced_on_the_satellite(
    hass: HomeAssistant, broker: Mosquitto, gateway: ApartmentGateway, temi: TemiBridge
) -> None:
    """The guest heard "Temi kommt"; when it cannot get through, the satellite says so later."""
    temi.obstacles = 10  # every attempt (the robot retries twice) meets it
    outcomes = await _robot_online(hass, broker, temi)
    satellite_id, satellite = await async_satellite_in(hass, "Gesundheitswohnung 1 Küche")
    with patch("custom_components.smart_quarter.robot.goto.RETRY_DELAY", 0.1):
        assert await say(hass, "Temi, komm zu mir", satellite_id) == ("Temi kommt zu Ihnen: Küche.")
        assert await wait_for(lambda: satellite.announcements)
    assert outcomes[0].data["result"] == "obstacle"
    assert [announcement.message for announcement in satellite.announcements] == [
        "Temi kommt nicht zu Ihnen durch: Etwas steht im Weg."
    ]
    # English, said the same way.
    satellite.announcements.clear()
    with patch("custom_components.smart_quarter.robot.goto.RETRY_DELAY", 0.1):
        assert await say(hass, "Temi, come to me", satellite_id, "en") == (
            "Temi is coming to you: Küche."
        )
        assert await wait_for(lambda: satellite.announcements)
    assert satellite.announcements[0].message == (
        "Temi cannot get through to you: something is in the way."
    )
    await async_unload_all(hass)


async def test_an_offline_robot_is_said_at_once(
    hass: HomeAssistant, broker: Mosquitto, gateway: ApartmentGateway, temi: TemiBridge
) -> None:
    """The bridge app is not running: the guest hears so instead of waiting for nobody."""
    await _site_with_robot(hass, broker)
    satellite_id, satellite = await async_satellite_in(hass, "Gesundheitswohnung 1 Wohnzimmer")
    assert hass.states.get(ONLINE).state == "off"
    assert await say(hass, "Temi, komm zu mir", satellite_id) == (
        "Temi ist gerade nicht erreichbar."
    )
    # Once it is there, it comes.
    temi.start()
    assert await wait_for(lambda: hass.states.get(ONLINE).state == "on")
    outcomes: list[Event] = []
    hass.bus.async_listen(EVENT_ROBOT_GOTO, collect(outcomes))
    assert await say(hass, "Temi, komm zu mir", satellite_id) == (
        "Temi kommt zu Ihnen: Wohnzimmer."
    )
    assert await wait_for(lambda: outcomes)
    assert outcomes[0].data["result"] == "arrived"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert satellite.announcements == []
    await async_unload_all(hass)


async def test_a_room_the_robot_does_not_know_is_said_at_once(
    hass: HomeAssistant, broker: Mosquitto, gateway: ApartmentGateway, temi: TemiBridge
) -> None:
    """The robot has no saved location for the satellite's room: said, and it stays put."""
    temi.locations = [name for name in DEFAULT_LOCATIONS if name != "Schlafzimmer"]
    outcomes = await _robot_online(hass, broker, temi)
    satellite_id, _satellite = await async_satellite_in(hass, "Gesundheitswohnung 1 Schlafzimmer")
    assert await say(hass, "Temi, komm zu mir", satellite_id) == (
        "Temi kennt den Raum Schlafzimmer noch nicht."
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    await asyncio.sleep(0.3)  # a command would come through the broker by now
    assert outcomes == []
    assert temi.commands == []
    await async_unload_all(hass)


async def test_a_robot_lost_on_the_way_is_announced(
    hass: HomeAssistant, broker: Mosquitto, gateway: ApartmentGateway, temi: TemiBridge
) -> None:
    """The robot's link drops while it drives: the guest is told it did not come."""
    temi.step_seconds = 1.0
    outcomes = await _robot_online(hass, broker, temi)
    satellite_id, satellite = await async_satellite_in(hass, "Gesundheitswohnung 1 Bad")
    assert await say(hass, "Temi, komm zu mir", satellite_id) == "Temi kommt zu Ihnen: Bad."
    assert await wait_for(lambda: ("waypoint/goto", {"location": "Bad"}) in temi.commands)
    temi.drop()
    assert await wait_for(lambda: satellite.announcements)
    assert hass.states.get(ONLINE).state == "off"
    assert satellite.announcements[0].message == "Temi ist leider nicht zu Ihnen gekommen."
    assert outcomes[0].data["result"] == "offline"
    await async_unload_all(hass)


async def test_without_the_go_to_select_the_robots_refusal_is_the_answer(
    hass: HomeAssistant, broker: Mosquitto, gateway: ApartmentGateway, temi: TemiBridge
) -> None:
    """Someone disabled temi's "Fahre zu" select: offline and unknown rooms are still said."""
    await _site_with_robot(hass, broker)
    registry = er.async_get(hass)
    registry.async_update_entity(GOTO_SELECT, disabled_by=er.RegistryEntryDisabler.USER)
    assert await wait_for(lambda: hass.states.get(GOTO_SELECT) is None)
    satellite_id, satellite = await async_satellite_in(hass, "Gesundheitswohnung 1 Bad")
    assert await say(hass, "Temi, komm zu mir", satellite_id) == (
        "Temi ist gerade nicht erreichbar."
    )
    temi.locations = [name for name in DEFAULT_LOCATIONS if name != "Bad"]
    temi.start()
    assert await wait_for(lambda: hass.states.get(ONLINE).state == "on")
    assert await say(hass, "Temi, komm zu mir", satellite_id) == (
        "Temi kennt den Raum Bad noch nicht."
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert satellite.announcements == []
    await async_unload_all(hass)
