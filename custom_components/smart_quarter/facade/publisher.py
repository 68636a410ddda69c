"""Publishing façade data to the city's open data platform (OGC SensorThings API, HTTP).

Every interval the current values (per façade and kind) are put into a durable backlog,
stored with the façades; the backlog is sent in batches (CreateObservations). Nothing is lost
to an outage: a failed batch stays, and is tried again with a growing delay, also after a
restart. Rows the platform refuses (an "error" row, or a 400 for the whole batch) are not
retried - they would be refused again - but counted and logged. Things, ObservedProperties,
Sensors and Datastreams are created once and their ids stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import aiohttp
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time, async_track_time_interval
from homeassistant.util import dt as dt_util

from ..backoff import retry_delay
from ..const import DOMAIN
from ..runtime import SmartQuarterConfigEntry
from .facade import Facade
from .sensorthings import (
    KINDS,
    MAX_BATCH,
    Observation,
    PlatformError,
    batch_order,
    create_observations,
    datastream,
    id_from_location,
    observed_property,
    rejected_rows,
    sensor,
    thing,
)

if TYPE_CHECKING:
    from paho.mqtt import client as mqtt

_LOGGER = logging.getLogger(__name__)
TIMEOUT = 15  # seconds per request
MAX_BACKLOG = 100_000  # observations kept while the platform is away (~ a month of 3 façades)


def _value(facade: Facade, kind: str) -> float | None:
    values: dict[str, Callable[[], float | None]] = {
        "temperature_greened": lambda: _mean(facade.temperatures(True)),
        "temperature_bare": lambda: _mean(facade.temperatures(False)),
        "cooling": lambda: facade.cooling,
        "tank_level": lambda: facade.tank_percent,
        "water_rain": lambda: round(facade.water.rain, 1),
        "water_mains": lambda: round(facade.water.mains, 1),
    }
    return values[kind]()


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


class SensorThingsPublisher:
    """The site's link to the open data platform: the subject of its status entities."""

    def __init__(  # noqa: PLR0913 - the platform's settings, named
        self,
        hass: HomeAssistant,
        entry: SmartQuarterConfigEntry,
        facades: dict[str, Facade],
        *,
        url: str,
        token: str | None,
        interval: timedelta,
        kinds: list[str],
        save: Callable[[], None],
        mqtt_url: str | None = None,
        mappings: dict[tuple[str, str], int | str] | None = None,
    ) -> None:
        """Bind to the façades and the platform's settings."""
        self.hass = hass
        self.entry = entry
        self.facades = facades
        self.url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.interval = interval
        self.kinds = [kind for kind in kinds if kind in KINDS]
        self._save = save
        self.ids: dict[str, dict[str, int | str]] = {
            "things": {},
            "properties": {},
            "sensors": {},
            "datastreams": {},
        }
        self.backlog: list[dict[str, Any]] = []
        self.last_success: datetime | None = None
        self.last_error: str | None = None
        self.rejected = 0
        self.failures = 0
        self._retry_at: datetime | None = None
        self._busy = False
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._mappings = mappings or {}
        self.mqtt = MqttObservations(mqtt_url) if mqtt_url else None

    # --- subject ------------------------------------------------------------------------

    @property
    def update_signal(self) -> str:
        """Signal sent after a publication attempt."""
        return f"{DOMAIN}_open_data_{self.entry.entry_id}"

    @property
    def available(self) -> bool:
        """The status is always known."""
        return True

    # --- life cycle ---------------------------------------------------------------------

    def load(self, data: dict[str, Any]) -> None:
        """Read the stored ids and backlog; configured Datastream ids win."""
        for key in self.ids:
            self.ids[key] = dict(data.get("ids", {}).get(key, {}))
        titles = {facade.subentry.title: facade_id for facade_id, facade in self.facades.items()}
        for (title, kind), stream_id in self._mappings.items():
            if (facade_id := titles.get(title)) is not None:
                self.ids["datastreams"][f"{facade_id}:{kind}"] = stream_id
        self.backlog = list(data.get("backlog", []))
        self.rejected = int(data.get("rejected", 0))
        last = data.get("last_success")
        self.last_success = datetime.fromisoformat(last) if last else None

    def as_dict(self) -> dict[str, Any]:
        """Return what must survive a restart."""
        return {
            "ids": self.ids,
            "backlog": self.backlog,
            "rejected": self.rejected,
            "last_success": self.last_success.isoformat() if self.last_success else None,
        }

    @callback
    def start(self) -> None:
        """Sample and publish every interval (and send a stored backlog soon)."""
        self._unsubscribe.append(
            async_track_time_interval(self.hass, self._async_tick, self.interval)
        )
        self._unsubscribe.append(
            async_track_point_in_utc_time(
                self.hass, self._async_flush_later, dt_util.utcnow() + timedelta(seconds=5)
            )
        )

    @callback
    def stop(self) -> None:
        """Stop the timers (and the MQTT connection)."""
        while self._unsubscribe:
            self._unsubscribe.pop()()
        if self.mqtt is not None:
            self.hass.async_add_executor_job(self.mqtt.close)

    async def _async_tick(self, now: datetime) -> None:
        self.sample(now)
        await self.async_flush()

    async def _async_flush_later(self, _now: datetime) -> None:
        await self.async_flush()

    # --- work ---------------------------------------------------------------------------

    def sample(self, now: datetime) -> None:
        """Put the current values into the backlog."""
        for facade_id, facade in self.facades.items():
            if not facade.available:
                continue
            for kind in self.kinds:
                value = _value(facade, kind)
                if value is not None:
                    self.backlog.append(
                        {"k": f"{facade_id}:{kind}", "t": now.isoformat(), "v": value}
                    )
        if len(self.backlog) > MAX_BACKLOG:
            dropped = len(self.backlog) - MAX_BACKLOG
            _LOGGER.error("Open data: backlog full, the oldest %d observations dropped", dropped)
            self.backlog = self.backlog[dropped:]
        self._save()

    async def async_flush(self) -> None:
        """Provision what is missing, then send the backlog in batches."""
        now = dt_util.utcnow()
        if self._busy or not self.backlog or (self._retry_at and now < self._retry_at):
            return
        self._busy = True
        session = async_get_clientsession(self.hass)
        try:
            while self.backlog:
                batch_rows = self.backlog[:MAX_BATCH]
                observations = [
                    Observation(
                        await self._async_datastream(session, row["k"]),
                        datetime.fromisoformat(row["t"]),
                        row["v"],
                    )
                    for row in batch_rows
                ]
                await self._async_send(session, batch_rows, observations)
            self.failures, self._retry_at, self.last_error = 0, None, None
        except (PlatformError, aiohttp.ClientError, TimeoutError) as err:
            self.failures += 1
            self._retry_at = dt_util.utcnow() + retry_delay(self.failures)
            self.last_error = str(err) or type(err).__name__
            _LOGGER.warning(
                "Open data: %d observations wait (attempt %d): %s",
                len(self.backlog),
                self.failures,
                self.last_error,
            )
        finally:
            self._busy = False
            self._save()
            async_dispatcher_send(self.hass, self.update_signal)

    async def _async_send(
        self,
        session: aiohttp.ClientSession,
        rows: list[dict[str, Any]],
        observations: list[Observation],
    ) -> None:
        if self.mqtt is not None:
            # One message per observation; the broker's PUBACK is all the feedback MQTT gives.
            sent = await self.hass.async_add_executor_job(self.mqtt.publish, observations)
            del self.backlog[:sent]
            if sent < len(rows):
                raise PlatformError("MQTT broker did not take every observation", retry=True)
            self.last_success = dt_util.utcnow()
            return
        body = create_observations(observations)
        async with session.post(
            f"{self.url}/CreateObservations",
            json=body,
            headers=self._headers,
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
        ) as response:
            if response.status == 400:  # noqa: PLR2004 - the whole batch is refused
                self.rejected += len(rows)
                _LOGGER.error(
                    "Open data: the platform refused %d observations: %s",
                    len(rows),
                    (await response.text())[:200],
                )
            elif response.status != 201:  # noqa: PLR2004
                raise PlatformError(f"HTTP {response.status}", retry=True)
            else:
                ordered = batch_order(observations)
                refused = rejected_rows(await response.json(content_type=None), len(ordered))
                if refused:
                    self.rejected += len(refused)
                    _LOGGER.error("Open data: the platform refused %d observations", len(refused))
        del self.backlog[: len(rows)]
        self.last_success = dt_util.utcnow()

    async def _async_datastream(self, session: aiohttp.ClientSession, key: str) -> int | str:
        """Return the Datastream id of '<facade id>:<kind>', creating what is missing."""
        if key in self.ids["datastreams"]:
            return self.ids["datastreams"][key]
        facade_id, kind_key = key.split(":", 1)
        kind = KINDS[kind_key]
        facade = self.facades.get(facade_id)
        name = facade.subentry.title if facade else facade_id
        site = self.entry.title
        if facade_id not in self.ids["things"]:
            self.ids["things"][facade_id] = await self._async_create(
                session,
                "Things",
                thing(site, name, self.entry.data[CONF_LATITUDE], self.entry.data[CONF_LONGITUDE]),
            )
        if kind.key not in self.ids["properties"]:
            self.ids["properties"][kind.key] = await self._async_create(
                session, "ObservedProperties", observed_property(kind)
            )
        if kind.key not in self.ids["sensors"]:
            self.ids["sensors"][kind.key] = await self._async_create(
                session, "Sensors", sensor(kind)
            )
        self.ids["datastreams"][key] = await self._async_create(
            session,
            "Datastreams",
            datastream(
                kind,
                name,
                self.ids["things"][facade_id],
                self.ids["sensors"][kind.key],
                self.ids["properties"][kind.key],
            ),
        )
        self._save()
        return self.ids["datastreams"][key]

    async def _async_create(
        self, session: aiohttp.ClientSession, collection: str, payload: dict[str, Any]
    ) -> int | str:
        async with session.post(
            f"{self.url}/{collection}",
            json=payload,
            headers=self._headers,
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
        ) as response:
            if response.status != 201:  # noqa: PLR2004
                raise PlatformError(f"creating {collection}: HTTP {response.status}", retry=True)
            return id_from_location(response.headers.get("Location"))


class MqttObservations:
    """Observations over MQTT (SensorThings MQTT extension) with QoS 1, in its own thread."""

    def __init__(self, url: str) -> None:
        """Prepare the client for mqtt://host[:port]."""
        parsed = urlparse(url)
        self._host = parsed.hostname or "localhost"
        self._port = parsed.port or 1883
        self._client: mqtt.Client | None = None

    def publish(self, observations: list[Observation]) -> int:
        """Publish in order; return how many the broker took (PUBACK) before a failure."""
        client = self._connect()
        for count, observation in enumerate(observations):
            info = client.publish(
                f"v1.1/Datastreams({observation.datastream_id})/Observations",
                json.dumps(
                    {"result": observation.value, "phenomenonTime": observation.time.isoformat()}
                ),
                qos=1,
            )
            try:
                info.wait_for_publish(timeout=TIMEOUT)
            except RuntimeError, ValueError:
                return count
            if not info.is_published():
                return count
        return len(observations)

    def close(self) -> None:
        """Disconnect."""
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None

    def _connect(self) -> mqtt.Client:
        if self._client is None:
            # Imported here: only sites that publish over MQTT need paho-mqtt loaded.
            from paho.mqtt import client as mqtt  # noqa: PLC0415
            from paho.mqtt.enums import CallbackAPIVersion  # noqa: PLC0415

            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="smart-quarter-open-data")
            try:
                client.connect(self._host, self._port)
            except OSError as err:
                raise PlatformError(
                    f"MQTT broker {self._host}:{self._port}: {err}", retry=True
                ) from err
            client.loop_start()
            self._client = client
        return self._client
