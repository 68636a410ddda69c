"""A call for help by voice is followed on the satellite: received, taken, or what to do instead.

The care service's receiver is a real HTTP server (tests/emergency/conftest.py); Home
Assistant's conversation, assist_satellite and tts integrations are real; the satellite
records what it is told to announce (tests/voice_satellite.py).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_quarter.assist import async_announce
from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.emergency.voice_phrases import answer

from ..common import wait_for
from ..voice_satellite import RecordingSatellite, async_satellite_in, hass_config_dir  # noqa: F401
from .conftest import STATE, CareService, apartment_device_id

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def _satellite(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[str, RecordingSatellite]:
    """Assist, and a satellite in the area of the apartment's device."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    satellite_id, satellite = await async_satellite_in(hass, "Gesundheitswohnung 1 Wohnzimmer")
    area = ar.async_get(hass).async_get_area_by_name("Gesundheitswohnung 1 Wohnzimmer")
    assert area is not None
    dr.async_get(hass).async_update_device(apartment_device_id(hass, entry), area_id=area.id)
    return satellite_id, satellite


async def _confirmed_call(
    hass: HomeAssistant, entry: MockConfigEntry, second: str = "Hilfe"
) -> tuple[str, RecordingSatellite]:
    """A satellite; "Hilfe" twice (the second confirms the pre-alarm); the steps heard."""
    satellite_id, satellite = await _satellite(hass, entry)
    assert await _say(hass, "Hilfe", satellite_id) == answer("de", "called")
    assert await _say(hass, second, satellite_id) == answer("de", "called_now")
    await hass.async_block_till_done(wait_background_tasks=True)
    return satellite_id, satellite


async def _say(hass: HomeAssistant, text: str, device_id: str) -> str:
    result = await conversation.async_converse(
        hass, text, None, Context(), language="de", device_id=device_id
    )
    return str(result.response.speech["plain"]["speech"])


def _said(satellite: RecordingSatellite) -> list[str]:
    return [announcement.message for announcement in satellite.announcements]


def _followers(entry: MockConfigEntry) -> dict[tuple[str, str], object]:
    return entry.runtime_data.subsystems["emergency"].call_followers  # type: ignore[attr-defined,no-any-return]


PASSED_ON = answer("de", "delivered")
TAKEN = answer("de", "acknowledged")
NOT_TAKEN = (
    "Noch hat niemand Ihren Notruf angenommen. Ich versuche es weiter. Wenn Sie schnell Hilfe "
    "brauchen, wählen Sie die eins eins zwei oder ziehen Sie die Notrufschnur."
)
assert PASSED_ON.startswith("Ihr Notruf wurde an die Pflege übermittelt.")
assert TAKEN == "Die Pflege hat Ihren Notruf angenommen und kümmert sich um Sie."


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, *seconds: float) -> None:
    for step in seconds:
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


async def _staff(hass: HomeAssistant, entry: MockConfigEntry, action: str, user: User) -> None:
    await hass.services.async_call(
        DOMAIN,
        action,
        {"device_id": apartment_device_id(hass, entry)},
        blocking=True,
        context=Context(user_id=user.id),
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_passed_on_then_taken_is_said_once_each(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    hass_admin_user: User,
) -> None:
    """Saying "Hilfe" twice follows the call once; it ends when the alarm is resolved."""
    _satellite_id, satellite = await _confirmed_call(hass, webhook_site, "Hilfe bitte")
    assert care_service[0].received[0]["apartment"] == "Gesundheitswohnung 1"
    assert hass.states.get(STATE).state == "delivered"
    assert _said(satellite) == [PASSED_ON]
    assert len(_followers(webhook_site)) == 1
    await _staff(hass, webhook_site, "acknowledge_alarm", hass_admin_user)
    assert _said(satellite) == [PASSED_ON, TAKEN]
    assert _followers(webhook_site)  # until it is closed
    await _staff(hass, webhook_site, "resolve_alarm", hass_admin_user)
    assert not _followers(webhook_site)
    assert _said(satellite) == [PASSED_ON, TAKEN]


async def test_passed_on_but_not_taken_warns_and_never_reassures_again(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
    hass_admin_user: User,
) -> None:
    """A receiver confirms, nobody takes it: the warning says so; later receipts say nothing."""
    satellite_id, satellite = await _satellite(hass, webhook_site)
    assert await _say(hass, "Hilfe", satellite_id) == answer("de", "called")
    await _tick(hass, freezer, 30)  # the cancel window: active, sent, confirmed
    assert _said(satellite) == [PASSED_ON]
    await _tick(hass, freezer, *[60] * 7)  # repeats, undeliverable, repeats confirmed again
    assert len(care_service[0].received) >= 6
    assert _said(satellite) == [PASSED_ON, NOT_TAKEN]
    # Calling again meanwhile: told what to do, not "help is on its way"; said once.
    assert await _say(hass, "Hilfe", satellite_id) == NOT_TAKEN
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _said(satellite) == [PASSED_ON, NOT_TAKEN]
    await _staff(hass, webhook_site, "acknowledge_alarm", hass_admin_user)
    assert _said(satellite) == [PASSED_ON, NOT_TAKEN, TAKEN]


async def test_a_receiver_recovering_after_the_warning_does_not_reassure(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
) -> None:
    """No receipt until the warning; a late receipt then is no news (still nobody took it)."""
    care_service[0].statuses = [503] * 1000
    satellite_id, satellite = await _satellite(hass, webhook_site)
    assert await _say(hass, "Ich bin gestürzt", satellite_id) == answer("de", "called")
    await _tick(hass, freezer, 30, *[60] * 5)  # sent and repeated, never confirmed
    assert hass.states.get(STATE).state == "undeliverable"
    assert _said(satellite) == [NOT_TAKEN]
    care_service[0].statuses.clear()  # the receiver is back and confirms the next repeat
    await _tick(hass, freezer, 60, 60)
    assert hass.states.get(STATE).state == "delivered"
    assert _said(satellite) == [NOT_TAKEN]
    assert await _say(hass, "Hilfe", satellite_id) == NOT_TAKEN
    # The site unloads: nothing is said any more.
    followers = _followers(webhook_site)
    assert followers
    assert await hass.config_entries.async_unload(webhook_site.entry_id)
    assert not followers
    await _tick(hass, freezer, 600)
    assert _said(satellite) == [NOT_TAKEN]


async def test_called_again_after_it_was_taken_is_a_new_round(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    hass_admin_user: User,
) -> None:
    """Taken, then the guest calls again: passed on and taken are news once more."""
    satellite_id, satellite = await _confirmed_call(hass, webhook_site)
    await _staff(hass, webhook_site, "acknowledge_alarm", hass_admin_user)
    assert _said(satellite) == [PASSED_ON, TAKEN]
    assert await _say(hass, "Hilfe", satellite_id) == answer("de", "joined")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert care_service[0].received[-1]["dispatch"] == "first"  # sent again, confirmed
    await _staff(hass, webhook_site, "acknowledge_alarm", hass_admin_user)
    assert _said(satellite) == [PASSED_ON, TAKEN, PASSED_ON, TAKEN]


async def test_following_goes_on_after_a_reload(
    hass: HomeAssistant, webhook_site: MockConfigEntry, hass_admin_user: User
) -> None:
    """A technician edits another apartment (the site reloads): the guest is still told."""
    _satellite_id, satellite = await _confirmed_call(hass, webhook_site)
    assert _said(satellite) == [PASSED_ON]
    assert await hass.config_entries.async_reload(webhook_site.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _followers(webhook_site)
    await _staff(hass, webhook_site, "acknowledge_alarm", hass_admin_user)
    assert _said(satellite) == [PASSED_ON, TAKEN]  # not "passed on" once more


async def test_a_cancelled_pre_alarm_ends_the_following_silently(
    hass: HomeAssistant, webhook_site: MockConfigEntry
) -> None:
    """ "Fehlalarm" in time: nothing is announced later."""
    satellite_id, satellite = await _satellite(hass, webhook_site)
    assert await _say(hass, "Hilfe", satellite_id) == answer("de", "called")
    assert _followers(webhook_site)
    assert await _say(hass, "Fehlalarm", satellite_id) == answer("de", "cancelled")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not _followers(webhook_site)
    assert _said(satellite) == []


async def test_announcements_close_together_are_played_one_after_the_other(
    hass: HomeAssistant, webhook_site: MockConfigEntry
) -> None:
    """A satellite refuses an announcement while it plays one: they wait for each other."""
    _satellite_id, satellite = await _satellite(hass, webhook_site)
    satellite.seconds_per_announcement = 0.2
    entity_id = "assist_satellite.sprachassistent"
    assert await asyncio.gather(
        async_announce(hass, entity_id, "eins"),
        async_announce(hass, entity_id, "zwei"),
        async_announce(hass, entity_id, "drei"),
    ) == [True, True, True]
    assert _said(satellite) == ["eins", "zwei", "drei"]


async def test_news_that_is_old_by_its_turn_is_dropped(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    hass_admin_user: User,
) -> None:
    """ "Passed on" waits behind another announcement; taken meanwhile: only "taken" is said."""
    satellite_id, satellite = await _satellite(hass, webhook_site)
    satellite.seconds_per_announcement = 3.0
    entity_id = "assist_satellite.sprachassistent"
    playing = hass.async_create_task(async_announce(hass, entity_id, "Gute Nacht"))
    await asyncio.sleep(0.05)  # it plays now
    await _say(hass, "Hilfe", satellite_id)
    await _say(hass, "Hilfe", satellite_id)  # confirmed, sent, received: "passed on" waits
    assert await wait_for(lambda: hass.states.get(STATE).state == "delivered", within=2.5)
    assert not playing.done()
    await _staff(hass, webhook_site, "acknowledge_alarm", hass_admin_user)
    await playing
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _said(satellite) == ["Gute Nacht", TAKEN]


async def test_the_warning_repeats_until_someone_takes_the_call(
    hass: HomeAssistant,
    webhook_site: MockConfigEntry,
    care_service: tuple[CareService, str],
    freezer: FrozenDateTimeFactory,
    hass_admin_user: User,
) -> None:
    """A guest may miss it once: every 5 minutes again while nobody has taken the call."""
    care_service[0].statuses = [503] * 1000
    satellite_id, satellite = await _satellite(hass, webhook_site)
    await _say(hass, "Hilfe", satellite_id)
    await _tick(hass, freezer, 30, *[60] * 5)
    assert _said(satellite) == [NOT_TAKEN]
    await _tick(hass, freezer, *[60] * 5)
    assert _said(satellite) == [NOT_TAKEN] * 2
    await _tick(hass, freezer, *[60] * 5)
    assert _said(satellite) == [NOT_TAKEN] * 3
    await _staff(hass, webhook_site, "acknowledge_alarm", hass_admin_user)
    await _tick(hass, freezer, *[60] * 10)
    assert _said(satellite) == [*[NOT_TAKEN] * 3, TAKEN]
