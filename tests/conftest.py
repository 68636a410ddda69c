"""Shared fixtures: a site config entry with one telemedicine room, and the integration loaded."""

from __future__ import annotations

# Import the repository's package first: the test plugin's own testing_config has a
# custom_components package that would otherwise shadow it ("Integration not found").
import custom_components  # noqa: F401  # isort: skip

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.smart_quarter.const import CONF_MQTT_BASE_TOPIC, DOMAIN
from custom_components.smart_quarter.telemedicine.const import CONF_ADDRESS, SUBENTRY_TYPE_ROOM

SITE_NAME = "Jena-Lobeda"
ROOM_SUBENTRY_ID = "01JROOMLOBEDA00000000000000"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom integrations from the repository in every test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer (ids and timestamps masked)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def site_entry() -> MockConfigEntry:
    """A site 'Jena-Lobeda' with one telemedicine room."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=SITE_NAME,
        unique_id="jena_lobeda",
        data={CONF_NAME: SITE_NAME, CONF_LATITUDE: 50.8876, CONF_LONGITUDE: 11.6134},
        options={CONF_MQTT_BASE_TOPIC: "smart_quarter/jena_lobeda"},
        subentries_data=[
            ConfigSubentryData(
                subentry_id=ROOM_SUBENTRY_ID,
                subentry_type=SUBENTRY_TYPE_ROOM,
                title="TMR Lobeda",
                unique_id=None,
                data={CONF_NAME: "TMR Lobeda", CONF_ADDRESS: "Karl-Marx-Allee 28, Jena"},
            )
        ],
    )


@pytest.fixture
async def loaded_site(hass: HomeAssistant, site_entry: MockConfigEntry) -> MockConfigEntry:
    """The site entry, set up."""
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    return site_entry
