"""The apartment gateway's MQTT protocol (Smart Quarter's own, documented in the README), pure.

A gateway serves one or many apartments. Topics below the site's base topic `<base>`:

- `<base>/gateway/<gateway>/status`: `online` / `offline` (retained; `offline` is its last will).
- `<base>/gateway/<gateway>/apartments`: retained JSON list of the apartments it serves,
  `[{"id": "whg-0412", "name": "Wohnung 4.12"}]`.
- `<base>/apartment/<apartment>/devices`: retained JSON list of the apartment's devices,
  `[{"id": "licht-wohnzimmer", "type": "light", "name": "Licht", "room": "Wohnzimmer"}]`.
  A device that leaves the list is gone.
- `<base>/apartment/<apartment>/<device>/state`: retained JSON state of a device (by type, below).
- `<base>/apartment/<apartment>/<device>/set`: a command to a device (JSON, not retained).

Anything that cannot be read raises GatewayMessageError (one type), never another exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
import json
import re
from typing import Any, Final

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_NAME: Final = 64
MAX_STATE_BYTES: Final = 4096
"""A device's state is a small object; anything larger is refused unread."""


class GatewayMessageError(ValueError):
    """A gateway message that cannot be read."""


class DeviceType(StrEnum):
    """The device types an apartment gateway announces."""

    LIGHT = "light"
    CLIMATE = "climate"
    METER = "meter"
    BED = "bed"
    KITCHEN = "kitchen"
    BLIND = "blind"
    LOCK = "lock"
    DOOR = "door"
    WINDOW = "window"
    PRESENCE = "presence"
    WHEELCHAIR = "wheelchair"


@dataclass(frozen=True, slots=True)
class ApartmentInfo:
    """An apartment a gateway serves."""

    apartment_id: str
    name: str


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A device an apartment has."""

    device_id: str
    type: DeviceType
    name: str
    room: str | None = None
    dimmable: bool = True
    """Lights: whether the brightness can be set."""


def valid_id(value: str) -> bool:
    """Tell whether an id can be a topic level."""
    return bool(_ID_RE.match(value))


def _json(payload: bytes | str) -> Any:
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GatewayMessageError(f"not JSON: {err}") from err


def _text(value: Any, what: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise GatewayMessageError(f"{what} is not a name")
    return value.strip()


def _id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not valid_id(value):
        raise GatewayMessageError(f"{what} is not an id")
    return value


def parse_gateway_status(payload: bytes | str) -> bool:
    """Return whether the gateway says it is online."""
    text = payload.decode(errors="replace") if isinstance(payload, bytes) else payload
    if text.strip() not in ("online", "offline"):
        raise GatewayMessageError(f"status {text!r}")
    return text.strip() == "online"


def parse_apartments(payload: bytes | str) -> list[ApartmentInfo]:
    """Read the list of apartments a gateway serves (duplicates refused)."""
    data = _json(payload)
    if not isinstance(data, list):
        raise GatewayMessageError("apartments: not a list")
    found: dict[str, ApartmentInfo] = {}
    for item in data:
        if not isinstance(item, dict):
            raise GatewayMessageError("apartments: an entry is not an object")
        apartment_id = _id(item.get("id"), "apartment id")
        if apartment_id in found:
            raise GatewayMessageError(f"apartments: {apartment_id} twice")
        found[apartment_id] = ApartmentInfo(
            apartment_id, _text(item.get("name", apartment_id), "name") or apartment_id
        )
    return list(found.values())


def parse_devices(payload: bytes | str) -> list[DeviceInfo]:
    """Read an apartment's device list (duplicates and unknown types refused)."""
    data = _json(payload)
    if not isinstance(data, list):
        raise GatewayMessageError("devices: not a list")
    found: dict[str, DeviceInfo] = {}
    for item in data:
        if not isinstance(item, dict):
            raise GatewayMessageError("devices: an entry is not an object")
        device_id = _id(item.get("id"), "device id")
        if device_id in found:
            raise GatewayMessageError(f"devices: {device_id} twice")
        try:
            kind = DeviceType(str(item.get("type")))
        except ValueError as err:
            raise GatewayMessageError(
                f"devices: {device_id} has type {item.get('type')!r}"
            ) from err
        dimmable = item.get("dimmable", True)
        if not isinstance(dimmable, bool):
            raise GatewayMessageError(f"devices: {device_id} dimmable is not true/false")
        found[device_id] = DeviceInfo(
            device_id,
            kind,
            _text(item.get("name", device_id), "name") or device_id,
            _text(item.get("room"), "room", required=False),
            dimmable,
        )
    return list(found.values())


# States -----------------------------------------------------------------------------------


def _number(data: Mapping[str, Any], key: str, low: float, high: float) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GatewayMessageError(f"{key} is not a number")
    if not low <= value <= high:
        raise GatewayMessageError(f"{key} {value} out of range {low}..{high}")
    return float(value)


def _optional_number(data: Mapping[str, Any], key: str, low: float, high: float) -> float | None:
    return None if data.get(key) is None else _number(data, key, low, high)


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise GatewayMessageError(f"{key} is not true/false")
    return value


CLIMATE_MODES: Final = ("off", "heat", "eco")


def _climate(data: Mapping[str, Any]) -> dict[str, Any]:
    mode = data.get("mode", "heat")
    if mode not in CLIMATE_MODES:
        raise GatewayMessageError(f"mode {mode!r}")
    return {
        "current": _optional_number(data, "current", -30, 60),
        "target": _number(data, "target", 5, 30),
        "mode": mode,
    }


STATE_READERS: Final[dict[DeviceType, Callable[[Mapping[str, Any]], dict[str, Any]]]] = {
    DeviceType.LIGHT: lambda d: {
        "on": _flag(d, "on"),
        "brightness": _optional_number(d, "brightness", 0, 100),
    },
    DeviceType.CLIMATE: _climate,
    DeviceType.METER: lambda d: {
        "power": _number(d, "power", -100_000, 100_000),
        "energy": _number(d, "energy", 0, 10_000_000),
    },
    DeviceType.BED: lambda d: {
        "height": _number(d, "height", 0, 100),
        "head": _number(d, "head", 0, 90),
        "foot": _number(d, "foot", 0, 90),
    },
    DeviceType.KITCHEN: lambda d: {"height": _number(d, "height", 0, 100)},
    DeviceType.BLIND: lambda d: {"position": _number(d, "position", 0, 100)},
    DeviceType.LOCK: lambda d: {"locked": _flag(d, "locked")},
    DeviceType.DOOR: lambda d: {"open": _flag(d, "open")},
    DeviceType.WINDOW: lambda d: {"open": _flag(d, "open")},
    DeviceType.PRESENCE: lambda d: {"occupied": _flag(d, "occupied")},
    DeviceType.WHEELCHAIR: lambda d: {
        "rented": _flag(d, "rented"),
        "battery": _optional_number(d, "battery", 0, 100),
    },
}


def parse_state(kind: DeviceType, payload: bytes | str) -> dict[str, Any]:
    """Read a device's state message for its type."""
    if len(payload) > MAX_STATE_BYTES:
        raise GatewayMessageError(f"state: {len(payload)} bytes, too large")
    data = _json(payload)
    if not isinstance(data, dict):
        raise GatewayMessageError("state: not an object")
    return STATE_READERS[kind](data)


# Topics and commands ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Topic:
    """What a topic below the base is about."""

    kind: str
    """gateway_status, gateway_apartments, devices, state, or set."""
    gateway: str | None = None
    apartment: str | None = None
    device: str | None = None


def classify(base: str, topic: str) -> Topic | None:
    """Say what a topic is (None: not the gateway protocol's)."""
    if not topic.startswith(f"{base}/"):
        return None
    parts = topic[len(base) + 1 :].split("/")
    match parts:
        case ["gateway", gateway, "status"]:
            return Topic("gateway_status", gateway=gateway)
        case ["gateway", gateway, "apartments"]:
            return Topic("gateway_apartments", gateway=gateway)
        case ["apartment", apartment, "devices"]:
            return Topic("devices", apartment=apartment)
        case ["apartment", apartment, device, ("state" | "set") as kind]:
            return Topic(kind, apartment=apartment, device=device)
    return None


def command(base: str, apartment: str, device: str, **values: Any) -> tuple[str, str]:
    """Return the topic and JSON payload of a command to a device."""
    return (
        f"{base}/apartment/{apartment}/{device}/set",
        json.dumps(values, separators=(",", ":")),
    )


def subscriptions(base: str) -> list[str]:
    """Return the topic filters a site subscribes to."""
    return [
        f"{base}/gateway/+/status",
        f"{base}/gateway/+/apartments",
        f"{base}/apartment/+/devices",
        f"{base}/apartment/+/+/state",
    ]
