"""The subentry flow of a temi robot: its serial on the MQTT bridge, its apartment and home base."""

from __future__ import annotations

from typing import Any, override
from urllib.parse import urlparse

from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from ..emergency.const import SUBENTRY_TYPE_APARTMENT
from ..subentry_flow import SiteSubentryFlow
from .bridge_protocol import valid_serial
from .cloud_check import async_check_cloud
from .const import (
    CONF_APARTMENT,
    CONF_API_KEY,
    CONF_API_URL,
    CONF_CALL_CONTACT,
    CONF_CALL_URL,
    CONF_HOME_BASE,
    CONF_SERIAL,
    CONF_TRANSPORT,
    DEFAULT_HOME_BASE,
    SUBENTRY_TYPE_ROBOT,
    TRANSPORT_BRIDGE,
    TRANSPORT_CLOUD,
)


def robot_schema(apartments: list[SelectOptionDict]) -> probatio.Schema:
    """Return the robot form; `apartments` are the site's apartments to choose from."""
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Required(CONF_SERIAL): TextSelector(),
            probatio.Optional(CONF_APARTMENT): SelectSelector(
                SelectSelectorConfig(options=apartments, mode=SelectSelectorMode.DROPDOWN)
            ),
            probatio.Optional(CONF_HOME_BASE, default=DEFAULT_HOME_BASE): TextSelector(),
            probatio.Optional(CONF_CALL_URL): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            probatio.Required(CONF_TRANSPORT, default=TRANSPORT_BRIDGE): SelectSelector(
                SelectSelectorConfig(
                    options=[TRANSPORT_BRIDGE, TRANSPORT_CLOUD],
                    translation_key="robot_transport",
                    mode=SelectSelectorMode.LIST,
                )
            ),
            probatio.Optional(CONF_API_URL): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            probatio.Optional(CONF_API_KEY): TextSelector(
                TextSelectorConfig(type=TextSelectorType.PASSWORD)
            ),
            probatio.Optional(CONF_CALL_CONTACT): TextSelector(),
        }
    )


class RobotSubentryFlow(SiteSubentryFlow):
    """Add or change a temi robot: on the MQTT bridge app, or a PRO robot on the temi cloud."""

    schema = robot_schema([])  # the fields; the form lists the site's apartments

    @override
    async def async_test(self, data: dict[str, Any]) -> dict[str, str]:
        if data[CONF_TRANSPORT] != TRANSPORT_CLOUD:
            return {}
        error = await async_check_cloud(
            self.hass, data[CONF_API_URL], data[CONF_API_KEY], data[CONF_SERIAL]
        )
        return {"base": error} if error else {}

    @override
    def form_schema(self) -> probatio.Schema:
        return robot_schema(
            [
                SelectOptionDict(value=subentry.subentry_id, label=subentry.title)
                for subentry in self._get_entry().subentries.values()
                if subentry.subentry_type == SUBENTRY_TYPE_APARTMENT
            ]
        )

    @override
    def normalize(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**data, CONF_SERIAL: str(data.get(CONF_SERIAL, "")).strip()}

    @override
    def validate(self, data: dict[str, Any]) -> dict[str, str]:
        if not valid_serial(data[CONF_SERIAL]):
            return {CONF_SERIAL: "invalid_serial"}
        editing = self._reconfigure_subentry_id if self.source == SOURCE_RECONFIGURE else None
        for subentry in self._get_entry().subentries.values():
            if (
                subentry.subentry_type == SUBENTRY_TYPE_ROBOT
                and subentry.subentry_id != editing
                and subentry.data.get(CONF_SERIAL) == data[CONF_SERIAL]
            ):
                return {CONF_SERIAL: "serial_in_use"}
        for key in (CONF_CALL_URL, CONF_API_URL):
            url = data.get(key)
            if url and urlparse(url).scheme not in ("https", "http"):
                return {key: "invalid_url"}
        if data[CONF_TRANSPORT] == TRANSPORT_CLOUD:
            for key in (CONF_API_URL, CONF_API_KEY):
                if not data.get(key):
                    return {key: "cloud_needs_this"}
        return {}
