"""Modbus register maps: what a value is, where it lives, and how reads are grouped (pure).

A value is described by a RegisterSpec: the unit (device) id, the table (holding or input
registers, coils, discrete inputs), the address, the data type (int16, uint16, int32, uint32,
float32 or a bit), the word order of 32-bit values (Modbus sends each 16-bit word big-endian;
devices disagree on which word comes first) and a linear conversion (value = raw * scale +
offset). plan_reads() groups the specs of one poll into as few requests as possible: values of
the same unit and table whose addresses touch or overlap are read in one request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
import math
import struct

MAX_REGISTERS = 125  # per read request (Modbus application protocol, function 3/4)
MAX_BITS = 2000  # per read request (function 1/2)
MAX_ADDRESS = 0xFFFF
MAX_UNIT = 247


class Table(StrEnum):
    """The four Modbus data tables."""

    HOLDING = "holding"
    INPUT = "input"
    COIL = "coil"
    DISCRETE = "discrete"

    @property
    def is_bits(self) -> bool:
        """True for the one-bit tables (coils, discrete inputs)."""
        return self in (Table.COIL, Table.DISCRETE)

    @property
    def writable(self) -> bool:
        """True for the tables a client may write."""
        return self in (Table.HOLDING, Table.COIL)


class DataType(StrEnum):
    """How the raw words are read."""

    INT16 = "int16"
    UINT16 = "uint16"
    INT32 = "int32"
    UINT32 = "uint32"
    FLOAT32 = "float32"
    BIT = "bit"

    @property
    def words(self) -> int:
        """16-bit registers the value occupies (a bit: one coil or input)."""
        return 2 if self in (DataType.INT32, DataType.UINT32, DataType.FLOAT32) else 1


class WordOrder(StrEnum):
    """Which 16-bit word of a 32-bit value comes first."""

    HIGH_FIRST = "high_first"  # "big endian" / ABCD, the Modbus convention
    LOW_FIRST = "low_first"  # "word swapped" / CDAB, common on PLCs and energy meters


class RegisterMapError(ValueError):
    """A spec that cannot work; `key` names the problem for the configuration flow."""

    def __init__(self, key: str) -> None:
        """Keep the key."""
        super().__init__(key)
        self.key = key


_STRUCT = {
    DataType.INT16: ">h",
    DataType.UINT16: ">H",
    DataType.INT32: ">i",
    DataType.UINT32: ">I",
    DataType.FLOAT32: ">f",
}


@dataclass(frozen=True, slots=True)
class RegisterSpec:
    """Where one value lives and how to turn its raw words into a number."""

    unit: int
    table: Table
    address: int
    data_type: DataType = DataType.UINT16
    word_order: WordOrder = WordOrder.HIGH_FIRST
    scale: float = 1.0
    offset: float = 0.0

    def __post_init__(self) -> None:
        """Refuse specs no device can answer."""
        if not 0 <= self.unit <= MAX_UNIT:
            raise RegisterMapError("invalid_unit")
        if not 0 <= self.address <= MAX_ADDRESS - (self.count - 1):
            raise RegisterMapError("invalid_address")
        if self.table.is_bits != (self.data_type is DataType.BIT):
            raise RegisterMapError("type_does_not_fit_table")
        if self.scale == 0 or not math.isfinite(self.scale) or not math.isfinite(self.offset):
            raise RegisterMapError("invalid_scale")

    @property
    def count(self) -> int:
        """Registers (or bits) the value occupies."""
        return self.data_type.words

    @property
    def end(self) -> int:
        """The address after the value."""
        return self.address + self.count

    def decode(self, raw: Sequence[int] | Sequence[bool]) -> float | bool | None:
        """Turn the value's raw registers (or bit) into its value; None for NaN/infinity."""
        if len(raw) != self.count:
            raise RegisterMapError("wrong_length")
        if self.data_type is DataType.BIT:
            return bool(raw[0])
        words = [int(word) & 0xFFFF for word in raw]
        if self.word_order is WordOrder.LOW_FIRST:
            words.reverse()
        data = b"".join(word.to_bytes(2, "big") for word in words)
        number: float = struct.unpack(_STRUCT[self.data_type], data)[0]
        if not math.isfinite(number):
            return None
        value: float = round(number * self.scale + self.offset, 6)  # no 21.900000000000002
        return value

    def encode(self, value: float | bool) -> list[int] | list[bool]:
        """Turn a value into the raw registers (or bit) to write.

        RegisterMapError("value_out_of_range") if it does not fit the data type.
        """
        if self.data_type is DataType.BIT:
            return [bool(value)]
        raw = (float(value) - self.offset) / self.scale
        if self.data_type is DataType.FLOAT32:
            data = struct.pack(">f", raw)
        else:
            try:
                data = struct.pack(_STRUCT[self.data_type], round(raw))
            except struct.error as err:
                raise RegisterMapError("value_out_of_range") from err
        words = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
        if self.word_order is WordOrder.LOW_FIRST:
            words.reverse()
        return words


@dataclass(frozen=True, slots=True)
class ReadBlock:
    """One read request: a run of addresses of one unit and table, and the values in it."""

    unit: int
    table: Table
    start: int
    count: int
    members: tuple[RegisterSpec, ...]

    def values(
        self, raw: Sequence[int] | Sequence[bool]
    ) -> dict[RegisterSpec, float | bool | None]:
        """Split the block's raw answer into the values of its members."""
        if len(raw) < self.count:
            raise RegisterMapError("short_answer")
        return {
            spec: spec.decode(raw[spec.address - self.start : spec.end - self.start])
            for spec in self.members
        }


def plan_reads(specs: Iterable[RegisterSpec]) -> list[ReadBlock]:
    """Group values into the fewest read requests: same unit and table, touching addresses.

    Addresses that are not in the map are never read (a gap might be an illegal address for
    the device); a block never exceeds what one request may carry.
    """
    blocks: list[ReadBlock] = []
    ordered = sorted(set(specs), key=lambda spec: (spec.unit, spec.table, spec.address, spec.end))
    current: list[RegisterSpec] = []
    start = end = 0
    for spec in ordered:
        limit = MAX_BITS if spec.table.is_bits else MAX_REGISTERS
        if (
            current
            and current[0].unit == spec.unit
            and current[0].table == spec.table
            and spec.address <= end
            and max(end, spec.end) - start <= limit
        ):
            current.append(spec)
            end = max(end, spec.end)
            continue
        if current:
            blocks.append(_block(current, start, end))
        current, start, end = [spec], spec.address, spec.end
    if current:
        blocks.append(_block(current, start, end))
    return blocks


def _block(members: list[RegisterSpec], start: int, end: int) -> ReadBlock:
    first = members[0]
    return ReadBlock(first.unit, first.table, start, end - start, tuple(members))
