"""Repair flows: issues that staff can fix from Home Assistant's repairs dashboard."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import TextSelector
import probatio

from .emergency.subsystem import EmergencySubsystem

NOTE = "note"


class CloseOrphanAlarmFlow(RepairsFlow):
    """Close the open alarm of an apartment that was removed, with what was done."""

    def __init__(self, entry_id: str, alarm_id: str) -> None:
        """Remember which alarm of which site."""
        self._entry_id = entry_id
        self._alarm_id = alarm_id

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Start with the form (the repairs dashboard passes no input worth keeping)."""
        return await self.async_step_close()

    async def async_step_close(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Ask for a note, then close the alarm."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or not hasattr(entry, "runtime_data"):
            return self.async_abort(reason="site_not_loaded")
        if user_input is not None:
            subsystem = entry.runtime_data.subsystem(EmergencySubsystem)
            # Only administrators can open repairs; HA does not tell the flow which one.
            await subsystem.async_close_alarm(self._alarm_id, "repair", user_input[NOTE])
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="close",
            data_schema=probatio.Schema({probatio.Required(NOTE): TextSelector()}),
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Create the flow that fixes one of our issues."""
    if data and "alarm_id" in data:
        return CloseOrphanAlarmFlow(str(data["entry_id"]), str(data["alarm_id"]))
    return ConfirmRepairFlow()
