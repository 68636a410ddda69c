"""FHIR R4 Observations of vital signs for the remote doctor (pure: dicts, no HTTP).

Category vital-signs, LOINC codes and UCUM units as the FHIR vital-signs profiles use them;
blood pressure as the panel 85354-9 with systolic and diastolic components, the pulse of a
blood pressure measurement as its own heart-rate Observation. The patient is never named: the
subject is the consultation's pseudonymous reference (an appointment reference), and every
Observation carries a measurement identifier so that a retried POST can be recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import readings
from .session import Reading

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SUBJECT_SYSTEM = "urn:smart-quarter:appointment"
MEASUREMENT_SYSTEM = "urn:smart-quarter:measurement"


@dataclass(frozen=True, slots=True)
class Vital:
    """One LOINC-coded vital sign."""

    loinc: str
    display: str
    unit: str
    ucum: str


BLOOD_PRESSURE_PANEL = Vital("85354-9", "Blood pressure panel with all children optional", "", "")
SYSTOLIC = Vital("8480-6", "Systolic blood pressure", "mmHg", "mm[Hg]")
DIASTOLIC = Vital("8462-4", "Diastolic blood pressure", "mmHg", "mm[Hg]")
MEAN_ARTERIAL = Vital("8478-0", "Mean blood pressure", "mmHg", "mm[Hg]")
HEART_RATE = Vital("8867-4", "Heart rate", "beats/minute", "/min")
BODY_TEMPERATURE = Vital("8310-5", "Body temperature", "C", "Cel")
BODY_WEIGHT = Vital("29463-7", "Body weight", "kg", "kg")
OXYGEN_SATURATION = Vital(
    "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "%"
)
GLUCOSE = Vital(
    "41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer", "mg/dL", "mg/dL"
)


@dataclass(frozen=True, slots=True)
class Context:
    """Who (pseudonymously), when and with what a measurement was taken."""

    measurement_id: str
    subject: str
    """The consultation's pseudonymous reference (never a name)."""
    effective: datetime
    device: str | None = None


def _code(vital: Vital) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": vital.loinc, "display": vital.display}]}


def _quantity(vital: Vital, value: float) -> dict[str, Any]:
    return {"value": value, "unit": vital.unit, "system": UCUM, "code": vital.ucum}


def _base(context: Context, vital: Vital, suffix: str = "") -> dict[str, Any]:
    if context.effective.tzinfo is None:
        raise ValueError("effective time needs a zone")
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": [{"system": MEASUREMENT_SYSTEM, "value": context.measurement_id + suffix}],
        "status": "final",
        "category": [
            {"coding": [{"system": CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}
        ],
        "code": _code(vital),
        "subject": {"identifier": {"system": SUBJECT_SYSTEM, "value": context.subject}},
        "effectiveDateTime": context.effective.isoformat(),
    }
    if context.device:
        observation["device"] = {"display": context.device}
    return observation


def single(context: Context, vital: Vital, value: float) -> dict[str, Any]:
    """Return one vital sign as an Observation."""
    return {**_base(context, vital), "valueQuantity": _quantity(vital, value)}


def blood_pressure(
    context: Context,
    systolic: float,
    diastolic: float,
    mean_arterial: float | None = None,
    pulse: float | None = None,
) -> list[dict[str, Any]]:
    """Return the blood pressure panel (and the pulse as a heart-rate Observation)."""
    components = [
        {"code": _code(SYSTOLIC), "valueQuantity": _quantity(SYSTOLIC, systolic)},
        {"code": _code(DIASTOLIC), "valueQuantity": _quantity(DIASTOLIC, diastolic)},
    ]
    if mean_arterial is not None:
        components.append(
            {"code": _code(MEAN_ARTERIAL), "valueQuantity": _quantity(MEAN_ARTERIAL, mean_arterial)}
        )
    observations = [{**_base(context, BLOOD_PRESSURE_PANEL), "component": components}]
    if pulse is not None:
        observations.append(
            {**_base(context, HEART_RATE, "-pulse"), "valueQuantity": _quantity(HEART_RATE, pulse)}
        )
    return observations


def observations_of(reading: Reading, subject: str) -> list[dict[str, Any]]:
    """Return the Observations of a reading for the consultation's pseudonymous subject."""
    context = Context(reading.reading_id, subject, reading.at, reading.device)
    values = reading.values
    match reading.kind:
        case readings.KIND_BLOOD_PRESSURE:
            return blood_pressure(
                context,
                values[readings.SYSTOLIC],
                values[readings.DIASTOLIC],
                values.get(readings.MEAN_ARTERIAL),
                values.get(readings.PULSE),
            )
        case readings.KIND_GLUCOSE:
            return [single(context, GLUCOSE, values[readings.GLUCOSE_MG_DL])]
        case readings.KIND_THERMOMETER:
            return [single(context, BODY_TEMPERATURE, values[readings.TEMPERATURE])]
        case readings.KIND_WEIGHT_SCALE:
            return [single(context, BODY_WEIGHT, values[readings.WEIGHT])]
        case readings.KIND_PULSE_OXIMETER:
            found = [single(context, OXYGEN_SATURATION, values[readings.SPO2])]
            if (pulse := values.get(readings.PULSE)) is not None:
                found.append(
                    {
                        **_base(context, HEART_RATE, "-pulse"),
                        "valueQuantity": _quantity(HEART_RATE, pulse),
                    }
                )
            return found
    return []
