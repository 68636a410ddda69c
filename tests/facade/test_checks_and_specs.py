"""Sensor plausibility and the short text form of register specs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_quarter.facade.plausibility import Implausible, PlausibilityCheck
from custom_components.smart_quarter.facade.registers import (
    DataType,
    RegisterMapError,
    RegisterSpec,
    Table,
    WordOrder,
)
from custom_components.smart_quarter.facade.spec_text import format_spec, parse_spec

T0 = datetime(2026, 7, 14, tzinfo=UTC)


def test_plausible_readings_pass() -> None:
    check = PlausibilityCheck(0, 100)
    assert check.update(30.0, T0) == 30.0
    assert check.problem is None


def test_missing_and_out_of_range() -> None:
    check = PlausibilityCheck(0, 100)
    assert check.update(None, T0) is None
    assert check.problem is Implausible.MISSING
    assert check.update(120.0, T0) is None
    assert check.problem is Implausible.OUT_OF_RANGE
    assert check.update(-0.1, T0) is None
    assert check.update(40.0, T0) == 40.0
    assert check.problem is None


def test_stuck_sensor() -> None:
    """Unchanged (within 0.05) for 12 hours: stuck; a real change makes it plausible again."""
    check = PlausibilityCheck(0, 100)
    for hour in range(12):
        assert check.update(30.0 + (hour % 2) * 0.01, T0 + timedelta(hours=hour)) is not None
    assert check.update(30.0, T0 + timedelta(hours=12)) is None
    assert check.problem is Implausible.STUCK
    assert check.update(31.0, T0 + timedelta(hours=13)) == 31.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("holding:100", RegisterSpec(1, Table.HOLDING, 100)),
        ("h:100:int16*0.1", RegisterSpec(1, Table.HOLDING, 100, DataType.INT16, scale=0.1)),
        (
            "input:10:float32:low_first",
            RegisterSpec(1, Table.INPUT, 10, DataType.FLOAT32, WordOrder.LOW_FIRST),
        ),
        ("coil:3", RegisterSpec(1, Table.COIL, 3, DataType.BIT)),
        ("d:7@4", RegisterSpec(4, Table.DISCRETE, 7, DataType.BIT)),
        (
            " Holding:200:UINT32*0.001-5@2 ",
            RegisterSpec(2, Table.HOLDING, 200, DataType.UINT32, scale=0.001, offset=-5),
        ),
        ("i:5*1e-3+2.5", RegisterSpec(1, Table.INPUT, 5, scale=0.001, offset=2.5)),
    ],
)
def test_parse(text: str, expected: RegisterSpec) -> None:
    assert parse_spec(text, 1) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "invalid_spec"),
        ("holding", "invalid_spec"),
        ("table:1", "invalid_spec"),
        ("holding:1:int64", "invalid_spec"),
        ("holding:1:int32:middle", "invalid_spec"),
        ("holding:70000", "invalid_address"),
        ("coil:1:int16", "type_does_not_fit_table"),
        ("holding:1*0", "invalid_scale"),
        ("holding:1@300", "invalid_unit"),
    ],
)
def test_parse_errors(text: str, key: str) -> None:
    with pytest.raises(RegisterMapError) as err:
        parse_spec(text, 1)
    assert err.value.key == key


@given(
    st.builds(
        RegisterSpec,
        unit=st.integers(1, 247),
        table=st.sampled_from([Table.HOLDING, Table.INPUT]),
        address=st.integers(0, 60000),
        data_type=st.sampled_from(list(DataType)[:-1]),
        word_order=st.sampled_from(list(WordOrder)),
        scale=st.sampled_from([1.0, 0.1, 0.01, 10.0, 0.001]),
        offset=st.sampled_from([0.0, -40.0, 2.5]),
    )
)
def test_format_round_trip(spec: RegisterSpec) -> None:
    assert parse_spec(format_spec(spec, 1), 1) == spec
