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
from .const import (
    CONF_APARTMENT,
    CONF_CALL_URL,
    CONF_HOME_BASE,
    CONF_SERIAL,
    DEFAULT_HOME_BASE,
    SUBENTRY_TYPE_ROBOT,
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
        }
    )


class RobotSubentryFlow(SiteSubentryFlow):
    """Add or change a temi robot that runs the MQTT bridge app."""

    schema = robot_schema([])  # the fields; the form lists the site's apartments

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
        url = data.get(CONF_CALL_URL)
        if url and urlparse(url).scheme not in ("https", "http"):
            return {CONF_CALL_URL: "invalid_url"}
        return {}
