"""Builders shared by the tests and the benchmarks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import time
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import Event, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import CONF_MQTT_BASE_TOPIC, DOMAIN
from custom_components.smart_quarter.telemedicine.const import (
    CONF_ADDRESS,
    CONF_DEVICES,
    SUBENTRY_TYPE_ROOM,
)

SITE_NAME = "Jena-Lobeda"
ROOM_SUBENTRY_ID = "01JROOMLOBEDA00000000000000"


def room_subentry(
    subentry_id: str,
    name: str,
    address: str | None = None,
    devices: dict[str, dict[str, str]] | None = None,
    **settings: Any,
) -> ConfigSubentryData:
    """A telemedicine room subentry as stored in a config entry (devices: address -> kind, name)."""
    data = {CONF_NAME: name, **settings} | ({CONF_ADDRESS: address} if address else {})
    if devices:
        data[CONF_DEVICES] = devices
    return ConfigSubentryData(
        subentry_id=subentry_id,
        subentry_type=SUBENTRY_TYPE_ROOM,
        title=name,
        unique_id=None,
        data=data,
    )


def site_entry(
    extra_rooms: int = 0,
    *,
    with_room: bool = True,
    subentries: Sequence[ConfigSubentryData] = (),
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """The site 'Jena-Lobeda' with the room 'TMR Lobeda', more rooms and other subentries."""
    rooms = (
        [room_subentry(ROOM_SUBENTRY_ID, "TMR Lobeda", "Karl-Marx-Allee 28, Jena")]
        if with_room
        else []
    )
    rooms += [room_subentry(f"01JROOM{n:020d}", f"Raum {n}") for n in range(extra_rooms)]
    rooms += subentries
    return MockConfigEntry(
        domain=DOMAIN,
        title=SITE_NAME,
        unique_id="jena_lobeda",
        data={CONF_NAME: SITE_NAME, CONF_LATITUDE: 50.8876, CONF_LONGITUDE: 11.6134},
        options={CONF_MQTT_BASE_TOPIC: "smart_quarter/jena_lobeda", **(options or {})},
        subentries_data=rooms,
    )


def free_port() -> int:
    """Return a loopback TCP port nobody listens on now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def collect(events: list[Event]) -> Callable[[Event], None]:
    """Return a bus listener that keeps events in firing order.

    A plain function (`events.append`) would run in the executor, where events can arrive
    in any order under load.
    """

    @callback
    def append(event: Event) -> None:
        events.append(event)

    return append


async def wait_for(check: Callable[[], object], within: float = 10) -> bool:
    """Wait in real time until check() is true (a real broker's message arrived); its result."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.05)
    return bool(check())
