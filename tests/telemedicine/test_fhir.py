"""FHIR Observations of vital signs, validated with the fhir.resources package (R4B models)."""

from __future__ import annotations

from datetime import UTC, datetime

from fhir.resources.R4B.observation import Observation
import pytest

from custom_components.smart_quarter.telemedicine.fhir import (
    BODY_TEMPERATURE,
    BODY_WEIGHT,
    GLUCOSE,
    OXYGEN_SATURATION,
    Context,
    blood_pressure,
    single,
)

CONTEXT = Context("m-0001", "appt-7f3a", datetime(2026, 11, 23, 9, 30, tzinfo=UTC), "BM54")


def _valid(resource: dict) -> Observation:
    return Observation.model_validate(resource)


def test_blood_pressure_panel_and_pulse() -> None:
    panel, pulse = blood_pressure(CONTEXT, 128, 84, 99, 71)
    observation = _valid(panel)
    assert observation.code.coding[0].code == "85354-9"
    assert [c.code.coding[0].code for c in observation.component] == ["8480-6", "8462-4", "8478-0"]
    assert observation.component[0].valueQuantity.code == "mm[Hg]"
    assert observation.category[0].coding[0].code == "vital-signs"
    assert observation.subject.identifier.value == "appt-7f3a"
    heart = _valid(pulse)
    assert (heart.code.coding[0].code, heart.valueQuantity.code) == ("8867-4", "/min")
    assert heart.identifier[0].value == "m-0001-pulse"
    assert len(blood_pressure(CONTEXT, 128, 84)) == 1


@pytest.mark.parametrize(
    ("vital", "value", "loinc", "ucum"),
    [
        (BODY_TEMPERATURE, 36.9, "8310-5", "Cel"),
        (BODY_WEIGHT, 73.0, "29463-7", "kg"),
        (OXYGEN_SATURATION, 97, "59408-5", "%"),
        (GLUCOSE, 95.0, "41653-7", "mg/dL"),
    ],
)
def test_single_vitals(vital: object, value: float, loinc: str, ucum: str) -> None:
    observation = _valid(single(CONTEXT, vital, value))  # type: ignore[arg-type]
    assert (observation.code.coding[0].code, observation.valueQuantity.code) == (loinc, ucum)
    assert observation.valueQuantity.system == "http://unitsofmeasure.org"
    assert observation.device.display == "BM54"


def test_no_names_and_zoned_times_only() -> None:
    resource = single(CONTEXT, BODY_WEIGHT, 70)
    text = str(resource)
    assert "name" not in resource["subject"]
    assert "appt-7f3a" in text
    with pytest.raises(ValueError, match="zone"):
        single(Context("m", "s", datetime(2026, 1, 1)), BODY_WEIGHT, 70)  # noqa: DTZ001
