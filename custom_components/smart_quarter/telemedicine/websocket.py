"""The live view of a telemedicine room for the remote doctor's assistant (websocket).

`smart_quarter/telemedicine/live` with a room's device id subscribes to the room: first a
snapshot (session, every device's latest values, battery and reachability), then each
reading, session start and session end as they happen. Only staff of the site may watch: the
values are health data.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import websocket_api
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_NOT_FOUND, ERR_UNAUTHORIZED
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
import probatio

from ..const import DOMAIN
from ..device_target import loaded_site_of_device
from ..staff import async_is_staff
from .subsystem import TelemedicineSubsystem

COMMAND_LIVE = f"{DOMAIN}/telemedicine/live"


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the live-view command (once)."""
    websocket_api.async_register_command(hass, ws_live)


@websocket_command(
    {probatio.Required("type"): COMMAND_LIVE, probatio.Required(ATTR_DEVICE_ID): str}
)
@async_response
async def ws_live(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Subscribe to a room's live readings."""
    try:
        entry, subentry_id = loaded_site_of_device(
            hass, msg[ATTR_DEVICE_ID], wrong_device_key="not_a_telemedicine_room"
        )
    except HomeAssistantError:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "Not a telemedicine room")
        return
    room = entry.runtime_data.subsystem(TelemedicineSubsystem).rooms.get(subentry_id or "")
    if room is None:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "Not a telemedicine room")
        return
    if not await async_is_staff(hass, entry, connection.user.id):
        connection.send_error(msg["id"], ERR_UNAUTHORIZED, "Staff only")
        return

    @callback
    def forward(message: dict[str, Any]) -> None:
        connection.send_message(event_message(msg["id"], message))

    connection.subscriptions[msg["id"]] = async_dispatcher_connect(hass, room.live_signal, forward)
    connection.send_result(msg["id"])
    forward(room.live_snapshot())
