"""Home Assistant glue of the façade subsystem: façades, zones, storage, entities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, ClassVar, override

from homeassistant.config_entries import ConfigSubentryFlow
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store

from ..const import DOMAIN
from ..entity import EntityGroup
from ..runtime import SmartQuarterConfigEntry
from ..subsystem import Subsystem
from .config_flow import FacadeSubentryFlow, ZoneSubentryFlow
from .const import CONF_FACADE, CONF_HOST, SUBENTRY_TYPE_FACADE, SUBENTRY_TYPE_ZONE
from .entities import (
    FACADE_BUTTONS,
    FACADE_PROBLEMS,
    FACADE_VALVES,
    OPEN_DATA_SENSORS,
    ZONE_NUMBERS,
    ZONE_PROBLEMS,
    ZONE_SELECTS,
    ZONE_SENSORS,
    ZONE_VALVES,
    facade_sensors,
)
from .facade import Facade
from .options import (
    CONF_OPEN_DATA_IDS,
    CONF_OPEN_DATA_KINDS,
    CONF_OPEN_DATA_MINUTES,
    CONF_OPEN_DATA_MQTT,
    CONF_OPEN_DATA_TOKEN,
    CONF_OPEN_DATA_URL,
    OPEN_DATA_STEP,
    parse_mappings,
)
from .publisher import SensorThingsPublisher

STORAGE_VERSION = 1
SAVE_DELAY = 10  # seconds; water totals and run times may be stored a little late


def _storage_key(entry_id: str) -> str:
    return f"{DOMAIN}.{entry_id}.facade"


class FacadeSubsystem(Subsystem):
    """The site's greened façades and their irrigation."""

    key = "facade"
    subentry_flows: ClassVar[Mapping[str, type[ConfigSubentryFlow]]] = {
        SUBENTRY_TYPE_FACADE: FacadeSubentryFlow,
        SUBENTRY_TYPE_ZONE: ZoneSubentryFlow,
    }
    platforms = frozenset(
        {
            Platform.SENSOR,
            Platform.BINARY_SENSOR,
            Platform.VALVE,
            Platform.BUTTON,
            Platform.NUMBER,
            Platform.SELECT,
        }
    )
    redact_keys = frozenset({CONF_HOST, CONF_OPEN_DATA_TOKEN})
    options_steps = (OPEN_DATA_STEP,)

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """Prepare the storage; façades start in async_setup."""
        super().__init__(hass, entry)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, _storage_key(entry.entry_id)
        )
        self.facades: dict[str, Facade] = {}
        self.publisher: SensorThingsPublisher | None = None

    @override
    async def async_setup(self) -> None:
        stored = await self._store.async_load() or {}
        zones = [s for s in self.subentries() if s.subentry_type == SUBENTRY_TYPE_ZONE]
        for subentry in self.subentries():
            if subentry.subentry_type != SUBENTRY_TYPE_FACADE:
                continue
            facade = Facade(
                self.hass,
                self.entry,
                subentry,
                [zone for zone in zones if zone.data.get(CONF_FACADE) == subentry.subentry_id],
                self._changed_callback(subentry.subentry_id),
            )
            facade.load(stored.get(subentry.subentry_id, {}))
            self.facades[subentry.subentry_id] = facade
        for facade in self.facades.values():
            await facade.async_start()
        options = self.entry.options
        if options.get(CONF_OPEN_DATA_URL) and self.facades:
            self.publisher = SensorThingsPublisher(
                self.hass,
                self.entry,
                self.facades,
                url=options[CONF_OPEN_DATA_URL],
                token=options.get(CONF_OPEN_DATA_TOKEN) or None,
                interval=timedelta(minutes=int(options.get(CONF_OPEN_DATA_MINUTES, 10))),
                kinds=list(options.get(CONF_OPEN_DATA_KINDS) or []),
                save=self._save_later,
                mqtt_url=options.get(CONF_OPEN_DATA_MQTT) or None,
                mappings=parse_mappings(list(options.get(CONF_OPEN_DATA_IDS) or [])),
            )
            self.publisher.load(stored.get("publisher", {}))
            self.publisher.start()
        self.entry.async_on_unload(
            self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_on_stop)
        )

    def _changed_callback(self, facade_id: str) -> Any:
        @callback
        def _changed() -> None:
            self._save_later()
            async_dispatcher_send(self.hass, self.facades[facade_id].update_signal)

        return _changed

    @callback
    def _save_later(self) -> None:
        self._store.async_delay_save(self._data_to_store, SAVE_DELAY)

    async def _async_on_stop(self, _event: Event) -> None:
        await self.async_unload()

    @override
    async def async_unload(self) -> None:
        if self.publisher is not None:
            self.publisher.stop()
        for facade in self.facades.values():
            await facade.async_shutdown()
        await self._store.async_save(self._data_to_store())

    def _data_to_store(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            facade_id: facade.as_dict() for facade_id, facade in self.facades.items()
        }
        if self.publisher is not None:
            data["publisher"] = self.publisher.as_dict()
        return data

    @override
    def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
        if platform is Platform.SENSOR and self.publisher is not None:
            yield EntityGroup(None, self.publisher, OPEN_DATA_SENSORS)
        for facade in self.facades.values():
            yield from _facade_groups(facade, platform)

    @override
    def diagnostics(self) -> dict[str, Any]:
        return {
            "facades": {
                facade.subentry.title: facade.diagnostics() for facade in self.facades.values()
            },
            "open_data": {
                "backlog": len(self.publisher.backlog),
                "rejected": self.publisher.rejected,
                "last_error": self.publisher.last_error,
                "ids": self.publisher.ids,
            }
            if self.publisher
            else None,
        }

    @override
    @classmethod
    async def async_remove_site(cls, hass: HomeAssistant, entry_id: str) -> None:
        await Store[dict[str, Any]](hass, STORAGE_VERSION, _storage_key(entry_id)).async_remove()
        for domain, issue_id in list(ir.async_get(hass).issues):
            if domain == DOMAIN and issue_id.startswith(f"facade_mismatch_{entry_id}_"):
                ir.async_delete_issue(hass, DOMAIN, issue_id)


def _facade_groups(facade: Facade, platform: Platform) -> Iterable[EntityGroup]:
    facade_descriptions: dict[Platform, tuple[Any, ...]] = {
        Platform.SENSOR: facade_sensors(facade),
        Platform.BINARY_SENSOR: FACADE_PROBLEMS,
        Platform.VALVE: FACADE_VALVES if facade.mains_spec is not None else (),
        Platform.BUTTON: FACADE_BUTTONS,
    }
    zone_descriptions: dict[Platform, tuple[Any, ...]] = {
        Platform.SENSOR: ZONE_SENSORS,
        Platform.BINARY_SENSOR: ZONE_PROBLEMS,
        Platform.VALVE: ZONE_VALVES,
        Platform.NUMBER: ZONE_NUMBERS,
        Platform.SELECT: ZONE_SELECTS,
    }
    if descriptions := facade_descriptions.get(platform):
        yield EntityGroup(facade.subentry, facade, descriptions)
    if descriptions := zone_descriptions.get(platform):
        for zone in facade.zones.values():
            yield EntityGroup(zone.subentry, zone, descriptions)
