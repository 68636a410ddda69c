"""Stays in the apartments: their mode from booking check-in/out, the routines, stay energy.

Only apartments that take stays (their booking settings) and are linked to a gateway have a
mode. Check-in (a `smart_quarter_checked_in` event of the booking subsystem) makes the apartment
occupied and heats it to its comfort temperature; check-out makes it "cleaning": the heating
is set back and the lights go off; after the cleaning time it is vacant. Staff may set the
mode by hand with the apartment's mode select; the same routine runs. The robot's greeting and
the TV's welcome follow the check-in event and the mode (a blueprint, the guest dashboard).

The modes and stay energies are stored per site, so a restart continues a stay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..booking.interface import EVENT_CHECKED_IN, EVENT_CHECKED_OUT, stay_cleaning_hours
from ..const import DOMAIN
from .const import (
    CONF_COMFORT_TEMPERATURE,
    CONF_SETBACK_TEMPERATURE,
    DEFAULT_COMFORT_TEMPERATURE,
    DEFAULT_SETBACK_TEMPERATURE,
    SECTION,
)
from .gateway_protocol import DeviceType
from .stay import ApartmentMode, Stay

if TYPE_CHECKING:
    from .subsystem import GatewayDevice

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 30
"""Seconds meter readings wait before they are written (mode changes are written at once)."""
# The modes a guest is expected in: the heating is at comfort temperature.
COMFORT_MODES = frozenset({ApartmentMode.PREPARED, ApartmentMode.OCCUPIED})


def _storage(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store[dict[str, Any]](hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.stays")


async def async_remove_stays(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the stored stays of a site that is being removed."""
    await _storage(hass, entry_id).async_remove()


class ApartmentStay:
    """One apartment's stay as its entities see it (the mode select, the stay energy)."""

    def __init__(
        self,
        stays: StayManager,
        apartment: ConfigSubentry,
        devices: Callable[[], Mapping[str, GatewayDevice]],
        reachable: Callable[[], bool],
        cleaning_hours: float,
    ) -> None:
        """Start vacant; the stored stay is loaded by the manager."""
        self._stays = stays
        self.apartment = apartment
        self.devices = devices
        self.reachable = reachable
        """Whether the apartment's gateway is online."""
        self.cleaning_hours = cleaning_hours
        self.stay = Stay()
        self.routine_failures = 0

    @property
    def update_signal(self) -> str:
        """Signal sent after the mode or the stay's energy changed."""
        return f"{DOMAIN}_stay_{self.apartment.subentry_id}"

    @property
    def available(self) -> bool:
        """Always: the mode is the site's own knowledge."""
        return True

    @property
    def mode(self) -> str:
        """The current mode."""
        return self.stay.mode.value

    def setting(self, key: str, default: float) -> float:
        """Return one of the apartment's smart-home settings."""
        return float((self.apartment.data.get(SECTION) or {}).get(key, default))

    def meter_readings(self) -> dict[str, float]:
        """Return the known energy readings of the apartment's meters, by device id."""
        return {
            device_id: float(reading)
            for device_id, device in self.devices().items()
            if device.info.type is DeviceType.METER
            and isinstance(reading := device.value("energy"), int | float)
        }

    async def async_select(self, option: str) -> None:
        """Set the mode by hand (staff); the mode's routine runs."""
        await self._stays.async_enter(self, ApartmentMode(option), booking_id=None)


class StayManager:
    """The stays of a site's apartments."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Nothing loaded yet."""
        self.hass = hass
        self.entry = entry
        self.entry_id = entry.entry_id
        self.by_apartment: dict[str, ApartmentStay] = {}
        """Apartment subentry id -> its stay."""
        self._store = _storage(hass, entry.entry_id)
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._timers: dict[str, CALLBACK_TYPE] = {}

    @staticmethod
    def takes_stays(apartment: ConfigSubentry) -> float | None:
        """Return the apartment's cleaning hours if it takes stays, else None."""
        return stay_cleaning_hours(apartment.data)

    async def async_setup(self, stays: list[ApartmentStay]) -> None:
        """Load the stored stays, listen to check-in/out, finish cleaning that is over."""
        stored = await self._store.async_load() or {}
        for stay in stays:
            self.by_apartment[stay.apartment.subentry_id] = stay
            if (data := stored.get(stay.apartment.subentry_id)) is not None:
                stay.stay = Stay.from_dict(data)
        for event_type, arrived in ((EVENT_CHECKED_IN, True), (EVENT_CHECKED_OUT, False)):
            self._unsubscribe.append(
                self.hass.bus.async_listen(
                    event_type, self._checked(arrived), event_filter=self._ours
                )
            )
        for stay in self.by_apartment.values():
            self._schedule(stay)

    async def async_unload(self) -> None:
        """Stop listening; write what is not written yet."""
        for unsubscribe in (*self._unsubscribe, *self._timers.values()):
            unsubscribe()
        self._unsubscribe.clear()
        self._timers.clear()
        if self.by_apartment:
            await self._store.async_save(self._data())

    @callback
    def _ours(self, event_data: Mapping[str, Any]) -> bool:
        return (
            event_data.get("entry_id") == self.entry_id
            and event_data.get("resource_id") in self.by_apartment
        )

    def _checked(self, arrived: bool) -> Callable[[Event], None]:
        @callback
        def handle(event: Event) -> None:
            stay = self.by_apartment[event.data["resource_id"]]
            booking_id = event.data.get("booking_id")
            if not arrived and not stay.stay.ends_with(booking_id):
                # A guest who checks out late, after the next guest checked in.
                _LOGGER.info(
                    "%s: check-out of an earlier booking; the current stay goes on",
                    stay.apartment.title,
                )
                return
            mode = ApartmentMode.OCCUPIED if arrived else ApartmentMode.CLEANING
            self.entry.async_create_task(
                self.hass, self.async_enter(stay, mode, booking_id=booking_id), "stay routine"
            )

        return handle

    async def async_enter(
        self, stay: ApartmentStay, mode: ApartmentMode, booking_id: str | None
    ) -> None:
        """Change an apartment's mode, store it and run the mode's routine."""
        entered = stay.stay.enter(
            mode,
            dt_util.utcnow(),
            booking_id=booking_id,
            cleaning_hours=stay.cleaning_hours,
            readings=stay.meter_readings(),
        )
        _LOGGER.debug("%s is now %s", stay.apartment.title, entered)
        await self._store.async_save(self._data())
        self._schedule(stay)
        async_dispatcher_send(self.hass, stay.update_signal)
        await self._async_routine(stay, entered)

    async def _async_routine(self, stay: ApartmentStay, mode: ApartmentMode) -> None:
        """Heat for a guest, or set back and switch the lights off when nobody is there.

        While the gateway is offline (or has not listed the devices yet, just after a start)
        the routine waits, stored, and runs when the gateway can be reached; so does a routine
        a command of which could not be sent.
        """
        if not stay.devices() or not stay.reachable():
            await self._async_pending(stay, True)
            return
        comfort = mode in COMFORT_MODES
        target = (
            stay.setting(CONF_COMFORT_TEMPERATURE, DEFAULT_COMFORT_TEMPERATURE)
            if comfort
            else stay.setting(CONF_SETBACK_TEMPERATURE, DEFAULT_SETBACK_TEMPERATURE)
        )
        commands: list[tuple[GatewayDevice, dict[str, Any]]] = []
        for device in stay.devices().values():
            if device.info.type is DeviceType.CLIMATE:
                commands.append((device, {"mode": "heat", "target": target}))
            elif device.info.type is DeviceType.LIGHT and not comfort:
                commands.append((device, {"on": False}))
        # All at once: a broker that does not answer delays the routine once, not per device.
        results = await asyncio.gather(
            *(device.async_command(**values) for device, values in commands),
            return_exceptions=True,
        )
        failed = False
        for (device, _values), result in zip(commands, results, strict=True):
            if isinstance(result, HomeAssistantError):
                failed = True
                stay.routine_failures += 1
                _LOGGER.warning(
                    "%s: the %s routine could not reach %s (tried again when the gateway "
                    "is back): %s",
                    stay.apartment.title,
                    mode,
                    device.info.name,
                    result,
                )
            elif isinstance(result, BaseException):
                raise result
        await self._async_pending(stay, failed)

    async def _async_pending(self, stay: ApartmentStay, pending: bool) -> None:
        if stay.stay.routine_pending != pending:
            stay.stay.routine_pending = pending
            await self._store.async_save(self._data())

    @callback
    def retry_routine(self, apartment_id: str) -> None:
        """Run a routine that is waiting, now that the devices may be reached."""
        stay = self.by_apartment.get(apartment_id)
        if stay is not None and stay.stay.routine_pending and stay.reachable() and stay.devices():
            self.entry.async_create_task(
                self.hass, self._async_routine(stay, stay.stay.mode), "stay routine"
            )

    @callback
    def meter_changed(self, apartment_id: str) -> None:
        """Count a meter reading of an apartment for its current stay."""
        stay = self.by_apartment.get(apartment_id)
        if stay is not None and stay.stay.meter(stay.meter_readings()):
            self._store.async_delay_save(self._data, SAVE_DELAY)
            async_dispatcher_send(self.hass, stay.update_signal)

    def _schedule(self, stay: ApartmentStay) -> None:
        """Plan the end of cleaning (at once when it is over already)."""
        apartment_id = stay.apartment.subentry_id
        if (cancel := self._timers.pop(apartment_id, None)) is not None:
            cancel()
        until = stay.stay.cleaning_until
        if stay.stay.mode is not ApartmentMode.CLEANING or until is None:
            return

        @callback
        def cleaned(now: datetime) -> None:
            self._timers.pop(apartment_id, None)
            if stay.stay.cleaning_over(now):
                self.entry.async_create_task(
                    self.hass,
                    self.async_enter(stay, ApartmentMode.VACANT, booking_id=stay.stay.booking_id),
                    "stay cleaned",
                )

        self._timers[apartment_id] = async_track_point_in_utc_time(self.hass, cleaned, until)

    def _data(self) -> dict[str, Any]:
        return {key: stay.stay.as_dict() for key, stay in self.by_apartment.items()}

    def diagnostics(self) -> dict[str, Any]:
        """Each apartment's mode (by name) and routine failures."""
        return {
            stay.apartment.title: {
                "mode": stay.mode,
                "routine_failures": stay.routine_failures,
                "routine_pending": stay.stay.routine_pending,
            }
            for stay in self.by_apartment.values()
        }
