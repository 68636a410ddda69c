"""Check a temi cloud API key for a robot before it is stored (flows)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .cloud_api import CloudAuthError, CloudError, TemiCloud


async def async_check_cloud(hass: HomeAssistant, url: str, key: str, serial: str) -> str | None:
    """Return the error key of what is wrong (invalid_auth, cannot_connect, robot_not_found)."""
    cloud = TemiCloud(async_get_clientsession(hass), url, key)
    try:
        robots = await cloud.async_robots()
    except CloudAuthError:
        return "invalid_auth"
    except CloudError:
        return "cannot_connect"
    return None if serial in robots else "robot_not_found"
