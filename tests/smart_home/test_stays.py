"""Stays: booking check-in/out drive the apartment's mode and routines (real Mosquitto, gateway)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_quarter.booking.interface import EVENT_CHECKED_IN, EVENT_CHECKED_OUT
from custom_components.smart_quarter.const import DOMAIN
from simulators.apartment_gateway import ApartmentGateway

from ..booking.site import APARTMENT_STAYS
from ..common import site_entry, wait_for
from ..real_broker import Mosquitto, async_setup_mqtt
from .conftest import BASE, apartment, async_set_up, async_unload_all

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(60)]

APARTMENT_ID = "01JAPARTMENT00000000000001"
TENANT_ID = "01JAPARTMENT00000000000002"
MODE = "select.gesundheitswohnung_1_mode"
STAY_ENERGY = "sensor.gesundheitswohnung_1_energy_this_stay"
HEATERS = ("heizung-wohnzimmer", "heizung-schlafzimmer")
LIGHTS = ("licht-wohnzimmer", "licht-schlafzimmer", "licht-bad")


def stay_site() -> MockConfigEntry:
    """A health apartment taking stays (2 h cleaning) and a tenant's apartment that does not."""
    return site_entry(
        with_room=False,
        subentries=[
            apartment(
                APARTMENT_ID,
                "Gesundheitswohnung 1",
                "whg-1",
                stays=APARTMENT_STAYS,
                comfort_temperature=22.0,
            ),
            apartment(TENANT_ID, "Wohnung 2", "whg-2", comfort_temperature=22.0),
        ],
    )


@pytest.fixture
async def site(
    hass: HomeAssistant, broker: Mosquitto, gateway: ApartmentGateway
) -> AsyncIterator[MockConfigEntry]:
    """The site, its gateway's devices known."""
    await async_setup_mqtt(hass, broker.port)
    yield await async_set_up(hass, stay_site(), apartments_heard=2)
    await async_unload_all(hass)


def fire(hass: HomeAssistant, event_type: str, entry: MockConfigEntry, **data: Any) -> None:
    """A booking event as the booking subsystem documents it."""
    hass.bus.async_fire(
        event_type,
        {
            "entry_id": entry.entry_id,
            "resource_id": APARTMENT_ID,
            "kind": "apartment",
            "booking_id": "01JBOOKING",
            **data,
        },
    )


def commands_since(gateway: ApartmentGateway, start: int) -> dict[str, dict[str, Any]]:
    """The last command per device of whg-1 after a point."""
    return {device: values for apt, device, values in gateway.commands[start:] if apt == "whg-1"}


async def test_check_in_heats_check_out_sets_back_and_cleaning_ends(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """A whole stay: comfort at check-in, energy counted, setback and dark at check-out."""
    assert hass.states.get(MODE).state == "vacant"
    assert hass.states.get(MODE).attributes["options"] == [
        "vacant",
        "prepared",
        "occupied",
        "cleaning",
    ]
    assert hass.states.get(STAY_ENERGY).state == "unknown"
    # Only apartments that take stays have a mode (a tenant's has none).
    assert hass.states.get("select.wohnung_2_mode") is None
    assert hass.states.get("light.wohnung_2_wohnzimmer_licht") is not None

    start = len(gateway.commands)
    fire(hass, EVENT_CHECKED_IN, site)
    assert await wait_for(lambda: hass.states.get(MODE).state == "occupied")
    assert await wait_for(lambda: set(HEATERS) <= set(commands_since(gateway, start)))
    sent = commands_since(gateway, start)
    assert all(sent[heater] == {"mode": "heat", "target": 22.0} for heater in HEATERS)
    assert not set(LIGHTS) & set(sent)  # a guest's lights are the guest's
    energy = hass.states.get(STAY_ENERGY)
    assert energy.state == "0.0"
    assert energy.attributes["state_class"] == "total"
    assert energy.attributes["device_class"] == "energy"
    assert energy.attributes["last_reset"] is not None
    assert await wait_for(
        lambda: (
            hass.states.get("climate.gesundheitswohnung_1_wohnzimmer_heizung").attributes[
                "temperature"
            ]
            == 22.0
        )
    )

    gateway.set_state("whg-1", "strom", energy=1045.0)
    assert await wait_for(lambda: hass.states.get(STAY_ENERGY).state == "2.5")

    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.gesundheitswohnung_1_bad_licht"}, blocking=True
    )
    start = len(gateway.commands)
    fire(hass, EVENT_CHECKED_OUT, site)
    assert await wait_for(lambda: hass.states.get(MODE).state == "cleaning")
    assert await wait_for(lambda: set(HEATERS) | set(LIGHTS) <= set(commands_since(gateway, start)))
    sent = commands_since(gateway, start)
    assert all(sent[heater] == {"mode": "heat", "target": 17.0} for heater in HEATERS)
    assert all(sent[light] == {"on": False} for light in LIGHTS)
    assert await wait_for(
        lambda: hass.states.get("light.gesundheitswohnung_1_bad_licht").state == "off"
    )
    # After the stay the meter goes on, the stay's figure does not.
    gateway.set_state("whg-1", "strom", energy=1050.0)
    assert await wait_for(
        lambda: hass.states.get("sensor.gesundheitswohnung_1_strom_energy").state == "1050.0"
    )
    assert hass.states.get(STAY_ENERGY).state == "2.5"

    # The apartment's cleaning time (2 h) is over: vacant.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1))
    await hass.async_block_till_done()
    assert hass.states.get(MODE).state == "cleaning"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=2, seconds=1))
    await hass.async_block_till_done()
    assert hass.states.get(MODE).state == "vacant"


async def test_staff_set_the_mode_by_hand(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """Prepared warms the apartment up for the arrival; a wrong mode is refused."""
    start = len(gateway.commands)
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "prepared"}, blocking=True
    )
    assert hass.states.get(MODE).state == "prepared"
    assert await wait_for(lambda: set(HEATERS) <= set(commands_since(gateway, start)))
    assert commands_since(gateway, start)["heizung-wohnzimmer"]["target"] == 22.0
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "select", "select_option", {"entity_id": MODE, "option": "party"}, blocking=True
        )
    assert hass.states.get(MODE).state == "prepared"


async def test_events_of_other_sites_and_rooms_are_not_ours(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    """Only this site's apartments that take stays follow check-in events."""
    fire(hass, EVENT_CHECKED_IN, site, entry_id="another-site")
    fire(hass, EVENT_CHECKED_IN, site, resource_id=TENANT_ID)
    fire(hass, EVENT_CHECKED_IN, site, resource_id="01JROOM")
    await hass.async_block_till_done()
    assert hass.states.get(MODE).state == "vacant"


async def test_a_restart_continues_the_stay(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """Mode and stay energy are stored: after a reload the stay goes on; a new meter too."""
    fire(hass, EVENT_CHECKED_IN, site)
    assert await wait_for(lambda: hass.states.get(MODE).state == "occupied")
    gateway.set_state("whg-1", "strom", energy=1043.5)
    assert await wait_for(lambda: hass.states.get(STAY_ENERGY).state == "1.0")

    assert await hass.config_entries.async_reload(site.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(MODE).state == "occupied"
    assert hass.states.get(STAY_ENERGY).state == "1.0"
    # The meter is replaced: the new one starts at 0.
    gateway.set_state("whg-1", "strom", energy=0.5)
    assert await wait_for(lambda: hass.states.get(STAY_ENERGY).state == "1.5")
    diagnostics = site.runtime_data.subsystems["smart_home"].diagnostics()  # type: ignore[attr-defined]
    assert diagnostics["stays"]["Gesundheitswohnung 1"] == {
        "mode": "occupied",
        "routine_failures": 0,
        "routine_pending": False,
    }


async def test_a_routine_without_the_broker_waits_and_runs_when_it_is_back(
    hass: HomeAssistant, site: MockConfigEntry, broker: Mosquitto, gateway: ApartmentGateway
) -> None:
    """The broker is down: the mode changes, failures are counted, the routine runs later."""
    broker.stop()
    assert await wait_for(lambda: not mqtt.is_connected(hass))
    fire(hass, EVENT_CHECKED_OUT, site)
    await hass.async_block_till_done()
    assert hass.states.get(MODE).state == "cleaning"
    subsystem = site.runtime_data.subsystems["smart_home"]
    stays = subsystem.diagnostics()["stays"]["Gesundheitswohnung 1"]  # type: ignore[attr-defined]
    # Two heaters set back, three lights off: none of them reached (or, when the broker
    # delivered the gateway's last will as it stopped, not even tried); the routine waits.
    assert stays["mode"] == "cleaning"
    assert stays["routine_pending"] is True
    assert stays["routine_failures"] in (0, 5)
    start = len(gateway.commands)
    broker.start()
    assert await wait_for(lambda: mqtt.is_connected(hass))
    # The gateway says it is online again: the routine runs.
    assert await wait_for(lambda: set(HEATERS) | set(LIGHTS) <= set(commands_since(gateway, start)))
    assert commands_since(gateway, start)["heizung-wohnzimmer"] == {"mode": "heat", "target": 17.0}
    assert await wait_for(
        lambda: not subsystem.diagnostics()["stays"]["Gesundheitswohnung 1"]["routine_pending"]  # type: ignore[attr-defined]
    )


async def test_an_earlier_guests_late_check_out_does_not_end_the_stay(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """Guest B checked in before guest A was checked out: A's check-out leaves B's stay."""
    fire(hass, EVENT_CHECKED_IN, site, booking_id="01JBOOKING-A")
    assert await wait_for(lambda: hass.states.get(MODE).state == "occupied")
    fire(hass, EVENT_CHECKED_IN, site, booking_id="01JBOOKING-B")
    await hass.async_block_till_done()
    start = len(gateway.commands)
    fire(hass, EVENT_CHECKED_OUT, site, booking_id="01JBOOKING-A")
    await hass.async_block_till_done()
    await asyncio.sleep(0.3)
    assert hass.states.get(MODE).state == "occupied"
    assert commands_since(gateway, start) == {}
    fire(hass, EVENT_CHECKED_OUT, site, booking_id="01JBOOKING-B")
    assert await wait_for(lambda: hass.states.get(MODE).state == "cleaning")


async def test_booking_check_in_drives_the_mode(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Through the booking subsystem's own check-in and check-out (no broker needed)."""
    freezer.move_to("2026-11-23T15:30:00+01:00")
    entry = stay_site()
    await async_set_up(hass, entry)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, APARTMENT_ID), entry.entry_id
    )
    assert device is not None
    stay = await hass.services.async_call(
        DOMAIN,
        "book",
        {"device_id": device.id, "arrival": "2026-11-23", "departure": "2026-11-26"},
        blocking=True,
        return_response=True,
    )
    assert stay is not None
    await hass.services.async_call(
        DOMAIN, "check_in", {"booking_id": stay["booking_id"]}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(MODE).state == "occupied"
    await hass.services.async_call(
        DOMAIN, "check_out", {"booking_id": stay["booking_id"]}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(MODE).state == "cleaning"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_check_in_before_the_gateway_is_heard_waits_for_its_devices(
    hass: HomeAssistant, broker: Mosquitto
) -> None:
    """Just after a start the devices are not known yet: the routine runs once they are."""
    await async_setup_mqtt(hass, broker.port)
    entry = stay_site()
    await async_set_up(hass, entry)
    fire(hass, EVENT_CHECKED_IN, entry)
    await hass.async_block_till_done()
    assert hass.states.get(MODE).state == "occupied"
    late = ApartmentGateway(broker.port, BASE, apartments=["whg-1", "whg-2"])
    late.start()
    try:
        assert await wait_for(lambda: set(HEATERS) <= set(commands_since(late, 0)))
        assert commands_since(late, 0)["heizung-schlafzimmer"] == {"mode": "heat", "target": 22.0}
    finally:
        late.stop()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
