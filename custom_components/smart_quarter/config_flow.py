"""Config flow for a Smart Quarter site, its options and the subentry types of its subsystems."""

from __future__ import annotations

import re
from typing import Any, override
from urllib.parse import urlparse

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
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import slugify
import probatio

from .const import (
    CONF_CARE_MQTT_TOPIC,
    CONF_CARE_NOTIFY_TARGETS,
    CONF_CARE_WEBHOOK_SECRET,
    CONF_CARE_WEBHOOK_URL,
    CONF_ESCALATION_MINUTES,
    CONF_LOCATION,
    CONF_MQTT_BASE_TOPIC,
    DEFAULT_ESCALATION_MINUTES,
    DEFAULT_MQTT_BASE_TOPIC_PREFIX,
    DOMAIN,
    MIN_WEBHOOK_SECRET_LENGTH,
)
from .subsystems import SUBENTRY_FLOWS

SITE_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_NAME): TextSelector(),
        probatio.Required(CONF_LOCATION): LocationSelector(),
    }
)
OPTIONS_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_MQTT_BASE_TOPIC): TextSelector(),
        probatio.Optional(CONF_CARE_NOTIFY_TARGETS, default=[]): TextSelector(
            TextSelectorConfig(multiple=True)
        ),
        probatio.Optional(CONF_CARE_MQTT_TOPIC): TextSelector(),
        probatio.Optional(CONF_CARE_WEBHOOK_URL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL)
        ),
        probatio.Optional(CONF_CARE_WEBHOOK_SECRET): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        probatio.Required(
            CONF_ESCALATION_MINUTES, default=DEFAULT_ESCALATION_MINUTES
        ): NumberSelector(
            NumberSelectorConfig(
                min=1, max=30, step=1, unit_of_measurement="min", mode=NumberSelectorMode.BOX
            )
        ),
    }
)

# An MQTT topic to publish under: levels of printable characters without the wildcards,
# no leading/trailing or doubled slash, and no "$" prefix (reserved for broker topics).
_TOPIC_RE = re.compile(r"^[^/#+$\s][^/#+\s]*(/[^/#+\s]+)*$")


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

    VERSION = 1
    MINOR_VERSION = 1

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


class SiteOptionsFlow(OptionsFlow):
    """Site-wide settings that the subsystems share."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Edit the settings; the site reloads to apply them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            topic = user_input[CONF_MQTT_BASE_TOPIC].strip()
            if not _TOPIC_RE.match(topic):
                errors[CONF_MQTT_BASE_TOPIC] = "invalid_topic"
            elif any(
                other.options.get(CONF_MQTT_BASE_TOPIC) == topic
                for other in self.hass.config_entries.async_entries(DOMAIN)
                if other.entry_id != self.config_entry.entry_id
            ):
                # Two sites on one topic would take each other's emergency calls.
                errors[CONF_MQTT_BASE_TOPIC] = "topic_in_use"
            targets = [
                str(target).strip()
                for target in user_input.get(CONF_CARE_NOTIFY_TARGETS, [])
                if str(target).strip()
            ]
            unknown = [
                target
                for target in targets
                if not (
                    target.startswith("notify.")
                    and self.hass.services.has_service("notify", target.removeprefix("notify."))
                )
            ]
            if not errors and unknown:
                errors[CONF_CARE_NOTIFY_TARGETS] = "unknown_notify_target"
            url = str(user_input.get(CONF_CARE_WEBHOOK_URL, "")).strip()
            secret = str(user_input.get(CONF_CARE_WEBHOOK_SECRET, "")).strip()
            care_topic = str(user_input.get(CONF_CARE_MQTT_TOPIC, "")).strip()
            if not errors and care_topic and not _TOPIC_RE.match(care_topic):
                errors[CONF_CARE_MQTT_TOPIC] = "invalid_topic"
            if not errors and url:
                if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
                    errors[CONF_CARE_WEBHOOK_URL] = "invalid_url"
                elif len(secret) < MIN_WEBHOOK_SECRET_LENGTH:
                    errors[CONF_CARE_WEBHOOK_SECRET] = "secret_too_short"
            if not errors:
                return self.async_create_entry(
                    data={
                        **self.config_entry.options,
                        CONF_MQTT_BASE_TOPIC: topic,
                        CONF_CARE_NOTIFY_TARGETS: targets,
                        CONF_CARE_MQTT_TOPIC: care_topic,
                        CONF_CARE_WEBHOOK_URL: url,
                        CONF_CARE_WEBHOOK_SECRET: secret if url else "",
                        CONF_ESCALATION_MINUTES: int(
                            user_input.get(CONF_ESCALATION_MINUTES, DEFAULT_ESCALATION_MINUTES)
                        ),
                    }
                )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, user_input or self.config_entry.options
            ),
            errors=errors,
        )


def _site_data(name: str, location: dict[str, Any]) -> dict[str, Any]:
    return {
        CONF_NAME: name,
        CONF_LATITUDE: location[CONF_LATITUDE],
        CONF_LONGITUDE: location[CONF_LONGITUDE],
    }
