"""The subentry flow that adds a telemedicine room to a site and reconfigures it."""

from __future__ import annotations

from typing import Any, override

from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
)
import probatio

from ..subentry_flow import SiteSubentryFlow
from .const import CONF_ADDRESS, CONF_CLEAR_AFTER_SESSION, CONF_DEVICES, CONF_STETHOSCOPE

CONF_KEEP_DEVICES = "keep_devices"


class TelemedicineRoomSubentryFlow(SiteSubentryFlow):
    """Add or change a telemedicine room: a name, an address, privacy, a stethoscope.

    Vitals devices join a room through Bluetooth discovery; reconfiguring the room lists them
    so a technician can take a device out of the room. A digital stethoscope has no standard
    profile to discover it by: the technician says whether the room has one.
    """

    schema = probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Optional(CONF_ADDRESS): TextSelector(),
            probatio.Optional(CONF_CLEAR_AFTER_SESSION, default=True): BooleanSelector(),
            probatio.Optional(CONF_STETHOSCOPE, default=False): BooleanSelector(),
        }
    )

    def _current_devices(self) -> dict[str, Any]:
        if self.source != SOURCE_RECONFIGURE:
            return {}
        return dict(self._get_reconfigure_subentry().data.get(CONF_DEVICES, {}))

    @override
    def form_schema(self) -> probatio.Schema:
        if not (devices := self._current_devices()):
            return self.schema
        options = [
            SelectOptionDict(value=address, label=f"{device.get('name', address)} ({address})")
            for address, device in devices.items()
        ]
        return self.schema.extend(
            {
                probatio.Optional(CONF_KEEP_DEVICES, default=list(devices)): SelectSelector(
                    SelectSelectorConfig(options=options, multiple=True)
                )
            }
        )

    @override
    def normalize(self, data: dict[str, Any]) -> dict[str, Any]:
        current = self._current_devices()
        keep = data.pop(CONF_KEEP_DEVICES, list(current))
        data.setdefault(CONF_CLEAR_AFTER_SESSION, True)
        data.setdefault(CONF_STETHOSCOPE, False)
        devices = {address: current[address] for address in keep if address in current}
        if devices:
            data[CONF_DEVICES] = devices
        return data
