"""Home Assistant glue of the telemedicine subsystem: rooms, their stored state and entities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar, override

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryFlow
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..entity import EntityGroup
from ..runtime import SmartQuarterConfigEntry
from ..subsystem import Subsystem
from ..switch import SmartQuarterSwitchEntityDescription
from .config_flow import TelemedicineRoomSubentryFlow
from .const import CONF_ADDRESS, SUBENTRY_TYPE_ROOM
from .room import RoomState

STORAGE_VERSION = 1


def _storage_key(entry_id: str) -> str:
    return f"{DOMAIN}.{entry_id}.telemedicine"


class TelemedicineRoom:
    """One room of the site: the subject its entities read."""

    def __init__(
        self, subsystem: TelemedicineSubsystem, subentry: ConfigSubentry, state: RoomState
    ) -> None:
        """Hold the room's state; changes go through the subsystem so they are stored."""
        self._subsystem = subsystem
        self.subentry = subentry
        self.state = state
        self._cancel_reopen: CALLBACK_TYPE | None = None

    @property
    def update_signal(self) -> str:
        """Signal sent after the room changed."""
        return f"{DOMAIN}_telemedicine_room_{self.subentry.subentry_id}"

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
    platforms = frozenset({Platform.SWITCH})
    redact_keys = frozenset({CONF_ADDRESS})

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """Prepare the store; rooms are read in async_setup."""
        super().__init__(hass, entry)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, _storage_key(entry.entry_id)
        )
        self.rooms: dict[str, TelemedicineRoom] = {}

    @override
    async def async_setup(self) -> None:
        stored = await self._store.async_load() or {}
        stored_rooms: dict[str, Any] = stored.get("rooms", {})
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
        # Rooms removed from the site leave nothing behind in storage.
        if changed or set(stored_rooms) - set(self.rooms):
            await self.async_save()

    @override
    async def async_unload(self) -> None:
        for room in self.rooms.values():
            room.async_cancel_reopening()

    async def async_save(self) -> None:
        """Write every room's state through to storage (atomic, survives a crash)."""
        await self._store.async_save(
            {"rooms": {room_id: room.state.as_dict() for room_id, room in self.rooms.items()}}
        )

    @override
    def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
        if platform is Platform.SWITCH:
            for room in self.rooms.values():
                yield EntityGroup(room.subentry, room, ROOM_SWITCHES)

    @override
    def diagnostics(self) -> dict[str, Any]:
        return {"rooms": {room_id: room.state.as_dict() for room_id, room in self.rooms.items()}}

    @override
    @classmethod
    async def async_remove_site(cls, hass: HomeAssistant, entry_id: str) -> None:
        await Store[dict[str, Any]](hass, STORAGE_VERSION, _storage_key(entry_id)).async_remove()
