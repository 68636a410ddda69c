"""Set-up, unload, reload and removal of a site, and the devices it owns."""

from __future__ import annotations

from collections.abc import Iterable
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_quarter.const import DOMAIN
from custom_components.smart_quarter.entity import EntityGroup
from custom_components.smart_quarter.subsystem import Subsystem
from custom_components.smart_quarter.telemedicine.subsystem import TelemedicineSubsystem

from .conftest import ROOM_SUBENTRY_ID

IN_SERVICE = "switch.tmr_lobeda_in_service"


async def test_setup_and_unload(hass: HomeAssistant, loaded_site: MockConfigEntry) -> None:
    """A loaded site has its subsystems in runtime_data; unloading removes the entities."""
    assert loaded_site.state is ConfigEntryState.LOADED
    assert set(loaded_site.runtime_data.subsystems) == {
        "emergency",
        "telemedicine",
        "facade",
        "booking",
        "robot",
        "smart_home",
    }
    assert hass.states.get(IN_SERVICE) is not None

    assert await hass.config_entries.async_unload(loaded_site.entry_id)
    await hass.async_block_till_done()
    assert loaded_site.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(IN_SERVICE).state == "unavailable"


async def test_site_and_subentries_are_devices(
    hass: HomeAssistant, loaded_site: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """The site is a service device; each subentry a device linked through it."""
    site = device_registry.async_get_device_by_identifier(
        (DOMAIN, loaded_site.entry_id), loaded_site.entry_id
    )
    assert site is not None
    assert site.name == "Jena-Lobeda"
    assert site.entry_type is dr.DeviceEntryType.SERVICE
    assert site.manufacturer == "Smart Quarter"
    room = device_registry.async_get_device_by_identifier(
        (DOMAIN, ROOM_SUBENTRY_ID), loaded_site.entry_id
    )
    assert room is not None
    assert room.via_device_id == site.id
    assert room.config_subentry_id == ROOM_SUBENTRY_ID


async def test_stale_devices_are_removed_at_setup(
    hass: HomeAssistant, site_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A device of the site that no subentry explains any more is removed."""
    site_entry.add_to_hass(hass)
    stale = device_registry.async_get_or_create(
        config_entry_id=site_entry.entry_id, identifiers={(DOMAIN, "gone-room")}
    )
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    assert device_registry.async_get(stale.id) is None
    assert len(dr.async_entries_for_config_entry(device_registry, site_entry.entry_id)) == 2


async def test_devices_a_subsystem_claims_are_kept(
    hass: HomeAssistant, site_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A device a subsystem registers itself (e.g. a vitals device) survives the sweep."""
    site_entry.add_to_hass(hass)
    claimed = device_registry.async_get_or_create(
        config_entry_id=site_entry.entry_id, identifiers={(DOMAIN, "aa:bb:cc:dd:ee:ff")}
    )
    with patch.object(
        TelemedicineSubsystem, "device_identifiers", return_value={"aa:bb:cc:dd:ee:ff"}
    ):
        assert await hass.config_entries.async_setup(site_entry.entry_id)
        await hass.async_block_till_done()
    assert device_registry.async_get(claimed.id) is not None


async def test_subsystem_not_ready_retries_and_stops_what_started(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """When a later subsystem is not ready, the ones already started are stopped again."""

    class BrokerMissing(Subsystem):
        key = "broker_missing"
        subentry_flows = {}  # noqa: RUF012
        platforms = frozenset()

        async def async_setup(self) -> None:
            raise ConfigEntryNotReady("broker not reachable")

        def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
            return ()

    site_entry.add_to_hass(hass)
    with (
        patch(
            "custom_components.smart_quarter.SUBSYSTEMS",
            (TelemedicineSubsystem, BrokerMissing),
        ),
        patch.object(TelemedicineSubsystem, "async_unload", autospec=True) as unload,
    ):
        await hass.config_entries.async_setup(site_entry.entry_id)
        await hass.async_block_till_done()
    assert site_entry.state is ConfigEntryState.SETUP_RETRY
    assert unload.call_count == 1


async def test_removing_the_site_deletes_stored_state(
    hass: HomeAssistant, loaded_site: MockConfigEntry, hass_storage: dict
) -> None:
    """Nothing of a removed site stays in .storage."""
    await hass.services.async_call("switch", "turn_off", {"entity_id": IN_SERVICE}, blocking=True)
    key = f"{DOMAIN}.{loaded_site.entry_id}.telemedicine"
    assert key in hass_storage

    assert await hass.config_entries.async_remove(loaded_site.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_unload_stops_nothing_when_platforms_refuse(
    hass: HomeAssistant, loaded_site: MockConfigEntry
) -> None:
    """If a platform cannot unload, the subsystems keep running and the entry stays loaded."""
    with (
        patch.object(hass.config_entries, "async_unload_platforms", return_value=False),
        patch.object(TelemedicineSubsystem, "async_unload", autospec=True) as unload,
    ):
        assert not await hass.config_entries.async_unload(loaded_site.entry_id)
    assert unload.call_count == 0
    assert loaded_site.state is ConfigEntryState.FAILED_UNLOAD


async def test_subsystem_defaults(hass: HomeAssistant, loaded_site: MockConfigEntry) -> None:
    """A subsystem without diagnostics reports an empty dict; rooms have no valves."""

    class Quiet(Subsystem):
        key = "quiet"
        subentry_flows = {}  # noqa: RUF012
        platforms = frozenset()

        def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
            return ()

    assert Quiet(hass, loaded_site).diagnostics() == {}
    assert Quiet(hass, loaded_site).subentries() == []
    telemedicine = loaded_site.runtime_data.subsystems["telemedicine"]
    assert list(telemedicine.entity_groups(Platform.VALVE)) == []


def test_runtime_subsystem_lookup_is_typed(hass: HomeAssistant) -> None:
    """A subsystem registered under another kind's key is a programming error, said clearly."""
    import pytest

    from custom_components.smart_quarter.runtime import SiteRuntime

    runtime = SiteRuntime(hass, subsystems={"telemedicine": object()})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="telemedicine is a object"):
        runtime.subsystem(TelemedicineSubsystem)


async def test_a_subentry_added_during_set_up_is_not_lost(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """A second subentry added while the site (re)loads triggers another reload."""
    from homeassistant.config_entries import ConfigSubentry

    from .common import room_subentry

    site_entry.add_to_hass(hass)
    original_setup = TelemedicineSubsystem.async_setup
    added = False

    async def setup_and_add_a_room(self: TelemedicineSubsystem) -> None:
        nonlocal added
        await original_setup(self)
        if not added:
            added = True
            data = room_subentry("01JROOMLATE000000000000000", "Spät hinzugefügt")
            hass.config_entries.async_add_subentry(site_entry, ConfigSubentry(**data))

    with patch.object(TelemedicineSubsystem, "async_setup", setup_and_add_a_room):
        assert await hass.config_entries.async_setup(site_entry.entry_id)
        await hass.async_block_till_done()
    assert hass.states.get("switch.spat_hinzugefugt_in_service") is not None


async def test_entities_of_a_late_subentry_are_named_after_it(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """Even when its device is first created by the entity platform, not by the site."""
    from homeassistant.config_entries import ConfigSubentry

    from custom_components.smart_quarter import _async_register_devices

    from .common import room_subentry

    site_entry.add_to_hass(hass)
    late = room_subentry("01JROOMLATE000000000000000", "Raum Spät")

    def register_then_add(hass_: HomeAssistant, entry: MockConfigEntry) -> None:
        _async_register_devices(hass_, entry)
        if "01JROOMLATE000000000000000" not in entry.subentries:
            hass_.config_entries.async_add_subentry(entry, ConfigSubentry(**late))

    with patch(
        "custom_components.smart_quarter._async_register_devices", side_effect=register_then_add
    ):
        assert await hass.config_entries.async_setup(site_entry.entry_id)
        await hass.async_block_till_done()
    assert hass.states.get("switch.raum_spat_in_service") is not None


async def test_a_failed_subsystem_set_up_is_undone(
    hass: HomeAssistant, site_entry: MockConfigEntry
) -> None:
    """The emergency part fails after registering its callback webhook: undone, so a retry
    can register it again (it used to fail with "Handler is already defined")."""
    from unittest.mock import patch

    site_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        site_entry,
        options={
            **site_entry.options,
            "care_webhook_url": "https://pflege.example/alarm",
            "care_webhook_secret": "0123456789abcdef",
        },
    )
    with patch(
        "custom_components.smart_quarter.emergency.subsystem.async_attach_mqtt_input",
        side_effect=RuntimeError("boom"),
    ):
        assert not await hass.config_entries.async_setup(site_entry.entry_id)
    assert await hass.config_entries.async_reload(site_entry.entry_id)
    assert site_entry.state is ConfigEntryState.LOADED
