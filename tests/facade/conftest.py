"""A site with one façade (on a real pymodbus server) and two irrigation zones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..common import site_entry as make_site_entry
from .modbus_server import Server

FACADE_ID = "01JFACADE0000000000000000001"
ZONE_IDS = ("01JZONE00000000000000000001", "01JZONE00000000000000000002")


def facade_subentry(port: int, **overrides: Any) -> ConfigSubentryData:
    data = {
        CONF_NAME: "Fassade Nord",
        "host": "127.0.0.1",
        "port": port,
        "unit": 1,
        "poll_seconds": 10,
        "tank_level": "input:0*0.1",
        "tank_capacity_litres": 5000,
        "flow_total": "input:1:uint32*0.1",
        "mains_valve": "coil:0",
        "pump": "coil:1",
        "rain_sensor": "discrete:0",
        "temperature_greened": ["input:10:int16*0.1", "input:11:int16*0.1"],
        "temperature_bare": ["input:12:int16*0.1", "input:13:int16*0.1"],
        "watchdog": "holding:100",
        "watchdog_seconds": 60,
        "window_start": "22:00:00",
        "window_end": "06:00:00",
        "min_tank_percent": 15,
        "mains_fallback": True,
        "daily_budget_litres": 400,
        "dry_run_seconds": 60,
    }
    data.update(overrides)
    return ConfigSubentryData(
        subentry_id=FACADE_ID,
        subentry_type="facade",
        title=data[CONF_NAME],
        unique_id=None,
        data=data,
    )


def zone_subentry(index: int, **overrides: Any) -> ConfigSubentryData:
    data = {
        CONF_NAME: f"Zone {index + 1}",
        "facade": FACADE_ID,
        "moisture": f"input:{20 + index}*0.1",
        "valve": f"coil:{2 + index}",
        "target": 35,
        "hysteresis": 5,
        "max_cycle_minutes": 10,
        "max_day_minutes": 40,
        "soak_minutes": 30,
    }
    data.update(overrides)
    return ConfigSubentryData(
        subentry_id=ZONE_IDS[index],
        subentry_type="irrigation_zone",
        title=data[CONF_NAME],
        unique_id=None,
        data=data,
    )


def facade_site(port: int, **overrides: Any) -> MockConfigEntry:
    return make_site_entry(
        with_room=False,
        subentries=[facade_subentry(port, **overrides), zone_subentry(0), zone_subentry(1)],
    )


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[Server]:
    running = Server()
    await running.start()
    # A dry zone 1 (20 %), a wet zone 2 (50 %), a full tank, a mild night.
    await running.set("ir", 0, [800])
    await running.set("ir", 10, [180, 175, 200, 210])
    await running.set("ir", 20, [200, 500])
    yield running
    await running.stop()
