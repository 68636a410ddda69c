"""Bluetooth discovery of vitals devices: which kind a device is, and which room takes it."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant

from ..const import DOMAIN
from .const import CONF_DEVICES, CONF_KIND, SUBENTRY_TYPE_ROOM
from .health_profiles import (
    UUID_BLOOD_PRESSURE_SERVICE,
    UUID_GLUCOSE_SERVICE,
    UUID_PULSE_OXIMETER_SERVICE,
    UUID_THERMOMETER_SERVICE,
    UUID_WEIGHT_SCALE_SERVICE,
)
from .readings import (
    KIND_BLOOD_PRESSURE,
    KIND_GLUCOSE,
    KIND_PULSE_OXIMETER,
    KIND_THERMOMETER,
    KIND_WEIGHT_SCALE,
)

KIND_OF_SERVICE = {
    UUID_BLOOD_PRESSURE_SERVICE: KIND_BLOOD_PRESSURE,
    UUID_GLUCOSE_SERVICE: KIND_GLUCOSE,
    UUID_THERMOMETER_SERVICE: KIND_THERMOMETER,
    UUID_PULSE_OXIMETER_SERVICE: KIND_PULSE_OXIMETER,
    UUID_WEIGHT_SCALE_SERVICE: KIND_WEIGHT_SCALE,
}
"""The SIG health services the manifest's bluetooth matchers name, and the device kinds."""


def kind_of(service_uuids: Iterable[str]) -> str | None:
    """Return the device kind of an advertisement's service UUIDs (first health service)."""
    for uuid in service_uuids:
        if (kind := KIND_OF_SERVICE.get(uuid.lower())) is not None:
            return kind
    return None


def rooms(hass: HomeAssistant) -> dict[str, tuple[ConfigEntry, ConfigSubentry]]:
    """Every telemedicine room of every site, keyed '<entry id>/<subentry id>'."""
    return {
        f"{entry.entry_id}/{subentry.subentry_id}": (entry, subentry)
        for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=False)
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_TYPE_ROOM
    }


def room_of(hass: HomeAssistant, address: str) -> ConfigSubentry | None:
    """Return the room a device already belongs to, if any."""
    for _entry, subentry in rooms(hass).values():
        if address in subentry.data.get(CONF_DEVICES, {}):
            return subentry
    return None


def add_device(
    hass: HomeAssistant,
    entry: ConfigEntry,
    subentry: ConfigSubentry,
    address: str,
    device: dict[str, str],
) -> None:
    """Put the device ({kind, name}) into the room (the site reloads and starts reading it)."""
    if set(device) != {CONF_KIND, "name"}:
        raise ValueError(device)
    devices = dict(subentry.data.get(CONF_DEVICES, {}))
    devices[address] = device
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, CONF_DEVICES: devices}
    )
