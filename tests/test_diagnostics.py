"""Diagnostics: the configuration and subsystem state, with location and addresses redacted."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import ROOM_SUBENTRY_ID

REDACTED = "**REDACTED**"


async def test_diagnostics_redact_personal_data(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, loaded_site: MockConfigEntry
) -> None:
    """Coordinates and the room address never leave Home Assistant; the structure does."""
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.tmr_lobeda_in_service"}, blocking=True
    )
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_site)

    entry = result["entry"]
    assert entry["title"] == "Jena-Lobeda"
    assert entry["data"] == {"name": "Jena-Lobeda", "latitude": REDACTED, "longitude": REDACTED}
    assert entry["options"] == {"mqtt_base_topic": "smart_quarter/jena_lobeda"}
    [room] = entry["subentries"]
    assert room["subentry_id"] == ROOM_SUBENTRY_ID
    assert room["data"] == {"name": "TMR Lobeda", "address": REDACTED}

    assert result["subsystems"]["telemedicine"]["rooms"][ROOM_SUBENTRY_ID]["in_service"] is False
    dumped = json.dumps(result)
    for secret in ("50.8876", "11.6134", "Karl-Marx-Allee"):
        assert secret not in dumped
