"""The subentry flow of an apartment's emergency part: its trigger devices and cancel window."""

from __future__ import annotations

import re
from typing import Any, override

from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import probatio

from ..subentry_flow import SiteSubentryFlow
from .const import (
    CONF_CANCEL_WINDOW,
    CONF_SIA_ACCOUNT,
    CONF_SUPERVISION_HOURS,
    CONF_TRIGGER_DEVICES,
    CONF_TRIGGER_ENTITIES,
    DEFAULT_CANCEL_WINDOW,
    DEFAULT_SUPERVISION_HOURS,
    MAX_CANCEL_WINDOW,
    MAX_SUPERVISION_HOURS,
    SUBENTRY_TYPE_APARTMENT,
)

# The same rule as the device id in a trigger topic (trigger_message.py).
_DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
# A subscriber account at the alarm-receiving centre (SIA DC-09: 3 to 16 hex digits).
_SIA_ACCOUNT_RE = re.compile(r"^[0-9A-F]{3,16}$")


class ApartmentSubentryFlow(SiteSubentryFlow):
    """Add or change an apartment: its name, emergency trigger devices and cancel window."""

    schema = probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Optional(CONF_TRIGGER_DEVICES, default=[]): TextSelector(
                TextSelectorConfig(multiple=True)
            ),
            probatio.Optional(CONF_TRIGGER_ENTITIES, default=[]): EntitySelector(
                EntitySelectorConfig(domain=["binary_sensor", "event"], multiple=True)
            ),
            probatio.Required(CONF_CANCEL_WINDOW, default=DEFAULT_CANCEL_WINDOW): NumberSelector(
                NumberSelectorConfig(
                    min=0,
                    max=MAX_CANCEL_WINDOW,
                    step=1,
                    unit_of_measurement="s",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            probatio.Required(
                CONF_SUPERVISION_HOURS, default=DEFAULT_SUPERVISION_HOURS
            ): NumberSelector(
                NumberSelectorConfig(
                    min=1,
                    max=MAX_SUPERVISION_HOURS,
                    step=1,
                    unit_of_measurement="h",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            probatio.Optional(CONF_SIA_ACCOUNT): TextSelector(),
        }
    )

    @override
    def normalize(self, data: dict[str, Any]) -> dict[str, Any]:
        devices = [str(device).strip() for device in data.get(CONF_TRIGGER_DEVICES, [])]
        return {
            **data,
            CONF_TRIGGER_DEVICES: [device for device in devices if device],
            CONF_TRIGGER_ENTITIES: list(dict.fromkeys(data.get(CONF_TRIGGER_ENTITIES, []))),
            CONF_CANCEL_WINDOW: int(data.get(CONF_CANCEL_WINDOW, DEFAULT_CANCEL_WINDOW)),
            CONF_SUPERVISION_HOURS: int(
                data.get(CONF_SUPERVISION_HOURS, DEFAULT_SUPERVISION_HOURS)
            ),
            **(
                {CONF_SIA_ACCOUNT: data[CONF_SIA_ACCOUNT].upper()}
                if CONF_SIA_ACCOUNT in data
                else {}
            ),
        }

    @override
    def validate(self, data: dict[str, Any]) -> dict[str, str]:
        devices: list[str] = data[CONF_TRIGGER_DEVICES]
        if any(not _DEVICE_ID_RE.match(device) for device in devices):
            return {CONF_TRIGGER_DEVICES: "invalid_device_id"}
        if CONF_SIA_ACCOUNT in data and not _SIA_ACCOUNT_RE.match(data[CONF_SIA_ACCOUNT]):
            return {CONF_SIA_ACCOUNT: "sia_invalid_account"}
        if len(set(devices)) != len(devices):
            return {CONF_TRIGGER_DEVICES: "device_in_use"}
        editing = self._reconfigure_subentry_id if self.source == SOURCE_RECONFIGURE else None
        for subentry in self._get_entry().subentries.values():
            if subentry.subentry_type != SUBENTRY_TYPE_APARTMENT or subentry.subentry_id == editing:
                continue
            if set(devices) & set(subentry.data.get(CONF_TRIGGER_DEVICES, [])):
                return {CONF_TRIGGER_DEVICES: "device_in_use"}
            if set(data[CONF_TRIGGER_ENTITIES]) & set(subentry.data.get(CONF_TRIGGER_ENTITIES, [])):
                return {CONF_TRIGGER_ENTITIES: "entity_in_use"}
        return {}
