"""The subentry flow that adds a telemedicine room to a site and reconfigures it."""

from __future__ import annotations

from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import TextSelector
import probatio

from ..subentry_flow import SiteSubentryFlow
from .const import CONF_ADDRESS


class TelemedicineRoomSubentryFlow(SiteSubentryFlow):
    """Add or change a telemedicine room: a name and, for village sites, its address."""

    schema = probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Optional(CONF_ADDRESS): TextSelector(),
        }
    )
