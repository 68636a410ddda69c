"""A real pymodbus TCP server on loopback for the façade tests (registers set by the test)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import socket

from pymodbus import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from ..common import free_port


class Server:
    """Holding/input registers 0-99 and coils/discrete inputs 0-31, answering every unit id.

    Addresses beyond those answer ILLEGAL ADDRESS, as real devices do. Built with pymodbus's
    SimDevice/SimData (its older datastore classes are deprecated in 3.13). A restart starts
    from zeros, like a device after a power cycle.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        coils = [SimData(0, count=32, values=False, datatype=DataType.BITS)]
        self.device = SimDevice(
            0,  # every unit id
            simdata=(
                coils,
                [SimData(0, count=32, values=False, datatype=DataType.BITS)],
                [SimData(0, count=128, values=0, datatype=DataType.REGISTERS)],
                [SimData(0, count=128, values=0, datatype=DataType.REGISTERS)],
            ),
        )
        self._server: ModbusTcpServer | None = None
        self._task: asyncio.Task[None] | None = None

    async def set(self, table: str, address: int, values: list[int] | list[bool]) -> None:
        """Set raw values at a protocol address (table: 'hr', 'ir', 'co', 'di')."""
        assert self._server is not None
        # The function code picks the table (inputs are read-only for clients only).
        code = {"co": 15, "di": 2, "hr": 16, "ir": 4}[table]
        result = await self._server.context.async_setValues(1, code, address, values)
        assert result is None, result

    async def get(self, table: str, address: int, count: int = 1) -> list[int] | list[bool]:
        """Read raw values at a protocol address."""
        assert self._server is not None
        code = {"co": 1, "di": 2, "hr": 3, "ir": 4}[table]
        values = await self._server.context.async_getValues(1, code, address, count)
        assert isinstance(values, list), values
        return values

    async def start(self) -> None:
        self._server = ModbusTcpServer(
            self.device, framer=FramerType.SOCKET, address=("127.0.0.1", self.port)
        )
        self._task = asyncio.create_task(self._server.serve_forever())
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            await asyncio.sleep(0.02)
        raise RuntimeError("pymodbus server did not start")

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.shutdown()
            self._server = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


async def running_server() -> AsyncIterator[Server]:
    server = Server()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
