"""Apartment devices behind the gateway, end to end: real Mosquitto, HA's mqtt, the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.const import SUBENTRY_TYPE_APARTMENT
from custom_components.smart_quarter.smart_home.subsystem import MAX_EARLY_STATES
from simulators.apartment_gateway import ApartmentGateway

from ..common import site_entry, wait_for
from ..real_broker import Mosquitto, async_setup_mqtt
from .conftest import BASE, apartment, async_set_up, async_unload_all

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(60)]

APARTMENT_ID = "01JAPARTMENT00000000000001"
LIGHT = "light.gesundheitswohnung_1_wohnzimmer_licht"


@pytest.fixture
async def site(hass: HomeAssistant, broker: Mosquitto) -> AsyncIterator[MockConfigEntry]:
    """A site whose apartment is 'whg-1' at the gateway."""
    await async_setup_mqtt(hass, broker.port)
    entry = site_entry(
        with_room=False, subentries=[apartment(APARTMENT_ID, "Gesundheitswohnung 1", "whg-1")]
    )
    yield await async_set_up(hass, entry)
    await async_unload_all(hass)


async def test_announced_devices_appear_and_follow_commands(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """No reconfiguring: the gateway's devices come with entities; a light round trip."""
    assert await wait_for(lambda: hass.states.get(LIGHT) is not None)
    assert await wait_for(lambda: hass.states.get(LIGHT).state == STATE_OFF)
    # Retained states come in any order: the meter's may follow the light's.
    power = "sensor.gesundheitswohnung_1_strom_power"
    assert await wait_for(lambda: hass.states.get(power).state == "85.0")
    energy = hass.states.get("sensor.gesundheitswohnung_1_strom_energy")
    assert energy.attributes["state_class"] == "total_increasing"
    door = hass.states.get("binary_sensor.gesundheitswohnung_1_flur_wohnungstur")
    assert door.attributes["device_class"] == "door"
    # Only whg-1's devices: the gateway's other apartment is not linked.
    assert not [s for s in hass.states.async_entity_ids() if "whg_2" in s]

    await hass.services.async_call(
        "light", "turn_on", {"entity_id": LIGHT, "brightness": 128}, blocking=True
    )
    assert await wait_for(lambda: hass.states.get(LIGHT).state == STATE_ON)
    assert gateway.commands[-1] == ("whg-1", "licht-wohnzimmer", {"on": True, "brightness": 50})
    assert hass.states.get(LIGHT).attributes["brightness"] == 128
    bad = "light.gesundheitswohnung_1_bad_licht"
    await hass.services.async_call("light", "turn_on", {"entity_id": bad}, blocking=True)
    assert await wait_for(lambda: hass.states.get(bad).state == STATE_ON)
    assert hass.states.get(bad).attributes["supported_color_modes"] == ["onoff"]


async def test_gateway_offline_then_back_and_a_removed_device(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """Offline → unavailable → back; a device the gateway drops is removed with its entities."""
    assert await wait_for(lambda: hass.states.get(LIGHT) is not None)
    assert await wait_for(lambda: hass.states.get(LIGHT).state == STATE_OFF)
    gateway.client.publish(f"{BASE}/gateway/gw-1/status", "offline", qos=1, retain=True)
    assert await wait_for(lambda: hass.states.get(LIGHT).state == STATE_UNAVAILABLE)
    gateway.client.publish(f"{BASE}/gateway/gw-1/status", "online", qos=1, retain=True)
    assert await wait_for(lambda: hass.states.get(LIGHT).state == STATE_OFF)

    gateway.client.publish(f"{BASE}/gateway/gw-1/status", "kaputt", qos=1, retain=False)
    await asyncio.sleep(0.3)  # malformed: ignored
    assert hass.states.get(LIGHT).state == STATE_OFF
    assert site.runtime_data.subsystems["smart_home"].malformed == 1  # type: ignore[attr-defined]

    gateway.remove_device("whg-1", "licht-wohnzimmer")
    assert await wait_for(lambda: er.async_get(hass).async_get(LIGHT) is None)
    identifier = f"{APARTMENT_ID}-gw-licht-wohnzimmer"
    assert (
        dr.async_get(hass).async_get_device_by_identifier((DOMAIN, identifier), site.entry_id)
        is None
    )


async def test_the_apartment_form_links_it_to_the_gateway(hass: HomeAssistant) -> None:
    """The apartment's id at the gateway is checked like a topic level."""
    entry = site_entry(with_room=False)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_APARTMENT), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Wohnung 4.12", "smart_home": {"gateway_apartment": "4/12"}}
    )
    assert result["errors"] == {"base": "invalid_gateway_apartment"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Wohnung 4.12",
            "smart_home": {
                "gateway_apartment": "whg-0412",
                "comfort_temperature": 20,
                "setback_temperature": 20.5,
            },
        },
    )
    assert result["errors"] == {"base": "setback_above_comfort"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Wohnung 4.12", "smart_home": {"gateway_apartment": "whg-0412"}},
    )
    # The stay temperatures a technician did not touch: comfort 21.5 °C, setback 17 °C.
    assert result["data"]["smart_home"] == {
        "gateway_apartment": "whg-0412",
        "comfort_temperature": 21.5,
        "setback_temperature": 17.0,
    }
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_every_device_type_round_trip(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """Heating, care bed, kitchen, blind, lock and the wheelchair: state in, command out."""
    climate = "climate.gesundheitswohnung_1_wohnzimmer_heizung"
    assert await wait_for(lambda: (s := hass.states.get(climate)) is not None and s.state == "heat")
    assert hass.states.get(climate).attributes["current_temperature"] == 20.5
    await hass.services.async_call(
        "climate", "set_temperature", {"entity_id": climate, "temperature": 22.5}, blocking=True
    )
    await hass.services.async_call(
        "climate", "set_preset_mode", {"entity_id": climate, "preset_mode": "eco"}, blocking=True
    )
    assert await wait_for(lambda: hass.states.get(climate).attributes["preset_mode"] == "eco")
    assert hass.states.get(climate).attributes["temperature"] == 22.5

    head = "number.gesundheitswohnung_1_schlafzimmer_pflegebett_head_section"
    await hass.services.async_call(
        "number", "set_value", {"entity_id": head, "value": 30}, blocking=True
    )
    assert await wait_for(lambda: hass.states.get(head).state == "30.0")
    kitchen = "number.gesundheitswohnung_1_kuche_kuchenzeile_height"
    await hass.services.async_call(
        "number", "set_value", {"entity_id": kitchen, "value": 80}, blocking=True
    )
    assert await wait_for(lambda: hass.states.get(kitchen).state == "80.0")

    blind = "cover.gesundheitswohnung_1_wohnzimmer_rollladen"
    await hass.services.async_call("cover", "close_cover", {"entity_id": blind}, blocking=True)
    assert await wait_for(lambda: hass.states.get(blind).state == "closed")
    lock = "lock.gesundheitswohnung_1_flur_wohnungstur"
    assert hass.states.get(lock).state == "locked"
    await hass.services.async_call("lock", "unlock", {"entity_id": lock}, blocking=True)
    assert await wait_for(lambda: hass.states.get(lock).state == "unlocked")
    assert hass.states.get("binary_sensor.gesundheitswohnung_1_e_rollstuhl_rented").state == "off"
    assert hass.states.get("sensor.gesundheitswohnung_1_e_rollstuhl_battery").state == "100.0"
    assert ("whg-1", "pflegebett", {"head": 30.0}) in gateway.commands


async def test_a_device_the_gateway_renames_moves_or_retypes(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """A new name or room keeps the entities (and they keep following); a new type replaces them."""
    assert await wait_for(lambda: hass.states.get(LIGHT) is not None)
    assert await wait_for(lambda: hass.states.get(LIGHT).state == STATE_OFF)
    window = "binary_sensor.gesundheitswohnung_1_schlafzimmer_fenster"
    assert hass.states.get(window).attributes["device_class"] == "window"
    gateway.devices = tuple(
        {**device, "name": "Deckenlicht", "room": "Wohnküche"}
        if device["id"] == "licht-wohnzimmer"
        else {**device, "type": "door", "name": "Balkontür"}
        if device["id"] == "fenster-schlafzimmer"
        else device
        for device in gateway.devices
    )
    gateway.announce("whg-1")
    devices = dr.async_get(hass)
    identifier = f"{APARTMENT_ID}-gw-licht-wohnzimmer"

    def renamed() -> bool:
        device = devices.async_get_device_by_identifier((DOMAIN, identifier), site.entry_id)
        return device is not None and device.name == "Deckenlicht"

    assert await wait_for(renamed)
    light = devices.async_get_device_by_identifier((DOMAIN, identifier), site.entry_id)
    assert light is not None
    area = ar.async_get(hass).async_get_area(light.area_id or "")
    assert area is not None
    assert area.name == "Gesundheitswohnung 1 Wohnküche"
    # The same entity, still following the gateway.
    assert er.async_get(hass).async_get(LIGHT) is not None
    gateway.set_state("whg-1", "licht-wohnzimmer", on=True, brightness=40)
    assert await wait_for(lambda: hass.states.get(LIGHT).state == STATE_ON)
    # The window is a door now: its entity was replaced by a door's (Home Assistant gives the
    # same unique id its old entity id back).
    assert await wait_for(
        lambda: (
            (state := hass.states.get(window)) is not None
            and state.attributes.get("device_class") == "door"
        )
    )
    retyped = devices.async_get_device_by_identifier(
        (DOMAIN, f"{APARTMENT_ID}-gw-fenster-schlafzimmer"), site.entry_id
    )
    assert retyped is not None
    assert retyped.model == "Gateway door"


async def test_a_state_before_its_device_is_announced_is_kept(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """Retained messages come in any order: a state that precedes its device list is used."""
    assert await wait_for(lambda: hass.states.get(LIGHT) is not None)
    hallway = "light.gesundheitswohnung_1_flur_licht"
    gateway.client.publish(
        f"{BASE}/apartment/whg-1/licht-flur/state", '{"on": true, "brightness": 30}', qos=1
    ).wait_for_publish(5)
    await asyncio.sleep(0.3)
    assert hass.states.get(hallway) is None
    gateway.devices = (
        *gateway.devices,
        {"id": "licht-flur", "type": "light", "name": "Licht", "room": "Flur"},
    )
    gateway.client.publish(
        f"{BASE}/apartment/whg-1/devices", json.dumps(list(gateway.devices)), qos=1
    ).wait_for_publish(5)
    assert await wait_for(lambda: hass.states.get(hallway) is not None)
    assert hass.states.get(hallway).state == STATE_ON


async def test_states_of_unlisted_devices_are_bounded(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """A gateway sending states for ever new device ids cannot fill memory; the newest wait."""
    assert await wait_for(lambda: hass.states.get(LIGHT) is not None)
    subsystem = site.runtime_data.subsystems["smart_home"]
    for number in range(MAX_EARLY_STATES + 36):
        gateway.client.publish(
            f"{BASE}/apartment/whg-1/geist-{number}/state", '{"on": true}', qos=1
        )
    gateway.client.publish(
        f"{BASE}/apartment/whg-1/geist-{MAX_EARLY_STATES + 36}/state", '{"on": true}', qos=1
    ).wait_for_publish(5)
    waiting = lambda: subsystem.diagnostics()["states_waiting_for_their_device"]  # noqa: E731
    assert await wait_for(lambda: waiting() == MAX_EARLY_STATES)
    await asyncio.sleep(0.3)
    assert waiting() == MAX_EARLY_STATES
    # The newest are kept: the last one's device, listed now, starts with its state; the
    # oldest was dropped, so its device has none (unavailable until the gateway sends one).
    gateway.devices = (
        *gateway.devices,
        {"id": f"geist-{MAX_EARLY_STATES + 36}", "type": "light", "name": "Neu", "room": "Flur"},
        {"id": "geist-0", "type": "light", "name": "Alt", "room": "Flur"},
    )
    gateway.client.publish(
        f"{BASE}/apartment/whg-1/devices", json.dumps(list(gateway.devices)), qos=1
    ).wait_for_publish(5)
    newest, oldest = "light.gesundheitswohnung_1_flur_neu", "light.gesundheitswohnung_1_flur_alt"
    assert await wait_for(lambda: None not in (hass.states.get(newest), hass.states.get(oldest)))
    assert hass.states.get(newest).state == STATE_ON
    assert hass.states.get(oldest).state == STATE_UNAVAILABLE
    assert waiting() == MAX_EARLY_STATES - 1
    # An oversized state is refused unread, not kept waiting.
    malformed = subsystem.malformed
    gateway.client.publish(
        f"{BASE}/apartment/whg-1/riesig/state", '{"on": true, "x": "' + "x" * 5000 + '"}', qos=1
    ).wait_for_publish(5)
    assert await wait_for(lambda: subsystem.malformed == malformed + 1)
    assert waiting() == MAX_EARLY_STATES - 1
