"""A gateway's apartments offered for adding in one step (real Mosquitto and simulator)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_INTEGRATION_DISCOVERY,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.const import (
    CONF_CANCEL_WINDOW,
    DEFAULT_CANCEL_WINDOW,
    SUBENTRY_TYPE_APARTMENT,
)
from simulators.apartment_gateway import ApartmentGateway

from ..common import site_entry, wait_for
from ..real_broker import Mosquitto, async_setup_mqtt
from .conftest import BASE, apartment, async_set_up, async_unload_all

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(60)]

LINKED = "01JAPARTMENT00000000000001"
UNLINKED_NAMED_LIKE_WHG_3 = "01JAPARTMENT00000000000003"


@pytest.fixture
def gateway(broker: Mosquitto) -> Iterator[ApartmentGateway]:
    """The simulated gateway with four apartments."""
    simulated = ApartmentGateway(broker.port, BASE, apartments=["whg-1", "whg-2", "whg-3", "whg-4"])
    simulated.start()
    yield simulated
    simulated.stop()


@pytest.fixture
async def site(hass: HomeAssistant, broker: Mosquitto) -> AsyncIterator[MockConfigEntry]:
    """A site with whg-1 linked, and an apartment "Wohnung 3" that is not at the gateway."""
    await async_setup_mqtt(hass, broker.port)
    entry = site_entry(
        with_room=False,
        subentries=[
            apartment(LINKED, "Gesundheitswohnung 1", "whg-1"),
            apartment(UNLINKED_NAMED_LIKE_WHG_3, "Wohnung 3", None),
        ],
    )
    yield await async_set_up(hass, entry)
    await async_unload_all(hass)


def _offers(hass: HomeAssistant) -> list[dict[str, object]]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    ]


def _apartments(entry: MockConfigEntry) -> dict[str, str]:
    """Gateway id -> title of the site's apartments."""
    return {
        subentry.data.get("smart_home", {}).get("gateway_apartment", ""): subentry.title
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_TYPE_APARTMENT
    }


async def test_all_new_apartments_added_in_one_step(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """One offer for the gateway's three new apartments; one submit adds them; one reload."""
    assert await wait_for(lambda: _offers(hass))
    offers = _offers(hass)
    assert len(offers) == 1
    offer = offers[0]
    assert offer["step_id"] == "gateway_apartments"
    assert offer["context"]["title_placeholders"] == {"name": "Jena-Lobeda / gw-1"}
    shown = await hass.config_entries.flow.async_configure(str(offer["flow_id"]))
    assert shown["type"] is FlowResultType.FORM
    assert shown["description_placeholders"] == {
        "gateway": "gw-1",
        "site": "Jena-Lobeda",
        "count": "3",
        "names": "Wohnung 2, Wohnung 3, Wohnung 4",
    }

    reloads = 0
    original = hass.config_entries.async_reload

    async def counting_reload(entry_id: str) -> bool:
        nonlocal reloads
        reloads += 1
        return await original(entry_id)

    with patch.object(hass.config_entries, "async_reload", counting_reload):
        result = await hass.config_entries.flow.async_configure(
            str(offer["flow_id"]), {"apartments": ["whg-2", "whg-3", "whg-4"]}
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "apartments_added"
        assert result["description_placeholders"] == {"count": "3", "site": "Jena-Lobeda"}
        await hass.async_block_till_done()
    assert reloads == 1

    assert _apartments(site) == {
        "whg-1": "Gesundheitswohnung 1",
        "": "Wohnung 3",
        "whg-2": "Wohnung 2",
        "whg-3": "Wohnung 3 (whg-3)",  # the name was taken
        "whg-4": "Wohnung 4",
    }
    added = next(s for s in site.subentries.values() if s.title == "Wohnung 2")
    # The same settings the apartment form gives with nothing changed, sections included.
    assert added.data[CONF_CANCEL_WINDOW] == DEFAULT_CANCEL_WINDOW
    assert added.data["trigger_devices"] == []
    assert added.data["stays"]["check_in"] == "15:00:00"
    # Their devices come from the gateway at once, and nothing more is offered.
    light = "light.wohnung_2_wohnzimmer_licht"
    assert await wait_for(lambda: hass.states.get(light) is not None)
    assert not _offers(hass)


async def test_choosing_some_and_choosing_none(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """Nothing chosen is refused; apartments left out are offered again after the reload."""
    assert await wait_for(lambda: _offers(hass))
    flow_id = str(_offers(hass)[0]["flow_id"])
    result = await hass.config_entries.flow.async_configure(flow_id, {"apartments": []})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_apartment_chosen"}
    result = await hass.config_entries.flow.async_configure(flow_id, {"apartments": ["whg-4"]})
    assert result["reason"] == "apartments_added"
    assert result["description_placeholders"]["count"] == "1"
    await hass.async_block_till_done()
    assert "whg-4" in _apartments(site)
    # The gateway's retained announcement reaches the reloaded site: whg-2/3 are offered again.
    assert await wait_for(lambda: _offers(hass))
    again = await hass.config_entries.flow.async_configure(str(_offers(hass)[0]["flow_id"]))
    assert again["description_placeholders"]["count"] == "2"


async def test_an_ignored_offer_stays_ignored(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """Ignoring the gateway's offer (Home Assistant's "ignore") silences it for good."""
    assert await wait_for(lambda: _offers(hass))
    await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_IGNORE},
        data={"unique_id": f"{site.entry_id}-gateway-gw-1", "title": "gw-1"},
    )
    await hass.async_block_till_done()
    assert not _offers(hass)  # the open offer went with it
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": site.entry_id, "gateway": "gw-1"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_an_offer_ignored_in_the_ui_comes_back_when_un_ignored(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
    gateway: ApartmentGateway,
    site: MockConfigEntry,
) -> None:
    """The UI's "Ignore" keeps the offer's discovery key; "Stop ignoring" offers it at once."""
    assert await async_setup_component(hass, "config", {})
    assert await wait_for(lambda: _offers(hass))
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config_entries/ignore_flow",
            "flow_id": _offers(hass)[0]["flow_id"],
            "title": "gw-1",
        }
    )
    assert (await client.receive_json())["success"]
    await hass.async_block_till_done()
    assert not _offers(hass)
    ignored = hass.config_entries.async_entry_for_domain_unique_id(
        DOMAIN, f"{site.entry_id}-gateway-gw-1"
    )
    assert ignored is not None
    assert ignored.source == SOURCE_IGNORE
    # "Stop ignoring" removes the ignore entry; the offer is back without a reload.
    http = await hass_client()
    response = await http.delete(f"/api/config/config_entries/entry/{ignored.entry_id}")
    assert response.status == 200
    assert await wait_for(lambda: _offers(hass))
    assert _offers(hass)[0]["context"]["title_placeholders"]["name"] == "Jena-Lobeda / gw-1"
    assert site.state is ConfigEntryState.LOADED


async def test_offers_that_have_nothing_left(
    hass: HomeAssistant, gateway: ApartmentGateway, site: MockConfigEntry
) -> None:
    """A gone site, a gateway without new apartments, a site unloaded before the submit."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": "no-such-site", "gateway": "gw-1"},
    )
    assert result["reason"] == "site_gone"
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": site.entry_id, "gateway": "gw-unknown"},
    )
    assert result["reason"] == "no_new_apartments"

    assert await wait_for(lambda: _offers(hass))
    flow_id = str(_offers(hass)[0]["flow_id"])
    await hass.config_entries.async_unload(site.entry_id)
    result = await hass.config_entries.flow.async_configure(flow_id, {"apartments": ["whg-2"]})
    assert result["reason"] == "no_new_apartments"
    await hass.config_entries.async_remove(site.entry_id)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": site.entry_id, "gateway": "gw-1"},
    )
    assert result["reason"] == "site_gone"


async def test_a_big_gateway_lists_ten_names_and_adds_all(
    hass: HomeAssistant, broker: Mosquitto, site: MockConfigEntry
) -> None:
    """Thirteen new apartments: ten names in the text, all in the choice, all added."""
    big = ApartmentGateway(broker.port, BASE, apartments=[f"whg-{n}" for n in range(1, 15)])
    big.start()
    try:
        assert await wait_for(lambda: _offers(hass))
        flow_id = str(_offers(hass)[0]["flow_id"])
        shown = await hass.config_entries.flow.async_configure(flow_id)
        placeholders = shown["description_placeholders"]
        assert placeholders["count"] == "13"
        assert placeholders["names"].endswith("Wohnung 11 (+3)")
        every = [f"whg-{n}" for n in range(2, 15)]
        result = await hass.config_entries.flow.async_configure(flow_id, {"apartments": every})
        assert result["description_placeholders"]["count"] == "13"
        await hass.async_block_till_done()
        assert len(_apartments(site)) == 15
    finally:
        big.stop()
