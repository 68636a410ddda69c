"""Home Assistant glue of the telemedicine subsystem: rooms, their stored state and entities."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
import logging
import secrets
from typing import Any, ClassVar, override

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.config_entries import ConfigSubentry, ConfigSubentryFlow
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from ..booking.interface import AppointmentStarted, appointment_signal
from ..button import SmartQuarterButtonEntityDescription
from ..const import DOMAIN, MANUFACTURER
from ..device_target import subentry_device_id
from ..entity import EntityGroup
from ..runtime import SmartQuarterConfigEntry
from ..sensor import SmartQuarterSensorEntityDescription
from ..subsystem import Subsystem
from ..switch import SmartQuarterSwitchEntityDescription
from . import entities
from .config_flow import TelemedicineRoomSubentryFlow
from .const import (
    CONF_ADDRESS,
    CONF_CLEAR_AFTER_SESSION,
    CONF_DEVICES,
    CONF_KIND,
    CONF_STETHOSCOPE,
    EVENT_SESSION_ENDED,
    EVENT_VITALS_MEASURED,
    SUBENTRY_TYPE_ROOM,
)
from .fhir import observations_of
from .fhir_outbox import FhirOutbox, outbox_storage_key
from .options import CONF_FHIR_TOKEN, CONF_FHIR_URL, FHIR_STEP
from .room import RoomState
from .session import Reading, Session, SessionBook, SessionError
from .vitals_device import DeviceConfig, VitalsDevice

_LOGGER = logging.getLogger(__name__)

KIND_MODELS = {
    "blood_pressure": "Blood pressure monitor",
    "glucose": "Glucose meter",
    "thermometer": "Health thermometer",
    "pulse_oximeter": "Pulse oximeter",
    "weight_scale": "Weight scale",
}

STORAGE_VERSION = 1


def _storage_key(entry_id: str) -> str:
    return f"{DOMAIN}.{entry_id}.telemedicine"


@contextmanager
def _refusal_as_error() -> Iterator[None]:
    """Turn a refused session change into an error the user reads in their language."""
    try:
        yield
    except SessionError as err:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key=err.key) from err


class TelemedicineRoom:
    """One room of the site: the subject its entities read."""

    def __init__(
        self, subsystem: TelemedicineSubsystem, subentry: ConfigSubentry, state: RoomState
    ) -> None:
        """Hold the room's state; changes go through the subsystem so they are stored."""
        self._subsystem = subsystem
        self.subentry = subentry
        self.state = state
        self.devices: dict[str, VitalsDevice] = {}
        self._cancel_reopen: CALLBACK_TYPE | None = None

    @property
    def room_id(self) -> str:
        """The room's subentry id."""
        return self.subentry.subentry_id

    @property
    def update_signal(self) -> str:
        """Signal sent after the room changed."""
        return f"{DOMAIN}_telemedicine_room_{self.subentry.subentry_id}"

    @property
    def device_id(self) -> str | None:
        """The room's device in the device registry (what automations select)."""
        return subentry_device_id(
            self._subsystem.hass, self._subsystem.entry.entry_id, self.room_id
        )

    @property
    def live_signal(self) -> str:
        """Signal carrying the room's live messages (readings, session start and end)."""
        return live_signal(self.subentry.subentry_id)

    @property
    def session(self) -> Session | None:
        """The consultation running in the room, if any."""
        return self._subsystem.sessions.running(self.room_id)

    async def async_start_session(self, reference: str | None = None) -> Session:
        """Start a consultation (a walk-in gets a generated pseudonym).

        Raises ServiceValidationError (translated) when the room is closed, a consultation
        runs or the reference is not a pseudonym.
        """
        with _refusal_as_error():
            if not self.state.in_service:
                raise SessionError("room_out_of_service")
            reference = reference or f"walk-in-{dt_util.now():%Y%m%d-%H%M}-{secrets.token_hex(3)}"
            session = self._subsystem.sessions.start(self.room_id, reference, dt_util.utcnow())
        await self._subsystem.async_save()
        self._live({"type": "session_started", **self._session_message(session)})
        async_dispatcher_send(self._subsystem.hass, self.update_signal)
        return session

    async def async_stop_session(self) -> dict[str, Any]:
        """End the consultation and return its summary; clear the values if the room says so.

        Raises ServiceValidationError (translated) when no consultation runs.
        """
        with _refusal_as_error():
            session = self._subsystem.sessions.stop(self.room_id, dt_util.utcnow())
        await self._subsystem.async_save()
        summary = session.summary()
        if self.subentry.data.get(CONF_CLEAR_AFTER_SESSION, True):
            for device in self.devices.values():
                device.clear_values()
        # Events are recorded: the pseudonymous reference stays out of them.
        self._subsystem.hass.bus.async_fire(
            EVENT_SESSION_ENDED,
            {
                "room_id": self.room_id,
                "room": self.subentry.title,
                **{key: value for key, value in summary.items() if key != "reference"},
            },
        )
        self._live({"type": "session_ended", "summary": summary})
        async_dispatcher_send(self._subsystem.hass, self.update_signal)
        return summary

    @property
    def has_stethoscope(self) -> bool:
        """Whether the room has a digital stethoscope (set by the technician)."""
        return bool(self.subentry.data.get(CONF_STETHOSCOPE, False))

    @property
    def stethoscope_device_id(self) -> str:
        """The stable id of the room's stethoscope device."""
        return f"{self.room_id}-stethoscope"

    @property
    def recording_since(self) -> datetime | None:
        """When the stethoscope recording that runs now started (None: none runs)."""
        session = self.session
        return session.recording_since if session else None

    async def async_set_recording(self, recording: bool) -> None:
        """Start or end a stethoscope recording of the running consultation.

        Starting needs a consultation (a recording belongs to its appointment, like a reading);
        starting a running recording or ending none changes nothing.
        """
        session = self.session
        now = dt_util.utcnow()
        if recording:
            with _refusal_as_error():
                if session is None:
                    raise SessionError("no_session_for_recording")
                if session.recording_since is not None:
                    return
                session.start_recording(now)
            message: dict[str, Any] = {"type": "recording_started", "at": now.isoformat()}
        else:
            if session is None or (ended := session.stop_recording(now)) is None:
                return
            message = {
                "type": "recording_ended",
                "at": now.isoformat(),
                "seconds": round(ended.seconds),
            }
        await self._subsystem.async_save()
        self._live(message)
        async_dispatcher_send(self._subsystem.hass, self.update_signal)

    async def async_measured(self, device: VitalsDevice, readings: list[Reading]) -> None:
        """Attribute new readings to the running session, pass them on, show them live."""
        for reading in readings:
            session = self._subsystem.sessions.attribute(self.room_id, reading)
            if session is not None:
                await self._subsystem.async_send_to_doctor(session, reading)
            self._subsystem.hass.bus.async_fire(
                EVENT_VITALS_MEASURED,
                {
                    "room_id": self.room_id,
                    "room_device_id": self.device_id,
                    "room": self.subentry.title,
                    "device": device.name,
                    "kind": reading.kind,
                    "values": reading.values,
                    "flags": list(reading.flags),
                    "measured_at": reading.at.isoformat(),
                    "in_session": session is not None,
                },
            )
            self._live(
                {
                    "type": "reading",
                    "device": device.name,
                    "kind": reading.kind,
                    "values": reading.values,
                    "flags": list(reading.flags),
                    "measured_at": reading.at.isoformat(),
                    "reading_id": reading.reading_id,
                    "reference": session.reference if session else None,
                }
            )
        async_dispatcher_send(self._subsystem.hass, self.update_signal)

    def live_snapshot(self) -> dict[str, Any]:
        """Return what a live view shows first: the session and every device's values."""
        session = self.session
        return {
            "type": "snapshot",
            "room": self.subentry.title,
            "in_service": self.state.in_service,
            "session": self._session_message(session) if session else None,
            "devices": [
                {
                    "name": device.name,
                    "kind": device.kind,
                    "values": device.latest,
                    "flags": list(device.flags),
                    "measured_at": device.measured_at.isoformat() if device.measured_at else None,
                    "battery": device.battery,
                    "reachable": device.reachable,
                    "status": device.status.value,
                }
                for device in self.devices.values()
            ],
        }

    @staticmethod
    def _session_message(session: Session) -> dict[str, Any]:
        return {
            "reference": session.reference,
            "started_at": session.started_at.isoformat(),
            "measurements": len(session.readings),
            "recording": session.recording_since is not None,
        }

    def _live(self, message: dict[str, Any]) -> None:
        async_dispatcher_send(self._subsystem.hass, self.live_signal, message)

    @property
    def available(self) -> bool:
        """A room is a place, not a connection: it is always there."""
        return True

    async def async_set_in_service(self, in_service: bool) -> None:
        """Open or close the room (the switch); closing an already closed room changes nothing."""
        if in_service:
            await self.async_return_to_service()
        elif self.state.in_service:
            await self.async_take_out_of_service()

    async def async_take_out_of_service(
        self, reason: str | None = None, back_at: datetime | None = None
    ) -> None:
        """Close the room (RoomStateError for a bad reason or time), store it, tell the entities."""
        before = replace(self.state)
        self.state.take_out_of_service(dt_util.utcnow(), reason, back_at)
        await self._async_changed(before)

    async def async_return_to_service(self) -> None:
        """Reopen the room if it is closed."""
        before = replace(self.state)
        if self.state.return_to_service(dt_util.utcnow()):
            await self._async_changed(before)

    async def _async_changed(self, before: RoomState) -> None:
        # Written through before it is shown: a crash never shows a state that is not stored,
        # and a failed write leaves the room as it was (memory and storage agree).
        try:
            await self._subsystem.async_save()
        except Exception:
            self.state = before
            raise
        self.async_schedule_reopening()
        async_dispatcher_send(self._subsystem.hass, self.update_signal)

    @callback
    def async_schedule_reopening(self) -> None:
        """(Re)arm the timer that reopens the room at its back_at time."""
        self.async_cancel_reopening()
        if not self.state.in_service and self.state.back_at is not None:
            self._cancel_reopen = async_track_point_in_utc_time(
                self._subsystem.hass, self._async_reopen, self.state.back_at
            )

    @callback
    def async_cancel_reopening(self) -> None:
        """Stop the reopening timer (on unload or when the state changes)."""
        if self._cancel_reopen is not None:
            self._cancel_reopen()
            self._cancel_reopen = None

    async def _async_reopen(self, _now: datetime) -> None:
        self._cancel_reopen = None
        await self.async_return_to_service()


def live_signal(room_id: str) -> str:
    """Return the dispatcher signal of a room's live messages."""
    return f"{DOMAIN}_telemedicine_live_{room_id}"


ROOM_SENSORS: tuple[SmartQuarterSensorEntityDescription, ...] = (
    SmartQuarterSensorEntityDescription(
        key="session",
        translation_key="session",
        device_class=SensorDeviceClass.ENUM,
        options=["idle", "running"],
        value_fn=lambda room: "running" if room.session else "idle",
        attributes_fn=lambda room: (
            {
                "reference": room.session.reference,
                "started_at": room.session.started_at.isoformat(),
                "measurements": len(room.session.readings),
            }
            if room.session
            else {}
        ),
    ),
)

OUTBOX_SENSORS: tuple[SmartQuarterSensorEntityDescription, ...] = (
    SmartQuarterSensorEntityDescription(
        key="fhir_backlog",
        translation_key="fhir_backlog",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda outbox: len(outbox.pending),
        attributes_fn=lambda outbox: {"last_error": outbox.last_error},
    ),
    SmartQuarterSensorEntityDescription(
        key="fhir_last_success",
        translation_key="fhir_last_success",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda outbox: outbox.last_success,
    ),
    SmartQuarterSensorEntityDescription(
        key="fhir_refused",
        translation_key="fhir_refused",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda outbox: outbox.refused,
    ),
)

ROOM_BUTTONS: tuple[SmartQuarterButtonEntityDescription, ...] = (
    SmartQuarterButtonEntityDescription(
        key="start_session",
        translation_key="start_session",
        press_fn=lambda room, _context: room.async_start_session(),
    ),
    SmartQuarterButtonEntityDescription(
        key="stop_session",
        translation_key="stop_session",
        press_fn=lambda room, _context: room.async_stop_session(),
    ),
)

ROOM_SWITCHES: tuple[SmartQuarterSwitchEntityDescription, ...] = (
    SmartQuarterSwitchEntityDescription(
        key="in_service",
        translation_key="in_service",
        entity_category=EntityCategory.CONFIG,
        is_on_fn=lambda room: room.state.in_service,
        set_fn=lambda room, on: room.async_set_in_service(on),
        attributes_fn=lambda room: {
            "reason": room.state.reason,
            "back_at": room.state.back_at.isoformat() if room.state.back_at else None,
        },
    ),
)


class TelemedicineSubsystem(Subsystem):
    """Telemedicine rooms of a site."""

    key = "telemedicine"
    subentry_flows: ClassVar[Mapping[str, type[ConfigSubentryFlow]]] = {
        SUBENTRY_TYPE_ROOM: TelemedicineRoomSubentryFlow
    }
    platforms = frozenset(
        {Platform.BINARY_SENSOR, Platform.BUTTON, Platform.EVENT, Platform.SENSOR, Platform.SWITCH}
    )
    redact_keys = frozenset(
        {CONF_ADDRESS, CONF_DEVICES, CONF_FHIR_TOKEN, "reference", "serial_number"}
    )
    options_steps = (FHIR_STEP,)

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """Prepare the store; rooms are read in async_setup."""
        super().__init__(hass, entry)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, _storage_key(entry.entry_id)
        )
        self.rooms: dict[str, TelemedicineRoom] = {}
        self.sessions = SessionBook()
        self.outbox: FhirOutbox | None = None
        self._unsub_appointments: CALLBACK_TYPE | None = None

    @override
    async def async_setup(self) -> None:
        stored = await self._store.async_load() or {}
        stored_rooms: dict[str, Any] = stored.get("rooms", {})
        stored_devices: dict[str, Any] = stored.get("devices", {})
        now = dt_util.utcnow()
        changed = False
        for subentry in self.subentries():
            raw = stored_rooms.get(subentry.subentry_id)
            state = RoomState.from_dict(raw) if isinstance(raw, dict) else RoomState()
            if state.is_due_back(now):
                # Its reopening time passed while Home Assistant was not running.
                changed |= state.return_to_service(now)
            room = TelemedicineRoom(self, subentry, state)
            room.async_schedule_reopening()
            self.rooms[subentry.subentry_id] = room
            for address, device in subentry.data.get(CONF_DEVICES, {}).items():
                raw_device = stored_devices.get(address)
                room.devices[address] = VitalsDevice(
                    self.hass,
                    DeviceConfig(address, device[CONF_KIND], device.get("name") or address),
                    raw_device if isinstance(raw_device, dict) else {},
                    room.async_measured,
                    self._async_device_learned,
                )
        self.sessions = SessionBook.from_dict(stored.get("sessions", {}), set(self.rooms))
        if url := self.entry.options.get(CONF_FHIR_URL):
            self.outbox = FhirOutbox(
                self.hass, self.entry.entry_id, url, self.entry.options.get(CONF_FHIR_TOKEN, "")
            )
            await self.outbox.async_load()
        # Rooms and devices removed from the site leave nothing behind in storage.
        if (
            changed
            or set(stored_rooms) - set(self.rooms)
            or set(stored_devices) - set(self._devices())
        ):
            await self.async_save()
        self._unsub_appointments = async_dispatcher_connect(
            self.hass, appointment_signal(self.entry.entry_id), self._async_appointment_started
        )
        if self._devices():
            # The rooms' devices are reached through Home Assistant's Bluetooth (local
            # adapters and ESPHome proxies alike).
            await async_setup_component(self.hass, "bluetooth", {})
            self._async_register_devices()
            for device in self._devices().values():
                device.async_start()

    def _devices(self) -> dict[str, VitalsDevice]:
        return {
            address: device
            for room in self.rooms.values()
            for address, device in room.devices.items()
        }

    @callback
    def _async_register_devices(self) -> None:
        """Register each vitals device below its room, known by its Bluetooth address."""
        registry = dr.async_get(self.hass)
        for room in self.rooms.values():
            for device in room.devices.values():
                registry.async_get_or_create(
                    config_entry_id=self.entry.entry_id,
                    config_subentry_id=room.room_id,
                    **self.device_info(room, device),
                )

    def device_info(self, room: TelemedicineRoom, device: VitalsDevice) -> DeviceInfo:
        """Return the registry entry of a vitals device (with what it told about itself)."""
        info = DeviceInfo(
            identifiers={(DOMAIN, device.address)},
            connections={(dr.CONNECTION_BLUETOOTH, device.address)},
            name=device.name,
            manufacturer=device.information.get("manufacturer") or MANUFACTURER,
            model=device.information.get("model") or KIND_MODELS.get(device.kind),
            serial_number=device.information.get("serial_number"),
            sw_version=device.information.get("firmware_revision"),
            hw_version=device.information.get("hardware_revision"),
        )
        return self._below_room(room, info)

    def stethoscope_info(self, room: TelemedicineRoom) -> DeviceInfo:
        """Return the registry entry of a room's stethoscope (named in the user's language)."""
        info = DeviceInfo(
            identifiers={(DOMAIN, room.stethoscope_device_id)},
            translation_key="stethoscope",
            model="Digital stethoscope",
        )
        return self._below_room(room, info)

    def _below_room(self, room: TelemedicineRoom, info: DeviceInfo) -> DeviceInfo:
        """Connect a device of the room to the room's device (once the room has one)."""
        if (room_device_id := room.device_id) is not None:
            info["via_device_id"] = room_device_id
        return info

    async def _async_device_learned(self, device: VitalsDevice) -> None:
        """Store a device's new position or strings; show its maker and model in the registry."""
        await self.async_save()
        self._async_register_devices()

    @override
    def device_identifiers(self) -> set[str]:
        stethoscopes = {
            room.stethoscope_device_id for room in self.rooms.values() if room.has_stethoscope
        }
        return set(self._devices()) | stethoscopes

    async def _async_appointment_started(self, appointment: AppointmentStarted) -> None:
        """Open a consultation under the appointment's code (booking's documented signal)."""
        room = self.rooms.get(appointment.resource_id)
        if room is None or not appointment.start_session:
            return
        if room.session is not None:
            _LOGGER.info(
                "%s: the consultation before the next appointment still runs; not started",
                room.subentry.title,
            )
            return
        try:
            await room.async_start_session(appointment.reference)
        except ServiceValidationError as err:
            _LOGGER.warning("%s: no consultation for the appointment: %s", room.subentry.title, err)

    @override
    async def async_unload(self) -> None:
        if self._unsub_appointments is not None:
            self._unsub_appointments()
            self._unsub_appointments = None
        for room in self.rooms.values():
            room.async_cancel_reopening()
        for device in self._devices().values():
            await device.async_stop()
        if self.outbox is not None:
            await self.outbox.async_close()

    async def async_save(self) -> None:
        """Write rooms, running sessions and device positions through to storage."""
        await self._store.async_save(
            {
                "rooms": {room_id: room.state.as_dict() for room_id, room in self.rooms.items()},
                "sessions": self.sessions.as_dict(),
                "devices": {
                    address: device.stored() for address, device in self._devices().items()
                },
            }
        )

    async def async_send_to_doctor(self, session: Session, reading: Reading) -> None:
        """Pass a reading of a consultation to the doctor's FHIR server (when one is set)."""
        if self.outbox is not None:
            await self.outbox.async_enqueue(observations_of(reading, session.reference))

    @override
    def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
        if platform is Platform.SENSOR and self.outbox is not None:
            yield EntityGroup(None, self.outbox, OUTBOX_SENSORS)
        for room in self.rooms.values():
            if platform is Platform.SWITCH:
                yield EntityGroup(room.subentry, room, ROOM_SWITCHES)
            elif platform is Platform.SENSOR:
                yield EntityGroup(room.subentry, room, ROOM_SENSORS)
            elif platform is Platform.BUTTON:
                yield EntityGroup(room.subentry, room, ROOM_BUTTONS)
            if room.has_stethoscope and (
                descriptions := entities.stethoscope_descriptions(platform)
            ):
                yield EntityGroup(
                    room.subentry,
                    room,
                    descriptions,
                    (room.stethoscope_device_id, self.stethoscope_info(room)),
                )
            for device in room.devices.values():
                descriptions = entities.device_descriptions(platform, device.kind)
                if descriptions:
                    yield EntityGroup(
                        room.subentry,
                        device,
                        descriptions,
                        (device.address, self.device_info(room, device)),
                    )

    @override
    def diagnostics(self) -> dict[str, Any]:
        return {
            "rooms": {room_id: room.state.as_dict() for room_id, room in self.rooms.items()},
            "sessions": sorted(self.sessions.as_dict()),
            "fhir_outbox": (
                {
                    "pending": len(self.outbox.pending),
                    "delivered": self.outbox.delivered,
                    "refused": self.outbox.refused,
                    "last_error": self.outbox.last_error,
                }
                if self.outbox
                else None
            ),
            "devices": [
                {
                    "kind": device.kind,
                    "status": device.status.value,
                    "battery": device.battery,
                    "reachable": device.reachable,
                    "last_seen": device.last_seen.isoformat() if device.last_seen else None,
                    "corrupt_frames": device.corrupt_frames,
                    "last_sequence": device.last_sequence,
                    "model": device.information.get("model"),
                }
                for device in self._devices().values()
            ],
        }

    @override
    @classmethod
    async def async_remove_site(cls, hass: HomeAssistant, entry_id: str) -> None:
        await Store[dict[str, Any]](hass, STORAGE_VERSION, _storage_key(entry_id)).async_remove()
        await Store[dict[str, Any]](hass, 1, outbox_storage_key(entry_id)).async_remove()
