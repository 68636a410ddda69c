"""Parsers of the Bluetooth SIG health profiles (pure: bytes in, measurements out).

Blood Pressure (0x2A35 measurement, 0x2A36 intermediate cuff pressure), Glucose (0x2A18
measurement, 0x2A34 context, 0x2A52 Record Access Control Point), Health Thermometer (0x2A1C),
Pulse Oximeter (0x2A5E spot-check, 0x2A5F continuous), Weight Scale (0x2A9D), Battery Level
(0x2A19) and Device Information (0x180A strings). Every flag is honoured, both units are
converted, special SFLOAT/FLOAT values become None with the reason kept, and every corrupt
frame - too short, too long, reserved flags, a failed measurement dressed as numbers - raises
GattParseError and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

from .gatt import GattParseError, Reader, Special

KPA_TO_MMHG = 7.500615
LB_TO_KG = 0.45359237
MAX_SEQUENCE = 0xFFFF

UUID_BLOOD_PRESSURE_SERVICE = "00001810-0000-1000-8000-00805f9b34fb"
UUID_GLUCOSE_SERVICE = "00001808-0000-1000-8000-00805f9b34fb"
UUID_THERMOMETER_SERVICE = "00001809-0000-1000-8000-00805f9b34fb"
UUID_PULSE_OXIMETER_SERVICE = "00001822-0000-1000-8000-00805f9b34fb"
UUID_WEIGHT_SCALE_SERVICE = "0000181d-0000-1000-8000-00805f9b34fb"
UUID_BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"
UUID_DEVICE_INFORMATION_SERVICE = "0000180a-0000-1000-8000-00805f9b34fb"
UUID_CURRENT_TIME_SERVICE = "00001805-0000-1000-8000-00805f9b34fb"

UUID_BLOOD_PRESSURE_MEASUREMENT = "00002a35-0000-1000-8000-00805f9b34fb"
UUID_INTERMEDIATE_CUFF_PRESSURE = "00002a36-0000-1000-8000-00805f9b34fb"
UUID_GLUCOSE_MEASUREMENT = "00002a18-0000-1000-8000-00805f9b34fb"
UUID_GLUCOSE_CONTEXT = "00002a34-0000-1000-8000-00805f9b34fb"
UUID_RACP = "00002a52-0000-1000-8000-00805f9b34fb"
UUID_TEMPERATURE_MEASUREMENT = "00002a1c-0000-1000-8000-00805f9b34fb"
UUID_PLX_SPOT_CHECK = "00002a5e-0000-1000-8000-00805f9b34fb"
UUID_PLX_CONTINUOUS = "00002a5f-0000-1000-8000-00805f9b34fb"
UUID_WEIGHT_MEASUREMENT = "00002a9d-0000-1000-8000-00805f9b34fb"
UUID_BATTERY_LEVEL = "00002a19-0000-1000-8000-00805f9b34fb"
UUID_CURRENT_TIME = "00002a2b-0000-1000-8000-00805f9b34fb"


def _number(value: float | Special) -> float | None:
    return None if isinstance(value, Special) else value


def _check_reserved(flags: int, allowed: int, name: str) -> None:
    if flags & ~allowed & 0xFF:
        raise GattParseError("reserved_flags", f"{name}: flags 0x{flags:02x}")


# --- Blood pressure -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BloodPressure:
    """A blood pressure measurement (or an intermediate cuff pressure), in mmHg."""

    systolic: float | None
    diastolic: float | None
    mean_arterial: float | None
    unit_was_kpa: bool
    time: datetime | None = None
    pulse: float | None = None
    user_id: int | None = None
    body_movement: bool = False
    cuff_too_loose: bool = False
    irregular_pulse: bool = False
    pulse_rate_range: int = 0
    """0 within range, 1 exceeds upper limit, 2 below lower limit."""
    improper_position: bool = False
    intermediate: bool = False


def parse_blood_pressure(frame: bytes, *, intermediate: bool = False) -> BloodPressure:
    """Parse 0x2A35 (or 0x2A36 with intermediate=True)."""
    reader = Reader(frame, "blood pressure")
    flags = reader.u8()
    _check_reserved(flags, 0x1F, "blood pressure")
    kpa = bool(flags & 0x01)
    raw = [reader.sfloat() for _ in range(3)]
    time = reader.date_time() if flags & 0x02 else None
    pulse = _number(reader.sfloat()) if flags & 0x04 else None
    user_id = reader.u8() if flags & 0x08 else None
    status = reader.u16() if flags & 0x10 else 0
    reader.end()
    values = [_number(value) for value in raw]
    if not intermediate and (values[0] is None or values[1] is None):
        # Devices send NaN pressures when the cuff measurement failed ("Err" on the display).
        raise GattParseError("failed_measurement", "no systolic or diastolic value")
    factor = KPA_TO_MMHG if kpa else 1.0
    mmhg = [round(value * factor, 1) if value is not None else None for value in values]
    return BloodPressure(
        systolic=mmhg[0],
        diastolic=mmhg[1],
        mean_arterial=mmhg[2],
        unit_was_kpa=kpa,
        time=time,
        pulse=pulse,
        user_id=user_id,
        body_movement=bool(status & 0x0001),
        cuff_too_loose=bool(status & 0x0002),
        irregular_pulse=bool(status & 0x0004),
        pulse_rate_range=(status >> 3) & 0x03,
        improper_position=bool(status & 0x0020),
        intermediate=intermediate,
    )


# --- Glucose ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Glucose:
    """A glucose record, in both mg/dL and mmol/L."""

    sequence: int
    time: datetime | None
    mg_dl: float | None
    mmol_l: float | None
    sample_type: int | None = None
    sample_location: int | None = None
    sensor_status: int = 0
    context_follows: bool = False


def parse_glucose(frame: bytes) -> Glucose:
    """Parse 0x2A18; the time offset (minutes) is applied to the base time."""
    reader = Reader(frame, "glucose")
    flags = reader.u8()
    _check_reserved(flags, 0x1F, "glucose")
    sequence = reader.u16()
    base = reader.date_time()
    offset = reader.s16() if flags & 0x01 else 0
    mg_dl = mmol_l = None
    sample_type = sample_location = None
    if flags & 0x02:
        concentration = _number(reader.sfloat())
        type_location = reader.u8()
        sample_type, sample_location = type_location & 0x0F, type_location >> 4
        if concentration is not None:
            if flags & 0x04:  # mol/L
                mmol_l = round(concentration * 1000, 2)
                mg_dl = round(mmol_l * 18.0182, 1)
            else:  # kg/L
                mg_dl = round(concentration * 100000, 1)
                mmol_l = round(mg_dl / 18.0182, 2)
    status = reader.u16() if flags & 0x08 else 0
    reader.end()
    return Glucose(
        sequence=sequence,
        time=base + timedelta(minutes=offset) if base else None,
        mg_dl=mg_dl,
        mmol_l=mmol_l,
        sample_type=sample_type,
        sample_location=sample_location,
        sensor_status=status,
        context_follows=bool(flags & 0x10),
    )


@dataclass(frozen=True, slots=True)
class GlucoseContext:
    """The context of a glucose record (0x2A34): meal, carbohydrates, exercise, HbA1c ..."""

    sequence: int
    carbohydrate_id: int | None = None
    carbohydrate_g: float | None = None
    meal: int | None = None
    tester: int | None = None
    health: int | None = None
    exercise_seconds: int | None = None
    exercise_intensity: int | None = None
    medication_id: int | None = None
    medication: float | None = None
    medication_in_litres: bool = False
    hba1c_percent: float | None = None


def parse_glucose_context(frame: bytes) -> GlucoseContext:
    """Parse 0x2A34."""
    reader = Reader(frame, "glucose context")
    flags = reader.u8()
    sequence = reader.u16()
    if flags & 0x80:
        reader.u8()  # extended flags (none defined)
    values: dict[str, object] = {}
    if flags & 0x01:
        values["carbohydrate_id"] = reader.u8()
        carbs = _number(reader.sfloat())
        values["carbohydrate_g"] = round(carbs * 1000, 1) if carbs is not None else None
    if flags & 0x02:
        values["meal"] = reader.u8()
    if flags & 0x04:
        nibbles = reader.u8()
        values["tester"], values["health"] = nibbles & 0x0F, nibbles >> 4
    if flags & 0x08:
        values["exercise_seconds"] = reader.u16()
        values["exercise_intensity"] = reader.u8()
    if flags & 0x10:
        values["medication_id"] = reader.u8()
        values["medication"] = _number(reader.sfloat())
        values["medication_in_litres"] = bool(flags & 0x20)
    if flags & 0x40:
        values["hba1c_percent"] = _number(reader.sfloat())
    reader.end()
    return GlucoseContext(sequence=sequence, **values)  # type: ignore[arg-type]


class RacpOpcode(IntEnum):
    """Record Access Control Point opcodes."""

    REPORT_RECORDS = 1
    DELETE_RECORDS = 2
    ABORT = 3
    REPORT_NUMBER = 4
    NUMBER_RESPONSE = 5
    RESPONSE_CODE = 6


class RacpResult(IntEnum):
    """RACP response codes."""

    SUCCESS = 1
    OPCODE_NOT_SUPPORTED = 2
    INVALID_OPERATOR = 3
    OPERATOR_NOT_SUPPORTED = 4
    INVALID_OPERAND = 5
    NO_RECORDS = 6
    ABORT_UNSUCCESSFUL = 7
    NOT_COMPLETED = 8
    OPERAND_NOT_SUPPORTED = 9


def racp_report_all() -> bytes:
    """Ask for every stored record."""
    return bytes([RacpOpcode.REPORT_RECORDS, 0x01])


def racp_report_after(last_sequence: int) -> bytes:
    """Ask for the records after the last one seen (incremental sync by sequence number)."""
    if not 0 <= last_sequence < MAX_SEQUENCE:
        raise GattParseError("invalid_operand", str(last_sequence))
    return bytes([RacpOpcode.REPORT_RECORDS, 0x03, 0x01]) + (last_sequence + 1).to_bytes(
        2, "little"
    )


def racp_report_number() -> bytes:
    """Ask how many records are stored."""
    return bytes([RacpOpcode.REPORT_NUMBER, 0x01])


@dataclass(frozen=True, slots=True)
class RacpResponse:
    """An indication of the RACP: a result code for a request, or a number of records."""

    request: RacpOpcode | None
    result: RacpResult | None
    number_of_records: int | None = None


def parse_racp(frame: bytes) -> RacpResponse:
    """Parse a 0x2A52 indication."""
    reader = Reader(frame, "RACP")
    opcode = reader.u8()
    reader.u8()  # operator: null
    if opcode == RacpOpcode.NUMBER_RESPONSE:
        count = reader.u16()
        reader.end()
        return RacpResponse(None, None, count)
    if opcode != RacpOpcode.RESPONSE_CODE:
        raise GattParseError("unexpected_opcode", str(opcode))
    request, code = reader.u8(), reader.u8()
    reader.end()
    try:
        return RacpResponse(RacpOpcode(request), RacpResult(code))
    except ValueError as err:
        raise GattParseError("unknown_code", f"{request}/{code}") from err


# --- Thermometer, pulse oximeter, weight, battery, device information ----------------------


@dataclass(frozen=True, slots=True)
class Temperature:
    """A body temperature in °C."""

    celsius: float | None
    was_fahrenheit: bool
    time: datetime | None = None
    site: int | None = None
    """Temperature type (2 body general, 3 ear, 6 mouth, ...)."""


def parse_temperature(frame: bytes) -> Temperature:
    """Parse 0x2A1C."""
    reader = Reader(frame, "temperature")
    flags = reader.u8()
    _check_reserved(flags, 0x07, "temperature")
    value = _number(reader.float32())
    time = reader.date_time() if flags & 0x02 else None
    site = reader.u8() if flags & 0x04 else None
    reader.end()
    fahrenheit = bool(flags & 0x01)
    if value is not None and fahrenheit:
        value = round((value - 32) * 5 / 9, 2)
    if value is None:
        raise GattParseError("failed_measurement", "no temperature value")
    return Temperature(value, fahrenheit, time, site)


@dataclass(frozen=True, slots=True)
class Oximetry:
    """SpO2 (%) and pulse rate (/min), from a spot-check or a continuous measurement."""

    spo2: float | None
    pulse: float | None
    continuous: bool
    time: datetime | None = None
    measurement_status: int = 0
    device_status: int = 0
    perfusion_index: float | None = None
    fast: tuple[float | None, float | None] | None = None
    slow: tuple[float | None, float | None] | None = None


def parse_spot_check(frame: bytes) -> Oximetry:
    """Parse 0x2A5E."""
    reader = Reader(frame, "PLX spot-check")
    flags = reader.u8()
    _check_reserved(flags, 0x1F, "PLX spot-check")
    spo2, pulse = _number(reader.sfloat()), _number(reader.sfloat())
    time = reader.date_time() if flags & 0x01 else None
    status = reader.u16() if flags & 0x02 else 0
    device = reader.u24() if flags & 0x04 else 0
    pai = _number(reader.sfloat()) if flags & 0x08 else None
    reader.end()
    if spo2 is None:
        raise GattParseError("failed_measurement", "no SpO2 value")
    return Oximetry(spo2, pulse, False, time, status, device, pai)


def parse_continuous(frame: bytes) -> Oximetry:
    """Parse 0x2A5F."""
    reader = Reader(frame, "PLX continuous")
    flags = reader.u8()
    _check_reserved(flags, 0x1F, "PLX continuous")
    spo2, pulse = _number(reader.sfloat()), _number(reader.sfloat())
    fast = (_number(reader.sfloat()), _number(reader.sfloat())) if flags & 0x01 else None
    slow = (_number(reader.sfloat()), _number(reader.sfloat())) if flags & 0x02 else None
    status = reader.u16() if flags & 0x04 else 0
    device = reader.u24() if flags & 0x08 else 0
    pai = _number(reader.sfloat()) if flags & 0x10 else None
    reader.end()
    return Oximetry(spo2, pulse, True, None, status, device, pai, fast, slow)


@dataclass(frozen=True, slots=True)
class Weight:
    """A body weight in kg (and BMI, height in m when sent)."""

    kg: float
    was_pounds: bool
    time: datetime | None = None
    user_id: int | None = None
    bmi: float | None = None
    height_m: float | None = None


def parse_weight(frame: bytes) -> Weight:
    """Parse 0x2A9D; 0xFFFF is "measurement unsuccessful"."""
    reader = Reader(frame, "weight")
    flags = reader.u8()
    _check_reserved(flags, 0x0F, "weight")
    pounds = bool(flags & 0x01)
    raw = reader.u16()
    time = reader.date_time() if flags & 0x02 else None
    user_id = reader.u8() if flags & 0x04 else None
    bmi = height = None
    if flags & 0x08:
        bmi = round(reader.u16() * 0.1, 1)
        raw_height = reader.u16()
        height = round(raw_height * 0.1 * 0.0254, 3) if pounds else round(raw_height * 0.001, 3)
    reader.end()
    if raw == 0xFFFF:  # noqa: PLR2004 - the specification's "unsuccessful"
        raise GattParseError("failed_measurement", "weight measurement unsuccessful")
    kg = raw * 0.01 * LB_TO_KG if pounds else raw * 0.005
    return Weight(round(kg, 2), pounds, time, user_id, bmi, height)


def parse_battery(frame: bytes) -> int:
    """Parse 0x2A19 (0-100 %)."""
    reader = Reader(frame, "battery")
    level = reader.u8()
    reader.end()
    if level > 100:  # noqa: PLR2004
        raise GattParseError("out_of_range", f"battery {level} %")
    return level


DEVICE_INFORMATION = {
    "00002a29-0000-1000-8000-00805f9b34fb": "manufacturer",
    "00002a24-0000-1000-8000-00805f9b34fb": "model",
    "00002a25-0000-1000-8000-00805f9b34fb": "serial_number",
    "00002a27-0000-1000-8000-00805f9b34fb": "hardware_revision",
    "00002a26-0000-1000-8000-00805f9b34fb": "firmware_revision",
    "00002a28-0000-1000-8000-00805f9b34fb": "software_revision",
}


@dataclass(frozen=True, slots=True)
class DeviceInformation:
    """What the Device Information service (0x180A) says about the device."""

    values: dict[str, str] = field(default_factory=dict)


def parse_device_information(characteristics: dict[str, bytes]) -> DeviceInformation:
    """Read the known strings (UTF-8, trailing NULs dropped); unknown UUIDs are ignored."""
    values: dict[str, str] = {}
    for uuid, raw in characteristics.items():
        if (name := DEVICE_INFORMATION.get(uuid.lower())) is None:
            continue
        try:
            values[name] = raw.rstrip(b"\x00").decode("utf-8").strip()
        except UnicodeDecodeError as err:
            raise GattParseError("not_utf8", name) from err
    return DeviceInformation(values)


def current_time_frame(now: datetime) -> bytes:
    """Build a Current Time (0x2A2B) value: Exact Time 256 and "manual time update".

    Date Time (7 bytes), day of week (1 Monday .. 7 Sunday), fractions of 1/256 s, adjust
    reason bit 0; the device's clock is set to the local wall time it shows to the patient.
    """
    return (
        now.year.to_bytes(2, "little")
        + bytes([now.month, now.day, now.hour, now.minute, now.second])
        + bytes([now.isoweekday(), now.microsecond * 256 // 1_000_000, 0x01])
    )
