"""Modbus TCP to one façade controller (pymodbus async client; no Home Assistant imports).

Calls are serialized (one request at a time per connection, as pymodbus requires). A poll reads
the planned blocks; a block that fails (an exception response such as an illegal address, a
time-out) fails alone, and its values are missing - the other blocks still count. Lost
connections raise ModbusLinkError; pymodbus reconnects by itself, the next poll tries again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
import logging

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusException
from pymodbus.pdu import ModbusPDU

from .registers import ReadBlock, RegisterMapError, RegisterSpec, Table

_LOGGER = logging.getLogger(__name__)

EXCEPTION_NAMES = {
    1: "illegal_function",
    2: "illegal_address",
    3: "illegal_value",
    4: "device_failure",
    5: "acknowledge",
    6: "busy",
    10: "gateway_path",
    11: "gateway_no_response",
}


class ModbusLinkError(Exception):
    """The controller cannot be reached (not connected, no answer)."""


class ModbusAnswerError(Exception):
    """The controller answered with an exception (`code`, named in `reason`)."""

    def __init__(self, code: int) -> None:
        """Keep the exception code and its name."""
        self.code = code
        self.reason = EXCEPTION_NAMES.get(code, f"exception_{code}")
        super().__init__(self.reason)


@dataclass(slots=True)
class PollResult:
    """The values of one poll, and what failed."""

    values: dict[RegisterSpec, float | bool | None] = field(default_factory=dict)
    failed: dict[ReadBlock, str] = field(default_factory=dict)
    requests: int = 0


class FacadeModbus:
    """A connection to one controller or IO gateway."""

    def __init__(self, host: str, port: int, *, timeout: float = 3.0) -> None:
        """Prepare the client (connect() opens it)."""
        self.host = host
        self.port = port
        self._client = AsyncModbusTcpClient(
            host, port=port, timeout=timeout, retries=1, reconnect_delay=1, reconnect_delay_max=30
        )
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        """Whether the TCP connection is up."""
        return bool(self._client.connected)

    @property
    def _reconnecting(self) -> bool:
        task = getattr(self._client.ctx, "reconnect_task", None)
        return task is not None and not task.done()

    async def connect(self) -> bool:
        """Open the connection; return whether it is up."""
        return bool(await self._client.connect())

    def close(self) -> None:
        """Close the connection."""
        self._client.close()

    async def poll(self, blocks: Sequence[ReadBlock]) -> PollResult:
        """Read every block; failures of single blocks are collected, a lost link raises."""
        result = PollResult()
        for block in blocks:
            result.requests += 1
            try:
                raw = await self.read_block(block)
            except ModbusAnswerError as err:
                result.failed[block] = err.reason
                continue
            try:
                result.values.update(block.values(raw))
            except RegisterMapError:
                result.failed[block] = "short_answer"
        return result

    async def read_block(self, block: ReadBlock) -> list[int] | list[bool]:
        """Read one block's raw registers or bits."""
        method = {
            Table.HOLDING: self._client.read_holding_registers,
            Table.INPUT: self._client.read_input_registers,
            Table.COIL: self._client.read_coils,
            Table.DISCRETE: self._client.read_discrete_inputs,
        }[block.table]
        response = await self._call(method, block.start, count=block.count, device_id=block.unit)
        if block.table.is_bits:
            return list(response.bits[: block.count])
        return list(response.registers)

    async def write(self, spec: RegisterSpec, value: float | bool) -> None:
        """Write one value (a coil, or holding registers)."""
        if not spec.table.writable:
            raise RegisterMapError("not_writable")
        raw = spec.encode(value)
        if spec.table is Table.COIL:
            await self._call(
                self._client.write_coil, spec.address, bool(raw[0]), device_id=spec.unit
            )
        elif len(raw) == 1:
            await self._call(
                self._client.write_register, spec.address, int(raw[0]), device_id=spec.unit
            )
        else:
            await self._call(
                self._client.write_registers,
                spec.address,
                [int(word) for word in raw],
                device_id=spec.unit,
            )

    async def write_and_verify(self, spec: RegisterSpec, value: float | bool) -> bool:
        """Write, read back, and tell whether the output really took the value."""
        await self.write(spec, value)
        block = ReadBlock(spec.unit, spec.table, spec.address, spec.count, (spec,))
        read_back = block.values(await self.read_block(block))[spec]
        if isinstance(value, bool) or spec.table.is_bits:
            return bool(read_back) is bool(value)
        return read_back is not None and abs(float(read_back) - float(value)) <= abs(spec.scale)

    async def _call[**P](
        self, method: Callable[P, Awaitable[ModbusPDU]], *args: P.args, **kwargs: P.kwargs
    ) -> ModbusPDU:
        async with self._lock:
            # pymodbus reconnects by itself once it had a connection; a second attempt of
            # ours would race it (and leave its task behind). Before that: connect.
            if not self._client.connected and (
                self._reconnecting or not await self._client.connect()
            ):
                raise ModbusLinkError(f"{self.host}:{self.port} not reachable")
            try:
                response = await method(*args, **kwargs)
            except ConnectionException as err:
                raise ModbusLinkError(str(err)) from err
            except ModbusException as err:  # no answer after the retries
                raise ModbusLinkError(str(err)) from err
        if response.isError():
            raise ModbusAnswerError(int(getattr(response, "exception_code", 0)))
        return response
