"""What the voice (Assist) handlers of all subsystems share.

Registering sentences once the conversation integration is there, and where the voice
satellite that heard a sentence is (its area).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from homeassistant.const import EVENT_COMPONENT_LOADED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

if TYPE_CHECKING:
    from homeassistant.components.conversation import ConversationInput

CONVERSATION = "conversation"


@callback
def async_when_conversation_loaded(
    hass: HomeAssistant, register: Callable[[HomeAssistant], None]
) -> None:
    """Call `register` now, or as soon as the conversation integration is loaded."""
    if CONVERSATION in hass.config.components:
        register(hass)
        return

    @callback
    def _loaded(event: Event) -> None:
        if event.data.get("component") == CONVERSATION:
            unsubscribe()
            register(hass)

    unsubscribe = hass.bus.async_listen(EVENT_COMPONENT_LOADED, _loaded)


def satellite_area(hass: HomeAssistant, user_input: ConversationInput) -> str | None:
    """Return the area of the satellite (device or entity) that heard the sentence."""
    devices = dr.async_get(hass)
    if user_input.device_id and (device := devices.async_get(user_input.device_id)):
        return device.area_id
    entity = er.async_get(hass).async_get(user_input.satellite_id or "")
    if entity is None:
        return None
    if entity.area_id:
        return entity.area_id
    device = devices.async_get(entity.device_id) if entity.device_id else None
    return device.area_id if device else None
