"""Fixtures of the apartment smart-home tests: the simulated gateway on the test's Mosquitto."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.apartment_gateway import ApartmentGateway

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
