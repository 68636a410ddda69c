"""Calling for help by voice (Assist): "Hilfe", "Ich brauche Hilfe", "Ruf die Pflege" ...

The sentences are registered with Home Assistant's conversation agent as triggers once the
conversation integration is there. The apartment is the one whose device is in the same area
as the voice satellite (or, on a site with a single apartment in all of Home Assistant, that
one). A call starts the apartment's pre-alarm, exactly as the "Hilfe rufen" button does; the
answer says what happened and how to cancel. A call that cannot be placed is answered with
what to do instead and raises a notification for the staff ("Notruf per Sprache nicht
zugeordnet"), an error in the log and the event smart_quarter_unplaced_voice_call.

A satellite that can make announcements then follows the call (call_follower): it says when
the call was passed on, when someone has taken it, and, if nobody has taken it in time, what
to do instead (the cord, the button, 112).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError

from ..assist import announcing_satellite, apartment_of_satellite, async_when_conversation_loaded
from ..const import DOMAIN
from .call_follower import VOICE_SOURCE, VoiceCall, follow, known_of
from .lifecycle import AlarmState
from .notices import Notices
from .voice_phrases import CALL_SENTENCES, CANCEL_SENTENCES, answer

if TYPE_CHECKING:
    from hassil.recognize import RecognizeResult
    from homeassistant.components.conversation import ConversationInput

    from ..runtime import SmartQuarterConfigEntry
    from .subjects import ApartmentEmergency

_LOGGER = logging.getLogger(__name__)


@callback
def async_setup_voice(hass: HomeAssistant) -> None:
    """Register the sentences now, or as soon as the conversation integration is loaded."""
    async_when_conversation_loaded(hass, _register)


@callback
def _register(hass: HomeAssistant) -> None:
    from homeassistant.components.conversation.agent_manager import get_agent_manager  # noqa: PLC0415

    manager = get_agent_manager(hass)

    async def _call(user_input: ConversationInput, result: RecognizeResult) -> str:
        from .subsystem import EmergencySubsystem  # noqa: PLC0415 - avoid an import cycle

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
        await apartment.async_call_for_help(f"{VOICE_SOURCE}{user_input.device_id or 'assist'}")
        alarm = apartment.alarm
        # What the guest knows is read after the call (it may have waited for a change in
        # progress), and following starts with no await in between: no step slips past.
        known = known_of(alarm) if alarm is not None else None
        if alarm is not None and announcing_satellite(hass, user_input) is not None:
            follow(
                entry.runtime_data.subsystem(EmergencySubsystem),
                alarm,
                VoiceCall(
                    user_input.device_id,
                    user_input.satellite_id,
                    user_input.language,
                    user_input.context,
                ),
                known,
            )
        if known is AlarmState.UNDELIVERABLE:
            # Joined a call nobody has taken in time: not "it is on its way", but what to do.
            return answer(user_input.language, "not_taken")
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
