"""The Smart Quarter integration: one config entry per site, its subsystems and their devices."""

from __future__ import annotations

import asyncio
import contextlib

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import CURRENT_MINOR_VERSION, CURRENT_VERSION, DOMAIN, MANUFACTURER
from .runtime import SiteRuntime, SmartQuarterConfigEntry
from .subsystems import PLATFORMS, SERVICE_SETUPS, SUBENTRY_FLOWS, SUBSYSTEMS

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions of every subsystem."""
    for setup_services in SERVICE_SETUPS:
        setup_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Move older sites to the current form (1.1 -> 1.2: escalation steps as subentries)."""
    if entry.version > CURRENT_VERSION:
        return False  # written by a newer release: do not guess
    if entry.minor_version < CURRENT_MINOR_VERSION:
        for subsystem_type in SUBSYSTEMS:
            subsystem_type.migrate_site(hass, entry, entry.minor_version)
        hass.config_entries.async_update_entry(entry, minor_version=CURRENT_MINOR_VERSION)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> bool:
    """Set up a site: its devices, then every subsystem, then the entity platforms."""
    configuration = _configuration_of(entry)
    _async_register_devices(hass, entry)
    runtime = SiteRuntime(hass)
    try:
        for subsystem_type in SUBSYSTEMS:
            subsystem = subsystem_type(hass, entry)
            try:
                await subsystem.async_setup()
            except Exception:
                # Undo what it registered before it failed (webhooks, listeners), so that a
                # retry can register them again.
                with contextlib.suppress(Exception):
                    await subsystem.async_unload()
                raise
            runtime.subsystems[subsystem.key] = subsystem
    except Exception:
        for started in reversed(runtime.subsystems.values()):
            await started.async_unload()
        raise
    entry.runtime_data = runtime
    _async_remove_stale_devices(hass, entry, runtime)
    # Only the platforms the site has entities on: each forwarded platform costs every reload.
    in_use = {p for subsystem in runtime.subsystems.values() for p in subsystem.platforms_in_use()}
    runtime.platforms = [platform for platform in PLATFORMS if platform in in_use]
    await hass.config_entries.async_forward_entry_setups(entry, runtime.platforms)
    # Added, removed or reconfigured subentries and changed options take effect by a reload.
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_update))
    if _configuration_of(entry) != configuration:
        # Changed while this set-up ran, before the listener existed (e.g. a second subentry
        # added during the reload for the first): reload again so the change is not lost.
        hass.config_entries.async_schedule_reload(entry.entry_id)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> bool:
    """Unload the platforms, then stop the subsystems in reverse order."""
    if not await hass.config_entries.async_unload_platforms(entry, entry.runtime_data.platforms):
        return False
    for subsystem in reversed(entry.runtime_data.subsystems.values()):
        await subsystem.async_unload()
    return True


async def async_remove_entry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Delete what the subsystems stored for a site that is removed."""
    for subsystem_type in SUBSYSTEMS:
        await subsystem_type.async_remove_site(hass, entry.entry_id)


def _configuration_of(entry: SmartQuarterConfigEntry) -> object:
    """Everything of an entry that a reload applies, in a comparable form."""
    return (
        dict(entry.data),
        dict(entry.options),
        {
            subentry_id: (subentry.subentry_type, subentry.title, dict(subentry.data))
            for subentry_id, subentry in entry.subentries.items()
        },
    )


async def _async_reload_on_update(hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
    # One reload for a burst of changes (250 apartments added in one step): the first change
    # yields once, so that the rest of the burst lands before the reload reads the entry; a
    # change after the set-up began is caught by its own check or by the new listener.
    if entry.runtime_data.reload_pending:
        return
    entry.runtime_data.reload_pending = True
    try:
        await asyncio.sleep(0)
        await hass.config_entries.async_reload(entry.entry_id)
    finally:  # a reload that failed must not swallow the next change
        entry.runtime_data.reload_pending = False


@callback
def _async_register_devices(hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
    """Make the site one device and every subentry a device linked through it."""
    registry = dr.async_get(hass)
    site = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        manufacturer=MANUFACTURER,
        name=entry.title,
        model="Site",
        entry_type=dr.DeviceEntryType.SERVICE,
    )
    for subentry in entry.subentries.values():
        flow = SUBENTRY_FLOWS.get(subentry.subentry_type)
        if not getattr(flow, "creates_device", True):
            continue
        registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            config_subentry_id=subentry.subentry_id,
            identifiers={(DOMAIN, subentry.subentry_id)},
            manufacturer=MANUFACTURER,
            name=subentry.title,
            via_device_id=site.id,
        )


@callback
def _async_remove_stale_devices(
    hass: HomeAssistant, entry: SmartQuarterConfigEntry, runtime: SiteRuntime
) -> None:
    """Remove devices of the site that neither the site, a subentry nor a subsystem claims."""
    known = {entry.entry_id, *entry.subentries}
    for subsystem in runtime.subsystems.values():
        known |= subsystem.device_identifiers()
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        ours = {value for domain, value in device.identifiers if domain == DOMAIN}
        if not ours & known:
            registry.async_remove_device(device.id)
