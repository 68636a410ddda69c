"""Who counts as staff of a site: administrators and the people named in its options.

Staff take and resolve alarms (and, later, manage bookings); everybody else, e.g. the guest
of an apartment on its Smart-TV, is refused. Automations (no user) act as the system.
"""

from __future__ import annotations

from homeassistant.auth.permissions.const import POLICY_CONTROL
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized

from .const import CONF_STAFF_USERS


async def async_is_staff(hass: HomeAssistant, entry: ConfigEntry, user_id: str) -> bool:
    """Tell whether the user is an active administrator or named as staff of the site."""
    user = await hass.auth.async_get_user(user_id)
    if user is None or not user.is_active:
        return False
    return user.is_admin or user.id in entry.options.get(CONF_STAFF_USERS, [])


async def async_require_staff(hass: HomeAssistant, entry: ConfigEntry, context: Context) -> None:
    """Refuse users who are not staff of the site; automations (no user) may act."""
    if context.user_id is None:
        return
    if not await async_is_staff(hass, entry, context.user_id):
        raise Unauthorized(context=context, permission=POLICY_CONTROL)


async def async_selectable_users(hass: HomeAssistant) -> dict[str, str]:
    """Active people (not system users) a form can name as staff or guest: id -> name."""
    return {
        user.id: user.name or user.id
        for user in await hass.auth.async_get_users()
        if user.is_active and not user.system_generated
    }
