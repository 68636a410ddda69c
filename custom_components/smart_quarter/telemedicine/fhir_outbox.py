"""The durable outbox of FHIR Observations on their way to the remote doctor's server.

Every Observation of a consultation is written to storage before it is sent, and leaves the
outbox only when the server took it (2xx) or refused it for good (a 4xx other than 401, 403,
408 and 429: the resource itself is wrong and resending cannot help; counted and logged).
Network failures, server errors and rejected credentials keep everything; the outbox retries
with a growing delay, and a rejected token raises a repair issue. Sends are conditional
creates (`If-None-Exist` on the measurement identifier), so a retry after a lost answer never
makes a duplicate on a server that supports them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from http import HTTPStatus
import logging
from typing import Any

import aiohttp
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..backoff import retry_delay
from ..const import DOMAIN

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
REQUEST_TIMEOUT = 15.0
FHIR_JSON = "application/fhir+json"
KEEP_ON_STATUS = frozenset(
    {
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.REQUEST_TIMEOUT,
        HTTPStatus.TOO_MANY_REQUESTS,
    }
)


def outbox_storage_key(entry_id: str) -> str:
    """Return the storage key of a site's FHIR outbox."""
    return f"{DOMAIN}.{entry_id}.fhir_outbox"


class FhirOutbox:
    """Observations waiting for the doctor's FHIR server, kept across restarts."""

    def __init__(self, hass: HomeAssistant, entry_id: str, url: str, token: str) -> None:
        """Send to `url` (the FHIR base, e.g. https://fhir.example/r4) with a bearer token."""
        self.hass = hass
        self._entry_id = entry_id
        self._url = url.rstrip("/")
        self._token = token
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, outbox_storage_key(entry_id)
        )
        self.pending: list[dict[str, Any]] = []
        self.delivered = 0
        self.refused = 0
        self.last_success: datetime | None = None
        self.last_error: str | None = None
        self._failures = 0
        self._lock = asyncio.Lock()
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._closed = False

    @property
    def update_signal(self) -> str:
        """Signal sent after the outbox changed."""
        return f"{DOMAIN}_fhir_outbox_{self._entry_id}"

    @property
    def available(self) -> bool:
        """The outbox is always there; its figures tell how delivery goes."""
        return True

    @property
    def issue_id(self) -> str:
        """The repair issue raised while the server rejects the token."""
        return f"fhir_auth_{self._entry_id}"

    async def async_load(self) -> None:
        """Read what was waiting before a restart and try to send it."""
        stored = await self._store.async_load() or {}
        pending = stored.get("pending", [])
        self.pending = [item for item in pending if isinstance(item, dict)]
        self.refused = int(stored.get("refused", 0))
        if self.pending:
            self._async_schedule(0)

    async def async_close(self) -> None:
        """Stop retrying (the site unloads); what waits stays stored."""
        self._closed = True
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None
        async with self._lock:
            pass  # let a running flush finish its request

    async def async_enqueue(self, observations: list[dict[str, Any]]) -> None:
        """Keep the observations (stored first), then send."""
        self.pending.extend(observations)
        await self._async_save()
        self._async_changed()
        # Sending waits for the network; the caller (a Bluetooth visit) does not.
        self.hass.async_create_background_task(self.async_flush(), f"{DOMAIN} FHIR outbox")

    async def async_flush(self) -> None:
        """Send what waits, oldest first; stop at the first failure that may pass."""
        async with self._lock:
            while self.pending and not self._closed:
                observation = self.pending[0]
                outcome = await self._async_send(observation)
                if outcome == "retry":
                    self._failures += 1
                    self._async_schedule(retry_delay(self._failures).total_seconds())
                    break
                self.pending.pop(0)
                if outcome == "delivered":
                    self.delivered += 1
                    self.last_success = dt_util.utcnow()
                    self.last_error = None
                    self._failures = 0
                    ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
                else:
                    self.refused += 1
                await self._async_save()
            self._async_changed()

    async def _async_send(self, observation: dict[str, Any]) -> str:
        identifier = observation.get("identifier", [{}])[0]
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": FHIR_JSON,
            "Accept": FHIR_JSON,
            "If-None-Exist": f"identifier={identifier.get('system')}|{identifier.get('value')}",
        }
        session = async_get_clientsession(self.hass)
        try:
            async with session.post(
                f"{self._url}/Observation",
                json=observation,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
                allow_redirects=False,
            ) as response:
                status = response.status
                body = (await response.text())[:300]
        except (aiohttp.ClientError, TimeoutError) as err:
            self.last_error = f"{type(err).__name__}: {err}"[:200]
            _LOGGER.info("FHIR server not reachable, keeping %s observations", len(self.pending))
            return "retry"
        if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
            return "delivered"
        self.last_error = f"HTTP {status}"
        if status in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self.issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key="fhir_auth_failed",
                translation_placeholders={"url": self._url, "status": str(status)},
            )
            return "retry"
        if status in KEEP_ON_STATUS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            return "retry"
        _LOGGER.error("The FHIR server refused an Observation for good (HTTP %s): %s", status, body)
        return "refused"

    @callback
    def _async_schedule(self, delay: float) -> None:
        if self._closed:
            return
        if self._cancel_retry is not None:
            self._cancel_retry()

        async def _retry(_now: datetime) -> None:
            self._cancel_retry = None
            await self.async_flush()

        self._cancel_retry = async_call_later(self.hass, delay, _retry)

    async def _async_save(self) -> None:
        await self._store.async_save({"pending": self.pending, "refused": self.refused})

    @callback
    def _async_changed(self) -> None:
        async_dispatcher_send(self.hass, self.update_signal)
