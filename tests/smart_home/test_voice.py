"""The guest's voice through Home Assistant's conversation agent (real Mosquitto and gateway)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import DOMAIN
from simulators.apartment_gateway import ApartmentGateway

from ..booking.site import APARTMENT_STAYS, ROOM_BOOKING
from ..common import ROOM_SUBENTRY_ID, room_subentry, site_entry, wait_for
from ..real_broker import Mosquitto, async_setup_mqtt
from .conftest import BASE, apartment, async_set_up, async_unload_all

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(60)]

APARTMENT_ID = "01JAPARTMENT00000000000001"
NEIGHBOUR_ID = "01JAPARTMENT00000000000002"


def _apartment(subentry_id: str, title: str, gateway_id: str) -> ConfigSubentryData:
    return apartment(subentry_id, title, gateway_id, stays=APARTMENT_STAYS)


@pytest.fixture
async def site(
    hass: HomeAssistant, broker: Mosquitto, gateway: ApartmentGateway
) -> AsyncIterator[MockConfigEntry]:
    """Two apartments behind the gateway, Assist running."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await async_setup_mqtt(hass, broker.port)
    entry = site_entry(
        with_room=False,
        subentries=[
            _apartment(APARTMENT_ID, "Gesundheitswohnung 1", "whg-1"),
            _apartment(NEIGHBOUR_ID, "Gesundheitswohnung 2", "whg-2"),
        ],
    )
    yield await async_set_up(hass, entry, apartments_heard=2)
    await async_unload_all(hass)


def satellite_in(hass: HomeAssistant, area_name: str) -> str:
    """A voice satellite device in an area (created by the gateway's devices or new)."""
    area = ar.async_get(hass).async_get_or_create(area_name)
    satellite_entry = MockConfigEntry(domain="esphome")
    satellite_entry.add_to_hass(hass)
    devices = dr.async_get(hass)
    satellite = devices.async_get_or_create(
        config_entry_id=satellite_entry.entry_id, identifiers={("esphome", area_name)}
    )
    devices.async_update_device(satellite.id, area_id=area.id)
    return satellite.id


async def say(hass: HomeAssistant, text: str, device_id: str | None, language: str = "de") -> str:
    """Say a sentence to Assist from a satellite; return the spoken answer."""
    result = await conversation.async_converse(
        hass, text, None, Context(), language=language, device_id=device_id
    )
    return str(result.response.speech["plain"]["speech"])


def sent(gateway: ApartmentGateway, start: int) -> list[tuple[str, str, dict[str, Any]]]:
    return gateway.commands[start:]


async def test_bed_and_kitchen_up_and_down_in_german(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """The care bed and the kitchen move in 20 % steps, within their limits."""
    satellite = satellite_in(hass, "Gesundheitswohnung 1 Schlafzimmer")
    bed = "number.gesundheitswohnung_1_schlafzimmer_pflegebett_height"
    start = len(gateway.commands)
    assert await say(hass, "Bett hoch", satellite) == "Das Bett fährt hoch."
    assert await wait_for(lambda: hass.states.get(bed).state == "40.0")  # from 20
    assert sent(gateway, start) == [("whg-1", "pflegebett", {"height": 40})]
    assert await say(hass, "Fahre bitte das Pflegebett runter", satellite) == (
        "Das Bett fährt herunter."
    )
    assert await wait_for(lambda: hass.states.get(bed).state == "20.0")
    assert await say(hass, "Bett runter", satellite) == "Das Bett fährt herunter."
    assert await wait_for(lambda: hass.states.get(bed).state == "0.0")
    assert await say(hass, "Bett runter", satellite) == "Weiter geht es nicht."
    assert await say(hass, "Kopfteil hoch", satellite) == "Das Kopfteil fährt hoch."
    kitchen = "number.gesundheitswohnung_1_kuche_kuchenzeile_height"
    assert await say(hass, "Küche hoch", satellite) == "Die Küchenzeile fährt hoch."
    assert await wait_for(lambda: hass.states.get(kitchen).state == "70.0")
    assert await say(hass, "Lower the kitchen counter", satellite, "en") == (
        "The kitchen counter is going down."
    )
    assert await wait_for(lambda: hass.states.get(kitchen).state == "50.0")
    # Nothing reached the neighbour's apartment.
    assert all(apartment == "whg-1" for apartment, _, _ in sent(gateway, start))


async def test_lights_where_the_guest_is_and_by_room(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """ "Licht an" lights the satellite's room; "Licht aus" all; a room by name; no neighbour."""
    satellite = satellite_in(hass, "Gesundheitswohnung 1 Wohnzimmer")
    living = "light.gesundheitswohnung_1_wohnzimmer_licht"
    bath = "light.gesundheitswohnung_1_bad_licht"
    start = len(gateway.commands)
    assert await say(hass, "Licht an", satellite) == "Das Licht ist an."
    assert await wait_for(lambda: hass.states.get(living).state == "on")
    assert hass.states.get(bath).state == "off"
    assert await say(hass, "Mach das Licht im Bad an", satellite) == "Das Licht ist an."
    assert await wait_for(lambda: hass.states.get(bath).state == "on")
    # A room no apartment has is left to Home Assistant's own intents (no such area here).
    garage = await say(hass, "Mach das Licht in der Garage an", satellite)
    assert "Garage" in garage
    assert garage != "Das Licht ist an."
    assert await say(hass, "Licht aus", satellite) == "Das Licht ist aus."
    assert await wait_for(
        lambda: hass.states.get(living).state == hass.states.get(bath).state == "off"
    )
    assert all(apartment == "whg-1" for apartment, _, _ in sent(gateway, start))
    assert hass.states.get("light.gesundheitswohnung_2_wohnzimmer_licht").state == "off"


async def test_temperature_questions_and_warmer(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """How warm it is, per room or in one room; "Mir ist kalt" turns the heating up."""
    satellite = satellite_in(hass, "Gesundheitswohnung 1 Wohnzimmer")
    assert await say(hass, "Wie warm ist es", satellite) == (
        "Wohnzimmer: 20,5 Grad, Schlafzimmer: 20,5 Grad."
    )
    gateway.set_state("whg-1", "heizung-schlafzimmer", current=19.0)
    climate = "climate.gesundheitswohnung_1_schlafzimmer_heizung"
    assert await wait_for(
        lambda: hass.states.get(climate).attributes["current_temperature"] == 19.0
    )
    assert await say(hass, "Wie warm ist es im Schlafzimmer", satellite) == (
        "Schlafzimmer: 19 Grad."
    )
    assert await say(hass, "What is the temperature in the Schlafzimmer", satellite, "en") == (
        "Schlafzimmer: 19 degrees."
    )
    assert await say(hass, "Mir ist kalt", satellite) == "Ich stelle die Heizung auf 21 Grad."
    assert await wait_for(lambda: hass.states.get(climate).attributes["temperature"] == 21.0)
    assert await say(hass, "Make it cooler", satellite, "en") == (
        "I am setting the heating to 20 degrees."
    )


async def test_an_unreachable_gateway_and_an_unknown_place(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """The answer says what is wrong; a satellite in no apartment does nothing."""
    satellite = satellite_in(hass, "Gesundheitswohnung 1 Schlafzimmer")
    assert await say(hass, "Bett hoch", satellite_in(hass, "Pförtnerloge")) == (
        "Ich weiß nicht, in welcher Wohnung Sie sind."
    )
    gateway.client.publish(f"{BASE}/gateway/gw-1/status", "offline", qos=1, retain=True)
    bed = "number.gesundheitswohnung_1_schlafzimmer_pflegebett_height"
    assert await wait_for(lambda: hass.states.get(bed).state == "unavailable")
    start = len(gateway.commands)
    assert await say(hass, "Bett hoch", satellite) == (
        "Das Gerät antwortet gerade nicht. Bitte versuchen Sie es gleich noch einmal."
    )
    assert await say(hass, "Wie warm ist es", satellite) == (
        "Das Gerät antwortet gerade nicht. Bitte versuchen Sie es gleich noch einmal."
    )
    for text in ("Licht aus", "Mir ist kalt"):
        assert await say(hass, text, satellite) == (
            "Das Gerät antwortet gerade nicht. Bitte versuchen Sie es gleich noch einmal."
        )
    assert sent(gateway, start) == []


async def test_next_appointment(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The guest hears the next appointment of the stay's code, in plain words (no broker)."""
    freezer.move_to("2026-11-23T07:00:00+00:00")  # Monday 08:00 in Jena
    await hass.config.async_set_time_zone("Europe/Berlin")
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    entry = site_entry(
        with_room=False,
        subentries=[
            room_subentry(ROOM_SUBENTRY_ID, "TMR Lobeda", booking=ROOM_BOOKING),
            _apartment(APARTMENT_ID, "Gesundheitswohnung 1", "whg-1"),
        ],
    )
    await async_set_up(hass, entry)
    # The only apartment in Home Assistant: no satellite area needed.
    assert await say(hass, "Wann ist mein nächster Termin?", None) == "Sie haben keinen Termin."
    devices = dr.async_get(hass)
    apartment = devices.async_get_device_by_identifier((DOMAIN, APARTMENT_ID), entry.entry_id)
    room = devices.async_get_device_by_identifier((DOMAIN, ROOM_SUBENTRY_ID), entry.entry_id)
    assert apartment is not None
    assert room is not None
    for data in (
        {"device_id": apartment.id, "arrival": "2026-11-23", "departure": "2026-11-26"},
        {
            "device_id": room.id,
            "start": "2026-11-25 09:00:00",
            "consultation_type": "general_medicine",
        },
    ):
        await hass.services.async_call(
            DOMAIN, "book", {**data, "code": "PAT-4711"}, blocking=True, return_response=True
        )
    await hass.async_block_till_done()
    assert await say(hass, "Wann ist mein nächster Termin", None) == (
        "Ihr nächster Termin ist am Mittwoch, 25. November um 09:00 Uhr, Raum: TMR Lobeda."
    )
    assert await say(hass, "When is my next appointment", None, "en") == (
        "Your next appointment is on Wednesday, November 25 at 09:00 in TMR Lobeda."
    )
    await hass.config_entries.async_unload(entry.entry_id)


async def test_full_area_names_go_to_home_assistants_built_in_intents(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """The apartments' areas by their full names are Home Assistant's own intents' business."""
    satellite = satellite_in(hass, "Gesundheitswohnung 1 Wohnzimmer")
    bedroom = "light.gesundheitswohnung_1_schlafzimmer_licht"
    await say(hass, "Schalte das Licht im Gesundheitswohnung 1 Schlafzimmer ein", satellite)
    assert await wait_for(lambda: hass.states.get(bedroom).state == "on")
    assert await say(
        hass, "Wie ist die Temperatur im Gesundheitswohnung 1 Schlafzimmer", satellite
    ) == ("20,5 Grad")
    # Home Assistant's own intents (no sentence of ours): set a temperature, dim a light.
    await say(
        hass, "Stelle die Temperatur im Gesundheitswohnung 1 Wohnzimmer auf 23 Grad", satellite
    )
    climate = "climate.gesundheitswohnung_1_wohnzimmer_heizung"
    assert await wait_for(lambda: hass.states.get(climate).attributes["temperature"] == 23.0)
    await say(
        hass, "Dimme das Licht im Gesundheitswohnung 1 Schlafzimmer auf 50 Prozent", satellite
    )
    assert await wait_for(lambda: hass.states.get(bedroom).attributes["brightness"] == 128)
    assert ("whg-1", "licht-schlafzimmer", {"on": True, "brightness": 50}) in gateway.commands


async def test_help_from_a_room_and_never_a_guess_between_apartments(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """ "Hilfe" from a satellite in a room area calls that apartment; a shared area, no one."""
    satellite = satellite_in(hass, "Gesundheitswohnung 2 Bad")
    assert await say(hass, "Hilfe", satellite) == (
        "Ich rufe die Pflege. Wenn alles in Ordnung ist, sagen Sie: Fehlalarm."
    )
    assert hass.states.get("sensor.gesundheitswohnung_2_alarm").state == "pre_alarm"
    assert hass.states.get("sensor.gesundheitswohnung_1_alarm").state == "idle"
    assert await say(hass, "Fehlalarm", satellite) == "Der Notruf ist abgebrochen."

    # A hallway both apartments' devices are in: which apartment is meant is unknown.
    shared = ar.async_get(hass).async_get_or_create("Flur gemeinsam")
    devices = dr.async_get(hass)
    for apartment_id in (APARTMENT_ID, NEIGHBOUR_ID):
        door = devices.async_get_device_by_identifier(
            (DOMAIN, f"{apartment_id}-gw-tuerkontakt"), site.entry_id
        )
        assert door is not None
        devices.async_update_device(door.id, area_id=shared.id)
    hallway = satellite_in(hass, "Flur gemeinsam")
    start = len(gateway.commands)
    assert await say(hass, "Licht aus", hallway) == "Ich weiß nicht, in welcher Wohnung Sie sind."
    assert sent(gateway, start) == []


async def test_a_room_the_gateway_adds_later_can_be_named(
    hass: HomeAssistant, site: MockConfigEntry, gateway: ApartmentGateway
) -> None:
    """The room sentences follow the gateway's rooms: a new room is known at once."""
    satellite = satellite_in(hass, "Gesundheitswohnung 1 Wohnzimmer")
    before = await say(hass, "Mach das Licht im Wintergarten an", satellite)
    assert before != "Das Licht ist an."  # no such room yet: Home Assistant's own answer
    gateway.devices = (
        *gateway.devices,
        {"id": "licht-wintergarten", "type": "light", "name": "Licht", "room": "Wintergarten"},
    )
    gateway.states["whg-1", "licht-wintergarten"] = {"on": False, "brightness": 0}
    gateway.announce("whg-1")
    light = "light.gesundheitswohnung_1_wintergarten_licht"
    assert await wait_for(lambda: hass.states.get(light) is not None)
    await hass.async_block_till_done()
    assert await say(hass, "Mach das Licht im Wintergarten an", satellite) == "Das Licht ist an."
    assert await wait_for(lambda: hass.states.get(light).state == "on")
