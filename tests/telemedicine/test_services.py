"""The action smart_quarter.set_room_out_of_service: closing, reopening by time, bad calls."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_quarter.const import DOMAIN

from ..conftest import ROOM_SUBENTRY_ID

IN_SERVICE = "switch.tmr_lobeda_in_service"


def _room_device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, ROOM_SUBENTRY_ID), entry.entry_id
    )
    assert device is not None
    return device.id


async def _close(hass: HomeAssistant, **data: object) -> None:
    await hass.services.async_call(DOMAIN, "set_room_out_of_service", data, blocking=True)


async def test_close_with_reason_and_reopen_by_time(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The room closes with its reason shown, and reopens by itself at the given time."""
    until = dt_util.utcnow() + timedelta(hours=1)
    await _close(
        hass,
        device_id=_room_device_id(hass, loaded_site),
        reason="Desinfektion",
        until=until.isoformat(),
    )
    state = hass.states.get(IN_SERVICE)
    assert state.state == STATE_OFF
    assert state.attributes["reason"] == "Desinfektion"
    assert state.attributes["back_at"] == until.isoformat()

    freezer.tick(timedelta(minutes=59))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(IN_SERVICE).state == STATE_OFF

    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(IN_SERVICE)
    assert state.state == STATE_ON
    assert state.attributes["reason"] is None
    assert state.attributes["back_at"] is None


async def test_local_time_without_zone_is_site_time(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """The UI's date-time picker sends local time without a zone."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    local = dt_util.now().replace(tzinfo=None, microsecond=0) + timedelta(hours=3)
    await _close(hass, device_id=_room_device_id(hass, loaded_site), until=local.isoformat())
    back_at = dt_util.parse_datetime(hass.states.get(IN_SERVICE).attributes["back_at"])
    assert back_at == dt_util.as_utc(local.replace(tzinfo=dt_util.get_default_time_zone()))


async def test_manual_reopen_cancels_the_timer(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Reopened and closed again without an end: the old end time must not reopen it."""
    device_id = _room_device_id(hass, loaded_site)
    await _close(
        hass, device_id=device_id, until=(dt_util.utcnow() + timedelta(hours=1)).isoformat()
    )
    await hass.services.async_call("switch", "turn_on", {"entity_id": IN_SERVICE}, blocking=True)
    await _close(hass, device_id=device_id, reason="Gerät defekt")

    freezer.tick(timedelta(hours=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(IN_SERVICE)
    assert state.state == STATE_OFF
    assert state.attributes["reason"] == "Gerät defekt"


async def test_switch_off_keeps_an_existing_closure(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """Turning the switch off on a closed room keeps its reason."""
    await _close(hass, device_id=_room_device_id(hass, loaded_site), reason="Reinigung")
    await hass.services.async_call("switch", "turn_off", {"entity_id": IN_SERVICE}, blocking=True)
    assert hass.states.get(IN_SERVICE).attributes["reason"] == "Reinigung"


async def test_end_time_that_passed_during_downtime_reopens_at_start(
    hass: HomeAssistant, site_entry: MockConfigEntry, hass_storage: dict
) -> None:
    """After a restart past the end time the room is open, and that is stored."""
    key = f"{DOMAIN}.{site_entry.entry_id}.telemedicine"
    past = (dt_util.utcnow() - timedelta(minutes=5)).isoformat()
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {
            "rooms": {
                ROOM_SUBENTRY_ID: {
                    "in_service": False,
                    "changed_at": past,
                    "reason": "Desinfektion",
                    "back_at": past,
                }
            }
        },
    }
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(IN_SERVICE).state == STATE_ON
    assert hass_storage[key]["data"]["rooms"][ROOM_SUBENTRY_ID]["in_service"] is True


async def test_unload_cancels_the_reopening_timer(
    hass: HomeAssistant, loaded_site: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """An unloaded site does not act on its rooms."""
    until = dt_util.utcnow() + timedelta(minutes=10)
    await _close(hass, device_id=_room_device_id(hass, loaded_site), until=until.isoformat())
    room = loaded_site.runtime_data.subsystems["telemedicine"].rooms[ROOM_SUBENTRY_ID]
    assert await hass.config_entries.async_unload(loaded_site.entry_id)
    freezer.tick(timedelta(minutes=20))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert room.state.in_service is False


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"until": "2000-01-01T00:00:00+00:00"}, "back_at_not_in_future"),
        ({"reason": "x" * 101}, "reason_too_long"),
    ],
)
async def test_impossible_closure_is_a_translated_error(
    hass: HomeAssistant, loaded_site: MockConfigEntry, data: dict, key: str
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await _close(hass, device_id=_room_device_id(hass, loaded_site), **data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert hass.states.get(IN_SERVICE).state == STATE_ON


async def test_reason_is_measured_after_trimming(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    await _close(hass, device_id=_room_device_id(hass, loaded_site), reason=" " + "x" * 100 + " ")
    assert hass.states.get(IN_SERVICE).attributes["reason"] == "x" * 100


async def test_a_failed_write_changes_nothing(
    hass: HomeAssistant, loaded_site: MockConfigEntry, hass_storage: dict
) -> None:
    """Disk full: the action fails loudly and the room stays as it was, in memory too."""
    with (
        patch("homeassistant.helpers.storage.Store.async_save", side_effect=OSError("disk full")),
        pytest.raises(OSError, match="disk full"),
    ):
        await _close(hass, device_id=_room_device_id(hass, loaded_site), reason="Reinigung")
    room = loaded_site.runtime_data.subsystems["telemedicine"].rooms[ROOM_SUBENTRY_ID]
    assert room.state.in_service is True
    assert room.state.reason is None
    assert hass.states.get(IN_SERVICE).state == STATE_ON
    assert f"{DOMAIN}.{loaded_site.entry_id}.telemedicine" not in hass_storage


async def test_device_that_is_not_a_room(
    hass: HomeAssistant, loaded_site: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Unknown devices, the site device and other integrations' devices are refused."""
    site = device_registry.async_get_device_by_identifier(
        (DOMAIN, loaded_site.entry_id), loaded_site.entry_id
    )
    other_entry = MockConfigEntry(domain="demo")
    other_entry.add_to_hass(hass)
    other = device_registry.async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={("demo", "x")}
    )
    for device_id in ("no-such-device", site.id, other.id):
        with pytest.raises(ServiceValidationError) as err:
            await _close(hass, device_id=device_id)
        assert err.value.translation_key == "not_a_telemedicine_room", device_id
        assert err.value.translation_placeholders == {"device_id": device_id}


async def test_site_not_loaded(hass: HomeAssistant, loaded_site: MockConfigEntry) -> None:
    device_id = _room_device_id(hass, loaded_site)
    assert await hass.config_entries.async_unload(loaded_site.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _close(hass, device_id=device_id)
    assert err.value.translation_key == "site_not_loaded"
    assert err.value.translation_placeholders == {"site": "Jena-Lobeda"}


async def test_action_exists_without_any_site(hass: HomeAssistant) -> None:
    """Actions are registered with the integration, not with a site."""
    assert await async_setup_component(hass, DOMAIN, {})
    assert hass.services.has_service(DOMAIN, "set_room_out_of_service")
