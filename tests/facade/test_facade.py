"""A façade in Home Assistant against a real pymodbus server: polling, control, safety.

Real sockets and real time (pymodbus's client does not work under a frozen clock): the
watering window is set to "always" or "never" instead of travelling in time.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.facade.subsystem import FacadeSubsystem

from ..common import site_entry as make_site_entry
from .conftest import FACADE_ID, ZONE_IDS, facade_site, facade_subentry, zone_subentry
from .modbus_server import Server

pytestmark = pytest.mark.usefixtures("socket_enabled")
STATE = "sensor.fassade_nord_irrigation"
ZONE1_VALVE = "valve.zone_1_valve"


ALWAYS = {"window_start": "00:00:00", "window_end": "23:59:59"}
NEVER = {"window_start": "00:00:00", "window_end": "00:00:01"}


async def _site(hass: HomeAssistant, server: Server, **overrides: object) -> MockConfigEntry:
    entry = facade_site(server.port, **overrides)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    facade = entry.runtime_data.subsystem(FacadeSubsystem).facades[FACADE_ID]
    await facade.coordinator.async_refresh()
    await hass.async_block_till_done()


async def test_start_closes_everything_and_arms_the_watchdog(
    hass: HomeAssistant, server: Server
) -> None:
    await server.set("co", 0, [True, True, True, True])
    entry = await _site(hass, server, **NEVER)  # nothing to water
    assert await server.get("co", 0, 4) == [False, False, False, False]
    assert await server.get("hr", 100) == [60]
    assert hass.states.get(STATE).state == "idle"
    assert hass.states.get("sensor.fassade_nord_tank_level").state == "80.0"
    assert hass.states.get("sensor.fassade_nord_tank_content").state == "4000.0"
    assert hass.states.get("sensor.zone_1_soil_moisture").state == "20.0"
    # Greened 18.0/17.5, bare 20.0/21.0: the green cools by 2.75 K.
    assert hass.states.get("sensor.fassade_nord_cooling_by_the_green").state == "-2.75"
    facade = entry.runtime_data.subsystem(FacadeSubsystem).facades[FACADE_ID]
    # One request per contiguous block: inputs 0-2, 10-13, 20-21; coils 0-3; discrete 0.
    assert facade.requests_last_poll == 5
    await hass.config_entries.async_unload(entry.entry_id)


async def test_night_waters_the_dry_zone_from_the_tank(hass: HomeAssistant, server: Server) -> None:
    entry = await _site(hass, server, **ALWAYS)
    # mains closed, pump on, zone 1 open, zone 2 closed
    assert await server.get("co", 0, 4) == [False, True, True, False]
    assert hass.states.get(STATE).state == "watering"
    assert hass.states.get(ZONE1_VALVE).state == "open"
    # Water flows: 12.5 L in the meter (tenths) are counted as rain water.
    await server.set("ir", 1, [0, 0])
    await _poll(hass, entry)
    await server.set("ir", 1, [0, 125])
    await _poll(hass, entry)
    assert hass.states.get("sensor.fassade_nord_rain_water_used").state == "12.5"
    assert float(hass.states.get("sensor.fassade_nord_flow").state) > 0
    assert hass.states.get("sensor.fassade_nord_mains_water_used").state == "0.0"
    # The soil is wet now: the zone closes.
    await server.set("ir", 20, [360])
    await _poll(hass, entry)
    assert await server.get("co", 0, 4) == [False, False, False, False]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_dry_run_stops_and_latches_until_reset(hass: HomeAssistant, server: Server) -> None:
    entry = await _site(hass, server, dry_run_seconds=1, **ALWAYS)
    assert (await server.get("co", 2)) == [True]
    await asyncio.sleep(1.1)  # no flow at all for longer than the dry-run time
    await _poll(hass, entry)
    assert await server.get("co", 0, 4) == [False, False, False, False]
    assert hass.states.get("binary_sensor.fassade_nord_dry_run").state == "on"
    assert hass.states.get(STATE).state == "fault"
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "run_irrigation_zone",
            {"device_id": _device(hass, entry, ZONE_IDS[0]), "minutes": 5},
            blocking=True,
        )
    await hass.services.async_call(
        DOMAIN,
        "reset_irrigation_faults",
        {"device_id": _device(hass, entry, FACADE_ID)},
        blocking=True,
    )
    assert hass.states.get("binary_sensor.fassade_nord_dry_run").state == "off"
    await hass.config_entries.async_unload(entry.entry_id)


def _device(hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subentry_id), entry.entry_id
    )
    assert device is not None
    return device.id


async def test_manual_run_by_action_and_valve_then_stop(
    hass: HomeAssistant, server: Server
) -> None:
    entry = await _site(hass, server, **NEVER)
    response = await hass.services.async_call(
        DOMAIN,
        "run_irrigation_zone",
        {"device_id": _device(hass, entry, ZONE_IDS[1]), "minutes": 5},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert datetime.fromisoformat(str(response["until"])) > dt_util.now()
    assert await server.get("co", 3) == [True]
    await hass.services.async_call(
        DOMAIN, "stop_irrigation", {"device_id": _device(hass, entry, ZONE_IDS[1])}, blocking=True
    )
    assert await server.get("co", 3) == [False]
    await hass.services.async_call("valve", "open_valve", {"entity_id": ZONE1_VALVE}, blocking=True)
    assert await server.get("co", 2) == [True]
    await hass.services.async_call(
        "valve", "close_valve", {"entity_id": ZONE1_VALVE}, blocking=True
    )
    assert await server.get("co", 2) == [False]
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "run_irrigation_zone",
            {"device_id": _device(hass, entry, FACADE_ID), "minutes": 5},
            blocking=True,
        )
    await hass.config_entries.async_unload(entry.entry_id)


async def test_lost_controller_and_recovery(hass: HomeAssistant, server: Server) -> None:
    entry = await _site(hass, server, **ALWAYS)
    assert hass.states.get("binary_sensor.fassade_nord_controller_communication").state == "off"
    await server.stop()
    await _poll(hass, entry)
    assert hass.states.get(STATE).state == "unavailable"
    assert hass.states.get("binary_sensor.fassade_nord_controller_communication").state == "on"
    await server.start()
    await server.set("ir", 0, [800])
    await server.set("ir", 10, [180, 175, 200, 210])
    await server.set("ir", 20, [200, 500])
    for _ in range(30):  # pymodbus reconnects with its own back-off
        await _poll(hass, entry)
        if hass.states.get(STATE).state != "unavailable":
            break
        await asyncio.sleep(0.2)
    assert hass.states.get("binary_sensor.fassade_nord_controller_communication").state == "off"
    # Everything was written again after the reconnect; the interrupted zone soaks first.
    assert await server.get("co", 0, 4) == [False, False, False, False]
    assert hass.states.get(STATE).state == "idle"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_unload_closes_everything(hass: HomeAssistant, server: Server) -> None:
    entry = await _site(hass, server, **ALWAYS)
    assert await server.get("co", 2) == [True]
    await hass.config_entries.async_unload(entry.entry_id)
    assert await server.get("co", 0, 4) == [False, False, False, False]


async def test_an_illegal_address_makes_only_its_zone_implausible(
    hass: HomeAssistant, server: Server
) -> None:
    entry = make_site_entry(
        with_room=False,
        subentries=[
            facade_subentry(server.port, **NEVER),
            zone_subentry(0),
            zone_subentry(1, moisture="input:150*0.1"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.zone_1_soil_moisture").state == "20.0"
    # Only the zone whose register cannot be read is unavailable (its problem sensor shows).
    assert hass.states.get("sensor.zone_2_soil_moisture").state == "unavailable"
    assert hass.states.get("valve.zone_1_valve").state != "unavailable"
    assert hass.states.get("binary_sensor.zone_2_moisture_sensor_implausible").state == "on"
    assert hass.states.get(STATE).state == "idle"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_output_that_does_not_switch_latches_a_fault(
    hass: HomeAssistant, server: Server
) -> None:
    """Zone 1's valve is refused by the controller: everything closed, event, repair issue."""
    events = async_capture_events(hass, "smart_quarter_facade_output_mismatch")
    entry = make_site_entry(
        with_room=False,
        subentries=[
            facade_subentry(server.port, **ALWAYS),
            zone_subentry(0, valve="coil:40"),  # no such coil: the write is refused
            zone_subentry(1),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.fassade_nord_output_mismatch").state == "on"
    assert [event.data["output"] for event in events] == ["coil:40"]
    issue_id = f"facade_mismatch_{entry.entry_id}_{FACADE_ID}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await _poll(hass, entry)
    assert await server.get("co", 0, 4) == [False, False, False, False]
    assert hass.states.get(STATE).state == "fault"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_zone_rules_from_the_ui_are_kept(hass: HomeAssistant, server: Server) -> None:
    """Target, hysteresis and mode set in the UI drive the controller and survive a reload."""
    entry = await _site(hass, server, **ALWAYS)
    assert await server.get("co", 2) == [True]  # zone 1 (20 %) waters
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.zone_1_irrigation_mode", "option": "off"},
        blocking=True,
    )
    assert await server.get("co", 2) == [False]
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.zone_2_moisture_target", "value": 70},
        blocking=True,
    )
    assert await server.get("co", 3) == [True]  # zone 2 (50 %) is dry for a 70 % target
    with pytest.raises(ServiceValidationError):  # target 5 % below the 5 % hysteresis
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": "number.zone_1_moisture_target", "value": 5},
            blocking=True,
        )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("select.zone_1_irrigation_mode").state == "off"
    assert hass.states.get("number.zone_2_moisture_target").state == "70.0"
    await hass.config_entries.async_unload(entry.entry_id)


def test_rain_expected() -> None:
    from custom_components.smart_quarter.facade.facade import rain_expected

    now = dt_util.utcnow()
    soon = (now + timedelta(hours=3)).isoformat()
    late = (now + timedelta(hours=20)).isoformat()
    assert rain_expected([{"datetime": soon, "precipitation": 1.2}], now)
    assert rain_expected([{"datetime": soon, "precipitation_probability": 80}], now)
    assert not rain_expected([{"datetime": late, "precipitation": 5}], now)
    assert not rain_expected([{"datetime": soon, "precipitation": 0.1}], now)
    assert not rain_expected([{"datetime": "soon"}, {"nothing": 1}], now)


async def test_a_rain_forecast_skips_watering(hass: HomeAssistant, server: Server) -> None:
    """The weather entity expects rain: the dry zone waits; without a forecast it waters."""
    from homeassistant.core import ServiceCall, SupportsResponse

    forecast: list[dict] = [
        {"datetime": (dt_util.utcnow() + timedelta(hours=2)).isoformat(), "precipitation": 3.0}
    ]

    async def get_forecasts(call: ServiceCall) -> dict:
        return {"weather.jena": {"forecast": forecast}}

    hass.services.async_register(
        "weather", "get_forecasts", get_forecasts, supports_response=SupportsResponse.ONLY
    )
    entry = await _site(hass, server, weather_entity="weather.jena", **ALWAYS)
    assert await server.get("co", 2) == [False]
    facade = entry.runtime_data.subsystem(FacadeSubsystem).facades[FACADE_ID]
    assert facade.command is not None
    assert facade.command.reason == "rain"
    forecast.clear()
    facade._forecast_at = None
    await _poll(hass, entry)
    assert await server.get("co", 2) == [True]
    await hass.config_entries.async_unload(entry.entry_id)
