"""Send one SIA DC-09 event over TCP and wait for the receiver's answer (asyncio, no HA)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from .sia_dc09 import SiaError, SiaResponse, parse_response

ANSWER_TIMEOUT = 10.0  # seconds for connect and for the answer (DC-09 ACK timeout: 20 s max)
MAX_ANSWER = 1024  # bytes; an answer is a short line


async def async_send_event(
    host: str,
    port: int,
    frame: bytes,
    key: str | None,
    *,
    wait: float = ANSWER_TIMEOUT,
) -> SiaResponse:
    """Connect, send the frame, read one answer line, close.

    Raises OSError/TimeoutError when the receiver cannot be reached or does not answer, and
    SiaError for an answer that is not a valid DC-09 acknowledgement frame.
    """
    async with asyncio.timeout(wait):
        reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(frame)
        async with asyncio.timeout(wait):
            await writer.drain()
            answer = await _read_answer(reader)
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(1):
                await writer.wait_closed()
    return parse_response(answer, key, datetime.now(UTC))


async def _read_answer(reader: asyncio.StreamReader) -> bytes:
    """Read up to the CR that ends a DC-09 line (skipping an empty LF-CR keep-alive)."""
    while True:
        try:
            line = await reader.readuntil(b"\r")
        except asyncio.IncompleteReadError as err:
            raise SiaError("invalid_response", "connection closed without an answer") from err
        except asyncio.LimitOverrunError as err:
            raise SiaError("invalid_response", "answer too long") from err
        if len(line) > MAX_ANSWER:
            raise SiaError("invalid_response", "answer too long")
        if line.strip(b"\n\r"):
            return line
