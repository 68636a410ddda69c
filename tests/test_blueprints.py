"""Blueprints and dashboards: valid for Home Assistant, and the dashboards' entities exist."""

from __future__ import annotations

from pathlib import Path
import re

from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item,
)
from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

REPO = Path(__file__).parent.parent
BLUEPRINTS = sorted((REPO / "blueprints" / "automation" / "smart_quarter").glob("*.yaml"))


EXAMPLE_DEVICE_IDS: dict[str, str] = {}


def test_there_are_blueprints() -> None:
    for path in BLUEPRINTS:
        assert "smart_quarter" in path.read_text("utf-8"), path
    assert {path.name for path in BLUEPRINTS} >= {
        "emergency_to_care_phone.yaml",
        "inactivity_wellness_check.yaml",
        "soil_moisture_irrigation.yaml",
        "tank_low_notification.yaml",
        "vitals_out_of_range.yaml",
        "robot_to_patient_on_alarm.yaml",
        "robot_greet_at_check_in.yaml",
        "robot_appointment_reminder.yaml",
    }


EXAMPLE_INPUTS = {
    "emergency_to_care_phone.yaml": {"phone": "0123456789abcdef0123456789abcdef"},
    "soil_moisture_irrigation.yaml": {
        "moisture": "sensor.beet_west_bodenfeuchte",
        "valve": "valve.beet_west_ventil",
        "temperature": "sensor.fassade_nord_temperatur_unbegrunte_wand_1",
        "rain": ["binary_sensor.regen"],
        "tank": ["sensor.fassade_nord_tankfullstand"],
    },
    "tank_low_notification.yaml": {
        "tank": "sensor.fassade_nord_tankfullstand",
        "phone": "0123456789abcdef0123456789abcdef",
    },
    "vitals_out_of_range.yaml": {"room": "fedcba9876543210fedcba9876543210"},
    "robot_to_patient_on_alarm.yaml": {
        "apartment": "fedcba9876543210fedcba9876543210",
        "robot": "fedcba9876543210fedcba9876543210",
    },
    "robot_greet_at_check_in.yaml": {
        "apartment": "fedcba9876543210fedcba9876543210",
        "robot": "fedcba9876543210fedcba9876543210",
    },
    "robot_appointment_reminder.yaml": {
        "appointment": "sensor.gesundheitswohnung_1_nachster_termin_des_gastes",
        "robot": "fedcba9876543210fedcba9876543210",
    },
    "inactivity_wellness_check.yaml": {
        "apartment": "fedcba9876543210fedcba9876543210",
        "motion": ["binary_sensor.bewegung_wohnzimmer", "binary_sensor.bewegung_bad"],
    },
}


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.name)
async def test_blueprint_makes_a_valid_automation(hass: HomeAssistant, path: Path) -> None:
    """The blueprint is valid, and an automation made from it passes HA's validation."""
    # The devices the example inputs name must exist for device actions to validate.
    registry = dr.async_get(hass)
    for domain, device_id in (
        ("mobile_app", "0123456789abcdef0123456789abcdef"),
        ("smart_quarter", "fedcba9876543210fedcba9876543210"),
    ):
        entry = MockConfigEntry(domain=domain)
        entry.add_to_hass(hass)
        device = registry.async_get_or_create(
            config_entry_id=entry.entry_id, identifiers={(domain, device_id)}
        )
        EXAMPLE_DEVICE_IDS[device_id] = device.id
    blueprint = Blueprint(
        load_yaml_dict(str(path)),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    # Bilingual names, as the users are German speaking and the docs English.
    assert "/" in blueprint.name
    example = {
        key: EXAMPLE_DEVICE_IDS.get(value, value) if isinstance(value, str) else value
        for key, value in EXAMPLE_INPUTS[path.name].items()
    }
    inputs = BlueprintInputs(blueprint, {"use_blueprint": {"path": path.name, "input": example}})
    inputs.validate()
    config = inputs.async_substitute()
    validated = await async_validate_config_item(hass, "test", {"id": "x", **config})
    assert validated is not None
    assert validated.validation_status == "ok", validated.validation_error


def test_dashboards_load_and_use_only_core_cards() -> None:
    core_cards = {
        "heading",
        "tile",
        "button",
        "logbook",
        "entities",
        "grid",
        "history-graph",
        "statistics-graph",
        "markdown",
        "conditional",
    }
    # Our own cards (shipped in the integration's bundle) are the only others allowed.
    sources = (REPO / "custom_components" / "smart_quarter" / "frontend" / "src").glob("*.ts")
    own_cards = {
        f"custom:{name}"
        for source in sources
        for name in re.findall(r'customElements\.define\("([\w-]+-card)"', source.read_text())
    }
    assert own_cards == {"custom:smart-quarter-next-booking-card"}
    for path in (REPO / "dashboards").glob("*.yaml"):
        dashboard = load_yaml_dict(str(path))
        cards = [
            card
            for view in dashboard["views"]
            for section in view.get("sections", [{"cards": view.get("cards", [])}])
            for card in section["cards"]
            for card in (card, card.get("card", card))  # a conditional card's card too
        ]
        assert cards, path
        assert {card["type"] for card in cards} <= core_cards | own_cards, path
