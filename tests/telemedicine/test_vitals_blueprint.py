"""The vitals-out-of-range blueprint, run as an automation in Home Assistant."""

from __future__ import annotations

from pathlib import Path
import shutil

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

BLUEPRINT = (
    Path(__file__).parents[2]
    / "blueprints"
    / "automation"
    / "smart_quarter"
    / "vitals_out_of_range.yaml"
)
ROOM_DEVICE = "room-device-1"


@pytest.fixture
async def automation(hass: HomeAssistant) -> None:
    """An automation from the blueprint for one room, with the default notification."""
    target = Path(hass.config.path("blueprints/automation/smart_quarter"))

    def _install() -> None:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(BLUEPRINT, target / BLUEPRINT.name)

    await hass.async_add_executor_job(_install)
    assert await async_setup_component(hass, "persistent_notification", {})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "vitals",
                "use_blueprint": {
                    "path": f"smart_quarter/{BLUEPRINT.name}",
                    "input": {"room": ROOM_DEVICE},
                },
            }
        },
    )
    await hass.async_block_till_done()


def _measured(hass: HomeAssistant, values: dict[str, float], room: str = ROOM_DEVICE) -> None:
    hass.bus.async_fire(
        "smart_quarter_vitals_measured",
        {
            "room_id": "r",
            "room_device_id": room,
            "room": "TMR Lobeda",
            "device": "Blutdruck",
            "kind": "blood_pressure",
            "values": values,
            "flags": [],
            "measured_at": "2026-11-23T10:00:00+01:00",
            "in_session": True,
        },
    )


def _messages(hass: HomeAssistant) -> list[str]:
    return [
        n["message"]
        for n in persistent_notification._async_get_or_create_notifications(hass).values()
    ]


@pytest.mark.usefixtures("automation")
async def test_out_of_range_values_notify_with_what_is_wrong(hass: HomeAssistant) -> None:
    _measured(hass, {"systolic": 186, "diastolic": 121, "mean_arterial": 142, "pulse": 92})
    await hass.async_block_till_done()
    expected = (
        "TMR Lobeda, Blutdruck: systolisch 186 mmHg, diastolisch 121 mmHg "
        "(während der Konsultation)."
    )
    assert _messages(hass) == [expected]


@pytest.mark.usefixtures("automation")
@pytest.mark.parametrize(
    ("values", "room"),
    [
        ({"systolic": 135, "diastolic": 85, "pulse": 70}, ROOM_DEVICE),  # in range
        ({"spo2": 96, "pulse": 66}, ROOM_DEVICE),
        ({"systolic": 200, "diastolic": 130}, "another-room"),  # not this room
    ],
)
async def test_in_range_or_other_room_is_quiet(
    hass: HomeAssistant, values: dict[str, float], room: str
) -> None:
    _measured(hass, values, room)
    await hass.async_block_till_done()
    assert _messages(hass) == []


@pytest.mark.usefixtures("automation")
async def test_low_oxygen_saturation(hass: HomeAssistant) -> None:
    _measured(hass, {"spo2": 87, "pulse": 104})
    await hass.async_block_till_done()
    assert _messages(hass) == ["TMR Lobeda, Blutdruck: SpO2 87 % (während der Konsultation)."]
