"""The façade's Modbus client against a real pymodbus TCP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import struct

import pytest

from custom_components.smart_quarter.facade.modbus_client import (
    FacadeModbus,
    ModbusAnswerError,
    ModbusLinkError,
)
from custom_components.smart_quarter.facade.registers import (
    RegisterMapError,
    RegisterSpec,
    Table,
    plan_reads,
)
from custom_components.smart_quarter.facade.spec_text import parse_spec

from .modbus_server import Server, running_server

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[Server]:
    async for running in running_server():
        yield running


@pytest.fixture
async def client(server: Server) -> AsyncIterator[FacadeModbus]:
    modbus = FacadeModbus("127.0.0.1", server.port, timeout=1)
    assert await modbus.connect()
    yield modbus
    modbus.close()


def _words(fmt: str, value: float) -> list[int]:
    return list(struct.unpack(">HH", struct.pack(fmt, value)))


async def test_every_type_and_word_order_in_one_poll(server: Server, client: FacadeModbus) -> None:
    await server.set("hr", 0, [(-215) & 0xFFFF])  # int16 -21.5 in tenths
    await server.set("hr", 1, [65000])  # uint16
    await server.set("hr", 2, _words(">i", -70000))  # int32 high first
    low, high = _words(">I", 70000)[1], _words(">I", 70000)[0]
    await server.set("hr", 4, [low, high])  # uint32 low first
    await server.set("hr", 6, _words(">f", 12.5))  # float32
    await server.set("ir", 10, [421])
    await server.set("co", 3, [True])
    await server.set("di", 4, [True])
    specs = {
        "t": parse_spec("holding:0:int16*0.1", 1),
        "u": parse_spec("holding:1", 1),
        "i32": parse_spec("holding:2:int32", 1),
        "u32": parse_spec("holding:4:uint32:low_first", 1),
        "f": parse_spec("holding:6:float32", 1),
        "tank": parse_spec("input:10*0.1", 1),
        "valve": parse_spec("coil:3", 1),
        "rain": parse_spec("discrete:4", 1),
    }
    blocks = plan_reads(specs.values())
    result = await client.poll(blocks)
    assert result.requests == len(blocks) == 4  # holding 0-7 is one request
    assert not result.failed
    values = {name: result.values[spec] for name, spec in specs.items()}
    assert values == {
        "t": pytest.approx(-21.5),
        "u": 65000,
        "i32": -70000,
        "u32": 70000,
        "f": 12.5,
        "tank": pytest.approx(42.1),
        "valve": True,
        "rain": True,
    }


async def test_an_illegal_address_fails_only_its_block(client: FacadeModbus) -> None:
    good = parse_spec("holding:5", 1)
    bad = parse_spec("holding:150", 1)  # beyond the device's registers (0-127)
    result = await client.poll(plan_reads([good, bad]))
    assert good in result.values
    assert bad not in result.values
    assert list(result.failed.values()) == ["illegal_address"]


async def test_write_and_verify(server: Server, client: FacadeModbus) -> None:
    valve = parse_spec("coil:2", 1)
    assert await client.write_and_verify(valve, True)
    assert (await server.get("co", 2)) == [True]
    setpoint = parse_spec("holding:20:int16*0.1", 1)
    assert await client.write_and_verify(setpoint, 35.5)
    assert (await server.get("hr", 20)) == [355]
    big = parse_spec("holding:30:float32:low_first", 1)
    assert await client.write_and_verify(big, 1.5)
    with pytest.raises(RegisterMapError):
        await client.write(parse_spec("input:1", 1), 1)
    with pytest.raises(ModbusAnswerError) as err:
        await client.write(RegisterSpec(1, Table.COIL, 40, parse_spec("coil:0", 1).data_type), True)
    assert err.value.reason == "illegal_address"


async def test_lost_server_then_back(server: Server, client: FacadeModbus) -> None:
    spec = parse_spec("holding:1", 1)
    await server.stop()
    with pytest.raises(ModbusLinkError):
        await client.poll(plan_reads([spec]))
    await server.start()
    await server.set("hr", 1, [7])
    # pymodbus reconnects with its own back-off; polls fail fast until then.
    for _ in range(50):
        try:
            result = await client.poll(plan_reads([spec]))
            break
        except ModbusLinkError:
            await asyncio.sleep(0.1)
    assert result.values[spec] == 7
