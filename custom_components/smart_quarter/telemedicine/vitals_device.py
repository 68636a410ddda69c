"""A Bluetooth health device of a telemedicine room, as Home Assistant reaches it.

The device advertises when it holds a measurement; every advertisement is a chance to connect
(through a local adapter or an ESPHome Bluetooth proxy alike), read what it holds with a
`DeviceVisit`, and disconnect, so that the proxy's few connection slots are free again. A
proxy without a free slot, a device that does not answer, a link lost halfway: each sets a
status the technician sees and a growing back-off before the next attempt (a new attempt
while the device still advertises, without waiting for its next measurement).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import logging
from typing import Any

from bleak.exc import BleakError
import bleak_retry_connector
from bleak_retry_connector import BleakOutOfConnectionSlotsError, establish_connection
from homeassistant.components import bluetooth
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.util import dt as dt_util

from ..backoff import retry_delay
from ..const import DOMAIN
from .gatt_reader import DeviceVisit, Visit
from .health_profiles import Glucose
from .readings import to_reading
from .session import Reading

_LOGGER = logging.getLogger(__name__)

CONNECT_TIMEOUT = 45.0
"""Budget for establishing the link (bleak-retry-connector tries up to 3 times, 20 s each)."""
VISIT_TIMEOUT = 90.0
"""Budget for one visit once connected."""
MAX_ATTEMPTS = 3
HEARD_CHECK = timedelta(seconds=30)
"""How often to look whether the device advertised again since the last visit.

Home Assistant's bluetooth passes an advertisement on only when its content changed; a health
device that measures again shortly after a visit advertises exactly as before, so the device is
also visited when it was heard again (a little while) after the last visit ended."""
HEARD_AFTER_VISIT = 10.0
"""Seconds after a visit in which the device's farewell advertisements do not count."""


class DeviceStatus(StrEnum):
    """What the integration is doing with the device, for the technician."""

    IDLE = "idle"
    CONNECTING = "connecting"
    READING = "reading"
    WAITING_FOR_SLOT = "waiting_for_slot"
    NO_ANSWER = "no_answer"
    INTERRUPTED = "interrupted"
    RECORDS_REFUSED = "records_refused"


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    """What the room's subentry says about a device."""

    address: str
    kind: str
    name: str


type ReadingsHandler = Callable[["VitalsDevice", list[Reading]], Awaitable[None]]


class VitalsDevice:
    """One device: its latest values, battery, reachability and the visits to it."""

    def __init__(
        self,
        hass: HomeAssistant,
        config: DeviceConfig,
        stored: dict[str, Any],
        on_readings: ReadingsHandler,
        on_stored_change: Callable[[VitalsDevice], Awaitable[None]],
    ) -> None:
        """Describe the device; nothing runs until async_start."""
        self.hass = hass
        self.address = config.address
        self.kind = config.kind
        self.name = config.name
        self._on_readings = on_readings
        self._on_stored_change = on_stored_change
        sequence = stored.get("last_sequence")
        self.last_sequence: int | None = sequence if isinstance(sequence, int) else None
        information = stored.get("information")
        self.information: dict[str, str] = (
            {str(key): str(value) for key, value in information.items()}
            if isinstance(information, dict)
            else {}
        )
        self.latest: dict[str, float] = {}
        self.measured_at: datetime | None = None
        self.flags: tuple[str, ...] = ()
        self.cuff_pressure: float | None = None
        self.battery: int | None = None
        self.rssi: int | None = None
        self.last_seen: datetime | None = None
        self.last_visit: datetime | None = None
        self.reachable = False
        self.status = DeviceStatus.IDLE
        self.corrupt_frames = 0
        self.recent: list[Reading] = []
        """The newest readings (for the event entity), newest last, a handful only."""
        self._failures = 0
        self._retry_at: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._cancel_retry: CALLBACK_TYPE | None = None
        self._visit_ended = 0.0
        """Monotonic time (Bluetooth's clock) when the last visit ended."""

    @property
    def update_signal(self) -> str:
        """Signal sent after the device changed."""
        return f"{DOMAIN}_vitals_{self.address}"

    @property
    def available(self) -> bool:
        """The last values stay valid while the device sleeps between measurements."""
        return True

    def stored(self) -> dict[str, Any]:
        """Return what survives a restart: the glucose position and the device's strings."""
        return {"last_sequence": self.last_sequence, "information": self.information}

    @callback
    def async_start(self) -> None:
        """Listen to the device's advertisements."""
        self._unsubscribe.append(
            bluetooth.async_register_callback(
                self.hass,
                self._async_advertised,
                bluetooth.BluetoothCallbackMatcher(address=self.address, connectable=True),
                bluetooth.BluetoothScanningMode.ACTIVE,
            )
        )
        self._unsubscribe.append(
            bluetooth.async_track_unavailable(
                self.hass, self._async_gone, self.address, connectable=True
            )
        )
        self._unsubscribe.append(
            async_track_time_interval(self.hass, self._async_check_heard, HEARD_CHECK)
        )

    @callback
    def _async_check_heard(self, _now: datetime) -> None:
        info = bluetooth.async_last_service_info(self.hass, self.address, connectable=True)
        if info is not None and info.time >= self._visit_ended + HEARD_AFTER_VISIT:
            self._async_advertised(info, bluetooth.BluetoothChange.ADVERTISEMENT)

    async def async_stop(self) -> None:
        """Stop listening and end a visit that is under way."""
        while self._unsubscribe:
            self._unsubscribe.pop()()
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    @callback
    def _async_advertised(
        self, info: bluetooth.BluetoothServiceInfoBleak, _change: bluetooth.BluetoothChange
    ) -> None:
        self.last_seen = dt_util.utcnow()
        self.rssi = info.rssi
        self.reachable = True
        self._async_visit_if_due()
        self._async_changed()

    @callback
    def _async_gone(self, _info: bluetooth.BluetoothServiceInfoBleak) -> None:
        self.reachable = False
        self._async_changed()

    @callback
    def _async_visit_if_due(self) -> None:
        if self._task is not None and not self._task.done():
            return
        if self._retry_at is not None and dt_util.utcnow() < self._retry_at:
            return
        self._task = self.hass.async_create_background_task(
            self._async_visit(), f"{DOMAIN} visit {self.address}"
        )

    async def async_read_now(self) -> None:
        """Visit the device at once, back-off or not (a technician's "read now")."""
        self._retry_at = None
        self._async_visit_if_due()

    async def _async_visit(self) -> None:
        ble_device = bluetooth.async_ble_device_from_address(
            self.hass, self.address, connectable=True
        )
        if ble_device is None:
            self._async_failed(DeviceStatus.NO_ANSWER, "no connectable adapter or proxy hears it")
            return
        self._set_status(DeviceStatus.CONNECTING)
        visit = DeviceVisit(
            self.kind, last_sequence=self.last_sequence, read_information=not self.information
        )
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                client = await establish_connection(
                    # Looked up now, not at import: Home Assistant's bluetooth replaces it with
                    # its wrapper (which routes through local adapters and proxies) at set-up.
                    bleak_retry_connector.BleakClientWithServiceCache,
                    ble_device,
                    self.name,
                    disconnected_callback=lambda _client: visit.link_lost(),
                    max_attempts=MAX_ATTEMPTS,
                )
        except BleakOutOfConnectionSlotsError as err:
            self._async_failed(DeviceStatus.WAITING_FOR_SLOT, str(err))
            return
        except (BleakError, TimeoutError) as err:
            self._async_failed(DeviceStatus.NO_ANSWER, str(err) or "timed out")
            return
        self._set_status(DeviceStatus.READING)
        try:
            async with asyncio.timeout(VISIT_TIMEOUT):
                result = await visit.run(client, dt_util.now().replace(tzinfo=None))
        except (BleakError, TimeoutError) as err:
            result = visit.visit  # what arrived before the failure counts
            _LOGGER.info("%s (%s): visit ended early: %s", self.name, self.address, err)
        finally:
            try:
                await client.disconnect()
            except BleakError as err:  # the device may have hung up already
                _LOGGER.debug("%s: disconnect: %s", self.address, err)
            self._visit_ended = bluetooth.MONOTONIC_TIME()
        await self._async_take(result)

    async def _async_take(self, visit: Visit) -> None:
        now = dt_util.utcnow()
        self.last_visit = now
        if visit.battery is not None:
            self.battery = visit.battery
        if visit.cuff_pressure is not None:
            self.cuff_pressure = visit.cuff_pressure
        self.corrupt_frames += visit.corrupt_frames
        stored_changed = False
        if visit.information is not None and visit.information.values:
            self.information = dict(visit.information.values)
            stored_changed = True
        readings = self._readings_of(visit, now)
        stored_changed |= any(isinstance(item, Glucose) for item in visit.measurements)
        self._settle(visit)
        for reading in sorted(readings, key=lambda reading: reading.at):
            self.latest = dict(reading.values)
            self.measured_at = reading.at
            self.flags = reading.flags
        self.recent = (self.recent + readings)[-10:]
        if stored_changed:
            await self._on_stored_change(self)
        if readings:
            await self._on_readings(self, readings)
        self._async_changed()

    def _readings_of(self, visit: Visit, now: datetime) -> list[Reading]:
        zone = dt_util.get_default_time_zone()
        readings: list[Reading] = []
        for measurement in visit.measurements:
            if isinstance(measurement, Glucose):
                self.last_sequence = max(self.last_sequence or 0, measurement.sequence)
            if (reading := to_reading(measurement, self.address, now, zone)) is not None:
                readings.append(reading)
        return readings

    def _settle(self, visit: Visit) -> None:
        """Set the status after a visit; back off unless the device said it was done."""
        if visit.complete:
            self._failures = 0
            self._retry_at = None
            self.status = DeviceStatus.IDLE
        elif visit.racp_result is not None:
            self._schedule_retry()
            self.status = DeviceStatus.RECORDS_REFUSED
            _LOGGER.warning(
                "%s (%s) refused the record request: %s",
                self.name,
                self.address,
                visit.racp_result.name,
            )
        else:
            self._schedule_retry()
            self.status = DeviceStatus.INTERRUPTED

    @callback
    def _async_failed(self, status: DeviceStatus, reason: str) -> None:
        self._schedule_retry()
        _LOGGER.info("%s (%s): %s, retry in %s", self.name, self.address, reason, self._delay())
        self._set_status(status)

    def _delay(self) -> float:
        return retry_delay(self._failures).total_seconds()

    def _schedule_retry(self) -> None:
        """Back off; try again when the delay is over if the device is still around."""
        self._failures += 1
        delay = self._delay()
        self._retry_at = dt_util.utcnow() + retry_delay(self._failures)

        @callback
        def _retry(_now: datetime) -> None:
            self._cancel_retry = None
            if bluetooth.async_address_present(self.hass, self.address, connectable=True):
                self._async_visit_if_due()

        if self._cancel_retry is not None:
            self._cancel_retry()
        self._cancel_retry = async_call_later(self.hass, delay, _retry)

    def _set_status(self, status: DeviceStatus) -> None:
        self.status = status
        self._async_changed()

    @callback
    def clear_values(self) -> None:
        """Forget the measured values (privacy at the end of a consultation)."""
        self.latest = {}
        self.measured_at = None
        self.flags = ()
        self.cuff_pressure = None
        self._async_changed()

    @callback
    def _async_changed(self) -> None:
        async_dispatcher_send(self.hass, self.update_signal)
