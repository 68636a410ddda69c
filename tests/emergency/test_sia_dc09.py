"""SIA DC-09 framing: checked against the standard's CRC and against pysiaalarm, a real receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st
from pysiaalarm.aio import SIAAccount as ReceiverAccount, SIAClient, SIAEvent
import pytest

from custom_components.smart_quarter.emergency.sia_client import async_send_event
from custom_components.smart_quarter.emergency.sia_dc09 import (
    ResponseKind,
    SiaAccount,
    SiaError,
    build_event,
    crc16,
    event_data,
    next_sequence,
    parse_response,
    timestamp,
)

from ..common import free_port

KEY_128 = "AAAAAAAAAAAAAAAA"
KEY_256 = "0123456789ABCDEF0123456789ABCDEF"
WHEN = datetime(2026, 11, 23, 14, 5, 9, tzinfo=UTC)


def test_crc_is_crc16_arc() -> None:
    """The standard check value of CRC-16/ARC."""
    assert crc16(b"123456789") == 0xBB3D
    assert crc16(b"") == 0


def test_sequence_wraps_to_one() -> None:
    """0001 ... 9999, then 0001."""
    assert next_sequence(1) == 2
    assert next_sequence(9999) == 1


def test_plain_event_frame() -> None:
    """Header, CRC and length as DC-09 lays them out."""
    account = SiaAccount("1234", line="1", receiver="2")
    frame = build_event(account, 7, event_data("1234", "MA", area=1, zone=501), WHEN)
    body = b'"SIA-DCS"0007R2L1#1234[#1234|Nri1/MA501]_14:05:09,11-23-2026'
    assert frame == b"\n" + f"{crc16(body):04X}{len(body):04X}".encode() + body + b"\r"


def test_event_text_cannot_break_the_frame() -> None:
    """Free text keeps only letters, digits and spaces."""
    data = event_data("1234", "MA", text="Wohnung 1 ] [ | ^ Ä")
    assert data == "#1234|Nri0/MA0^Wohnung 1     ^"
    with pytest.raises(SiaError):
        event_data("1234", "ma")


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"account": "12G4"}, "invalid_account"),
        ({"account": "12"}, "invalid_account"),
        ({"account": "1234", "line": "L1"}, "invalid_line"),
        ({"account": "1234", "receiver": "1234567"}, "invalid_receiver"),
        ({"account": "1234", "key": "short"}, "invalid_key"),
        ({"account": "1234", "key": "ÄAAAAAAAAAAAAAAA"}, "invalid_key"),
    ],
)
def test_settings_a_receiver_refuses(kwargs: dict[str, str], key: str) -> None:
    """Bad accounts, prefixes and keys are refused with a key for the flow."""
    with pytest.raises(SiaError) as err:
        SiaAccount(**kwargs)
    assert err.value.key == key


def test_sequence_out_of_range() -> None:
    """Only 1 to 9999."""
    with pytest.raises(SiaError):
        build_event(SiaAccount("1234"), 0, "#1234|Nri0/MA0", WHEN)


def test_encrypted_events_never_repeat() -> None:
    """The same event twice: no cipher block is equal (random first block acts as an IV)."""
    account = SiaAccount("1234", key=KEY_128)
    data = event_data("1234", "MA", area=1, zone=1)
    first = build_event(account, 1, data, WHEN).split(b"[", 1)[1].rstrip(b"\r")
    second = build_event(account, 1, data, WHEN).split(b"[", 1)[1].rstrip(b"\r")
    assert len(first) % 32 == 0
    blocks = [first[i : i + 32] for i in range(0, len(first), 32)]
    others = [second[i : i + 32] for i in range(0, len(second), 32)]
    assert all(a != b for a, b in zip(blocks, others, strict=True))
    with pytest.raises(SiaError):
        build_event(account, 1, data, WHEN, pad="x")


def _answer(body: str) -> bytes:
    return b"\n" + f"{crc16(body.encode()):04X}{len(body):04X}".encode() + body.encode() + b"\r"


def test_parse_plain_answers() -> None:
    """ACK, NAK and DUH with their sequence numbers."""
    ack = parse_response(_answer('"ACK"0042R1L0#1234[]'))
    assert (ack.kind, ack.sequence, ack.encrypted) == (ResponseKind.ACK, 42, False)
    nak = parse_response(_answer('"NAK"0000R0L0A0[]_14:05:09,11-23-2026'))
    assert nak.kind is ResponseKind.NAK
    assert parse_response(_answer('"DUH"0001L0#1234[]')).kind is ResponseKind.DUH


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n\r",
        b"garbage\r",
        '\n0000000A"ACK"Ä\r'.encode(),
        _answer('"ACK"0001L0#1234[]').replace(b"ACK", b"ACX"),
        # Right shape, wrong CRC / wrong length:
        b"\n0000" + f"{len(b'"ACK"0001L0#1234[]'):04X}".encode() + b'"ACK"0001L0#1234[]\r',
        _answer('"ACK"0001L0#1234[]')[:5] + b"0000" + _answer('"ACK"0001L0#1234[]')[9:],
        _answer('"*ACK"0001L0#1234[00'),
    ],
)
def test_malformed_answers_are_one_error(raw: bytes) -> None:
    """Anything that is not a valid answer is SiaError, never another exception."""
    with pytest.raises(SiaError):
        parse_response(raw, KEY_128)


def test_a_keyed_account_needs_an_encrypted_answer() -> None:
    """A plain ACK proves nothing when the event was encrypted; a plain NAK is allowed."""
    with pytest.raises(SiaError):
        parse_response(_answer('"ACK"0001L0#1234[]'), KEY_128)
    assert parse_response(_answer('"NAK"0000R0L0A0[]_14:05:09,11-23-2026'), KEY_128).kind is (
        ResponseKind.NAK
    )
    assert parse_response(_answer('"RSP"0004L0#1234[]')).kind is ResponseKind.RSP


def test_an_old_encrypted_answer_is_refused() -> None:
    """A recorded encrypted ACK cannot be replayed later (its timestamp is checked)."""
    from custom_components.smart_quarter.emergency.sia_dc09 import _encrypt

    cipher = _encrypt(KEY_128, "]_14:05:09,11-23-2026", None)
    recorded = _answer(f'"*ACK"0001L0#1234[{cipher}')
    assert parse_response(recorded, KEY_128, WHEN).kind is ResponseKind.ACK
    with pytest.raises(SiaError):
        parse_response(recorded, KEY_128, WHEN + timedelta(minutes=6))
    bad_date = _encrypt(KEY_128, "]_14:05:09,13-45-2026", None)
    with pytest.raises(SiaError):
        parse_response(_answer(f'"*ACK"0001L0#1234[{bad_date}'), KEY_128, WHEN)


def test_encrypted_answer_needs_the_key() -> None:
    """An encrypted ACK that does not decrypt to a timestamp is refused."""
    forged = _answer('"*ACK"0001L0#1234[' + "00" * 16)
    with pytest.raises(SiaError):
        parse_response(forged, KEY_128)
    with pytest.raises(SiaError):
        parse_response(forged, None)


@given(st.binary(max_size=300))
def test_hostile_answers_never_raise_anything_else(raw: bytes) -> None:
    """Fuzzed answers: a SiaResponse or a SiaError."""
    with contextlib.suppress(SiaError):
        parse_response(raw, KEY_128)


def test_timestamp_is_utc() -> None:
    """DC-09 timestamps are GMT."""
    assert timestamp(datetime(2026, 1, 1, 1, 0, tzinfo=UTC)) == "_01:00:00,01-01-2026"


# --- against a real receiver -----------------------------------------------------------


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[tuple[int, list[SIAEvent]]]:
    """pysiaalarm's TCP receiver (the library behind Home Assistant's sia integration)."""
    received: list[SIAEvent] = []

    async def on_event(event: SIAEvent) -> None:
        received.append(event)

    port = free_port()
    client = SIAClient(
        "127.0.0.1",
        port,
        [
            ReceiverAccount("1234"),
            ReceiverAccount("AB12", KEY_128),
            ReceiverAccount("CD34", KEY_256),
        ],
        on_event,
    )
    await client.async_start()
    try:
        yield port, received
    finally:
        await client.async_stop()


@pytest.mark.parametrize(("account", "key"), [("1234", None), ("AB12", KEY_128), ("CD34", KEY_256)])
async def test_real_receiver_acknowledges(
    receiver: tuple[int, list[SIAEvent]], account: str, key: str | None
) -> None:
    """pysiaalarm takes our event, decrypts it and answers ACK with our sequence number."""
    port, received = receiver
    sia = SiaAccount(account, line="0", receiver="1", key=key)
    frame = build_event(
        sia, 17, event_data(account, "MA", area=3, zone=12, text="Wohnung 1"), datetime.now(UTC)
    )
    answer = await async_send_event("127.0.0.1", port, frame, key)
    assert (answer.kind, answer.sequence, answer.encrypted) == (
        ResponseKind.ACK,
        17,
        key is not None,
    )
    await asyncio.sleep(0.05)
    assert len(received) == 1
    event = received[0]
    assert event.valid_message
    assert (event.account, event.code, event.ri, event.sequence) == (account, "MA", "3", "0017")


async def test_real_receiver_refuses_an_old_timestamp(receiver: tuple[int, list[SIAEvent]]) -> None:
    """A clock far off: the receiver says NAK (the caller retries with a fresh timestamp)."""
    port, received = receiver
    frame = build_event(SiaAccount("1234", receiver="1"), 3, event_data("1234", "MA"), WHEN)
    answer = await async_send_event("127.0.0.1", port, frame, None)
    assert answer.kind is ResponseKind.NAK
    assert received == []


async def test_unreachable_receiver(socket_enabled: None) -> None:
    """Nobody listening: OSError, which the outbox turns into a retry."""
    frame = build_event(SiaAccount("1234"), 1, event_data("1234", "MA"), WHEN)
    with pytest.raises(OSError):  # noqa: PT011 - refused connection
        await async_send_event("127.0.0.1", free_port(), frame, None, wait=2)


async def test_silent_receiver_times_out(socket_enabled: None) -> None:
    """A receiver that accepts but never answers: TimeoutError, never a hang."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1000)
        await reader.read()  # until the sender gives up and closes
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    frame = build_event(SiaAccount("1234"), 1, event_data("1234", "MA"), WHEN)
    try:
        with pytest.raises(TimeoutError):
            await async_send_event("127.0.0.1", port, frame, None, wait=0.3)
    finally:
        server.close()
        await server.wait_closed()


async def test_receiver_closing_without_answer(socket_enabled: None) -> None:
    """Connection closed before an answer: SiaError."""

    async def rude(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1000)
        writer.write(b"\n")
        writer.close()

    server = await asyncio.start_server(rude, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    frame = build_event(SiaAccount("1234"), 1, event_data("1234", "MA"), WHEN)
    try:
        with pytest.raises(SiaError):
            await async_send_event("127.0.0.1", port, frame, None, wait=2)
    finally:
        server.close()
        await server.wait_closed()


def test_free_text_is_bounded() -> None:
    """A long apartment name cannot push the frame beyond DC-09's length field."""
    data = event_data("1234", "MA", text="W" * 500)
    assert len(data) < 80
