"""One visit to a health device over GATT: what the integration does while connected.

Free of Home Assistant: it gets a connected Bleak client and returns what it read. Health
devices advertise when they hold a measurement; the visit reads the battery (and, the first
time, the Device Information strings), sets the device clock through the Current Time service
when the device offers it, subscribes to the profile's measurement characteristics and
collects what the device sends. A glucose meter is asked through its Record Access Control
Point for the records after the last sequence number seen (all of them the first time); the
visit ends with the RACP's answer. Other devices send their stored measurements on their own;
the visit ends when they fall silent or hang up.

A corrupt frame is counted and skipped, never fatal; a link lost in the middle keeps what
arrived (a glucose sync continues from there next time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import logging
from typing import Protocol

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.service import BleakGATTServiceCollection
from bleak.exc import BleakError

from .gatt import GattParseError
from .health_profiles import (
    DEVICE_INFORMATION,
    MAX_SEQUENCE,
    UUID_BATTERY_LEVEL,
    UUID_BLOOD_PRESSURE_MEASUREMENT,
    UUID_CURRENT_TIME,
    UUID_GLUCOSE_CONTEXT,
    UUID_GLUCOSE_MEASUREMENT,
    UUID_INTERMEDIATE_CUFF_PRESSURE,
    UUID_PLX_CONTINUOUS,
    UUID_PLX_SPOT_CHECK,
    UUID_RACP,
    UUID_TEMPERATURE_MEASUREMENT,
    UUID_WEIGHT_MEASUREMENT,
    DeviceInformation,
    Glucose,
    GlucoseContext,
    RacpOpcode,
    RacpResult,
    current_time_frame,
    parse_battery,
    parse_blood_pressure,
    parse_continuous,
    parse_device_information,
    parse_glucose,
    parse_glucose_context,
    parse_racp,
    parse_spot_check,
    parse_temperature,
    parse_weight,
    racp_report_after,
    racp_report_all,
)
from .readings import (
    KIND_BLOOD_PRESSURE,
    KIND_GLUCOSE,
    KIND_PULSE_OXIMETER,
    KIND_THERMOMETER,
    KIND_WEIGHT_SCALE,
    Measurement,
)

_LOGGER = logging.getLogger(__name__)

IDLE_SECONDS = 4.0
"""A device that sent nothing for this long has nothing more to send."""
RACP_SECONDS = 30.0
"""Longest wait for a glucose meter to finish a record transfer."""

type Parser = Callable[[bytes], Measurement | GlucoseContext]

PROFILE_CHARACTERISTICS: dict[str, dict[str, Parser]] = {
    KIND_BLOOD_PRESSURE: {
        UUID_BLOOD_PRESSURE_MEASUREMENT: parse_blood_pressure,
        UUID_INTERMEDIATE_CUFF_PRESSURE: lambda frame: parse_blood_pressure(
            frame, intermediate=True
        ),
    },
    KIND_GLUCOSE: {
        UUID_GLUCOSE_MEASUREMENT: parse_glucose,
        UUID_GLUCOSE_CONTEXT: parse_glucose_context,
    },
    KIND_THERMOMETER: {UUID_TEMPERATURE_MEASUREMENT: parse_temperature},
    KIND_PULSE_OXIMETER: {
        UUID_PLX_SPOT_CHECK: parse_spot_check,
        UUID_PLX_CONTINUOUS: parse_continuous,
    },
    KIND_WEIGHT_SCALE: {UUID_WEIGHT_MEASUREMENT: parse_weight},
}
"""Per device kind: the characteristics to subscribe to and how to read their frames."""

RACP_RECOVERABLE = frozenset({RacpResult.OPERATOR_NOT_SUPPORTED, RacpResult.OPERAND_NOT_SUPPORTED})
"""Meters that cannot filter by sequence number are asked for all records instead."""


class GattClient(Protocol):
    """The part of a Bleak client a visit uses."""

    @property
    def services(self) -> BleakGATTServiceCollection:
        """The device's GATT table."""
        ...

    async def read_gatt_char(self, char_specifier: BleakGATTCharacteristic) -> bytearray:
        """Read a characteristic."""
        ...

    async def write_gatt_char(
        self, char_specifier: BleakGATTCharacteristic, data: bytes, response: bool | None = None
    ) -> None:
        """Write a characteristic."""
        ...

    async def start_notify(
        self,
        char_specifier: BleakGATTCharacteristic,
        callback: Callable[[BleakGATTCharacteristic, bytearray], None],
    ) -> None:
        """Subscribe to notifications or indications."""
        ...


@dataclass(slots=True)
class Visit:
    """What one connection brought."""

    measurements: list[Measurement] = field(default_factory=list)
    contexts: dict[int, GlucoseContext] = field(default_factory=dict)
    cuff_pressure: float | None = None
    battery: int | None = None
    information: DeviceInformation | None = None
    clock_set: bool = False
    corrupt_frames: int = 0
    racp_result: RacpResult | None = None
    complete: bool = False
    """True when the device said it was done (RACP answer) or fell silent; False: link lost."""


class DeviceVisit:
    """Reads one connected device; `link_lost` is the client's disconnected callback."""

    def __init__(self, kind: str, *, last_sequence: int | None, read_information: bool) -> None:
        """Say what to read: the device kind, the glucose position, whether to read the strings."""
        self.kind = kind
        self.last_sequence = last_sequence
        self.read_information = read_information
        self.visit = Visit()
        self._frames: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()

    def link_lost(self) -> None:
        """Note that the device hung up (or went out of range)."""
        self._frames.put_nowait(None)

    async def run(self, client: GattClient, local_now: datetime) -> Visit:
        """Read the device; BleakError or TimeoutError only for failures of the link itself."""
        services = client.services
        await self._read_status(client, services, local_now)
        parsers = PROFILE_CHARACTERISTICS[self.kind]
        for uuid in parsers:
            if (characteristic := services.get_characteristic(uuid)) is not None:
                await client.start_notify(characteristic, self._on_frame)
        if self.kind == KIND_GLUCOSE:
            await self._sync_records(client, services, parsers)
        else:
            await self._collect(parsers, until_racp=False)
        return self.visit

    async def _read_status(
        self, client: GattClient, services: BleakGATTServiceCollection, local_now: datetime
    ) -> None:
        if (battery := services.get_characteristic(UUID_BATTERY_LEVEL)) is not None:
            try:
                self.visit.battery = parse_battery(bytes(await client.read_gatt_char(battery)))
            except GattParseError as err:
                self._corrupt("battery", err)
        if self.read_information:
            strings: dict[str, bytes] = {}
            for uuid in DEVICE_INFORMATION:
                if (characteristic := services.get_characteristic(uuid)) is not None:
                    strings[uuid] = bytes(await client.read_gatt_char(characteristic))
            try:
                self.visit.information = parse_device_information(strings)
            except GattParseError as err:
                self._corrupt("device information", err)
        clock = services.get_characteristic(UUID_CURRENT_TIME)
        if clock is not None and "write" in clock.properties:
            try:
                await client.write_gatt_char(clock, current_time_frame(local_now), response=True)
                self.visit.clock_set = True
            except BleakError as err:
                # Many devices refuse a time they set themselves; the reading goes on.
                _LOGGER.debug("Device refused the current time: %s", err)

    def _on_frame(self, characteristic: BleakGATTCharacteristic, data: bytearray) -> None:
        self._frames.put_nowait((characteristic.uuid, bytes(data)))

    async def _sync_records(
        self, client: GattClient, services: BleakGATTServiceCollection, parsers: dict[str, Parser]
    ) -> None:
        racp = services.get_characteristic(UUID_RACP)
        if racp is None:
            await self._collect(parsers, until_racp=False)
            return
        # Answers come as indications: without the subscription the meter refuses the request.
        await client.start_notify(racp, self._on_frame)
        first_visit = self.last_sequence is None or self.last_sequence >= MAX_SEQUENCE
        request = racp_report_all() if first_visit else racp_report_after(self.last_sequence or 0)
        await client.write_gatt_char(racp, request, response=True)
        await self._collect(parsers, until_racp=True)
        if self.visit.racp_result in RACP_RECOVERABLE and self.last_sequence is not None:
            self.visit.racp_result = None
            self.visit.complete = False
            await client.write_gatt_char(racp, racp_report_all(), response=True)
            await self._collect(parsers, until_racp=True)

    async def _collect(self, parsers: dict[str, Parser], *, until_racp: bool) -> None:
        wait = RACP_SECONDS if until_racp else IDLE_SECONDS
        while True:
            try:
                async with asyncio.timeout(wait):
                    item = await self._frames.get()
            except TimeoutError:
                # Silence: a device done with its stored measurements; a meter that never
                # answers its RACP leaves the sync incomplete.
                self.visit.complete = not until_racp
                return
            if item is None:
                # The device hung up. Devices sending indications do so when they are done;
                # only a record transfer (RACP) can be cut short.
                self.visit.complete = not until_racp
                return
            uuid, frame = item
            if uuid == UUID_RACP:
                if self._racp_answered(frame):
                    return
                continue
            self._take(parsers[uuid], frame)

    def _racp_answered(self, frame: bytes) -> bool:
        try:
            response = parse_racp(frame)
        except GattParseError as err:
            self._corrupt("RACP", err)
            return False
        if response.request is not RacpOpcode.REPORT_RECORDS or response.result is None:
            return False
        self.visit.racp_result = response.result
        self.visit.complete = response.result in (RacpResult.SUCCESS, RacpResult.NO_RECORDS)
        return True

    def _take(self, parser: Parser, frame: bytes) -> None:
        try:
            parsed = parser(frame)
        except GattParseError as err:
            self._corrupt(self.kind, err)
            return
        match parsed:
            case GlucoseContext():
                self.visit.contexts[parsed.sequence] = parsed
            case Glucose() if (
                self.last_sequence is not None and parsed.sequence <= self.last_sequence
            ):
                pass  # a record already read (a meter that sent all records)
            case _ if getattr(parsed, "intermediate", False):
                self.visit.cuff_pressure = getattr(parsed, "systolic", None)
            case _:
                self.visit.measurements.append(parsed)

    def _corrupt(self, what: str, err: GattParseError) -> None:
        self.visit.corrupt_frames += 1
        _LOGGER.warning("Skipped a corrupt %s frame: %s", what, err)
