"""Who may change an alarm, and how refused changes reach the user (translated)."""

from __future__ import annotations

from homeassistant.core import Context
from homeassistant.exceptions import ServiceValidationError

from ..const import DOMAIN
from .lifecycle import AlarmTransitionError


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
