"""Following a call for help made by voice, on the satellite that heard it.

After "Hilfe" the guest hears how the call goes on, once per step and only forward: that it
was passed on to the care service (a receiver confirmed it), that someone has taken it, and,
when nobody has taken it in time, what to do instead (112, the cord). A receipt after that
warning is no news (the alarm is still not taken), so it is not said; the warning itself is
said again every WARNING_REPEAT until someone takes the call. Calling again after someone
took it starts a new round.

Followers belong to the emergency subsystem: they stop when the site unloads and are made
again at its set-up for the open alarms called by voice, so a reload (a technician editing
another apartment) does not silence them. Announcements run as Home Assistant's tasks, not
the site's, so a reload does not cut one off either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util.hass_dict import HassKey

from ..assist import announcing_satellite_of, async_announce
from ..const import DOMAIN
from .const import EVENT_ALARM_CHANGED
from .lifecycle import Alarm, AlarmState
from .voice_phrases import answer

if TYPE_CHECKING:
    from .subsystem import EmergencySubsystem

WARNING_REPEAT = timedelta(minutes=5)
"""How often the warning is said again while nobody takes the call (a guest may miss it)."""
VOICE_SOURCE = "voice:"
"""A voice call's trigger source is "voice:<the satellite's device id>"."""
DATA_LANGUAGES: HassKey[dict[str, str]] = HassKey(f"{DOMAIN}_voice_call_languages")
"""The language each satellite (device id) was last called for help in (outlives reloads)."""


def known_of(alarm: Alarm) -> AlarmState | None:
    """Return what the guest already knows of the alarm's current round.

    A round starts when the alarm becomes active (again, after someone took it and the guest
    called once more); what happened before that is no news for the new round.
    """
    if alarm.state is AlarmState.ACKNOWLEDGED:
        return AlarmState.ACKNOWLEDGED
    if alarm.escalation_exhausted:  # nobody took it in time (a later receipt is no news)
        return AlarmState.UNDELIVERABLE
    for transition in reversed(alarm.history):
        if transition.state is AlarmState.DELIVERED:
            return AlarmState.DELIVERED
        if transition.state is AlarmState.ACTIVE:
            break
    return None


@dataclass(frozen=True, slots=True)
class VoiceCall:
    """Where a call for help was said and how: the satellite, its language, who said it."""

    device_id: str | None
    satellite_id: str | None
    language: str
    context: Context | None = None

    @property
    def satellite_key(self) -> str:
        """The satellite, as one string."""
        return self.device_id or self.satellite_id or ""


class CallFollower:
    """Announces the news of one alarm on one satellite (see the module)."""

    def __init__(
        self,
        subsystem: EmergencySubsystem,
        alarm_id: str,
        call: VoiceCall,
        known: AlarmState | None,
    ) -> None:
        """Start listening to the alarm's steps."""
        self.subsystem = subsystem
        self.hass: HomeAssistant = subsystem.hass
        self.alarm_id = alarm_id
        self.call = call
        self.said: AlarmState | None = None
        self._unsubscribe = self.hass.bus.async_listen(
            EVENT_ALARM_CHANGED, self._changed, event_filter=self._mine
        )
        self._stop_repeating: CALLBACK_TYPE | None = None
        self._set_said(known)

    def _set_said(self, said: AlarmState | None) -> None:
        """Remember what the guest knows; the warning repeats while it is the news."""
        self.said = said
        if said is AlarmState.UNDELIVERABLE and self._stop_repeating is None:
            self._stop_repeating = async_track_time_interval(
                self.hass, self._repeat_warning, WARNING_REPEAT
            )
        elif said is not AlarmState.UNDELIVERABLE and self._stop_repeating is not None:
            self._stop_repeating()
            self._stop_repeating = None

    @callback
    def _repeat_warning(self, _now: datetime) -> None:
        self._announce("not_taken", AlarmState.UNDELIVERABLE)

    @property
    def key(self) -> tuple[str, str]:
        """One follower per alarm and satellite."""
        return self.alarm_id, self.call.satellite_key

    @callback
    def _mine(self, data: Mapping[str, Any]) -> bool:
        return data.get("alarm_id") == self.alarm_id

    @callback
    def _changed(self, event: Event[Mapping[str, Any]]) -> None:
        state = AlarmState(event.data["state"])
        if not state.is_open:
            self.stop()
            return
        if (key := self._news(state)) is not None:
            self._announce(key, state)

    def _announce(self, key: str, state: AlarmState) -> None:
        call = self.call
        satellite = announcing_satellite_of(self.hass, call.satellite_id, call.device_id)
        self.hass.async_create_background_task(
            async_announce(
                self.hass,
                satellite,
                answer(call.language, key),
                call.context,
                still_wanted=self._still_news(state),
            ),
            f"{DOMAIN} voice call followed",
        )

    def _news(self, state: AlarmState) -> str | None:
        """Return what to say of a step, if it is news to the guest (only forward)."""
        news: str | None = None
        if state is AlarmState.ACTIVE:  # a new round (called again after it was taken)
            self._set_said(None)
        elif state is AlarmState.DELIVERED and self.said is None:
            news = "delivered"
        elif state is AlarmState.UNDELIVERABLE and self.said is not state:
            news = "not_taken"
        elif state is AlarmState.ACKNOWLEDGED and self.said is not state:
            news = "acknowledged"
        if news is not None:
            self._set_said(state)
        return news

    def _still_news(self, said: AlarmState) -> Callable[[], bool]:
        """Whether a message still waiting for the satellite is still true news."""
        return lambda: self.key in self.subsystem.call_followers and self.said is said

    @callback
    def stop(self) -> None:
        """Stop listening (idempotent)."""
        self._set_said(None)
        self._unsubscribe()
        self._unsubscribe = _nothing
        self.subsystem.call_followers.pop(self.key, None)


def _nothing() -> None:
    """Nothing left to unsubscribe."""


@callback
def follow(
    subsystem: EmergencySubsystem, alarm: Alarm, call: VoiceCall, known: AlarmState | None
) -> None:
    """Follow the alarm on the satellite, unless that is done already (or the site closes)."""
    if subsystem.is_closed:
        return
    if call.device_id:
        subsystem.hass.data.setdefault(DATA_LANGUAGES, {})[call.device_id] = call.language
    if (alarm.alarm_id, call.satellite_key) in subsystem.call_followers:
        return  # already followed (the guest said "Hilfe" again)
    follower = CallFollower(subsystem, alarm.alarm_id, call, known)
    subsystem.call_followers[follower.key] = follower


@callback
def follow_open_calls(subsystem: EmergencySubsystem) -> None:
    """At set-up: follow again the open alarms that someone called by voice."""
    languages = subsystem.hass.data.get(DATA_LANGUAGES, {})
    for alarm in subsystem.book:
        if not alarm.state.is_open:
            continue
        for trigger in alarm.triggers:
            if not trigger.source.startswith(VOICE_SOURCE):
                continue
            device_id = trigger.source.removeprefix(VOICE_SOURCE)
            if device_id != "assist":  # Assist without a satellite device: nowhere to say it
                language = languages.get(device_id, subsystem.hass.config.language)
                follow(subsystem, alarm, VoiceCall(device_id, None, language), known_of(alarm))
