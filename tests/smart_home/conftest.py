"""Fixtures of the apartment smart-home tests: the simulated gateway on the test's Mosquitto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.emergency.const import SUBENTRY_TYPE_APARTMENT
from simulators.apartment_gateway import ApartmentGateway

from ..common import wait_for
from ..real_broker import Mosquitto

BASE = "smart_quarter/jena_lobeda"
"""The demo site's MQTT base topic, which the tests' sites use."""


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The mqtt integration unsubscribes after a cool-down on the loop's own clock."""
    return True


@pytest.fixture
def gateway(broker: Mosquitto) -> Iterator[ApartmentGateway]:
    """The simulated gateway with two apartments, whg-1 and whg-2."""
    simulated = ApartmentGateway(broker.port, BASE, apartments=["whg-1", "whg-2"])
    simulated.start()
    yield simulated
    simulated.stop()


def all_devices_heard(entry: MockConfigEntry, apartments: int) -> bool:
    """Whether every device of the apartments has its state (retained states come in any order)."""
    subsystem = entry.runtime_data.subsystems["smart_home"]
    devices = [device for known in subsystem.devices.values() for device in known.values()]  # type: ignore[attr-defined]
    return len(devices) == 14 * apartments and all(device.state is not None for device in devices)


def apartment(
    subentry_id: str,
    title: str,
    gateway_id: str | None,
    *,
    stays: dict[str, Any] | None = None,
    **smart_home: Any,
) -> ConfigSubentryData:
    """An apartment subentry, linked to its id at the gateway (unless None), with stays."""
    data: dict[str, Any] = {
        CONF_NAME: title,
        "trigger_devices": [],
        "smart_home": {"gateway_apartment": gateway_id, **smart_home} if gateway_id else {},
    }
    if stays is not None:
        data["stays"] = stays
    return ConfigSubentryData(
        subentry_id=subentry_id,
        subentry_type=SUBENTRY_TYPE_APARTMENT,
        title=title,
        unique_id=None,
        data=data,
    )


async def async_set_up(
    hass: HomeAssistant, entry: MockConfigEntry, *, apartments_heard: int = 0
) -> MockConfigEntry:
    """Set the site up; wait until the gateway's devices of that many apartments are heard."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    if apartments_heard:
        assert await wait_for(lambda: all_devices_heard(entry, apartments_heard))
    return entry


async def async_unload_all(hass: HomeAssistant) -> None:
    """Unload every config entry (the site, then MQTT's subscriptions end)."""
    for loaded in hass.config_entries.async_entries():
        await hass.config_entries.async_unload(loaded.entry_id)
    await hass.async_block_till_done()
