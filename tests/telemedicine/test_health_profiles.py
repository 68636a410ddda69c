"""Bluetooth SIG health profile parsers: specification vectors, every flag, fuzzing."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from datetime import datetime
import struct

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_quarter.telemedicine.gatt import (
    GattParseError,
    Special,
    float32,
    sfloat,
)
from custom_components.smart_quarter.telemedicine.health_profiles import (
    RacpOpcode,
    RacpResult,
    parse_battery,
    parse_blood_pressure,
    parse_continuous,
    parse_device_information,
    parse_glucose,
    parse_glucose_context,
    parse_racp,
    parse_spot_check,
    parse_temperature,
    parse_weight,
    racp_report_after,
    racp_report_all,
    racp_report_number,
)

TIME = bytes([0xEA, 0x07, 11, 23, 9, 30, 5])  # 2026-11-23 09:30:05
WHEN = datetime(2026, 11, 23, 9, 30, 5)  # noqa: DTZ001 - the device's local time


def sf(mantissa: int, exponent: int = 0) -> bytes:
    """An SFLOAT, as the specification builds it."""
    return (((exponent & 0xF) << 12) | (mantissa & 0x0FFF)).to_bytes(2, "little")


def fl(mantissa: int, exponent: int) -> bytes:
    return (((exponent & 0xFF) << 24) | (mantissa & 0xFFFFFF)).to_bytes(4, "little")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (0x0072, 114),
        (0xF476, 114.2),  # mantissa 1142, exponent -1
        (0xF48E, 116.6),
        (0xFFFF, -0.1),
        (0x07FF, Special.NAN),
        (0x0800, Special.NRES),
        (0x07FE, Special.PLUS_INF),
        (0x0802, Special.MINUS_INF),
        (0x0801, Special.RESERVED),
        (0x2001, 100),  # 1 x 10^2
    ],
)
def test_sfloat(raw: int, value: object) -> None:
    assert sfloat(raw) == value


def test_float32() -> None:
    assert float32(int.from_bytes(fl(3650, -2), "little")) == 36.5
    assert float32(0x007FFFFF) is Special.NAN
    assert float32(0x00800000) is Special.NRES
    assert float32(int.from_bytes(fl(-5, 0), "little")) == -5


def test_blood_pressure_all_flags() -> None:
    frame = (
        bytes([0x1E])
        + sf(120)
        + sf(80)
        + sf(93)
        + TIME
        + sf(72)
        + bytes([3])
        + (0b100101).to_bytes(2, "little")
    )
    bp = parse_blood_pressure(frame)
    assert (bp.systolic, bp.diastolic, bp.mean_arterial, bp.pulse) == (120, 80, 93, 72)
    assert (bp.time, bp.user_id) == (WHEN, 3)
    assert (bp.body_movement, bp.cuff_too_loose, bp.irregular_pulse, bp.improper_position) == (
        True,
        False,
        True,
        True,
    )
    assert bp.pulse_rate_range == 0


def test_blood_pressure_in_kpa_and_pulse_range() -> None:
    frame = (
        bytes([0x11]) + sf(160, -1) + sf(107, -1) + sf(124, -1) + (0b01000).to_bytes(2, "little")
    )
    bp = parse_blood_pressure(frame)
    assert bp.unit_was_kpa
    assert (bp.systolic, bp.diastolic) == (120.0, 80.3)
    assert bp.pulse_rate_range == 1


def test_intermediate_cuff_pressure_may_lack_diastolic() -> None:
    frame = bytes([0x00]) + sf(145) + sf(0x07FF) + sf(0x07FF)
    bp = parse_blood_pressure(frame, intermediate=True)
    assert (bp.systolic, bp.diastolic, bp.intermediate) == (145, None, True)


@pytest.mark.parametrize(
    ("frame", "key"),
    [
        (b"", "too_short"),
        (bytes([0x00]) + sf(120) + sf(80), "too_short"),
        (bytes([0x00]) + sf(120) + sf(80) + sf(93) + b"\x01", "too_long"),  # unflagged user id
        (bytes([0x20]) + sf(120) + sf(80) + sf(93), "reserved_flags"),
        (bytes([0x00]) + sf(0x07FF) + sf(0x07FF) + sf(0x07FF), "failed_measurement"),
        (
            bytes([0x02]) + sf(120) + sf(80) + sf(93) + bytes([0xEA, 7, 13, 40, 0, 0, 0]),
            "invalid_time",
        ),
    ],
)
def test_blood_pressure_refusals(frame: bytes, key: str) -> None:
    with pytest.raises(GattParseError) as err:
        parse_blood_pressure(frame)
    assert err.value.key == key


def test_glucose_kg_per_litre_with_offset_and_status() -> None:
    # 95 mg/dL = 0.00095 kg/L = 95 x 10^-5; capillary whole blood (1), finger (1).
    frame = (
        bytes([0x0B])
        + (7).to_bytes(2, "little")
        + TIME
        + (-30).to_bytes(2, "little", signed=True)
        + sf(95, -5)
        + bytes([0x11])
        + (0x0001).to_bytes(2, "little")
    )
    glucose = parse_glucose(frame)
    assert glucose.sequence == 7
    assert glucose.time == datetime(2026, 11, 23, 9, 0, 5)  # noqa: DTZ001
    assert (glucose.mg_dl, glucose.mmol_l) == (95.0, 5.27)
    assert (glucose.sample_type, glucose.sample_location, glucose.sensor_status) == (1, 1, 1)


def test_glucose_mol_per_litre_and_context_flag() -> None:
    frame = bytes([0x16]) + (8).to_bytes(2, "little") + TIME + sf(56, -4) + bytes([0x11])
    glucose = parse_glucose(frame)
    assert (glucose.mmol_l, glucose.mg_dl) == (5.6, 100.9)
    assert glucose.context_follows


def test_glucose_context() -> None:
    frame = (
        bytes([0x4F])
        + (8).to_bytes(2, "little")
        + bytes([1])
        + sf(50, -3)  # 0.05 kg = 50 g carbohydrates
        + bytes([2])  # postprandial
        + bytes([0x21])  # tester self (1), health: minor (2)
        + (600).to_bytes(2, "little")
        + bytes([40])
        + sf(62, -1)
    )
    context = parse_glucose_context(frame)
    assert (context.sequence, context.carbohydrate_g, context.meal) == (8, 50.0, 2)
    assert (context.tester, context.health) == (1, 2)
    assert (context.exercise_seconds, context.exercise_intensity) == (600, 40)
    assert context.hba1c_percent == 6.2
    medication = parse_glucose_context(
        bytes([0xB0]) + (9).to_bytes(2, "little") + b"\x00" + bytes([3]) + sf(10, -3)
    )
    assert (medication.medication_id, medication.medication, medication.medication_in_litres) == (
        3,
        0.01,
        True,
    )


def test_racp_requests_and_responses() -> None:
    assert racp_report_all() == b"\x01\x01"
    assert racp_report_after(7) == bytes([1, 3, 1, 8, 0])
    assert racp_report_number() == b"\x04\x01"
    with pytest.raises(GattParseError):
        racp_report_after(0xFFFF)
    done = parse_racp(bytes([6, 0, 1, 1]))
    assert (done.request, done.result) == (RacpOpcode.REPORT_RECORDS, RacpResult.SUCCESS)
    assert parse_racp(bytes([6, 0, 1, 6])).result is RacpResult.NO_RECORDS
    assert parse_racp(bytes([5, 0, 12, 0])).number_of_records == 12
    for bad in (bytes([1, 0]), bytes([6, 0, 1, 42]), bytes([6, 0, 1])):
        with pytest.raises(GattParseError):
            parse_racp(bad)


def test_thermometer() -> None:
    celsius = parse_temperature(bytes([0x06]) + fl(3685, -2) + TIME + bytes([3]))
    assert (celsius.celsius, celsius.time, celsius.site) == (36.85, WHEN, 3)
    fahrenheit = parse_temperature(bytes([0x01]) + fl(986, -1))
    assert fahrenheit.was_fahrenheit
    assert fahrenheit.celsius == 37.0
    with pytest.raises(GattParseError):
        parse_temperature(bytes([0x00]) + (0x007FFFFF).to_bytes(4, "little"))


def test_pulse_oximeter() -> None:
    spot = parse_spot_check(
        bytes([0x0F])
        + sf(97)
        + sf(64)
        + TIME
        + (0x0020).to_bytes(2, "little")
        + b"\x01\x00\x00"
        + sf(25, -1)
    )
    assert (spot.spo2, spot.pulse, spot.time, spot.perfusion_index) == (97, 64, WHEN, 2.5)
    assert (spot.measurement_status, spot.device_status, spot.continuous) == (0x20, 1, False)
    cont = parse_continuous(bytes([0x03]) + sf(96) + sf(70) + sf(95) + sf(71) + sf(96) + sf(69))
    assert (cont.spo2, cont.fast, cont.slow, cont.continuous) == (96, (95, 71), (96, 69), True)
    with pytest.raises(GattParseError):
        parse_spot_check(bytes([0x00]) + sf(0x07FF) + sf(64))


def test_weight_scale() -> None:
    si = parse_weight(
        bytes([0x0E])
        + (14600).to_bytes(2, "little")
        + TIME
        + bytes([2])
        + (243).to_bytes(2, "little")
        + (1750).to_bytes(2, "little")
    )
    assert (si.kg, si.time, si.user_id, si.bmi, si.height_m) == (73.0, WHEN, 2, 24.3, 1.75)
    imperial = parse_weight(
        bytes([0x09])
        + (16000).to_bytes(2, "little")
        + (243).to_bytes(2, "little")
        + (690).to_bytes(2, "little")
    )
    assert imperial.was_pounds
    assert (imperial.kg, imperial.height_m) == (72.57, 1.753)
    with pytest.raises(GattParseError):
        parse_weight(bytes([0x00]) + b"\xff\xff")


def test_battery_and_device_information() -> None:
    assert parse_battery(b"\x57") == 87
    for bad in (b"", b"\x65", b"\x10\x00"):
        with pytest.raises(GattParseError):
            parse_battery(bad)
    info = parse_device_information(
        {
            "00002A29-0000-1000-8000-00805f9b34fb": b"Beurer\x00",
            "00002a24-0000-1000-8000-00805f9b34fb": b" BM54 ",
            "00002a50-0000-1000-8000-00805f9b34fb": b"\x01\x02",  # PnP id: not a string we use
        }
    )
    assert info.values == {"manufacturer": "Beurer", "model": "BM54"}
    with pytest.raises(GattParseError):
        parse_device_information({"00002a25-0000-1000-8000-00805f9b34fb": b"\xff\xfe"})


PARSERS: list[Callable[[bytes], object]] = [
    parse_blood_pressure,
    lambda frame: parse_blood_pressure(frame, intermediate=True),
    parse_glucose,
    parse_glucose_context,
    parse_racp,
    parse_temperature,
    parse_spot_check,
    parse_continuous,
    parse_weight,
    parse_battery,
]


@pytest.mark.parametrize("parser", PARSERS)
@given(frame=st.binary(max_size=40))
def test_fuzzing_gives_only_the_parse_error(
    parser: Callable[[bytes], object], frame: bytes
) -> None:
    """Any bytes: a measurement or GattParseError, never another exception."""
    with contextlib.suppress(GattParseError):
        parser(frame)


def test_float_struct_sanity() -> None:
    """The SFLOAT helper agrees with a little-endian struct of the raw value."""
    assert sf(120) == struct.pack("<H", 120)
