"""Shared fixtures: a site config entry with one telemedicine room, and the integration loaded."""

from __future__ import annotations

# Import the repository's package first: the test plugin's own testing_config has a
# custom_components package that would otherwise shadow it ("Integration not found").
import custom_components  # noqa: F401  # isort: skip

from collections.abc import Iterator
import os
from pathlib import Path

from homeassistant.core import HomeAssistant
from hypothesis import settings
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from .common import ROOM_SUBENTRY_ID, site_entry as make_site_entry
from .real_broker import Mosquitto

__all__ = ["ROOM_SUBENTRY_ID"]

# Property tests draw the same examples on every run and have no time limit per example, so
# CI never fails by the luck of the draw or a busy machine; HYPOTHESIS_PROFILE=explore draws
# fresh ones and replays saved failures (run it after changing a parser). Both build on
# Hypothesis's own default, not on whatever profile its environment detection loaded.
settings.register_profile(
    "repeatable", parent=settings.get_profile("default"), derandomize=True, deadline=None
)
settings.register_profile("explore", parent=settings.get_profile("default"), deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


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
    return make_site_entry()


@pytest.fixture
async def loaded_site(hass: HomeAssistant, site_entry: MockConfigEntry) -> MockConfigEntry:
    """The site entry, set up."""
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    return site_entry


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A real Mosquitto of the test's own (tests that use it enable sockets)."""
    mosquitto = Mosquitto(tmp_path)
    mosquitto.start()
    yield mosquitto
    mosquitto.stop()
