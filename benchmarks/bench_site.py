"""Site benchmarks: set-up/reload time by number of rooms, switch latency, memory of a site."""

from __future__ import annotations

import time
import tracemalloc

from homeassistant.core import HomeAssistant
import pytest

from tests.common import site_entry

from .conftest import Recorder

RUNS = 20


@pytest.mark.parametrize("rooms", [1, 10, 50])
async def test_site_reload(hass: HomeAssistant, record: Recorder, rooms: int) -> None:
    """Reload of a site: what every added or reconfigured subentry costs the user."""
    entry = site_entry(extra_rooms=rooms - 1)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        samples.append((time.perf_counter() - start) * 1000)
    assert len(hass.states.async_entity_ids("switch")) == rooms
    record(f"site reload, {rooms} telemedicine rooms", samples, "ms")


async def test_switch_to_state_latency(hass: HomeAssistant, record: Recorder) -> None:
    """Service call -> stored -> state written, for the room's 'In service' switch."""
    entry = site_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entity_id = "switch.tmr_lobeda_in_service"
    samples = []
    for n in range(200):
        service = "turn_off" if n % 2 == 0 else "turn_on"
        start = time.perf_counter()
        await hass.services.async_call("switch", service, {"entity_id": entity_id}, blocking=True)
        samples.append((time.perf_counter() - start) * 1000)
        assert hass.states.get(entity_id).state == ("off" if n % 2 == 0 else "on")
    record("room switch: service call to state (storage in memory)", samples, "ms")


async def test_site_memory(hass: HomeAssistant, record: Recorder) -> None:
    """Python heap allocated by setting up a site with 50 rooms (tracemalloc)."""
    entry = site_entry(extra_rooms=49)
    entry.add_to_hass(hass)
    # Load the code and registries once, so the measurement is what a loaded site holds.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    record("site with 50 rooms: heap retained", [(after - before) / 1024], "KiB")
    record("site with 50 rooms: heap peak during set-up", [(peak - before) / 1024], "KiB")
