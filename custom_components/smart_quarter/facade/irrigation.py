"""The irrigation controller of one façade, as pure code with time passed in (no Home Assistant).

Every call of step() gets the current readings and returns what the outputs must be. Safety
comes first and is checked on every step, in this order; any of them closes everything:

1. communication with the controller lost;
2. a latched fault (dry run, output mismatch) until a technician resets it;
3. frost: below 3 °C (released at 4 °C), or no temperature reading although a sensor is set up;
4. no water: the tank is below its minimum (or its probe failed) and mains fallback is off;
5. dry run: outputs open for `dry_run_after` without any flow -> fault, latched.

Watering (auto mode) then starts a zone only inside the watering window, when it is not
raining or forecast to rain, below the daily water budget, when its moisture sensor is
plausible and below target - hysteresis, after its soak time, and below its daily run time;
it stops at the target, after the maximum run per cycle, at the end of the window or when the
budget is used. One zone waters at a time. Rain water first: the tank (with its pump) while
its level is above the minimum, else mains (valve) if allowed. A manual run with a duration
ignores moisture, window, rain and budget but never the safety rules, and always ends by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

FROST_BELOW = 3.0
FROST_RELEASE = 4.0
MAX_MANUAL = timedelta(minutes=30)


class Mode(StrEnum):
    """How a zone is run."""

    AUTO = "auto"
    MANUAL = "manual"
    OFF = "off"


class Source(StrEnum):
    """Where the water comes from."""

    TANK = "tank"
    MAINS = "mains"


class Block(StrEnum):
    """Why nothing may water now (most important first)."""

    COMMUNICATION = "communication"
    FAULT = "fault"
    FROST = "frost"
    FROST_SENSOR = "frost_sensor"
    NO_WATER = "no_water"


class Fault(StrEnum):
    """Latched faults: they close everything until a technician resets them."""

    DRY_RUN = "dry_run"
    OUTPUT_MISMATCH = "output_mismatch"


class IrrigationError(ValueError):
    """A refused request (manual run); `key` names the reason for a translated message."""

    def __init__(self, key: str) -> None:
        """Keep the key."""
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class ZoneSettings:
    """One irrigation zone's rules."""

    zone_id: str
    target: float = 35.0
    """Soil moisture (%) at which watering stops."""
    hysteresis: float = 5.0
    """Watering starts below target - hysteresis."""
    max_cycle: timedelta = timedelta(minutes=10)
    max_day: timedelta = timedelta(minutes=40)
    soak: timedelta = timedelta(minutes=30)
    mode: Mode = Mode.AUTO


@dataclass(frozen=True, slots=True)
class FacadeSettings:
    """The façade's shared rules."""

    window_start: time = time(22, 0)
    window_end: time = time(6, 0)
    min_tank_percent: float = 15.0
    mains_fallback: bool = True
    daily_budget_litres: float = 400.0
    dry_run_after: timedelta = timedelta(seconds=60)
    has_tank: bool = True
    has_frost_sensor: bool = True

    def in_window(self, now: datetime) -> bool:
        """Tell whether local time `now` is inside the watering window (may span midnight)."""
        moment = now.time()
        if self.window_start <= self.window_end:
            return self.window_start <= moment < self.window_end
        return moment >= self.window_start or moment < self.window_end


@dataclass(frozen=True, slots=True)
class Readings:
    """What the controller knows now. None = no (plausible) reading."""

    now: datetime
    """Local time (watering window, day boundaries)."""
    moisture: Mapping[str, float | None]
    """Per zone; None when the sensor is missing or implausible."""
    tank_percent: float | None = None
    temperature: float | None = None
    raining: bool = False
    rain_forecast: bool = False
    water_today_litres: float = 0.0
    flow_total_litres: float | None = None
    """The flow meter's total; a rise means water flows."""
    communication_ok: bool = True


@dataclass(frozen=True, slots=True)
class Command:
    """What the outputs must be now, and why."""

    zones: Mapping[str, bool]
    mains: bool = False
    pump: bool = False
    source: Source | None = None
    blocks: tuple[Block, ...] = ()
    faults: frozenset[Fault] = frozenset()
    watering: str | None = None
    """The zone that is watering, if any."""
    reason: str = "idle"
    """Why the watering zone runs or stopped last: auto, manual, target, max_cycle, ..."""

    @property
    def all_closed(self) -> bool:
        """True when no output is open."""
        return not (any(self.zones.values()) or self.mains or self.pump)


@dataclass(slots=True)
class ZoneState:
    """What the controller remembers of a zone (stored across restarts)."""

    run_started: datetime | None = None
    """Start of the current cycle."""
    counted_until: datetime | None = None
    """Until when the current cycle is counted in runtime_today."""
    manual_until: datetime | None = None
    last_cycle_end: datetime | None = None
    runtime_today: timedelta = timedelta(0)
    day: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Serialise (a run in progress is not kept: everything starts closed)."""
        return {
            "last_cycle_end": self.last_cycle_end.isoformat() if self.last_cycle_end else None,
            "runtime_today": self.runtime_today.total_seconds(),
            "day": self.day,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ZoneState:
        """Read what as_dict wrote; anything broken gives a fresh state."""
        try:
            end = data.get("last_cycle_end")
            return cls(
                last_cycle_end=datetime.fromisoformat(end) if end else None,
                runtime_today=timedelta(seconds=float(data.get("runtime_today", 0))),
                day=str(data.get("day", "")),
            )
        except TypeError, ValueError:
            return cls()


@dataclass(slots=True)
class IrrigationController:
    """Decides the outputs of one façade from its readings, step by step."""

    settings: FacadeSettings
    zones: dict[str, ZoneSettings]
    state: dict[str, ZoneState] = field(default_factory=dict)
    faults: set[Fault] = field(default_factory=set)
    frost: bool = False
    _open_since: datetime | None = None
    _flow_at_open: float | None = None
    _last_reason: str = "idle"

    def __post_init__(self) -> None:
        """Give every zone a state."""
        for zone_id in self.zones:
            self.state.setdefault(zone_id, ZoneState())

    # --- requests -----------------------------------------------------------------------

    def start_manual(self, zone_id: str, duration: timedelta, now: datetime) -> datetime:
        """Run one zone for `duration` (at most 30 min); return when it ends by itself."""
        zone = self.zones.get(zone_id)
        if zone is None:
            raise IrrigationError("unknown_zone")
        if zone.mode is Mode.OFF:
            raise IrrigationError("zone_off")
        if self.faults:
            raise IrrigationError("fault")
        if duration <= timedelta(0):
            raise IrrigationError("invalid_duration")
        for other_id, other in self.state.items():
            if other_id != zone_id:
                other.manual_until = None
        until = now + min(duration, MAX_MANUAL)
        self.state[zone_id].manual_until = until
        return until

    def stop_all(self, now: datetime) -> None:
        """End every run now (manual runs too)."""
        for zone_id in self.zones:
            self._stop(zone_id, now)
            self.state[zone_id].manual_until = None

    def reset_faults(self) -> None:
        """Clear the latched faults (a technician has checked the system)."""
        self.faults.clear()

    def report_mismatch(self, now: datetime) -> None:
        """Latch a mismatch of read-back and commanded outputs, and close everything."""
        self.faults.add(Fault.OUTPUT_MISMATCH)
        self.stop_all(now)

    # --- the step -----------------------------------------------------------------------

    def step(self, readings: Readings) -> Command:
        """Return the outputs for now; call on every new reading and at least every minute."""
        now = readings.now
        self._new_day(now)
        self._count_runtime(now)
        blocks = self._blocks(readings)
        source = self._source(readings)
        if source is None and Block.NO_WATER not in blocks:
            blocks.append(Block.NO_WATER)
        if blocks:
            return self._closed(now, blocks, self._block_reason(blocks))
        assert source is not None  # noqa: S101 - no block means a source (see above)

        watering = self._choose_zone(readings)
        if watering is None:
            return self._closed(now, [], self._last_reason)
        command = Command(
            zones={zone_id: zone_id == watering for zone_id in self.zones},
            mains=source is Source.MAINS,
            pump=source is Source.TANK,
            source=source,
            faults=frozenset(self.faults),
            watering=watering,
            reason=self._last_reason,
        )
        return self._watch_flow(command, readings)

    # --- safety -------------------------------------------------------------------------

    def _blocks(self, readings: Readings) -> list[Block]:
        blocks: list[Block] = []
        if not readings.communication_ok:
            blocks.append(Block.COMMUNICATION)
        if self.faults:
            blocks.append(Block.FAULT)
        if readings.temperature is None:
            self.frost = False
            if self.settings.has_frost_sensor:
                blocks.append(Block.FROST_SENSOR)
        else:
            limit = FROST_RELEASE if self.frost else FROST_BELOW
            self.frost = readings.temperature < limit
            if self.frost:
                blocks.append(Block.FROST)
        return blocks

    def _source(self, readings: Readings) -> Source | None:
        if (
            self.settings.has_tank
            and readings.tank_percent is not None
            and readings.tank_percent > self.settings.min_tank_percent
        ):
            return Source.TANK
        return Source.MAINS if self.settings.mains_fallback else None

    def _watch_flow(self, command: Command, readings: Readings) -> Command:
        """Dry-run protection: outputs open this long without a rising flow total -> fault."""
        now = readings.now
        flow = readings.flow_total_litres
        if self._open_since is None:
            self._open_since, self._flow_at_open = now, flow
            return command
        flowing = flow is not None and self._flow_at_open is not None and flow > self._flow_at_open
        if flowing:
            self._open_since, self._flow_at_open = now, flow
            return command
        if now - self._open_since >= self.settings.dry_run_after:
            self.faults.add(Fault.DRY_RUN)
            self.stop_all(now)
            return self._closed(now, [Block.FAULT], "dry_run")
        return command

    def _closed(self, now: datetime, blocks: list[Block], reason: str) -> Command:
        for zone_id in self.zones:
            self._stop(zone_id, now)
        if blocks:
            for zone_state in self.state.values():
                zone_state.manual_until = None
        self._open_since = self._flow_at_open = None
        self._last_reason = reason
        return Command(
            zones=dict.fromkeys(self.zones, False),
            blocks=tuple(blocks),
            faults=frozenset(self.faults),
            reason=reason,
        )

    @staticmethod
    def _block_reason(blocks: list[Block]) -> str:
        return blocks[0].value

    # --- watering -----------------------------------------------------------------------

    def _choose_zone(self, readings: Readings) -> str | None:
        now = readings.now
        if self._last_reason in Block._value2member_map_:
            self._last_reason = "idle"  # the block is over
        # A manual run wins (one at a time); it ends by itself.
        for zone_id, zone_state in self.state.items():
            if zone_state.manual_until is not None:
                if now < zone_state.manual_until:
                    self._start(zone_id, now, "manual")
                    return zone_id
                zone_state.manual_until = None
                self._stop(zone_id, now, "manual_done")
        running = next((z for z, s in self.state.items() if s.run_started is not None), None)
        if running is not None:
            stop = self._stop_reason(running, readings)
            if stop is None:
                return running
            self._stop(running, now, stop)
        if not self._may_start(readings):
            return None
        for zone_id, zone in self.zones.items():
            if self._zone_wants_water(zone, readings):
                self._start(zone_id, now, "auto")
                return zone_id
        return None

    def _may_start(self, readings: Readings) -> bool:
        if not self.settings.in_window(readings.now):
            self._last_reason = "outside_window"
            return False
        if readings.raining or readings.rain_forecast:
            self._last_reason = "rain"
            return False
        if readings.water_today_litres >= self.settings.daily_budget_litres:
            self._last_reason = "budget"
            return False
        return True

    def _zone_wants_water(self, zone: ZoneSettings, readings: Readings) -> bool:
        zone_state = self.state[zone.zone_id]
        moisture = readings.moisture.get(zone.zone_id)
        if zone.mode is not Mode.AUTO or moisture is None:
            return False
        if zone_state.runtime_today >= zone.max_day:
            return False
        if (
            zone_state.last_cycle_end is not None
            and readings.now < zone_state.last_cycle_end + zone.soak
        ):
            return False
        return moisture < zone.target - zone.hysteresis

    def _stop_reason(self, zone_id: str, readings: Readings) -> str | None:
        zone, zone_state = self.zones[zone_id], self.state[zone_id]
        assert zone_state.run_started is not None  # noqa: S101 - only called for a running zone
        moisture = readings.moisture.get(zone_id)
        checks = (
            (zone.mode is not Mode.AUTO, "mode"),
            (moisture is None, "sensor"),
            (moisture is not None and moisture >= zone.target, "target"),
            (readings.now - zone_state.run_started >= zone.max_cycle, "max_cycle"),
            (zone_state.runtime_today >= zone.max_day, "max_day"),
            (not self.settings.in_window(readings.now), "outside_window"),
            (readings.raining, "rain"),
            (readings.water_today_litres >= self.settings.daily_budget_litres, "budget"),
        )
        return next((reason for failed, reason in checks if failed), None)

    def _start(self, zone_id: str, now: datetime, reason: str) -> None:
        zone_state = self.state[zone_id]
        if zone_state.run_started is None:
            zone_state.run_started = zone_state.counted_until = now
        self._last_reason = reason

    def _stop(self, zone_id: str, now: datetime, reason: str | None = None) -> None:
        zone_state = self.state[zone_id]
        if zone_state.run_started is not None:
            self._count_runtime(now)
            zone_state.run_started = zone_state.counted_until = None
            zone_state.last_cycle_end = now
        if reason is not None:
            self._last_reason = reason

    def _count_runtime(self, now: datetime) -> None:
        """Bring the running zone's runtime up to now (for the daily limit)."""
        for zone_state in self.state.values():
            if zone_state.counted_until is not None:
                zone_state.runtime_today += now - zone_state.counted_until
                zone_state.counted_until = now

    def _new_day(self, now: datetime) -> None:
        today = now.date().isoformat()
        for zone_state in self.state.values():
            if zone_state.day != today:
                zone_state.day = today
                zone_state.runtime_today = timedelta(0)

    # --- storage ------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Serialise what must survive a restart (daily runtimes, soak, latched faults)."""
        return {
            "zones": {zone_id: state.as_dict() for zone_id, state in self.state.items()},
            "faults": sorted(fault.value for fault in self.faults),
        }

    def load(self, data: Mapping[str, Any]) -> None:
        """Read what as_dict wrote (unknown zones and faults are ignored)."""
        zones = data.get("zones", {})
        for zone_id in self.zones:
            if isinstance(zones.get(zone_id), Mapping):
                self.state[zone_id] = ZoneState.from_dict(zones[zone_id])
        self.faults = {Fault(f) for f in data.get("faults", []) if f in Fault._value2member_map_}
