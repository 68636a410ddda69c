"""Reading Bluetooth GATT health frames: little-endian fields, IEEE 11073 SFLOAT/FLOAT, Date Time.

Pure code (no Home Assistant, no Bluetooth stack). Every problem with a frame - too short,
too long, an impossible value - is one exception type, GattParseError, with a key.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
import math


class GattParseError(ValueError):
    """A frame that cannot be read; `key` names the reason (for counters and logs)."""

    def __init__(self, key: str, detail: str = "") -> None:
        """Keep the key and a readable detail."""
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key


class Special(StrEnum):
    """IEEE 11073 special values: there is no number."""

    NAN = "nan"
    NRES = "not_at_this_resolution"
    PLUS_INF = "+inf"
    MINUS_INF = "-inf"
    RESERVED = "reserved"


_SFLOAT_SPECIALS = {
    0x07FF: Special.NAN,
    0x0800: Special.NRES,
    0x07FE: Special.PLUS_INF,
    0x0802: Special.MINUS_INF,
    0x0801: Special.RESERVED,
}
_FLOAT_SPECIALS = {
    0x007FFFFF: Special.NAN,
    0x00800000: Special.NRES,
    0x007FFFFE: Special.PLUS_INF,
    0x00800002: Special.MINUS_INF,
    0x00800001: Special.RESERVED,
}


def sfloat(raw: int) -> float | Special:
    """Decode a 16-bit SFLOAT: 12-bit signed mantissa, 4-bit signed base-10 exponent."""
    raw &= 0xFFFF
    if raw in _SFLOAT_SPECIALS:
        return _SFLOAT_SPECIALS[raw]
    return _scaled(_signed(raw & 0x0FFF, 12), _signed(raw >> 12, 4))


def float32(raw: int) -> float | Special:
    """Decode a 32-bit FLOAT: 24-bit signed mantissa, 8-bit signed base-10 exponent."""
    raw &= 0xFFFFFFFF
    if raw in _FLOAT_SPECIALS:
        return _FLOAT_SPECIALS[raw]
    return _scaled(_signed(raw & 0xFFFFFF, 24), _signed(raw >> 24, 8))


def _signed(value: int, bits: int) -> int:
    """Two's complement of a `bits`-wide field."""
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def _scaled(mantissa: int, exponent: int) -> float:
    value = mantissa * 10.0**exponent
    # Round to the precision the exponent gives (no 119.99999999999999).
    return round(value, max(0, -exponent)) if math.isfinite(value) else value


class Reader:
    """Reads fields from a frame in order; GattParseError when the frame is too short."""

    def __init__(self, frame: bytes | bytearray, name: str) -> None:
        """Start at the first byte of `frame` (named in errors)."""
        self._frame = bytes(frame)
        self._pos = 0
        self._name = name

    def _take(self, count: int) -> bytes:
        if self._pos + count > len(self._frame):
            raise GattParseError("too_short", f"{self._name}: needs {self._pos + count} bytes")
        chunk = self._frame[self._pos : self._pos + count]
        self._pos += count
        return chunk

    def u8(self) -> int:
        """Read an unsigned byte."""
        return self._take(1)[0]

    def u16(self) -> int:
        """Read an unsigned 16-bit little-endian integer."""
        return int.from_bytes(self._take(2), "little")

    def s16(self) -> int:
        """Read a signed 16-bit little-endian integer."""
        return int.from_bytes(self._take(2), "little", signed=True)

    def u24(self) -> int:
        """Read an unsigned 24-bit little-endian integer."""
        return int.from_bytes(self._take(3), "little")

    def sfloat(self) -> float | Special:
        """Read an SFLOAT."""
        return sfloat(self.u16())

    def float32(self) -> float | Special:
        """Read a FLOAT."""
        return float32(int.from_bytes(self._take(4), "little"))

    def date_time(self) -> datetime | None:
        """Read a Date Time (7 bytes); None when the device does not know it (zeros)."""
        year, month, day = self.u16(), self.u8(), self.u8()
        hour, minute, second = self.u8(), self.u8(), self.u8()
        if year == 0 or month == 0 or day == 0:
            return None
        try:
            return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - device local time
        except ValueError as err:
            raise GattParseError("invalid_time", str(err)) from err

    def end(self) -> None:
        """Refuse bytes beyond what the flags announce (a frame that is not what it says)."""
        if self._pos != len(self._frame):
            raise GattParseError(
                "too_long", f"{self._name}: {len(self._frame) - self._pos} unannounced bytes"
            )
