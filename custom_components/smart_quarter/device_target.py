"""Resolve the device an action targets to its loaded site and subentry, or explain why not."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN
from .runtime import SmartQuarterConfigEntry


def loaded_site_of_device(
    hass: HomeAssistant, device_id: str, *, wrong_device_key: str
) -> tuple[SmartQuarterConfigEntry, str | None]:
    """Return the loaded site of a device and the device's subentry id.

    Raise a translated ServiceValidationError with `wrong_device_key` for a device that is not
    ours, and "site_not_loaded" when its site is not running.
    """
    device = dr.async_get(hass).async_get(device_id)
    entry: SmartQuarterConfigEntry | None = (
        hass.config_entries.async_get_entry(device.config_entry_id) if device else None
    )
    if device is None or entry is None or entry.domain != DOMAIN:
        raise wrong_device(device_id, wrong_device_key)
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="site_not_loaded",
            translation_placeholders={"site": entry.title},
        )
    return entry, device.config_subentry_id


def wrong_device(device_id: str, key: str) -> ServiceValidationError:
    """Build the error for a device that is not of the kind an action needs."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"device_id": device_id},
    )


def subentry_device_id(hass: HomeAssistant, entry_id: str, subentry_id: str) -> str | None:
    """Return the device registry id of a subentry's device (a room, apartment, robot)."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, subentry_id), entry_id)
    return device.id if device else None
