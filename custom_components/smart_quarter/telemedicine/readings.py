"""Measurements of the health profiles as readings: one shape for every device kind (pure).

A reading keeps the converted values under fixed keys, the time of measurement, the status
flags the device reported and a stable id, so the same stored record read twice (a glucose
meter asked again, an indication repeated after a lost confirmation) is recognised.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
import hashlib

from .health_profiles import BloodPressure, Glucose, Oximetry, Temperature, Weight
from .session import Reading

KIND_BLOOD_PRESSURE = "blood_pressure"
KIND_GLUCOSE = "glucose"
KIND_THERMOMETER = "thermometer"
KIND_PULSE_OXIMETER = "pulse_oximeter"
KIND_WEIGHT_SCALE = "weight_scale"
KIND_STETHOSCOPE = "stethoscope"
MEASURING_KINDS = (
    KIND_BLOOD_PRESSURE,
    KIND_GLUCOSE,
    KIND_THERMOMETER,
    KIND_PULSE_OXIMETER,
    KIND_WEIGHT_SCALE,
)

SYSTOLIC = "systolic"
DIASTOLIC = "diastolic"
MEAN_ARTERIAL = "mean_arterial"
PULSE = "pulse"
GLUCOSE_MG_DL = "glucose"
GLUCOSE_MMOL_L = "glucose_mmol"
TEMPERATURE = "temperature"
SPO2 = "spo2"
WEIGHT = "weight"
BMI = "bmi"

FLAG_BODY_MOVEMENT = "body_movement"
FLAG_CUFF_TOO_LOOSE = "cuff_too_loose"
FLAG_IRREGULAR_PULSE = "irregular_pulse"
FLAG_PULSE_OUT_OF_RANGE = "pulse_out_of_range"
FLAG_IMPROPER_POSITION = "improper_position"
BLOOD_PRESSURE_FLAGS = (
    FLAG_BODY_MOVEMENT,
    FLAG_CUFF_TOO_LOOSE,
    FLAG_IRREGULAR_PULSE,
    FLAG_PULSE_OUT_OF_RANGE,
    FLAG_IMPROPER_POSITION,
)

CLOCK_TOLERANCE = timedelta(minutes=5)
"""A device time further in the future than this is a wrong clock: the reception time counts."""

type Measurement = BloodPressure | Glucose | Temperature | Oximetry | Weight


def measured_at(device_time: datetime | None, received: datetime, zone: tzinfo) -> datetime:
    """When the measurement was taken: the device's local time if plausible, else reception."""
    if device_time is None:
        return received
    at = device_time.replace(tzinfo=zone)
    return received if at > received + CLOCK_TOLERANCE else at


def _values(pairs: dict[str, float | None]) -> dict[str, float]:
    return {key: value for key, value in pairs.items() if value is not None}


def to_reading(
    measurement: Measurement, device: str, received: datetime, zone: tzinfo
) -> Reading | None:
    """Turn a parsed measurement into a reading; None for what is not a result (cuff inflating)."""
    flags: tuple[str, ...] = ()
    sequence = ""
    match measurement:
        case BloodPressure(intermediate=True):
            return None
        case BloodPressure():
            kind = KIND_BLOOD_PRESSURE
            values = _values(
                {
                    SYSTOLIC: measurement.systolic,
                    DIASTOLIC: measurement.diastolic,
                    MEAN_ARTERIAL: measurement.mean_arterial,
                    PULSE: measurement.pulse,
                }
            )
            flags = tuple(
                flag
                for flag, on in (
                    (FLAG_BODY_MOVEMENT, measurement.body_movement),
                    (FLAG_CUFF_TOO_LOOSE, measurement.cuff_too_loose),
                    (FLAG_IRREGULAR_PULSE, measurement.irregular_pulse),
                    (FLAG_PULSE_OUT_OF_RANGE, measurement.pulse_rate_range != 0),
                    (FLAG_IMPROPER_POSITION, measurement.improper_position),
                )
                if on
            )
        case Glucose():
            if measurement.mg_dl is None or measurement.mmol_l is None:
                return None  # a record without a concentration (a control or a failed strip)
            kind = KIND_GLUCOSE
            values = {GLUCOSE_MG_DL: measurement.mg_dl, GLUCOSE_MMOL_L: measurement.mmol_l}
            sequence = str(measurement.sequence)
        case Temperature():
            kind = KIND_THERMOMETER
            values = _values({TEMPERATURE: measurement.celsius})
        case Oximetry():
            if measurement.spo2 is None:
                return None  # a continuous sample while the finger is out
            kind = KIND_PULSE_OXIMETER
            values = _values({SPO2: measurement.spo2, PULSE: measurement.pulse})
        case Weight():
            kind = KIND_WEIGHT_SCALE
            values = _values({WEIGHT: measurement.kg, BMI: measurement.bmi})
    at = measured_at(measurement.time, received, zone)
    key = f"{device}|{kind}|{sequence or at.isoformat()}|{sorted(values.items())}"
    reading_id = hashlib.sha256(key.encode()).hexdigest()[:24]
    return Reading(kind, values, at, device, flags, reading_id)
