"""OGC SensorThings API v1.1 payloads and answers for the urban data platform (pure).

Entity order: Thing (one per façade, with its Location) -> ObservedProperty and Sensor (one
per kind of value) -> Datastream (one per façade and kind) -> Observations, sent in batches
with the CreateObservations extension (dataArray) as FROST-Server implements it. Only values
of places are published: temperatures, the cooling, tank and water figures - never people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
import re
from typing import Any

OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of value the platform receives."""

    key: str
    name: str
    description: str
    unit_name: str
    unit_symbol: str
    unit_definition: str
    definition: str


KINDS: Mapping[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "temperature_greened",
            "Wall temperature, greened",
            "Surface temperature of the greened façade (mean of its sensors)",
            "Degree Celsius",
            "degC",
            "ucum:Cel",
            "http://vocabs.lter-europe.net/EnvThes/22035",
        ),
        Kind(
            "temperature_bare",
            "Wall temperature, bare",
            "Surface temperature of the bare façade (mean of its sensors)",
            "Degree Celsius",
            "degC",
            "ucum:Cel",
            "http://vocabs.lter-europe.net/EnvThes/22035",
        ),
        Kind(
            "cooling",
            "Cooling by façade greening",
            "Greened minus bare wall temperature; negative values mean the green cools",
            "Kelvin",
            "K",
            "ucum:K",
            "https://smart-quarter.example/def/cooling",
        ),
        Kind(
            "tank_level",
            "Rain water tank level",
            "Filling of the façade's rain water tank",
            "Percent",
            "%",
            "ucum:%",
            "https://smart-quarter.example/def/tank_level",
        ),
        Kind(
            "water_rain",
            "Rain water used",
            "Rain water used for irrigation since the start of the record",
            "Litre",
            "L",
            "ucum:L",
            "https://smart-quarter.example/def/water_rain",
        ),
        Kind(
            "water_mains",
            "Mains water used",
            "Mains water used for irrigation since the start of the record",
            "Litre",
            "L",
            "ucum:L",
            "https://smart-quarter.example/def/water_mains",
        ),
    )
}


class PlatformError(Exception):
    """An answer that does not fit; `retry` tells whether trying again may help."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        """Keep the reason and whether to retry."""
        super().__init__(reason)
        self.retry = retry


def thing(site: str, facade: str, latitude: float, longitude: float) -> dict[str, Any]:
    """Return the Thing of a façade, created with its Location in one request."""
    return {
        "name": f"{site} - {facade}",
        "description": f"Greened façade {facade} of {site}",
        "properties": {"site": site, "facade": facade, "source": "Smart Quarter"},
        "Locations": [
            {
                "name": f"{site} - {facade}",
                "description": f"Location of the façade {facade}",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [longitude, latitude]},
            }
        ],
    }


def observed_property(kind: Kind) -> dict[str, Any]:
    """Return the ObservedProperty of a kind."""
    return {"name": kind.name, "description": kind.description, "definition": kind.definition}


def sensor(kind: Kind) -> dict[str, Any]:
    """Return the Sensor of a kind (the façade controller's measurement)."""
    return {
        "name": f"Smart Quarter {kind.key}",
        "description": f"{kind.name}, measured by the façade controller",
        "encodingType": "text/plain",
        "metadata": "Smart Quarter façade controller (Modbus), values as measured",
    }


def datastream(
    kind: Kind, facade: str, thing_id: int | str, sensor_id: int | str, property_id: int | str
) -> dict[str, Any]:
    """Return the Datastream of one façade and kind."""
    return {
        "name": f"{facade}: {kind.name}",
        "description": kind.description,
        "observationType": OM_MEASUREMENT,
        "unitOfMeasurement": {
            "name": kind.unit_name,
            "symbol": kind.unit_symbol,
            "definition": kind.unit_definition,
        },
        "Thing": {"@iot.id": thing_id},
        "Sensor": {"@iot.id": sensor_id},
        "ObservedProperty": {"@iot.id": property_id},
    }


@dataclass(frozen=True, slots=True)
class Observation:
    """One value to publish."""

    datastream_id: int | str
    time: datetime
    value: float

    def as_dict(self) -> dict[str, Any]:
        """Serialise for the outbox."""
        return {"ds": self.datastream_id, "t": self.time.isoformat(), "v": self.value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Observation:
        """Read what as_dict wrote."""
        return cls(data["ds"], datetime.fromisoformat(data["t"]), float(data["v"]))


def create_observations(batch: Sequence[Observation]) -> list[dict[str, Any]]:
    """Return the CreateObservations body: one dataArray per Datastream, order kept."""
    by_stream: dict[int | str, list[list[Any]]] = {}
    for observation in batch:
        by_stream.setdefault(observation.datastream_id, []).append(
            [observation.time.isoformat(), observation.value]
        )
    return [
        {
            "Datastream": {"@iot.id": stream},
            "components": ["phenomenonTime", "result"],
            "dataArray@iot.count": len(rows),
            "dataArray": rows,
        }
        for stream, rows in by_stream.items()
    ]


def batch_order(batch: Sequence[Observation]) -> list[Observation]:
    """Return the observations in the order the CreateObservations answer lists them."""
    by_stream: dict[int | str, list[Observation]] = {}
    for observation in batch:
        by_stream.setdefault(observation.datastream_id, []).append(observation)
    return [o for rows in by_stream.values() for o in rows]


def rejected_rows(answer: Any, count: int) -> list[int]:
    """Return the indexes (in batch_order) the server refused; PlatformError if unreadable.

    FROST answers a list with one entry per row: the new Observation's URL, or "error ...".
    """
    if not isinstance(answer, list) or len(answer) != count:
        raise PlatformError("unexpected CreateObservations answer", retry=True)
    return [
        i for i, row in enumerate(answer) if not isinstance(row, str) or row.startswith("error")
    ]


_ID_RE = re.compile(r"\((?P<id>'[^']*'|\d+)\)\s*$")


def id_from_location(location: str | None) -> int | str:
    """Return the @iot.id from a Location header such as .../v1.1/Things(42)."""
    match = _ID_RE.search(location or "")
    if match is None:
        raise PlatformError(f"no entity id in {location!r}", retry=False)
    raw = match["id"]
    return raw.strip("'") if raw.startswith("'") else int(raw)


def chunks(items: Sequence[Observation], size: int = MAX_BATCH) -> Iterable[Sequence[Observation]]:
    """Split into batches the platform accepts."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
