"""Home Assistant glue of the apartments' smart home: devices the gateway announces, over MQTT.

An apartment is linked to the gateway by its id there (the apartment form's "smart home"
section). Whatever the gateway announces for it becomes a device with entities at once;
a device the gateway no longer lists is removed with its entities. While the gateway is
offline (its last will), its devices are unavailable.

A gateway also announces the apartments it serves. Those no apartment of the site is linked
to yet are offered in one discovery flow per gateway ("Gateway gw-1 serves 248 new
apartments"), which adds all of them in one step - 250 apartments are not 250 flows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
import logging
from typing import Any, ClassVar, override

from homeassistant.config_entries import (
    SOURCE_INTEGRATION_DISCOVERY,
    ConfigEntry,
    ConfigSubentry,
    ConfigSubentryFlow,
    signal_discovered_config_entry_removed,
)
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import area_registry as ar, device_registry as dr, discovery_flow
from homeassistant.helpers.device_registry import DeviceInfo as RegistryDeviceInfo
from homeassistant.helpers.discovery_flow import DiscoveryKey
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.typing import UNDEFINED

from ..const import CONF_MQTT_BASE_TOPIC, DOMAIN, MANUFACTURER
from ..emergency.const import SUBENTRY_TYPE_APARTMENT
from ..entity import EntityGroup, new_groups_signal
from ..runtime import SmartQuarterConfigEntry
from ..subentry_flow import SubentrySection
from ..subsystem import Subsystem
from . import entities, gateway_protocol as gp
from .const import CONF_GATEWAY_APARTMENT, DISCOVERY_ENTRY_ID, DISCOVERY_GATEWAY, SECTION
from .section import APARTMENT_SECTION
from .stays import ApartmentStay, StayManager, async_remove_stays
from .voice import async_rooms_changed

_LOGGER = logging.getLogger(__name__)

MAX_EARLY_STATES = 64
"""States kept per apartment for devices its gateway has not listed (yet)."""


class GatewayDevice:
    """One device of an apartment, as the gateway reports it."""

    def __init__(
        self, subsystem: SmartHomeSubsystem, apartment: ConfigSubentry, info: gp.DeviceInfo
    ) -> None:
        """Hold what the gateway announced; the state comes with its own message."""
        self._subsystem = subsystem
        self.apartment = apartment
        self.info = info
        self.state: dict[str, Any] | None = None

    @property
    def identifier(self) -> str:
        """The device's stable id (apartment and the gateway's device id)."""
        return f"{self.apartment.subentry_id}-gw-{self.info.device_id}"

    @property
    def update_signal(self) -> str:
        """Signal sent after its state changed."""
        return f"{DOMAIN}_gateway_device_{self.identifier}"

    @property
    def available(self) -> bool:
        """Known state and an online gateway."""
        return self.state is not None and self._subsystem.gateway_online(self.apartment)

    def value(self, key: str) -> Any:
        """Return one value of its state (None while unknown)."""
        return None if self.state is None else self.state.get(key)

    @property
    def area_name(self) -> str:
        """Its area: the apartment's room ("Gesundheitswohnung 1 Wohnzimmer")."""
        return " ".join(part for part in (self.apartment.title, self.info.room) if part)

    def device_info(self) -> RegistryDeviceInfo:
        """Its registry entry: below the apartment, in the apartment's room.

        Areas are per apartment ("Gesundheitswohnung 1 Wohnzimmer"): a quarter-wide "Wohnzimmer"
        would let "Licht im Wohnzimmer an" switch every apartment's lights.
        """
        info = RegistryDeviceInfo(
            identifiers={(DOMAIN, self.identifier)},
            name=self.info.name,
            manufacturer=MANUFACTURER,
            model=f"Gateway {self.info.type.value}",
            suggested_area=self.area_name,
        )
        apartment_device = dr.async_get(self._subsystem.hass).async_get_device_by_identifier(
            (DOMAIN, self.apartment.subentry_id), self._subsystem.entry.entry_id
        )
        if apartment_device is not None:
            info["via_device_id"] = apartment_device.id
        return info

    async def async_command(self, **values: Any) -> None:
        """Send the gateway a command for this device (its new state comes back)."""
        await self._subsystem.async_command(self, **values)


class SmartHomeSubsystem(Subsystem):
    """The apartments' smart-home devices behind their gateway."""

    key = "smart_home"
    subentry_flows: ClassVar[Mapping[str, type[ConfigSubentryFlow]]] = {}
    subentry_sections: ClassVar[Mapping[str, tuple[SubentrySection, ...]]] = {
        SUBENTRY_TYPE_APARTMENT: (APARTMENT_SECTION,)
    }
    platforms = frozenset(
        {
            Platform.BINARY_SENSOR,
            Platform.CLIMATE,
            Platform.COVER,
            Platform.LIGHT,
            Platform.LOCK,
            Platform.NUMBER,
            Platform.SELECT,
            Platform.SENSOR,
        }
    )

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """Nothing heard before async_setup."""
        super().__init__(hass, entry)
        self.apartments: dict[str, ConfigSubentry] = {}
        """Gateway apartment id -> the apartment subentry it is."""
        self.devices: dict[str, dict[str, GatewayDevice]] = {}
        """Gateway apartment id -> its devices by the gateway's device id."""
        self._gateway_of: dict[str, str] = {}
        self._gateways_online: dict[str, bool] = {}
        self.announced: dict[str, list[gp.ApartmentInfo]] = {}
        """Gateway id -> the apartments it serves, as it last said."""
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._early_states: dict[str, dict[str, bytes]] = {}
        """Per apartment at the gateway, the last state of devices it has not listed (yet)."""
        self.malformed = 0
        self.stays = StayManager(hass, entry)
        self._subscribing: asyncio.Task[None] | None = None

    @property
    def base(self) -> str:
        """The site's MQTT base topic."""
        return str(self.entry.options[CONF_MQTT_BASE_TOPIC])

    @override
    def subentries(self) -> list[ConfigSubentry]:
        return [
            subentry
            for subentry in self.entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_TYPE_APARTMENT
            and (subentry.data.get(SECTION) or {}).get(CONF_GATEWAY_APARTMENT)
        ]

    @override
    async def async_setup(self) -> None:
        for subentry in self.subentries():
            gateway_id = subentry.data[SECTION][CONF_GATEWAY_APARTMENT]
            self.apartments[gateway_id] = subentry
            self.devices[gateway_id] = {}
        await self.stays.async_setup(
            [
                ApartmentStay(
                    self.stays,
                    subentry,
                    self._devices_of(gateway_id),
                    self._reachable(subentry),
                    hours,
                )
                for gateway_id, subentry in self.apartments.items()
                if (hours := StayManager.takes_stays(subentry)) is not None
            ]
        )
        self._unsubscribe.append(
            async_dispatcher_connect(
                self.hass, signal_discovered_config_entry_removed(DOMAIN), self._ignore_removed
            )
        )
        # In the background: a site does not wait for MQTT (the emergency path reports a
        # broker that never comes); its gateway devices appear once MQTT is there.
        self._subscribing = self.entry.async_create_background_task(
            self.hass, self._async_subscribe(), f"{DOMAIN} gateway subscriptions"
        )

    async def _async_subscribe(self) -> None:
        from homeassistant.components import mqtt  # noqa: PLC0415 - only sites with MQTT

        if not await mqtt.async_wait_for_mqtt_client(self.hass):
            if self.apartments:
                _LOGGER.error("MQTT is not available: the apartments' gateway cannot be heard")
            return
        for topic in gp.subscriptions(self.base):
            self._unsubscribe.append(
                await mqtt.async_subscribe(
                    self.hass, topic, self._async_message, qos=1, encoding=None
                )
            )

    def _devices_of(self, gateway_id: str) -> Callable[[], Mapping[str, GatewayDevice]]:
        return lambda: self.devices.get(gateway_id, {})

    def _reachable(self, apartment: ConfigSubentry) -> Callable[[], bool]:
        return lambda: self.gateway_online(apartment)

    @override
    async def async_unload(self) -> None:
        # First, so that a subscription still on its way cannot outlive the site.
        if self._subscribing is not None:
            self._subscribing.cancel()
        while self._unsubscribe:
            self._unsubscribe.pop()()
        await self.stays.async_unload()
        async_rooms_changed(self.hass)

    @override
    @classmethod
    async def async_remove_site(cls, hass: HomeAssistant, entry_id: str) -> None:
        await async_remove_stays(hass, entry_id)

    def gateway_online(self, apartment: ConfigSubentry) -> bool:
        """Whether the gateway serving the apartment is online (unknown gateway: yes)."""
        gateway_id = apartment.data[SECTION][CONF_GATEWAY_APARTMENT]
        gateway = self._gateway_of.get(gateway_id)
        return self._gateways_online.get(gateway, True) if gateway else True

    @callback
    def _async_message(self, message: Any) -> None:
        topic = gp.classify(self.base, message.topic)
        if topic is None:
            return
        try:
            self._take(topic, message.payload)
        except gp.GatewayMessageError as err:
            self.malformed += 1
            _LOGGER.warning("Gateway message on %s ignored: %s", message.topic, err)

    def _take(self, topic: gp.Topic, payload: bytes) -> None:
        match topic.kind:
            case "gateway_status":
                self._gateway_status(str(topic.gateway), gp.parse_gateway_status(payload))
            case "gateway_apartments":
                gateway = str(topic.gateway)
                self.announced[gateway] = gp.parse_apartments(payload)
                for apartment in self.announced[gateway]:
                    self._gateway_of[apartment.apartment_id] = gateway
                if self.unlinked_apartments(gateway):
                    self._offer(gateway)
            case "devices" if topic.apartment in self.apartments:
                self._devices(str(topic.apartment), gp.parse_devices(payload))
            case "state" if topic.apartment in self.apartments:
                self._state_message(str(topic.apartment), str(topic.device), payload)

    def _gateway_status(self, gateway: str, online: bool) -> None:
        self._gateways_online[gateway] = online
        for gateway_id, served_by in self._gateway_of.items():
            if served_by == gateway:
                self._changed(self.devices.get(gateway_id, {}).values())
                if online and (apartment := self.apartments.get(gateway_id)) is not None:
                    self.stays.retry_routine(apartment.subentry_id)

    def _state_message(self, gateway_id: str, device_id: str, payload: bytes) -> None:
        device = self.devices[gateway_id].get(device_id)
        if device is None:
            # The broker hands out retained states and device lists in any order: a state
            # that comes before its device's announcement waits for it. At most
            # MAX_EARLY_STATES per apartment (a real one has about 15 devices); the oldest
            # goes first, so a gateway sending states for ever new ids cannot fill memory.
            if len(payload) > gp.MAX_STATE_BYTES:
                raise gp.GatewayMessageError(f"state: {len(payload)} bytes, too large")
            early = self._early_states.setdefault(gateway_id, {})
            early.pop(device_id, None)
            if payload:
                early[device_id] = payload
                if len(early) > MAX_EARLY_STATES:
                    dropped = next(iter(early))
                    del early[dropped]
                    _LOGGER.debug("State of unlisted device %s of %s dropped", dropped, gateway_id)
        elif payload:
            self._state(device, gp.parse_state(device.info.type, payload))

    def _take_early_states(self, gateway_id: str, devices: list[GatewayDevice]) -> None:
        early = self._early_states.get(gateway_id, {})
        for device in devices:
            if payload := early.pop(device.info.device_id, b""):
                try:
                    self._state(device, gp.parse_state(device.info.type, payload))
                except gp.GatewayMessageError as err:
                    self.malformed += 1
                    _LOGGER.warning("State of %s ignored: %s", device.info.device_id, err)

    def _state(self, device: GatewayDevice, state: dict[str, Any]) -> None:
        device.state = state
        self._changed([device])
        if device.info.type is gp.DeviceType.METER:
            self.stays.meter_changed(device.apartment.subentry_id)

    def unlinked_apartments(self, gateway: str) -> list[gp.ApartmentInfo]:
        """Return the apartments a gateway serves that no apartment of the site is linked to."""
        linked = {
            (subentry.data.get(SECTION) or {}).get(CONF_GATEWAY_APARTMENT)
            for subentry in self.entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_TYPE_APARTMENT
        }
        return [a for a in self.announced.get(gateway, []) if a.apartment_id not in linked]

    def _offer(self, gateway: str) -> None:
        """Offer the gateway's new apartments for adding (one flow per site and gateway).

        The discovery key goes with an "ignore" of the offer, so that un-ignoring it
        (which removes the ignore entry) offers the apartments again at once.
        """
        discovery_flow.async_create_flow(
            self.hass,
            DOMAIN,
            {"source": SOURCE_INTEGRATION_DISCOVERY},
            {DISCOVERY_ENTRY_ID: self.entry.entry_id, DISCOVERY_GATEWAY: gateway},
            discovery_key=DiscoveryKey(
                domain=DOMAIN, key=(self.entry.entry_id, gateway), version=1
            ),
        )

    @callback
    def _ignore_removed(self, removed: ConfigEntry) -> None:
        """Offer a gateway's apartments again when its ignored offer is un-ignored."""
        for key in removed.discovery_keys.get(DOMAIN, ()):
            if (
                isinstance(key.key, tuple)
                and len(key.key) == 2  # noqa: PLR2004 - (site, gateway)
                and key.key[0] == self.entry.entry_id
                and self.unlinked_apartments(gateway := key.key[1])
            ):
                self._offer(gateway)

    def _devices(self, gateway_id: str, announced: list[gp.DeviceInfo]) -> None:
        known = self.devices[gateway_id]
        apartment = self.apartments[gateway_id]
        wanted = {info.device_id: info for info in announced}
        for device_id in set(known) - set(wanted):
            self._remove(known.pop(device_id))
        new: list[GatewayDevice] = []
        for device_id, info in wanted.items():
            current = known.get(device_id)
            if current is not None and current.info.type is info.type:
                if current.info != info:  # renamed, moved, now dimmable: the same entities
                    self._rename(current, info)
                continue
            if current is not None:  # another kind of device under the old id
                self._remove(current)
            known[device_id] = GatewayDevice(self, apartment, info)
            new.append(known[device_id])
        self._take_early_states(gateway_id, new)
        for platform in self.platforms:
            groups = [group for device in new for group in self._groups(platform, device)]
            if groups:
                async_dispatcher_send(
                    self.hass, new_groups_signal(self.entry.entry_id, platform), groups
                )
        if wanted:
            self.stays.retry_routine(apartment.subentry_id)
        async_rooms_changed(self.hass)

    def _remove(self, device: GatewayDevice) -> None:
        """Remove a device the gateway no longer lists, with its entities."""
        registry = dr.async_get(self.hass)
        entry = registry.async_get_device_by_identifier(
            (DOMAIN, device.identifier), self.entry.entry_id
        )
        if entry is not None:
            registry.async_remove_device(entry.id)

    def _rename(self, device: GatewayDevice, info: gp.DeviceInfo) -> None:
        """Take a device's new name, room or capabilities; its entities stay and follow."""
        old_area = device.area_name
        device.info = info
        registry = dr.async_get(self.hass)
        entry = registry.async_get_device_by_identifier(
            (DOMAIN, device.identifier), self.entry.entry_id
        )
        if entry is not None:
            areas = ar.async_get(self.hass)
            current = areas.async_get_area(entry.area_id) if entry.area_id else None
            # The room moves along unless someone put the device in another area by hand.
            moved = current is None or current.name == old_area
            registry.async_update_device(
                entry.id,
                name=info.name,
                model=f"Gateway {info.type.value}",
                area_id=areas.async_get_or_create(device.area_name).id if moved else UNDEFINED,
            )
        self._changed([device])

    def _changed(self, devices: Iterable[GatewayDevice]) -> None:
        for device in devices:
            async_dispatcher_send(self.hass, device.update_signal)

    async def async_command(self, device: GatewayDevice, **values: Any) -> None:
        """Publish a command to a device (QoS 1; the gateway answers with the new state)."""
        from homeassistant.components import mqtt  # noqa: PLC0415 - only sites with gateways

        gateway_id = device.apartment.data[SECTION][CONF_GATEWAY_APARTMENT]
        topic, payload = gp.command(self.base, gateway_id, device.info.device_id, **values)
        await mqtt.async_publish(self.hass, topic, payload, qos=1, retain=False)

    def _groups(self, platform: Platform, device: GatewayDevice) -> Iterable[EntityGroup]:
        descriptions = entities.descriptions(platform, device.info)
        if descriptions:
            yield EntityGroup(
                device.apartment,
                device,
                descriptions,
                (device.identifier, device.device_info()),
            )

    @override
    def platforms_in_use(self) -> set[Platform]:
        # Devices are announced after set-up: a linked apartment needs all of them ready.
        return set(self.platforms) if self.subentries() else set()

    @override
    def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
        if stay_descriptions := entities.STAYS.get(platform):
            for stay in self.stays.by_apartment.values():
                yield EntityGroup(stay.apartment, stay, stay_descriptions)
        for known in self.devices.values():
            for device in known.values():
                yield from self._groups(platform, device)

    @override
    def device_identifiers(self) -> set[str]:
        # Devices of a linked apartment stay until its gateway says they are gone (the
        # announcement arrives after set-up, when the stale-device sweep has run).
        prefixes = tuple(f"{subentry.subentry_id}-gw-" for subentry in self.subentries())
        return {
            value
            for device in dr.async_entries_for_config_entry(
                dr.async_get(self.hass), self.entry.entry_id
            )
            for domain, value in device.identifiers
            if domain == DOMAIN and prefixes and value.startswith(prefixes)
        }

    @override
    def diagnostics(self) -> dict[str, Any]:
        return {
            "apartments": len(self.apartments),
            "devices": sum(len(known) for known in self.devices.values()),
            "gateways_online": dict(self._gateways_online),
            "apartments_announced": {g: len(a) for g, a in self.announced.items()},
            "malformed": self.malformed,
            "states_waiting_for_their_device": sum(map(len, self._early_states.values())),
            "stays": self.stays.diagnostics(),
        }
