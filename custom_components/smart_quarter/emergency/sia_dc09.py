"""SIA DC-09 (ANSI/SIA DC-09) framing for alarm-receiving centres, pure (no Home Assistant).

One event is one line: LF, CRC-16/ARC of the body (4 hex digits), the body's length (4 hex
digits, "0LLL"), the body, CR. The body is

    "SIA-DCS"<seq>[R<receiver>]L<line>#<account>[<data>]_<HH:MM:SS,MM-DD-YYYY>

and, encrypted (AES-CBC, the ID token gets a "*"), everything after the "[" is replaced by the
upper-case hex of AES(<pad>|<data>]_<timestamp>). The receiver answers with the same framing:
"ACK" (taken), "NAK" (refused, mostly a timestamp out of its window: try again with a fresh
one) or "DUH" (not understood). Retransmissions keep the sequence number (0001-9999).

Encryption and the IV: DC-09 receivers decrypt with the all-zero IV the standard prescribes,
so a sender cannot choose another IV and still be understood. The weakness of a fixed IV is
that equal plaintext gives equal ciphertext. This sender therefore always starts the plaintext
with a full block of fresh random pad characters (16 to 31 of them, the pad the standard lets
the receiver skip up to the "|"): the first cipher block is then unpredictable and chains into
every later block exactly as a random IV would, while any DC-09 receiver still decrypts it.
The key is the account's key text of 16, 24 or 32 characters (AES-128/192/256), used as its
ASCII bytes as alarm panels and receivers do (e.g. pysiaalarm, Home Assistant's sia).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import re
import secrets
import string

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MESSAGE_TYPE = "SIA-DCS"
MAX_ANSWER_AGE = timedelta(minutes=5)
MAX_TEXT = 40
MAX_SEQUENCE = 9999
BLOCK = 16
KEY_LENGTHS = (16, 24, 32)
ZERO_IV = bytes(BLOCK)
_PAD_ALPHABET = string.ascii_letters + string.digits
_ACCOUNT_RE = re.compile(r"^[0-9A-F]{3,16}$")
_PREFIX_RE = re.compile(r"^[0-9A-F]{1,6}$")
_RESPONSE_RE = re.compile(
    r"^\n?(?P<crc>[0-9A-Fa-f]{4})(?P<length>[0-9A-Fa-f]{4})"
    r'(?P<body>"(?P<encrypted>\*)?(?P<kind>ACK|NAK|DUH|RSP)"(?P<sequence>\d{4})[^\r\n]*)\r?$'
)


class SiaError(ValueError):
    """A setting or an answer that does not fit the protocol; `key` names it."""

    def __init__(self, key: str, detail: str = "") -> None:
        """Keep the key for a translated message."""
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key


class ResponseKind(StrEnum):
    """What the receiver answered."""

    ACK = "ACK"
    NAK = "NAK"
    DUH = "DUH"
    RSP = "RSP"


@dataclass(frozen=True, slots=True)
class SiaAccount:
    """Where events go: the subscriber's account, the receiver/line prefixes and the key."""

    account: str
    line: str = "0"
    receiver: str | None = None
    key: str | None = None

    def __post_init__(self) -> None:
        """Refuse settings a receiver would not accept."""
        if not _ACCOUNT_RE.match(self.account):
            raise SiaError("invalid_account", self.account)
        if not _PREFIX_RE.match(self.line):
            raise SiaError("invalid_line", self.line)
        if self.receiver is not None and not _PREFIX_RE.match(self.receiver):
            raise SiaError("invalid_receiver", self.receiver)
        if self.key is not None and (not self.key.isascii() or len(self.key) not in KEY_LENGTHS):
            raise SiaError("invalid_key")


@dataclass(frozen=True, slots=True)
class SiaResponse:
    """A receiver's answer to one event."""

    kind: ResponseKind
    sequence: int
    encrypted: bool


def crc16(data: bytes) -> int:
    """CRC-16/ARC (polynomial 0x8005 reflected, initial value 0), as DC-09 prescribes."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def next_sequence(sequence: int) -> int:
    """Return the sequence number after `sequence`: 1 to 9999, then 1 again."""
    return sequence % MAX_SEQUENCE + 1


def timestamp(when: datetime) -> str:
    """DC-09 timestamp (UTC): _HH:MM:SS,MM-DD-YYYY."""
    return when.astimezone(UTC).strftime("_%H:%M:%S,%m-%d-%Y")


def event_data(account: str, code: str, *, area: int = 0, zone: int = 0, text: str = "") -> str:
    """Return the SIA-DCS data of one event, e.g. '#1234|Nri1/MA501'.

    Area 1, medical alarm (MA), zone 501.

    `text` is appended as the event's free text (ASCII letters, digits and spaces only, so
    that it can never break the framing).
    """
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise SiaError("invalid_code", code)
    safe_text = "".join(char for char in text if char.isascii() and (char.isalnum() or char == " "))
    safe_text = safe_text[:MAX_TEXT]  # keeps the frame within the DC-09 length field
    return f"#{account}|Nri{area}/{code}{zone}{'^' + safe_text + '^' if safe_text else ''}"


def build_event(
    account: SiaAccount,
    sequence: int,
    data: str,
    when: datetime,
    *,
    pad: str | None = None,
) -> bytes:
    """Frame one event (encrypted when the account has a key)."""
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise SiaError("invalid_sequence", str(sequence))
    header = f"{sequence:04d}{_prefixes(account)}#{account.account}["
    tail = f"{data}]{timestamp(when)}"
    if account.key is None:
        body = f'"{MESSAGE_TYPE}"{header}{tail}'
    else:
        body = f'"*{MESSAGE_TYPE}"{header}{_encrypt(account.key, tail, pad)}'
    return _frame(body)


def parse_response(raw: bytes, key: str | None = None, now: datetime | None = None) -> SiaResponse:
    """Read a receiver's answer; SiaError("invalid_response") for anything malformed.

    With a key the answer must be encrypted and decrypt with that key to the closing "]" and
    a timestamp (within MAX_ANSWER_AGE of `now`, when given): only a receiver holding the key
    can acknowledge, and an old answer cannot be replayed. (DC-09 does not put the sequence
    number into the encrypted part, so that is all the binding there is.)
    """
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as err:
        raise SiaError("invalid_response", "not ASCII") from err
    if (match := _RESPONSE_RE.match(text)) is None:
        raise SiaError("invalid_response", text[:80])
    body = match["body"]
    if int(match["crc"], 16) != crc16(body.encode()):
        raise SiaError("invalid_response", "CRC mismatch")
    if int(match["length"], 16) != len(body):
        raise SiaError("invalid_response", "length mismatch")
    encrypted = match["encrypted"] is not None
    if key is not None and not encrypted and match["kind"] != ResponseKind.NAK:
        # A NAK is plain by the standard (it may come before any key is agreed).
        raise SiaError("invalid_response", "plain answer to an encrypted event")
    if encrypted:
        _check_encrypted_answer(body, key, now)
    return SiaResponse(ResponseKind(match["kind"]), int(match["sequence"]), encrypted)


def _check_encrypted_answer(body: str, key: str | None, now: datetime | None) -> None:
    if key is None:
        raise SiaError("invalid_response", "encrypted answer without a key")
    try:
        plain = _decrypt(key, body.partition("[")[2])
    except ValueError as err:
        raise SiaError("invalid_response", "cannot decrypt") from err
    stamp = re.search(r"\]_(\d{2}:\d{2}:\d{2},\d{2}-\d{2}-\d{4})$", plain)
    if stamp is None:
        raise SiaError("invalid_response", "decrypted answer is not an acknowledgement")
    if now is not None:
        try:
            sent = datetime.strptime(stamp[1], "%H:%M:%S,%m-%d-%Y").replace(tzinfo=UTC)
        except ValueError as err:
            raise SiaError("invalid_response", "bad timestamp") from err
        if abs(now - sent) > MAX_ANSWER_AGE:
            raise SiaError("invalid_response", "answer too old (replayed?)")


def random_pad(length: int) -> str:
    """`length` random pad characters (letters and digits: never '|', '[' or ']')."""
    return "".join(secrets.choice(_PAD_ALPHABET) for _ in range(length))


def _prefixes(account: SiaAccount) -> str:
    receiver = f"R{account.receiver}" if account.receiver is not None else ""
    return f"{receiver}L{account.line}"


def _frame(body: str) -> bytes:
    encoded = body.encode("ascii")
    return b"\n" + f"{crc16(encoded):04X}{len(encoded):04X}".encode() + encoded + b"\r"


def _encrypt(key: str, tail: str, pad: str | None) -> str:
    # A full block of random pad first (see the module text), then enough to fill the block.
    pad_length = BLOCK + (-(len(tail) + 1)) % BLOCK
    if pad is None:
        pad = random_pad(pad_length)
    elif len(pad) != pad_length:
        raise SiaError("invalid_pad", str(len(pad)))
    plain = f"{pad}|{tail}".encode("ascii")
    encryptor = Cipher(algorithms.AES(key.encode("ascii")), modes.CBC(ZERO_IV)).encryptor()
    return (encryptor.update(plain) + encryptor.finalize()).hex().upper()


def _decrypt(key: str, cipher_hex: str) -> str:
    data = bytes.fromhex(cipher_hex)
    if not data or len(data) % BLOCK:
        raise ValueError("not whole blocks")
    decryptor = Cipher(algorithms.AES(key.encode("ascii")), modes.CBC(ZERO_IV)).decryptor()
    return (decryptor.update(data) + decryptor.finalize()).decode("ascii", "replace")
