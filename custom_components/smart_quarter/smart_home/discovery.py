"""Adding the apartments a gateway announced, all in one step (the site's discovery flow)."""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryFlow,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant

from ..emergency.const import SUBENTRY_TYPE_APARTMENT
from ..runtime import SmartQuarterConfigEntry
from ..staff import async_selectable_users
from ..subentry_flow import SectionContext, SiteSubentryFlow
from .const import CONF_GATEWAY_APARTMENT, SECTION
from .gateway_protocol import ApartmentInfo
from .subsystem import SmartHomeSubsystem


def unlinked_apartments(entry: ConfigEntry, gateway: str) -> list[ApartmentInfo]:
    """Return the apartments a loaded site's gateway serves that no apartment is linked to."""
    if entry.state is not ConfigEntryState.LOADED:
        return []
    site: SmartQuarterConfigEntry = entry
    return site.runtime_data.subsystem(SmartHomeSubsystem).unlinked_apartments(gateway)


async def async_add_apartments(
    hass: HomeAssistant,
    entry: ConfigEntry,
    apartment_flow: type[ConfigSubentryFlow],
    apartments: Iterable[ApartmentInfo],
) -> list[str]:
    """Add an apartment subentry linked to each gateway apartment; return their names.

    Each gets the settings a technician would get from the form with nothing changed. A name
    the site already has gets its id at the gateway appended. The site reloads once for all.
    """
    if not issubclass(apartment_flow, SiteSubentryFlow):
        raise TypeError(apartment_flow)  # the apartment form is a SiteSubentryFlow
    context = SectionContext(await async_selectable_users(hass))
    taken = {
        subentry.title.casefold()
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_TYPE_APARTMENT
    }
    added: list[str] = []
    for apartment in apartments:
        name = apartment.name
        if name.casefold() in taken:
            name = f"{name} ({apartment.apartment_id})"
        taken.add(name.casefold())
        data = apartment_flow.data_for(
            context, {CONF_NAME: name, SECTION: {CONF_GATEWAY_APARTMENT: apartment.apartment_id}}
        )
        hass.config_entries.async_add_subentry(
            entry,
            ConfigSubentry(
                data=MappingProxyType(data),
                subentry_type=SUBENTRY_TYPE_APARTMENT,
                title=name,
                unique_id=None,
            ),
        )
        added.append(name)
    return added
