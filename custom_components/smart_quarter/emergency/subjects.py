"""What the emergency entities read: an apartment's alarm, the site's alarms, a trigger device.

Each subject announces its changes on a dispatcher signal and forwards actions (buttons) to
the subsystem, which owns the alarms.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Context
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..staff import async_require_staff
from .const import CONF_CANCEL_WINDOW, DEFAULT_CANCEL_WINDOW
from .errors import actor_of, transition_error
from .lifecycle import Alarm, AlarmTransitionError, Trigger
from .supervision import DeviceSupervision

if TYPE_CHECKING:
    from .subsystem import EmergencySubsystem


class ApartmentEmergency:
    """The emergency part of one apartment: the subject of its entities."""

    def __init__(self, subsystem: EmergencySubsystem, subentry: ConfigSubentry) -> None:
        """Bind to the subsystem that owns the alarms."""
        self._subsystem = subsystem
        self.subentry = subentry

    @property
    def apartment_id(self) -> str:
        """The apartment's stable id (its subentry id)."""
        return self.subentry.subentry_id

    @property
    def update_signal(self) -> str:
        """Signal sent after an alarm of this apartment changed."""
        return f"{DOMAIN}_emergency_{self.apartment_id}"

    @property
    def available(self) -> bool:
        """Always: calling for help must work even when a gateway is down."""
        return True

    @property
    def alarm(self) -> Alarm | None:
        """The apartment's open alarm, if any."""
        return self._subsystem.book.open_alarm(self.apartment_id)

    @property
    def cancel_window(self) -> timedelta:
        """How long the person can cancel a pre-alarm."""
        return timedelta(seconds=self.subentry.data.get(CONF_CANCEL_WINDOW, DEFAULT_CANCEL_WINDOW))

    async def async_call_for_help(self, source: str) -> None:
        """Raise an alarm (or join the open one) from a button, an action or voice."""
        await self._subsystem.async_call_for_help(self, Trigger(source, "manual", dt_util.utcnow()))

    async def async_cancel(self, context: Context, channel: str) -> None:
        """Cancel the apartment's pre-alarm (anyone may: it is the guest's own call)."""
        try:
            await self._subsystem.async_cancel(self, context.user_id, channel)
        except AlarmTransitionError as err:
            raise transition_error(err) from err

    async def async_acknowledge(self, context: Context, channel: str) -> None:
        """Take the apartment's open alarm (care staff only)."""
        await async_require_staff(self._subsystem.hass, self._subsystem.entry, context)
        alarm = self._open_alarm()
        try:
            await self._subsystem.async_acknowledge(alarm, actor_of(context), channel)
        except AlarmTransitionError as err:
            raise transition_error(err) from err

    async def async_resolve(self, context: Context, channel: str, note: str | None) -> None:
        """Close the apartment's taken alarm (care staff only)."""
        await async_require_staff(self._subsystem.hass, self._subsystem.entry, context)
        alarm = self._open_alarm()
        try:
            await self._subsystem.async_resolve(alarm, actor_of(context), note)
        except AlarmTransitionError as err:
            raise transition_error(err) from err

    def occurrences(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Every step of the apartment's kept alarms, for its alarm event entity."""
        return [
            (
                f"{alarm.alarm_id}:{index}",
                transition.state.value,
                {
                    "alarm_id": alarm.alarm_id,
                    "actor": transition.actor,
                    "channel": transition.channel,
                    "note": transition.note,
                },
            )
            for alarm in self._subsystem.book.alarms_of(self.apartment_id)
            for index, transition in enumerate(alarm.history)
        ]

    def _open_alarm(self) -> Alarm:
        if (alarm := self.alarm) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="no_open_alarm",
                translation_placeholders={"apartment": self.subentry.title},
            )
        return alarm


class SiteEmergency:
    """The site's view of all alarms: the subject of site-level entities."""

    def __init__(self, subsystem: EmergencySubsystem) -> None:
        """Bind to the subsystem."""
        self._subsystem = subsystem

    @property
    def update_signal(self) -> str:
        """Signal sent after any alarm of the site changed."""
        return f"{DOMAIN}_emergency_site_{self._subsystem.entry.entry_id}"

    @property
    def available(self) -> bool:
        """Always available."""
        return True

    @property
    def open_alarms(self) -> list[Alarm]:
        """Every open alarm of the site, oldest first."""
        return self._subsystem.book.open_alarms

    @property
    def path_problem(self) -> str | None:
        """Why device calls cannot reach Home Assistant now, or None."""
        return self._subsystem.path_problem

    @property
    def last_alarm(self) -> Alarm | None:
        """The most recently raised alarm."""
        return self._subsystem.book.latest

    @property
    def last_delivery_latency(self) -> float | None:
        """Seconds from active to confirmed delivery of the latest delivered alarm."""
        alarm = self._subsystem.book.latest_delivered
        latency = alarm.delivery_latency if alarm else None
        return round(latency.total_seconds(), 3) if latency is not None else None


class TriggerDevice:
    """One trigger device of an apartment under supervision: the subject of its entities."""

    def __init__(self, subsystem: EmergencySubsystem, supervision: DeviceSupervision) -> None:
        """Bind to the subsystem and the device's supervision record."""
        self._subsystem = subsystem
        self.supervision = supervision
        self.silent = False
        self.battery_flagged = False

    @property
    def update_signal(self) -> str:
        """Signal sent after the device was heard or fell silent."""
        return f"{DOMAIN}_trigger_{self._subsystem.entry.entry_id}_{self.supervision.device_id}"

    @property
    def available(self) -> bool:
        """Always: a silent device is a problem to show, not an unknown state."""
        return True
