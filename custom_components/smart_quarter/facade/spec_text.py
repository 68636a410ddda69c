"""The short text form of a register spec used in the forms (pure).

    <table>:<address>[:<type>[:<word order>]][*<scale>][+|-<offset>][@<unit>]

table: holding, input, coil, discrete (or h, i, c, d); type: int16, uint16 (default),
int32, uint32, float32 (bits for coils and discrete inputs); word order: high_first (default)
or low_first. Examples: "holding:100:int16*0.1" (tenths of a degree), "input:10:float32:
low_first", "coil:3", "holding:200:uint32*0.001@2" (unit 2).
"""

from __future__ import annotations

import re

from .registers import DataType, RegisterMapError, RegisterSpec, Table, WordOrder

_SHORT = {"h": Table.HOLDING, "i": Table.INPUT, "c": Table.COIL, "d": Table.DISCRETE}
_UNSIGNED = r"(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?"
_NUMBER = rf"[-+]?{_UNSIGNED}"
_PATTERN = re.compile(
    rf"^(?P<table>[a-z]+):(?P<address>\d+)"
    rf"(?::(?P<type>[a-z0-9]+))?(?::(?P<order>[a-z_]+))?"
    rf"(?:\*(?P<scale>{_NUMBER}))?(?P<offset>[-+]{_UNSIGNED})?(?:@(?P<unit>\d+))?$"
)


def parse_spec(text: str, default_unit: int) -> RegisterSpec:
    """Read the short form; RegisterMapError("invalid_spec" or a spec key) when it is wrong."""
    match = _PATTERN.match(text.strip().lower().replace(" ", ""))
    if match is None:
        raise RegisterMapError("invalid_spec")
    table_name = match["table"]
    try:
        table = _SHORT.get(table_name) or Table(table_name)
        data_type = DataType(match["type"]) if match["type"] else None
        order = WordOrder(match["order"]) if match["order"] else WordOrder.HIGH_FIRST
    except ValueError as err:
        raise RegisterMapError("invalid_spec") from err
    if data_type is None:
        data_type = DataType.BIT if table.is_bits else DataType.UINT16
    return RegisterSpec(
        unit=int(match["unit"]) if match["unit"] else default_unit,
        table=table,
        address=int(match["address"]),
        data_type=data_type,
        word_order=order,
        scale=float(match["scale"]) if match["scale"] else 1.0,
        offset=float(match["offset"]) if match["offset"] else 0.0,
    )


def format_spec(spec: RegisterSpec, default_unit: int) -> str:
    """Write the short form (parse_spec's inverse)."""
    text = f"{spec.table}:{spec.address}"
    if spec.data_type not in (DataType.BIT, DataType.UINT16) or spec.word_order is not (
        WordOrder.HIGH_FIRST
    ):
        text += f":{spec.data_type}"
    if spec.word_order is not WordOrder.HIGH_FIRST:
        text += f":{spec.word_order}"
    if spec.scale != 1.0:
        text += f"*{spec.scale:g}"
    if spec.offset:
        text += f"{spec.offset:+g}"
    if spec.unit != default_unit:
        text += f"@{spec.unit}"
    return text
