"""Config flow for a Smart Quarter site, its options and the subentry types of its subsystems."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, override

from homeassistant.components.bluetooth import BluetoothServiceInfoBleak
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    LocationSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import slugify
import probatio

from .const import (
    CONF_LOCATION,
    CONF_MQTT_BASE_TOPIC,
    CONF_STAFF_USERS,
    CURRENT_MINOR_VERSION,
    CURRENT_VERSION,
    DEFAULT_MQTT_BASE_TOPIC_PREFIX,
    DOMAIN,
)
from .emergency.const import SUBENTRY_TYPE_APARTMENT
from .mqtt_topic import is_publish_topic
from .robot.cloud_check import async_check_cloud
from .robot.const import CONF_API_KEY, CONF_API_URL, CONF_SERIAL, REAUTH_ROBOT
from .smart_home.const import DISCOVERY_ENTRY_ID, DISCOVERY_GATEWAY
from .smart_home.discovery import async_add_apartments, unlinked_apartments
from .staff import async_selectable_users
from .subsystem import OptionsStep
from .subsystems import OPTIONS_STEPS, SUBENTRY_FLOWS
from .telemedicine import discovery
from .telemedicine.const import CONF_KIND

CONF_ROOM = "room"
CONF_APARTMENTS = "apartments"
# How many apartment names the confirmation lists before "and N more".
NAMES_SHOWN = 10

SITE_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_NAME): TextSelector(),
        probatio.Required(CONF_LOCATION): LocationSelector(),
    }
)


def site_unique_id(name: str) -> str:
    """Return the unique id of a site: its name, slugified, so one name means one site.

    Empty for a name without letters or digits (slugify would turn that into "unknown").
    """
    return slugify(name) if any(char.isalnum() for char in name) else ""


def default_mqtt_base_topic(name: str) -> str:
    """Return the topic prefix a new site uses, e.g. 'smart_quarter/jena_lobeda'."""
    return f"{DEFAULT_MQTT_BASE_TOPIC_PREFIX}/{site_unique_id(name)}"


class SmartQuarterConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create one config entry per site."""

    VERSION = CURRENT_VERSION
    MINOR_VERSION = CURRENT_MINOR_VERSION

    _discovered: BluetoothServiceInfoBleak
    _reauth_robot: str = ""
    _site_id: str = ""
    _gateway: str = ""

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Offer every subentry type the subsystems define."""
        return dict(SUBENTRY_FLOWS)

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> SiteOptionsFlow:
        """Edit the site-wide settings."""
        return SiteOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the site's name and location (the home location by default)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if not site_unique_id(name):
                errors[CONF_NAME] = "invalid_name"
            else:
                await self.async_set_unique_id(site_unique_id(name))
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=name,
                    data=_site_data(name, user_input[CONF_LOCATION]),
                    options={CONF_MQTT_BASE_TOPIC: default_mqtt_base_topic(name)},
                )
        suggested = user_input or {
            CONF_NAME: self.hass.config.location_name,
            CONF_LOCATION: {
                CONF_LATITUDE: self.hass.config.latitude,
                CONF_LONGITUDE: self.hass.config.longitude,
            },
        }
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(SITE_SCHEMA, suggested),
            errors=errors,
        )

    async def async_step_bluetooth(
        self, discovery_info: BluetoothServiceInfoBleak
    ) -> ConfigFlowResult:
        """Offer to put a health device that advertised into a telemedicine room."""
        if discovery.kind_of(discovery_info.service_uuids) is None:
            return self.async_abort(reason="not_supported")
        await self.async_set_unique_id(discovery_info.address)
        self._abort_if_unique_id_configured()  # the user ignored this device
        if discovery.room_of(self.hass, discovery_info.address) is not None:
            return self.async_abort(reason="already_in_room")
        self._discovered = discovery_info
        self.context["title_placeholders"] = {"name": discovery_info.name}
        return await self.async_step_bluetooth_confirm()

    async def async_step_bluetooth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which room takes the device and what to call it."""
        rooms = discovery.rooms(self.hass)
        if not rooms:
            # Devices often advertise before the technician has added the room: the offer
            # waits (an aborted one would not come back until Home Assistant restarts).
            return await self.async_step_bluetooth_wait_room()
        info = self._discovered
        kind = discovery.kind_of(info.service_uuids) or ""
        if user_input is not None and user_input[CONF_ROOM] in rooms:
            entry, subentry = rooms[user_input[CONF_ROOM]]
            name = str(user_input.get(CONF_NAME) or "").strip() or info.name
            discovery.add_device(
                self.hass, entry, subentry, info.address, {CONF_KIND: kind, CONF_NAME: name}
            )
            return self.async_abort(
                reason="device_added", description_placeholders={"room": subentry.title}
            )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_ROOM): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=key, label=f"{entry.title} / {subentry.title}")
                            for key, (entry, subentry) in rooms.items()
                        ],
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                probatio.Optional(CONF_NAME, default=info.name): TextSelector(),
            }
        )
        return self.async_show_form(
            step_id="bluetooth_confirm",
            data_schema=schema,
            description_placeholders={"name": info.name, "address": info.address, "kind": kind},
        )

    async def async_step_bluetooth_wait_room(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Explain that a telemedicine room comes first; continue once there is one."""
        if user_input is not None and discovery.rooms(self.hass):
            return await self.async_step_bluetooth_confirm()
        return self.async_show_form(
            step_id="bluetooth_wait_room",
            description_placeholders={"name": self._discovered.name},
            errors={"base": "no_room"} if user_input is not None else None,
        )

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """Offer the apartments a site's gateway announced that no apartment is linked to."""
        entry = self.hass.config_entries.async_get_entry(str(discovery_info[DISCOVERY_ENTRY_ID]))
        if entry is None or entry.domain != DOMAIN:
            return self.async_abort(reason="site_gone")
        self._site_id = entry.entry_id
        self._gateway = str(discovery_info[DISCOVERY_GATEWAY])
        await self.async_set_unique_id(f"{entry.entry_id}-gateway-{self._gateway}")
        self._abort_if_unique_id_configured()  # the user ignored this gateway's offer
        self.context["title_placeholders"] = {"name": f"{entry.title} / {self._gateway}"}
        return await self.async_step_gateway_apartments()

    async def async_step_gateway_apartments(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """List the new apartments, all chosen; add the chosen ones in one step."""
        entry = self.hass.config_entries.async_get_entry(self._site_id)
        offered = unlinked_apartments(entry, self._gateway) if entry is not None else []
        if entry is None or not offered:
            return self.async_abort(reason="no_new_apartments")
        errors: dict[str, str] = {}
        if user_input is not None:
            wanted = set(user_input.get(CONF_APARTMENTS, []))
            chosen = [apartment for apartment in offered if apartment.apartment_id in wanted]
            if chosen:
                added = await async_add_apartments(
                    self.hass, entry, SUBENTRY_FLOWS[SUBENTRY_TYPE_APARTMENT], chosen
                )
                return self.async_abort(
                    reason="apartments_added",
                    description_placeholders={"count": str(len(added)), "site": entry.title},
                )
            errors["base"] = "no_apartment_chosen"
        names = [apartment.name for apartment in offered]
        shown = ", ".join(names[:NAMES_SHOWN])
        if len(names) > NAMES_SHOWN:
            shown += f" (+{len(names) - NAMES_SHOWN})"
        schema = probatio.Schema(
            {
                probatio.Required(
                    CONF_APARTMENTS, default=[apartment.apartment_id for apartment in offered]
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(
                                value=apartment.apartment_id,
                                label=f"{apartment.name} ({apartment.apartment_id})",
                            )
                            for apartment in offered
                        ],
                        multiple=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                )
            }
        )
        return self.async_show_form(
            step_id="gateway_apartments",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "gateway": self._gateway,
                "site": entry.title,
                "count": str(len(offered)),
                "names": shown,
            },
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Ask for a new temi cloud API key of the robot whose key was refused."""
        self._reauth_robot = str(entry_data.get(REAUTH_ROBOT, ""))
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Take the new API key once the cloud accepts it for that robot; then reload."""
        entry = self._get_reauth_entry()
        robot = entry.subentries.get(self._reauth_robot)
        if robot is None:
            return self.async_abort(reason="robot_gone")
        errors: dict[str, str] = {}
        if user_input is not None:
            key = user_input[CONF_API_KEY].strip()
            error = await async_check_cloud(
                self.hass, robot.data[CONF_API_URL], key, robot.data[CONF_SERIAL]
            )
            if error is None:
                # Updating the subentry reloads the site (its update listener).
                self.hass.config_entries.async_update_subentry(
                    entry, robot, data={**robot.data, CONF_API_KEY: key}
                )
                return self.async_abort(reason="reauth_successful")
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_API_KEY): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.PASSWORD)
                    )
                }
            ),
            errors=errors,
            description_placeholders={"robot": robot.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rename the site or move its location; subentries and entities stay."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            unique_id = site_unique_id(name)
            if not unique_id:
                errors[CONF_NAME] = "invalid_name"
            elif any(
                other.unique_id == unique_id
                for other in self._async_current_entries(include_ignore=False)
                if other.entry_id != entry.entry_id
            ):
                errors[CONF_NAME] = "name_in_use"
            else:
                return self.async_update_and_abort(
                    entry,
                    unique_id=unique_id,
                    title=name,
                    data=_site_data(name, user_input[CONF_LOCATION]),
                )
        suggested = user_input or {
            CONF_NAME: entry.title,
            CONF_LOCATION: {
                CONF_LATITUDE: entry.data[CONF_LATITUDE],
                CONF_LONGITUDE: entry.data[CONF_LONGITUDE],
            },
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(SITE_SCHEMA, suggested),
            errors=errors,
        )


def site_options_schema(users: dict[str, str]) -> probatio.Schema:
    """Return the form of the site's own options page; `users` are the people to choose."""
    return probatio.Schema(
        {
            probatio.Required(CONF_MQTT_BASE_TOPIC): TextSelector(),
            probatio.Optional(CONF_STAFF_USERS, default=[]): SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=user_id, label=name)
                        for user_id, name in users.items()
                    ],
                    multiple=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
        }
    )


class SiteOptionsFlow(OptionsFlow):
    """Site-wide settings: a menu of the site's own page and the pages of its subsystems."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Offer the pages."""
        return self.async_show_menu(step_id="init", menu_options=["site", *OPTIONS_STEPS])

    async def async_step_site(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Edit the MQTT topic prefix and who counts as staff; the site reloads to apply them."""
        errors: dict[str, str] = {}
        users = await async_selectable_users(self.hass)
        if user_input is not None:
            topic = user_input[CONF_MQTT_BASE_TOPIC].strip()
            # The selector offers existing people only and refuses other values.
            staff = [str(user_id) for user_id in user_input.get(CONF_STAFF_USERS, [])]
            if not is_publish_topic(topic):
                errors[CONF_MQTT_BASE_TOPIC] = "invalid_topic"
            elif any(
                other.options.get(CONF_MQTT_BASE_TOPIC) == topic
                for other in self.hass.config_entries.async_entries(DOMAIN)
                if other.entry_id != self.config_entry.entry_id
            ):
                # Two sites on one topic would take each other's emergency calls.
                errors[CONF_MQTT_BASE_TOPIC] = "topic_in_use"
            else:
                return self.async_create_entry(
                    data={
                        **self.config_entry.options,
                        CONF_MQTT_BASE_TOPIC: topic,
                        CONF_STAFF_USERS: staff,
                    }
                )
        schema = site_options_schema(users)
        return self.async_show_form(
            step_id="site",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
        )

    def __getattr__(self, name: str) -> Callable[..., Awaitable[ConfigFlowResult]]:
        """Serve `async_step_<id>` for every options page a subsystem adds."""
        step = OPTIONS_STEPS.get(name.removeprefix("async_step_"))
        if not name.startswith("async_step_") or step is None:
            raise AttributeError(name)

        async def async_step(user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
            return await self._async_subsystem_step(step, user_input)

        return async_step

    async def _async_subsystem_step(
        self, step: OptionsStep, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            submitted = dict(user_input)
            for key in step.secret_keys:  # not shown in the form: empty keeps the stored one
                if not str(submitted.get(key) or "").strip() and self.config_entry.options.get(key):
                    submitted[key] = self.config_entry.options[key]
            options, errors = step.validate(self.hass, self.config_entry, submitted)
            if not errors:
                return self.async_create_entry(data={**self.config_entry.options, **options})
        suggested = {
            key: value
            for key, value in (user_input or self.config_entry.options).items()
            if key not in step.secret_keys
        }
        return self.async_show_form(
            step_id=step.step_id,
            data_schema=self.add_suggested_values_to_schema(step.schema(self.hass), suggested),
            errors=errors,
        )


def _site_data(name: str, location: dict[str, Any]) -> dict[str, Any]:
    return {
        CONF_NAME: name,
        CONF_LATITUDE: location[CONF_LATITUDE],
        CONF_LONGITUDE: location[CONF_LONGITUDE],
    }
