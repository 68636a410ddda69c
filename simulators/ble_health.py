"""Simulated Bluetooth health devices behind a simulated Bluetooth proxy.

Home Assistant reaches a Bluetooth device through a scanner; ESPHome Bluetooth proxies are
"remote scanners" that hand Home Assistant the advertisements they hear and a Bleak client
backend that connects through them. This module is such a proxy, with simulated devices
instead of a radio: `SimulatedBluetoothProxy` registers with Home Assistant's bluetooth
integration like a proxy does, its devices advertise the SIG health services, and its client
backend answers GATT reads, writes and subscriptions with frames built byte by byte from the
Bluetooth SIG specifications (Blood Pressure 1.1, Glucose 1.0, Health Thermometer 1.0, Pulse
Oximeter 1.0, Weight Scale 1.0, Battery, Device Information, Current Time).

The encoders here are written from the specifications independently of the integration's
parsers, so the tests compare two readings of the specification. The same devices run in the
demo (`demo/smart_quarter_demo`) and in the tests, with faults the tests switch on: a device
that never answers, one that drops the link in the middle of a record transfer, a Record Access
Control Point that answers with an error code, a proxy without free connection slots.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import math
import time
from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError
from bluetooth_data_tools import monotonic_time_coarse
from habluetooth import BaseHaRemoteScanner, HaBluetoothConnector


def uuid16(short: int) -> str:
    """Return the 128-bit form of a 16-bit SIG UUID."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


# Services
BLOOD_PRESSURE = uuid16(0x1810)
GLUCOSE = uuid16(0x1808)
THERMOMETER = uuid16(0x1809)
PULSE_OXIMETER = uuid16(0x1822)
WEIGHT_SCALE = uuid16(0x181D)
BATTERY = uuid16(0x180F)
DEVICE_INFORMATION = uuid16(0x180A)
CURRENT_TIME = uuid16(0x1805)

# Characteristics
BP_MEASUREMENT = uuid16(0x2A35)
INTERMEDIATE_CUFF = uuid16(0x2A36)
GLUCOSE_MEASUREMENT = uuid16(0x2A18)
GLUCOSE_CONTEXT = uuid16(0x2A34)
RACP = uuid16(0x2A52)
TEMPERATURE_MEASUREMENT = uuid16(0x2A1C)
PLX_SPOT_CHECK = uuid16(0x2A5E)
PLX_CONTINUOUS = uuid16(0x2A5F)
WEIGHT_MEASUREMENT = uuid16(0x2A9D)
BATTERY_LEVEL = uuid16(0x2A19)
CURRENT_TIME_CHAR = uuid16(0x2A2B)
MANUFACTURER_NAME = uuid16(0x2A29)
MODEL_NUMBER = uuid16(0x2A24)
SERIAL_NUMBER = uuid16(0x2A25)
FIRMWARE_REVISION = uuid16(0x2A26)

SERVICE_OF_KIND = {
    "blood_pressure": BLOOD_PRESSURE,
    "glucose": GLUCOSE,
    "thermometer": THERMOMETER,
    "pulse_oximeter": PULSE_OXIMETER,
    "weight_scale": WEIGHT_SCALE,
}

# --- Encoders (IEEE 11073-20601 numbers, SIG Date Time) --------------------------------------


SFLOAT_MANTISSA_LIMIT = 2048


def sfloat(value: float, decimals: int = 0) -> bytes:
    """Encode an SFLOAT: 4-bit exponent, 12-bit mantissa, both two's complement."""
    mantissa = round(value * 10**decimals)
    if not -SFLOAT_MANTISSA_LIMIT <= mantissa < SFLOAT_MANTISSA_LIMIT:
        raise ValueError(f"{value} does not fit an SFLOAT with {decimals} decimals")
    return (((-decimals & 0x0F) << 12) | (mantissa & 0x0FFF)).to_bytes(2, "little")


SFLOAT_NAN = (0x07FF).to_bytes(2, "little")
SFLOAT_NRES = (0x0800).to_bytes(2, "little")


def float32(value: float, decimals: int = 2) -> bytes:
    """Encode a FLOAT: 8-bit exponent, 24-bit mantissa."""
    mantissa = round(value * 10**decimals)
    return (((-decimals & 0xFF) << 24) | (mantissa & 0xFFFFFF)).to_bytes(4, "little")


def date_time(value: datetime) -> bytes:
    """Encode a Date Time (year uint16, month, day, hours, minutes, seconds)."""
    return value.year.to_bytes(2, "little") + bytes(
        [value.month, value.day, value.hour, value.minute, value.second]
    )


def blood_pressure_frame(  # noqa: PLR0913 - the profile's optional fields
    systolic: float,
    diastolic: float,
    mean_arterial: float,
    *,
    pulse: float | None = None,
    at: datetime | None = None,
    kpa: bool = False,
    user_id: int | None = None,
    status: int | None = None,
) -> bytes:
    """0x2A35: flags, three SFLOAT pressures, [time], [pulse], [user], [status bits]."""
    flags = (
        (0x01 if kpa else 0)
        | (0x02 if at else 0)
        | (0x04 if pulse is not None else 0)
        | (0x08 if user_id is not None else 0)
        | (0x10 if status is not None else 0)
    )
    decimals = 1 if kpa else 0
    frame = bytes([flags]) + b"".join(
        sfloat(value, decimals) for value in (systolic, diastolic, mean_arterial)
    )
    if at:
        frame += date_time(at)
    if pulse is not None:
        frame += sfloat(pulse)
    if user_id is not None:
        frame += bytes([user_id])
    if status is not None:
        frame += status.to_bytes(2, "little")
    return frame


def intermediate_cuff_frame(pressure: float) -> bytes:
    """0x2A36: like 0x2A35, systolic is the cuff pressure, the others NaN."""
    return bytes([0x00]) + sfloat(pressure) + SFLOAT_NAN + SFLOAT_NAN


def glucose_frame(
    sequence: int, at: datetime, mg_dl: float, *, context_follows: bool = False
) -> bytes:
    """0x2A18 with concentration in kg/L (mg/dL * 1e-5), capillary whole blood, finger."""
    flags = 0x02 | (0x10 if context_follows else 0)
    # mg/dL 112 -> 112e-5 kg/L -> SFLOAT mantissa 112, exponent -5
    return (
        bytes([flags])
        + sequence.to_bytes(2, "little")
        + date_time(at)
        + sfloat(mg_dl / 100000, 5)
        + bytes([0x11])  # type 1 capillary whole blood, location 1 finger
    )


def glucose_context_frame(sequence: int, meal: int) -> bytes:
    """0x2A34 with the meal field (1 preprandial, 2 postprandial, 3 fasting ...)."""
    return bytes([0x02]) + sequence.to_bytes(2, "little") + bytes([meal])


def temperature_frame(celsius: float, at: datetime | None = None, site: int | None = 2) -> bytes:
    """0x2A1C in Celsius with time stamp and temperature type."""
    flags = (0x02 if at else 0) | (0x04 if site is not None else 0)
    frame = bytes([flags]) + float32(celsius)
    if at:
        frame += date_time(at)
    if site is not None:
        frame += bytes([site])
    return frame


def spot_check_frame(spo2: float, pulse: float, at: datetime | None = None) -> bytes:
    """0x2A5E: flags, SpO2, pulse rate, [time]."""
    frame = bytes([0x01 if at else 0x00]) + sfloat(spo2) + sfloat(pulse)
    if at:
        frame += date_time(at)
    return frame


def continuous_frame(spo2: float, pulse: float) -> bytes:
    """0x2A5F without optional fields."""
    return bytes([0x00]) + sfloat(spo2) + sfloat(pulse)


def weight_frame(kg: float, at: datetime | None = None) -> bytes:
    """0x2A9D in SI units (resolution 5 g)."""
    frame = bytes([0x02 if at else 0x00]) + round(kg / 0.005).to_bytes(2, "little")
    if at:
        frame += date_time(at)
    return frame


def racp_response(request: int, code: int) -> bytes:
    """Build a RACP Response Code indication (opcode 6, operator null)."""
    return bytes([0x06, 0x00, request, code])


# --- The simulated devices --------------------------------------------------------------------

READ = ("read",)
INDICATE = ("indicate",)
NOTIFY = ("notify",)


@dataclass
class SimulatedDevice:
    """One health device: its GATT table, what it has measured, and the faults to play."""

    address: str
    name: str
    kind: str
    battery: int = 87
    manufacturer: str = "Smart Quarter Simulator"
    model: str = ""
    serial: str = "SIM-0001"
    rssi: int = -60
    # Frames queued per characteristic; sent when the client subscribes.
    pending: dict[str, list[bytes]] = field(default_factory=dict)
    # Glucose meters keep records; the client asks for them by sequence number.
    records: list[tuple[int, bytes, bytes | None]] = field(default_factory=list)
    clock: bytes | None = None
    """The last Current Time written by the client (10 bytes)."""
    # Faults
    answers: bool = True
    """False: connection attempts never complete (a device that never answers)."""
    disconnect_after: int | None = None
    """Drop the link after sending this many measurement frames (then clear the fault)."""
    racp_error: int | None = None
    """Answer the next record request with this RACP response code."""
    supports_current_time: bool = True
    hangs_up_when_done: bool = True
    connections: int = 0
    advertised_records: int = 0
    racp_requests: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Default model name from the kind."""
        self.model = self.model or f"SIM-{self.kind}"

    @property
    def service_uuid(self) -> str:
        """The health service the device advertises."""
        return SERVICE_OF_KIND[self.kind]

    def gatt_table(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """Service -> characteristic -> properties."""
        table: dict[str, dict[str, tuple[str, ...]]] = {
            BATTERY: {BATTERY_LEVEL: READ},
            DEVICE_INFORMATION: {
                MANUFACTURER_NAME: READ,
                MODEL_NUMBER: READ,
                SERIAL_NUMBER: READ,
                FIRMWARE_REVISION: READ,
            },
        }
        if self.supports_current_time:
            table[CURRENT_TIME] = {CURRENT_TIME_CHAR: ("read", "write", "notify")}
        table[self.service_uuid] = {
            "blood_pressure": {BP_MEASUREMENT: INDICATE, INTERMEDIATE_CUFF: NOTIFY},
            "glucose": {
                GLUCOSE_MEASUREMENT: NOTIFY,
                GLUCOSE_CONTEXT: NOTIFY,
                RACP: ("write", "indicate"),
            },
            "thermometer": {TEMPERATURE_MEASUREMENT: INDICATE},
            "pulse_oximeter": {PLX_SPOT_CHECK: INDICATE, PLX_CONTINUOUS: NOTIFY},
            "weight_scale": {WEIGHT_MEASUREMENT: INDICATE},
        }[self.kind]
        return table

    def read(self, uuid: str) -> bytes:
        """Answer a read."""
        values = {
            BATTERY_LEVEL: bytes([self.battery]),
            MANUFACTURER_NAME: self.manufacturer.encode(),
            MODEL_NUMBER: self.model.encode(),
            SERIAL_NUMBER: self.serial.encode(),
            FIRMWARE_REVISION: b"1.0.3\x00",
            CURRENT_TIME_CHAR: self.clock or bytes(10),
        }
        if uuid not in values:
            raise BleakError(f"characteristic {uuid} cannot be read")
        return values[uuid]

    def queue(self, characteristic: str, frame: bytes) -> None:
        """Keep a frame to send when the client subscribes (what a device stores)."""
        self.pending.setdefault(characteristic, []).append(frame)

    def add_glucose_record(self, at: datetime, mg_dl: float, meal: int | None = None) -> int:
        """Store a glucose record with the next sequence number; return that number."""
        sequence = (self.records[-1][0] + 1) if self.records else 1
        context = glucose_context_frame(sequence, meal) if meal is not None else None
        self.records.append(
            (
                sequence,
                glucose_frame(sequence, at, mg_dl, context_follows=context is not None),
                context,
            )
        )
        return sequence

    # A realistic measurement of each kind, for the demo's "measure now".
    def measure(self, at: datetime, seed: float | None = None) -> None:
        """Take a plausible measurement now (the values drift slowly with time).

        The device's advertisement changes with it (a counter in its manufacturer data), as
        many devices flag new data, so Home Assistant passes it on at once.
        """
        self.advertised_records += 1
        phase = seed if seed is not None else time.time() / 600
        wobble = math.sin(phase)
        match self.kind:
            case "blood_pressure":
                self.queue(
                    BP_MEASUREMENT,
                    blood_pressure_frame(
                        round(128 + 9 * wobble),
                        round(82 + 5 * wobble),
                        round(97 + 6 * wobble),
                        pulse=round(71 + 6 * wobble),
                        at=at,
                        status=0,
                    ),
                )
            case "glucose":
                self.add_glucose_record(at, round(104 + 18 * wobble), meal=1)
            case "thermometer":
                self.queue(
                    TEMPERATURE_MEASUREMENT, temperature_frame(round(36.7 + 0.3 * wobble, 1), at)
                )
            case "pulse_oximeter":
                self.queue(
                    PLX_SPOT_CHECK, spot_check_frame(round(97 + wobble), round(72 + 5 * wobble), at)
                )
            case "weight_scale":
                self.queue(WEIGHT_MEASUREMENT, weight_frame(round(74.2 + 0.4 * wobble, 1), at))


class SimulatedGattClient(BaseBleakClient):
    """A Bleak client backend whose peer is a SimulatedDevice (one connection each)."""

    proxy: SimulatedBluetoothProxy

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        """Find the simulated device behind the address."""
        super().__init__(address_or_ble_device, **kwargs)
        self.device = self.proxy.devices[self.address]
        self._connected = False
        self._subscriptions: dict[str, NotifyCallback] = {}
        self._sent = 0

    @property
    def mtu_size(self) -> int:
        """An MTU large enough for every frame here."""
        return 247

    @property
    def name(self) -> str:
        """The device's name."""
        return self.device.name

    @property
    def is_connected(self) -> bool:
        """Whether the link is up."""
        return self._connected

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect: a device that never answers keeps the caller waiting."""
        if not self.device.answers:
            await asyncio.sleep(3600)
        self.proxy.connected.add(self.address)
        self.device.connections += 1
        self._connected = True
        self.services = self._services()

    def _services(self) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        handle = 1
        for service_uuid, characteristics in self.device.gatt_table().items():
            service = BleakGATTService(None, handle, service_uuid)
            collection.add_service(service)
            handle += 1
            for uuid, properties in characteristics.items():
                collection.add_characteristic(
                    BleakGATTCharacteristic(
                        None,
                        handle,
                        uuid,
                        list(properties),
                        lambda: 244,
                        service,  # type: ignore[arg-type]
                    )
                )
                handle += 2
        return collection

    async def disconnect(self) -> None:
        """Disconnect on the client's request."""
        self._drop(notify=False)

    def _drop(self, *, notify: bool) -> None:
        if not self._connected:
            return
        self._connected = False
        self._subscriptions.clear()
        self.proxy.connected.discard(self.address)
        if notify and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Health devices here need no pairing."""

    async def unpair(self) -> None:
        """Nothing to undo."""

    def _require(self) -> None:
        if not self._connected:
            raise BleakError("Not connected")

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Answer a read from the device's values."""
        self._require()
        return bytearray(self.device.read(characteristic.uuid))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """No descriptor is read by the integration."""
        raise BleakError("descriptors are not simulated")

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: Any, response: bool
    ) -> None:
        """Set the clock (Current Time) or answer a record request (RACP)."""
        self._require()
        data = bytes(data)
        if characteristic.uuid == CURRENT_TIME_CHAR:
            if len(data) != 10:  # noqa: PLR2004
                raise BleakError("ATT error 0x0D: invalid attribute value length")
            self.device.clock = data
        elif characteristic.uuid == RACP:
            if RACP not in self._subscriptions:
                # 0xFD: "Client Characteristic Configuration Descriptor improperly configured".
                raise BleakError("ATT error 0xFD: CCCD improperly configured")
            self.device.racp_requests.append(data)
            asyncio.get_running_loop().call_soon(self._answer_racp, data)
        else:
            raise BleakError(f"characteristic {characteristic.uuid} is not writable")

    def _answer_racp(self, request: bytes) -> None:
        opcode = request[0]
        if self.device.racp_error is not None:
            code, self.device.racp_error = self.device.racp_error, None
            self._send(RACP, racp_response(opcode, code))
            return
        if opcode != 0x01:
            self._send(RACP, racp_response(opcode, 0x02))  # opcode not supported
            return
        operator = request[1]
        if operator == 0x01:  # all records
            records = self.device.records
        elif operator == 0x03 and len(request) == 5 and request[2] == 0x01:  # >= sequence  # noqa: PLR2004
            first = int.from_bytes(request[3:5], "little")
            records = [record for record in self.device.records if record[0] >= first]
        else:
            self._send(RACP, racp_response(opcode, 0x04))  # operator not supported
            return
        if not records:
            self._send(RACP, racp_response(opcode, 0x06))  # no records found
            return
        for _sequence, frame, context in records:
            if not self._send_measurement(GLUCOSE_MEASUREMENT, frame):
                return
            if context is not None:
                self._send(GLUCOSE_CONTEXT, context)
        self._send(RACP, racp_response(opcode, 0x01))

    def _send(self, uuid: str, frame: bytes) -> bool:
        if not self._connected or uuid not in self._subscriptions:
            return False
        self._subscriptions[uuid](bytearray(frame))
        return True

    def _send_measurement(self, uuid: str, frame: bytes) -> bool:
        """Send a measurement frame, unless the fault says to drop the link first."""
        if self.device.disconnect_after is not None and self._sent >= self.device.disconnect_after:
            self.device.disconnect_after = None
            self._drop(notify=True)
            return False
        if not self._send(uuid, frame):
            return False
        self._sent += 1
        return True

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Subscribe; a device sends what it stored once the client listens."""
        self._require()
        self._subscriptions[characteristic.uuid] = callback
        if self.device.pending.get(characteristic.uuid):
            asyncio.get_running_loop().call_soon(self._flush, characteristic.uuid)

    def _flush(self, uuid: str) -> None:
        frames = self.device.pending.get(uuid, [])
        while frames:
            if not self._send_measurement(uuid, frames[0]):
                return
            frames.pop(0)  # indicated and confirmed: the device forgets it
        if self.device.hangs_up_when_done:
            # Like most health devices: done sending, it ends the connection itself.
            asyncio.get_running_loop().call_soon(lambda: self._drop(notify=True))

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Unsubscribe."""
        self._subscriptions.pop(characteristic.uuid, None)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        """No descriptor is written by the integration."""
        raise BleakError("descriptors are not simulated")


def self_count(device: SimulatedDevice) -> bytes:
    """Return the advertised record counter of a device (two bytes)."""
    return (device.advertised_records & 0xFFFF).to_bytes(2, "little")


class SimulatedBluetoothProxy(BaseHaRemoteScanner):
    """A remote scanner (like an ESPHome Bluetooth proxy) that hears simulated devices."""

    def __init__(self, source: str = "sim-proxy", name: str = "Simulated Bluetooth proxy") -> None:
        """Create the proxy with its own client backend class bound to its devices."""
        self.devices: dict[str, SimulatedDevice] = {}
        self.connected: set[str] = set()
        self.slots = 3
        client = type("BoundSimulatedGattClient", (SimulatedGattClient,), {"proxy": self})
        super().__init__(
            source,
            name,
            connector=HaBluetoothConnector(
                client=client, source=source, can_connect=self._can_connect
            ),
            connectable=True,
        )

    def _can_connect(self) -> bool:
        return len(self.connected) < self.slots

    def add(self, device: SimulatedDevice) -> SimulatedDevice:
        """Put a device in range."""
        self.devices[device.address] = device
        return device

    def advertise(
        self, device: SimulatedDevice, monotonic: Callable[[], float] | None = None
    ) -> None:
        """Let the proxy hear one advertisement of the device (its health service UUID)."""
        self._async_on_advertisement(
            address=device.address,
            rssi=device.rssi,
            local_name=device.name,
            service_uuids=[device.service_uuid],
            service_data={},
            # 0xFFFF: the company id for tests and demos (Bluetooth SIG assigned numbers).
            manufacturer_data=({0xFFFF: self_count(device)} if device.advertised_records else {}),
            tx_power=None,
            details={},
            advertisement_monotonic_time=(monotonic or monotonic_time_coarse)(),
        )
