"""A simulated façade controller for the demo and the tests (not shipped by HACS).

A pymodbus TCP server with the register layout of the Smart Quarter reference controller
(custom_components/smart_quarter/facade/const.py) and simple physics, one step a second:

- the sun (by local time) warms the bare wall much more than the greened one; nights cool;
- soil dries with heat and sun, and gets wetter while its zone valve is open and water flows;
- water flows only from a source: the tank through the pump (coil 1) while the tank has water,
  or mains (coil 0); the flow meter counts it (no source, no flow: the dry-run case);
- the tank drains with the flow and refills while it rains (a discrete input).

    python simulators/facade.py --port 5020 [--zones 2] [--speed 60] [--rain]

Registers: input 0 tank level (0.1 %), input 1-2 flow total (uint32, 0.1 L), input 10/11
greened wall temperature at 1 m / 3 m (int16, 0.1 degC), input 12/13 bare wall, input 20+n
soil moisture of zone n (0.1 %); discrete 0 rain; coil 0 mains valve, coil 1 pump, coil 2+n
zone valve n; holding 100 watchdog time (s): without any request for that long, all coils
drop (a real relay module's safe mode).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
import logging
import math
import time

from pymodbus import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

_LOGGER = logging.getLogger("facade_simulator")
TANK_LITRES = 5000.0
FLOW_L_PER_MIN = 6.0


@dataclass
class Facade:
    """The physical state."""

    zones: int = 2
    tank: float = 70.0  # %
    flow_total: float = 0.0  # litres
    moisture: list[float] = field(default_factory=list)
    raining: bool = False

    def __post_init__(self) -> None:
        """Start with a dry first zone and wetter others."""
        if not self.moisture:
            self.moisture = [22.0 + 8 * n for n in range(self.zones)]

    def step(self, seconds: float, hour: float, coils: list[bool]) -> None:
        """Advance the physics by `seconds` (already sped up)."""
        minutes = seconds / 60
        sun = max(0.0, math.sin((hour - 6) / 12 * math.pi))
        mains, pump = coils[0], coils[1]
        has_source = mains or (pump and self.tank > 1.0)
        open_zones = [n for n in range(self.zones) if coils[2 + n]]
        flow = FLOW_L_PER_MIN * minutes if has_source and open_zones else 0.0
        self.flow_total += flow
        if pump and not mains and flow:
            self.tank = max(0.0, self.tank - flow / TANK_LITRES * 100)
        if self.raining:
            self.tank = min(100.0, self.tank + 0.2 * minutes)
        for n in range(self.zones):
            dry = (0.01 + 0.05 * sun) * minutes
            wet = 0.8 * minutes if n in open_zones and flow else 0.0
            rain = 0.05 * minutes if self.raining else 0.0
            self.moisture[n] = min(60.0, max(5.0, self.moisture[n] - dry + wet + rain))

    @staticmethod
    def temperatures(hour: float) -> tuple[float, float, float, float]:
        """Greened 1 m, greened 3 m, bare 1 m, bare 3 m (degC)."""
        sun = max(0.0, math.sin((hour - 6) / 12 * math.pi))
        air = 14.0 + 9.0 * sun
        return (air + 1.5 * sun - 0.5, air + 2.0 * sun, air + 7.0 * sun, air + 9.0 * sun + 0.5)


def _device() -> SimDevice:
    bits = SimData(0, count=32, values=False, datatype=DataType.BITS)
    regs = SimData(0, count=128, values=0, datatype=DataType.REGISTERS)
    return SimDevice(
        0,
        simdata=(
            [bits],
            [SimData(0, count=32, values=False, datatype=DataType.BITS)],
            [regs],
            [SimData(0, count=128, values=0, datatype=DataType.REGISTERS)],
        ),
    )


async def run(port: int, zones: int, speed: float, raining: bool) -> None:
    """Serve and simulate until stopped."""
    server = ModbusTcpServer(_device(), framer=FramerType.SOCKET, address=("127.0.0.1", port))
    serving = asyncio.create_task(server.serve_forever())
    facade = Facade(zones=zones, raining=raining)
    context = server.context
    await context.async_setValues(1, 16, 100, [60])
    last_coils: list[bool] = []
    last_change = time.monotonic()
    print(f"façade simulator on 127.0.0.1:{port} ({zones} zones, speed x{speed:g})", flush=True)
    try:
        while True:
            await asyncio.sleep(1)
            coils = list(await context.async_getValues(1, 1, 0, 2 + zones))  # type: ignore[arg-type]
            watchdog = (await context.async_getValues(1, 3, 100, 1))[0]  # type: ignore[index]
            if coils != last_coils:
                last_coils, last_change = coils, time.monotonic()
            elif any(coils) and watchdog and time.monotonic() - last_change > float(watchdog):
                # Nobody talked to us (changed an output) for the watchdog time: safe mode.
                coils = [False] * len(coils)
                await context.async_setValues(1, 15, 0, coils)
                _LOGGER.warning("watchdog: all outputs dropped")
            now = datetime.now()
            hour = now.hour + now.minute / 60
            facade.step(speed, hour, coils)
            temps = Facade.temperatures(hour)
            flow = round(facade.flow_total * 10)
            await context.async_setValues(
                1, 4, 0, [round(facade.tank * 10), flow >> 16 & 0xFFFF, flow & 0xFFFF]
            )
            await context.async_setValues(1, 4, 10, [round(t * 10) & 0xFFFF for t in temps])
            await context.async_setValues(1, 4, 20, [round(m * 10) for m in facade.moisture])
            await context.async_setValues(1, 2, 0, [facade.raining])
    finally:
        await server.shutdown()
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=5020)
    parser.add_argument("--zones", type=int, default=2)
    parser.add_argument("--speed", type=float, default=60, help="simulated seconds per second")
    parser.add_argument("--rain", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.port, args.zones, args.speed, args.rain))


if __name__ == "__main__":
    main()
