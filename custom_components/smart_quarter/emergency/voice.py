"""Calling for help by voice (Assist): "Hilfe", "Ich brauche Hilfe", "Ruf die Pflege" ...

The sentences are registered with Home Assistant's conversation agent as triggers once the
conversation integration is there. The apartment is the one whose device is in the same area
as the voice satellite (or, on a site with a single apartment in all of Home Assistant, that
one). A call starts the apartment's pre-alarm, exactly as the "Hilfe rufen" button does; the
answer says what happened and how to cancel. A call that cannot be placed is answered with
what to do instead and raises a notification for the staff ("Notruf per Sprache nicht
zugeordnet"), an error in the log and the event smart_quarter_unplaced_voice_call.

A satellite that can make announcements then follows the call (CallFollower): it says when
the care service has received it, when someone has taken it, and, if it could not be
delivered, what to do instead (the cord, the button, 112).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from ..assist import (
    announcing_satellite,
    apartment_of_satellite,
    async_announce,
    async_when_conversation_loaded,
)
from ..const import DOMAIN
from .const import EVENT_ALARM_CHANGED
from .lifecycle import AlarmState
from .notices import Notices
from .voice_phrases import CALL_SENTENCES, CANCEL_SENTENCES, answer

if TYPE_CHECKING:
    from hassil.recognize import RecognizeResult
    from homeassistant.components.conversation import ConversationInput

    from ..runtime import SmartQuarterConfigEntry
    from .subjects import ApartmentEmergency

_LOGGER = logging.getLogger(__name__)

FOLLOWED: dict[str, str] = {
    AlarmState.DELIVERED: "delivered",
    AlarmState.ACKNOWLEDGED: "acknowledged",
    AlarmState.UNDELIVERABLE: "undeliverable",
}
"""The alarm's steps the satellite announces, and the answer it says for each."""
FOLLOW_UNTIL = (AlarmState.ACKNOWLEDGED, AlarmState.RESOLVED, AlarmState.CANCELLED)
FOLLOW_AT_MOST = timedelta(hours=1)
DATA_FOLLOWERS: HassKey[dict[tuple[str, str], CallFollower]] = HassKey(
    f"{DOMAIN}_voice_call_followers"
)


@callback
def async_setup_voice(hass: HomeAssistant) -> None:
    """Register the sentences now, or as soon as the conversation integration is loaded."""
    async_when_conversation_loaded(hass, _register)


@callback
def _register(hass: HomeAssistant) -> None:
    from homeassistant.components.conversation.agent_manager import get_agent_manager  # noqa: PLC0415

    manager = get_agent_manager(hass)

    async def _call(user_input: ConversationInput, result: RecognizeResult) -> str:
        found = _apartment_of(hass, user_input)
        if found is None:
            _LOGGER.error(
                "Call for help by voice (%r) from a satellite in no apartment's area",
                user_input.text,
            )
            hass.bus.async_fire(
                f"{DOMAIN}_unplaced_voice_call",
                {"text": user_input.text, "device_id": user_input.device_id},
            )
            notices = Notices(hass)
            await notices.async_load()
            notices.show(
                f"{DOMAIN}_unplaced_voice_call", "unplaced_voice_call", {"text": user_input.text}
            )
            return answer(user_input.language, "no_apartment")
        entry, apartment = found
        before = apartment.alarm.state if apartment.alarm else None
        await apartment.async_call_for_help(f"voice:{user_input.device_id or 'assist'}")
        alarm = apartment.alarm
        if alarm is not None and (satellite := announcing_satellite(hass, user_input)):
            CallFollower.start(hass, entry, alarm.alarm_id, satellite, user_input)
        if before is not None and before is not AlarmState.PRE_ALARM:
            return answer(user_input.language, "joined")
        if alarm is not None and alarm.state is AlarmState.PRE_ALARM:
            return answer(user_input.language, "called")
        return answer(user_input.language, "called_now")

    async def _cancel(user_input: ConversationInput, result: RecognizeResult) -> str:
        found = _apartment_of(hass, user_input)
        if found is None or (apartment := found[1]).alarm is None:
            return answer(user_input.language, "nothing_to_cancel")
        try:
            await apartment.async_cancel(user_input.context, "voice")
        except ServiceValidationError:  # refused: the alarm is past its pre-alarm
            return answer(user_input.language, "not_cancellable")
        return answer(user_input.language, "cancelled")

    manager.register_trigger(CALL_SENTENCES, _call)
    manager.register_trigger(CANCEL_SENTENCES, _cancel)


def _apartment_of(
    hass: HomeAssistant, user_input: ConversationInput
) -> tuple[SmartQuarterConfigEntry, ApartmentEmergency] | None:
    """Return the apartment in the satellite's area, or the only apartment there is."""
    from .subsystem import EmergencySubsystem  # noqa: PLC0415 - avoid an import cycle

    apartments: dict[str, tuple[SmartQuarterConfigEntry, ApartmentEmergency]] = {
        apartment.apartment_id: (entry, apartment)
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
        for apartment in entry.runtime_data.subsystem(EmergencySubsystem).apartments.values()
    }
    found = apartment_of_satellite(hass, user_input, apartments, single_if_unknown=True)
    return apartments[found] if found else None


class CallFollower:
    """Tells the guest on the satellite how the call they made by voice goes on.

    One per alarm and satellite (saying "Hilfe" again does not double the announcements).
    It ends when the alarm is taken, resolved or cancelled, after FOLLOW_AT_MOST, or when
    the site unloads.
    """

    def __init__(
        self, hass: HomeAssistant, alarm_id: str, satellite: str, user_input: ConversationInput
    ) -> None:
        """Follow one alarm for one satellite (not listening yet)."""
        self.hass = hass
        self.alarm_id = alarm_id
        self.satellite = satellite
        self.language = user_input.language
        self.context = user_input.context
        self._stops: list[CALLBACK_TYPE] = []

    @classmethod
    @callback
    def start(
        cls,
        hass: HomeAssistant,
        entry: SmartQuarterConfigEntry,
        alarm_id: str,
        satellite: str,
        user_input: ConversationInput,
    ) -> None:
        """Follow the alarm for the satellite, unless that is done already."""
        followers = hass.data.setdefault(DATA_FOLLOWERS, {})
        if (alarm_id, satellite) in followers:
            return
        follower = followers[alarm_id, satellite] = cls(hass, alarm_id, satellite, user_input)
        follower._stops = [
            hass.bus.async_listen(EVENT_ALARM_CHANGED, follower._changed(entry)),
            async_call_later(hass, FOLLOW_AT_MOST, lambda _now: follower.stop()),
        ]
        entry.async_on_unload(follower.stop)

    def _changed(self, entry: SmartQuarterConfigEntry) -> Callable[[Event], None]:
        @callback
        def changed(event: Event) -> None:
            if event.data.get("alarm_id") != self.alarm_id:
                return
            state = event.data.get("state")
            if (key := FOLLOWED.get(str(state))) is not None:
                entry.async_create_background_task(
                    self.hass,
                    async_announce(
                        self.hass, self.satellite, answer(self.language, key), self.context
                    ),
                    f"{DOMAIN} call followed on {self.satellite}",
                )
            if state in FOLLOW_UNTIL:
                self.stop()

        return changed

    @callback
    def stop(self) -> None:
        """Stop following (idempotent)."""
        while self._stops:
            self._stops.pop()()
        self.hass.data.get(DATA_FOLLOWERS, {}).pop((self.alarm_id, self.satellite), None)
