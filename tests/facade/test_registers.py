"""Register maps: every data type and word order, conversions, and read planning."""

from __future__ import annotations

import math
import struct

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_quarter.facade.registers import (
    MAX_REGISTERS,
    DataType,
    ReadBlock,
    RegisterMapError,
    RegisterSpec,
    Table,
    WordOrder,
    plan_reads,
)

H = Table.HOLDING


def _spec(address: int, data_type: DataType = DataType.UINT16, **kw: object) -> RegisterSpec:
    return RegisterSpec(1, kw.pop("table", H), address, data_type, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data_type", "order", "words", "expected"),
    [
        (DataType.INT16, WordOrder.HIGH_FIRST, [0xFFFE], -2),
        (DataType.UINT16, WordOrder.HIGH_FIRST, [0xFFFE], 65534),
        (DataType.INT32, WordOrder.HIGH_FIRST, [0xFFFF, 0xFFFE], -2),
        (DataType.INT32, WordOrder.LOW_FIRST, [0xFFFE, 0xFFFF], -2),
        (DataType.UINT32, WordOrder.HIGH_FIRST, [0x0001, 0x0000], 65536),
        (DataType.UINT32, WordOrder.LOW_FIRST, [0x0000, 0x0001], 65536),
        (DataType.FLOAT32, WordOrder.HIGH_FIRST, [0x41AC, 0x0000], 21.5),
        (DataType.FLOAT32, WordOrder.LOW_FIRST, [0x0000, 0x41AC], 21.5),
    ],
)
def test_decode_every_type_and_word_order(
    data_type: DataType, order: WordOrder, words: list[int], expected: float
) -> None:
    assert _spec(0, data_type, word_order=order).decode(words) == expected


def test_scale_and_offset() -> None:
    """Tenths of a degree with an offset: raw 215 -> 21.5 degC; raw -40 (int16) -> -4.0."""
    spec = _spec(0, DataType.INT16, scale=0.1, offset=0.0)
    assert spec.decode([215]) == pytest.approx(21.5)
    assert spec.decode([(-40) & 0xFFFF]) == pytest.approx(-4.0)
    litres = _spec(0, DataType.UINT16, scale=10, offset=-5)
    assert litres.decode([3]) == 25


def test_float_specials_are_no_value() -> None:
    nan = list(struct.unpack(">HH", struct.pack(">f", math.nan)))
    inf = list(struct.unpack(">HH", struct.pack(">f", math.inf)))
    assert _spec(0, DataType.FLOAT32).decode(nan) is None
    assert _spec(0, DataType.FLOAT32).decode(inf) is None


def test_bits() -> None:
    coil = RegisterSpec(1, Table.COIL, 5, DataType.BIT)
    assert coil.decode([True]) is True
    assert coil.encode(False) == [False]


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"unit": 248, "table": H, "address": 0}, "invalid_unit"),
        ({"unit": 1, "table": H, "address": -1}, "invalid_address"),
        (
            {"unit": 1, "table": H, "address": 0xFFFF, "data_type": DataType.INT32},
            "invalid_address",
        ),
        ({"unit": 1, "table": Table.COIL, "address": 0}, "type_does_not_fit_table"),
        (
            {"unit": 1, "table": H, "address": 0, "data_type": DataType.BIT},
            "type_does_not_fit_table",
        ),
        ({"unit": 1, "table": H, "address": 0, "scale": 0}, "invalid_scale"),
        ({"unit": 1, "table": H, "address": 0, "offset": math.inf}, "invalid_scale"),
    ],
)
def test_impossible_specs(kwargs: dict, key: str) -> None:
    with pytest.raises(RegisterMapError) as err:
        RegisterSpec(**kwargs)
    assert err.value.key == key


def test_wrong_lengths_and_ranges() -> None:
    with pytest.raises(RegisterMapError):
        _spec(0, DataType.INT32).decode([1])
    with pytest.raises(RegisterMapError):
        _spec(0, DataType.INT16).encode(40000)
    with pytest.raises(RegisterMapError):
        ReadBlock(1, H, 0, 2, (_spec(0),)).values([1])


@given(
    st.sampled_from(list(DataType)[:-1]),
    st.sampled_from(list(WordOrder)),
    st.integers(min_value=-(2**31), max_value=2**32 - 1),
)
def test_encode_decode_round_trip(data_type: DataType, order: WordOrder, number: int) -> None:
    spec = _spec(0, data_type, word_order=order)
    try:
        words = spec.encode(number)
    except RegisterMapError:
        return  # does not fit this type
    decoded = spec.decode(words)
    if data_type is DataType.FLOAT32:
        assert decoded == pytest.approx(number, rel=1e-6)
    else:
        assert decoded == number


def test_contiguous_values_are_one_request() -> None:
    """0-1 (int32), 2, 3 contiguous; 10 separate; input registers and another unit separate."""
    specs = [
        _spec(0, DataType.INT32),
        _spec(2),
        _spec(3, DataType.INT16),
        _spec(10),
        RegisterSpec(1, Table.INPUT, 2),
        RegisterSpec(2, H, 0),
        _spec(2),  # the same value twice is read once
    ]
    blocks = plan_reads(specs)
    assert [(b.unit, b.table, b.start, b.count, len(b.members)) for b in blocks] == [
        (1, H, 0, 4, 3),
        (1, H, 10, 1, 1),
        (1, Table.INPUT, 2, 1, 1),
        (2, H, 0, 1, 1),
    ]
    values = blocks[0].values([0, 7, 5, 0xFFFF])
    assert values == {specs[0]: 7, specs[1]: 5, specs[2]: -1}


def test_overlapping_values_share_a_block() -> None:
    """A float at 0-1 and its high word read as uint16 at 0: one request of 2."""
    blocks = plan_reads([_spec(0, DataType.FLOAT32), _spec(0)])
    assert [(b.start, b.count) for b in blocks] == [(0, 2)]


def test_blocks_respect_the_request_size() -> None:
    blocks = plan_reads([_spec(n) for n in range(300)])
    assert [b.count for b in blocks] == [MAX_REGISTERS, MAX_REGISTERS, 50]
    coils = plan_reads([RegisterSpec(1, Table.COIL, n, DataType.BIT) for n in range(2500)])
    assert [b.count for b in coils] == [2000, 500]
