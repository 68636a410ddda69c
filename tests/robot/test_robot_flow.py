"""Adding and changing a robot on the MQTT bridge: the serial is checked, the apartment offered."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.emergency.const import SUBENTRY_TYPE_APARTMENT
from custom_components.smart_quarter.robot.const import SUBENTRY_TYPE_ROBOT

from ..common import site_entry

ROBOT_ID = "01JROBOT000000000000000001"
APARTMENT_ID = "01JAPARTMENT00000000000001"


@pytest.fixture
async def site(hass: HomeAssistant) -> Any:
    """A site with an apartment and one robot (its MQTT link waits for MQTT, which is absent)."""
    entry = site_entry(
        with_room=False,
        subentries=[
            ConfigSubentryData(
                subentry_id=APARTMENT_ID,
                subentry_type=SUBENTRY_TYPE_APARTMENT,
                title="Gesundheitswohnung 1",
                unique_id=None,
                data={CONF_NAME: "Gesundheitswohnung 1", "trigger_devices": []},
            ),
            ConfigSubentryData(
                subentry_id=ROBOT_ID,
                subentry_type=SUBENTRY_TYPE_ROBOT,
                title="temi 1",
                unique_id=None,
                data={CONF_NAME: "temi 1", "serial": "00120485036", "transport": "mqtt_bridge"},
            ),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"serial": "temi/1"}, {"serial": "invalid_serial"}),
        ({"serial": " 00120485036 "}, {"serial": "serial_in_use"}),
        ({"call_url": "ftp://pflege"}, {"call_url": "invalid_url"}),
    ],
)
async def test_a_bridge_robot_is_checked_then_added(
    hass: HomeAssistant, site: MockConfigEntry, data: dict[str, str], errors: dict[str, str]
) -> None:
    """Refused with the reason, then added; the apartments are offered to choose from."""
    result = await hass.config_entries.subentries.async_init(
        (site.entry_id, SUBENTRY_TYPE_ROBOT), context={"source": SOURCE_USER}
    )
    apartment = next(v for k, v in result["data_schema"].schema.items() if str(k) == "apartment")
    assert [o["label"] for o in apartment.config["options"]] == ["Gesundheitswohnung 1"]
    good = {CONF_NAME: "temi 2", "serial": "00120485099", "apartment": APARTMENT_ID}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**good, **data}
    )
    assert result["errors"] == errors
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], good)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["transport"] == "mqtt_bridge"
    assert result["data"]["home_base"] == "home base"


async def test_reconfiguring_keeps_its_own_serial(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    """Its own serial is not 'in use'; the home base can be renamed."""
    result = await site.start_subentry_reconfigure_flow(hass, ROBOT_ID)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "temi 1", "serial": "00120485036", "home_base": "Ladestation"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert site.subentries[ROBOT_ID].data["home_base"] == "Ladestation"
