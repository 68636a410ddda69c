"""The façade and irrigation-zone subentry flows: defaults, every check, reconfigure."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..common import site_entry as make_site_entry
from .conftest import FACADE_ID, ZONE_IDS, facade_site, facade_subentry
from .modbus_server import Server

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def _start(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> dict:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return result


@pytest.fixture
def site() -> MockConfigEntry:
    return make_site_entry(with_room=False)


async def test_add_a_facade_with_the_reference_layout(
    hass: HomeAssistant, site: MockConfigEntry, server: Server
) -> None:
    """The controller is reached and every register read before the façade is saved."""
    site.add_to_hass(hass)
    result = await _start(hass, site, "facade")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Fassade Süd", "host": "127.0.0.1", "port": 1}
    )
    assert result["errors"] == {"host": "cannot_connect"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Fassade Süd",
            "host": "127.0.0.1",
            "port": server.port,
            "tank_level": "input:150",
        },
    )
    assert result["errors"] == {"tank_level": "register_not_readable"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Fassade Süd", "host": "127.0.0.1", "port": server.port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert (data["port"], data["unit"], data["poll_seconds"]) == (server.port, 1, 10)
    assert data["tank_level"] == "input:0*0.1"
    assert data["temperature_greened"] == ["input:10:int16*0.1", "input:11:int16*0.1"]
    assert (data["window_start"], data["window_end"]) == ("22:00:00", "06:00:00")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("tank_level", "tank:1", "register_invalid_spec"),
        ("flow_total", "holding:70000", "register_invalid_address"),
        ("mains_valve", "input:3", "register_not_writable"),
        ("pump", "holding:3", "register_not_a_coil"),
        ("temperature_bare", ["input:12:int16", "nonsense"], "register_invalid_spec"),
        ("watchdog", "discrete:1", "register_not_writable"),
    ],
)
async def test_facade_register_checks(
    hass: HomeAssistant, site: MockConfigEntry, field: str, value: object, error: str
) -> None:
    site.add_to_hass(hass)
    result = await _start(hass, site, "facade")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Fassade Süd", "host": "192.0.2.10", field: value}
    )
    assert result["errors"] == {field: error}


async def test_one_facade_per_controller_and_reconfigure(
    hass: HomeAssistant, server: Server
) -> None:
    entry = facade_site(server.port)
    entry.add_to_hass(hass)
    result = await _start(hass, entry, "facade")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Fassade West", "host": "127.0.0.1", "port": server.port, "unit": 1},
    )
    assert result["errors"] == {"host": "controller_in_use"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Fassade West", "host": "127.0.0.1", "port": server.port, "unit": 2},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Reconfiguring the façade may keep its own controller.
    result = await entry.start_subentry_reconfigure_flow(hass, FACADE_ID)
    data = {**entry.subentries[FACADE_ID].data, "min_tank_percent": 25.0}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], data)
    assert result["type"] is FlowResultType.ABORT
    assert entry.subentries[FACADE_ID].data["min_tank_percent"] == 25.0


async def test_add_a_zone(hass: HomeAssistant) -> None:
    entry = make_site_entry(with_room=False, subentries=[facade_subentry(1502)])
    entry.add_to_hass(hass)
    result = await _start(hass, entry, "irrigation_zone")
    schema = result["data_schema"].schema
    facade_key = next(key for key in schema if key == "facade")
    assert schema[facade_key].config["options"] == [{"value": FACADE_ID, "label": "Fassade Nord"}]
    moisture = next(key for key in schema if key == "moisture")
    assert moisture.default() == "input:20*0.1"
    base = {CONF_NAME: "Beet 1", "facade": FACADE_ID, "moisture": "input:20*0.1"}
    for extra, error in (
        ({"valve": "input:2"}, {"valve": "register_not_writable"}),
        ({"valve": "holding:2"}, {"valve": "register_not_a_coil"}),
        ({"moisture": "x"}, {"moisture": "register_invalid_spec"}),
        (
            {"valve": "coil:2", "target": 30, "hysteresis": 30},
            {"hysteresis": "hysteresis_too_large"},
        ),
    ):
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**base, "valve": "coil:2", **extra}
        )
        assert result["errors"] == error, extra
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**base, "valve": "coil:2"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["max_cycle_minutes"] == 10


async def test_a_zone_needs_a_facade(hass: HomeAssistant, site: MockConfigEntry) -> None:
    site.add_to_hass(hass)
    result = await hass.config_entries.subentries.async_init(
        (site.entry_id, "irrigation_zone"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_facade"


async def test_a_valve_belongs_to_one_zone(hass: HomeAssistant) -> None:
    entry = facade_site(1502)
    entry.add_to_hass(hass)
    result = await _start(hass, entry, "irrigation_zone")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Beet 3", "facade": FACADE_ID, "moisture": "input:22", "valve": "coil:2"},
    )
    assert result["errors"] == {"valve": "valve_in_use"}
    # The zone itself may keep its valve when reconfigured.
    result = await entry.start_subentry_reconfigure_flow(hass, ZONE_IDS[0])
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**entry.subentries[ZONE_IDS[0]].data, "target": 40}
    )
    assert result["type"] is FlowResultType.ABORT
    assert entry.subentries[ZONE_IDS[0]].data["target"] == 40


async def test_a_controller_that_accepts_but_never_answers(
    hass: HomeAssistant, site: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A port that takes the connection but never answers: "cannot connect", not a hang."""
    import asyncio

    from custom_components.smart_quarter.facade import config_flow

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    monkeypatch.setattr(config_flow, "TEST_TIMEOUT", 0.2)
    site.add_to_hass(hass)
    try:
        result = await _start(hass, site, "facade")
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {CONF_NAME: "Fassade Süd", "host": "127.0.0.1", "port": port}
        )
        assert result["errors"] == {"host": "cannot_connect"}
    finally:
        listener.close()
        await listener.wait_closed()
