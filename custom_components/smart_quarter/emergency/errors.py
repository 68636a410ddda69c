"""Who may change an alarm, and how refused changes reach the user (translated)."""

from __future__ import annotations

from homeassistant.auth.permissions.const import POLICY_CONTROL
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized

from ..const import DOMAIN
from .lifecycle import AlarmTransitionError


async def async_require_staff(hass: HomeAssistant, context: Context) -> None:
    """Refuse users who are not administrators (care staff); automations (no user) may act."""
    if context.user_id is None:
        return
    user = await hass.auth.async_get_user(context.user_id)
    if user is None or not user.is_admin:
        raise Unauthorized(context=context, permission=POLICY_CONTROL)


def actor_of(context: Context) -> str:
    """Name who acted, for the audit trail."""
    return f"user:{context.user_id}" if context.user_id else "automation"


def transition_error(err: AlarmTransitionError) -> ServiceValidationError:
    """Turn a refused alarm transition into a translated error for the UI."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=f"alarm_{err.key}",
        translation_placeholders={"state": err.state.value},
    )
