"""The Home Assistant webhook that receives the care service's acknowledgement callbacks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import logging

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from .ack_callback import MAX_BODY, CallbackError, CallbackRequest, verify

_LOGGER = logging.getLogger(__name__)

type AcknowledgeHandler = Callable[[CallbackRequest], Awaitable[None]]
"""Takes the alarm for a verified request, or raises CallbackError (404, 409 ...)."""


class AckCallbackEndpoint:
    """One webhook per site: verifies requests and hands them to the alarm book."""

    def __init__(
        self,
        hass: HomeAssistant,
        webhook_id: str,
        site: str,
        secret: str,
        handler: AcknowledgeHandler,
    ) -> None:
        """Bind to the site's stored webhook id, its shared secret and the handler."""
        self.hass = hass
        self.webhook_id = webhook_id
        self._site = site
        self._secret = secret
        self._handler = handler
        self.refused = 0

    def register(self) -> None:
        """Start receiving callbacks (reachable from outside: care services are remote)."""
        webhook.async_register(
            self.hass,
            DOMAIN,
            f"{self._site}: care service acknowledgements",
            self.webhook_id,
            self._async_handle,
            allowed_methods=["POST"],
            local_only=False,
        )

    def unregister(self) -> None:
        """Stop receiving callbacks."""
        webhook.async_unregister(self.hass, self.webhook_id)

    def details(self, token: str | None) -> dict[str, str | None]:
        """Tell a receiver how to acknowledge (part of every alarm message)."""
        try:
            url: str | None = webhook.async_generate_url(self.hass, self.webhook_id)
        except NoURLAvailableError:
            url = None  # no URL configured in Home Assistant: the path still is
        return {"url": url, "path": webhook.async_generate_path(self.webhook_id), "token": token}

    async def _async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        try:
            body = await _read_body(request)
            verified = verify(
                self._secret,
                request.headers.get("X-Smart-Quarter-Timestamp"),
                request.headers.get("X-Smart-Quarter-Signature"),
                body,
                dt_util.utcnow(),
            )
            await self._handler(verified)
        except CallbackError as err:
            self.refused += 1
            _LOGGER.warning(
                "%s: acknowledgement callback refused (%s %s)",
                self._site,
                err.status,
                err.reason,
            )
            return web.json_response({"error": err.reason}, status=err.status)
        return web.json_response({"result": "acknowledged", "alarm_id": verified.alarm_id})


async def _read_body(request: web.Request) -> bytes:
    """Read the whole body (it may arrive in pieces), at most MAX_BODY + 1 bytes."""
    if (request.content_length or 0) > MAX_BODY:
        raise CallbackError(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY and (chunk := await request.content.read(MAX_BODY + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
