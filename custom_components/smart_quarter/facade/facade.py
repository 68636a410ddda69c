"""One façade at run time: its Modbus controller, the poll-and-control cycle, water accounting.

Every poll reads all planned register blocks (outputs too, to check them), makes the readings
plausible, asks the irrigation controller what the outputs must be and writes the outputs that
must change, each read back. The cycle is driven by a DataUpdateCoordinator: a lost controller
fails the update (entities unavailable), closes nothing it cannot reach - the controller's own
communication watchdog drops the outputs then - and recovers when it answers again. All outputs
are closed at start, at stop and when the site unloads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..runtime import SmartQuarterConfigEntry
from .const import (
    CONF_DAILY_BUDGET,
    CONF_DRY_RUN_SECONDS,
    CONF_FLOW_TOTAL,
    CONF_HOST,
    CONF_HYSTERESIS,
    CONF_MAINS_FALLBACK,
    CONF_MAINS_VALVE,
    CONF_MAX_CYCLE,
    CONF_MAX_DAY,
    CONF_MIN_TANK,
    CONF_MOISTURE,
    CONF_POLL_SECONDS,
    CONF_PORT,
    CONF_PUMP,
    CONF_RAIN,
    CONF_SOAK,
    CONF_TANK_CAPACITY,
    CONF_TANK_LEVEL,
    CONF_TARGET,
    CONF_TEMP_BARE,
    CONF_TEMP_GREENED,
    CONF_UNIT,
    CONF_VALVE,
    CONF_WATCHDOG,
    CONF_WATCHDOG_SECONDS,
    CONF_WEATHER,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    EVENT_OUTPUT_MISMATCH,
)
from .irrigation import (
    Block,
    Command,
    FacadeSettings,
    Fault,
    IrrigationController,
    Mode,
    Readings,
    Source,
    ZoneSettings,
)
from .modbus_client import FacadeModbus, ModbusAnswerError, ModbusLinkError
from .plausibility import PlausibilityCheck
from .registers import RegisterSpec, plan_reads
from .spec_text import parse_spec

_LOGGER = logging.getLogger(__name__)
FORECAST_EVERY = timedelta(minutes=30)
FORECAST_HOURS = timedelta(hours=12)
RAIN_MM = 0.5
RAIN_PROBABILITY = 60


def rain_expected(forecast: list[dict[str, Any]], now: datetime) -> bool:
    """Tell whether an hourly forecast expects rain within the next 12 hours."""
    for hour in forecast:
        try:
            when = datetime.fromisoformat(str(hour["datetime"]))
        except KeyError, ValueError:
            continue
        if when.tzinfo is None or not now - timedelta(hours=1) <= when <= now + FORECAST_HOURS:
            continue
        if (hour.get("precipitation") or 0) >= RAIN_MM or (
            hour.get("precipitation_probability") or 0
        ) >= RAIN_PROBABILITY:
            return True
    return False


@dataclass(slots=True)
class Zone:
    """One irrigation zone of a façade: the subject of its entities."""

    facade: Facade
    subentry: ConfigSubentry
    moisture_spec: RegisterSpec
    valve_spec: RegisterSpec
    check: PlausibilityCheck = field(default_factory=lambda: PlausibilityCheck(0, 100))
    moisture: float | None = None

    @property
    def zone_id(self) -> str:
        """The zone's stable id (its subentry id)."""
        return self.subentry.subentry_id

    @property
    def update_signal(self) -> str:
        """Zones change with their façade's poll."""
        return self.facade.update_signal

    @property
    def available(self) -> bool:
        """Available while the controller answers and the zone's moisture can be read."""
        return self.facade.available and self.facade.readable(self.moisture_spec)

    @property
    def valve_open(self) -> bool | None:
        """The valve as last read back (None while unknown)."""
        return _bool(self.facade.value(self.valve_spec))

    @property
    def runtime_today_minutes(self) -> float:
        """Minutes watered today."""
        state = self.facade.controller.state[self.zone_id]
        return round(state.runtime_today.total_seconds() / 60, 1)

    async def async_run(self, minutes: float) -> None:
        """Water this zone now for a while (it ends by itself)."""
        await self.facade.async_run_zone(self.zone_id, timedelta(minutes=minutes))

    async def async_stop(self) -> None:
        """Stop watering (all zones of the façade)."""
        await self.facade.async_stop()

    @property
    def settings(self) -> ZoneSettings:
        """The zone's rules as the controller uses them now."""
        return self.facade.controller.zones[self.zone_id]

    async def async_set(self, **changes: Any) -> None:
        """Change target, hysteresis or mode (stored; ServiceValidationError if impossible)."""
        updated = replace(self.settings, **changes)
        if updated.hysteresis >= updated.target:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="hysteresis_too_large"
            )
        self.facade.controller.zones[self.zone_id] = updated
        self.facade.overrides[self.zone_id] = {
            "target": updated.target,
            "hysteresis": updated.hysteresis,
            "mode": updated.mode.value,
        }
        await self.facade.coordinator.async_refresh()


@dataclass(slots=True)
class WaterTotals:
    """Litres through the flow meter, split by source (stored)."""

    rain: float = 0.0
    mains: float = 0.0
    today: float = 0.0
    day: str = ""
    last_meter: float | None = None
    last_read: datetime | None = None
    flow_rate: float | None = None
    """Litres per minute between the last two readings."""

    def add(self, meter: float | None, source: Source | None, now: datetime) -> None:
        """Count the meter's rise since the last reading for the source that was open."""
        today = now.date().isoformat()
        if today != self.day:
            self.day, self.today = today, 0.0
        if meter is None:
            self.flow_rate = None
            return
        if self.last_meter is not None and meter >= self.last_meter:
            delta = meter - self.last_meter
            seconds = (now - self.last_read).total_seconds() if self.last_read else 0
            self.flow_rate = round(delta / seconds * 60, 2) if seconds > 0 else None
            if source is Source.MAINS:
                self.mains += delta
            else:
                self.rain += delta  # the tank, or a leak while closed: counted, never lost
            self.today += delta
        self.last_meter = meter  # a meter reset (smaller value) starts counting again
        self.last_read = now


class Facade:
    """One façade: its controller connection, its zones and its irrigation controller."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmartQuarterConfigEntry,
        subentry: ConfigSubentry,
        zone_subentries: list[ConfigSubentry],
        on_change: Callable[[], None],
    ) -> None:
        """Read the façade's configuration; nothing is contacted yet."""
        self.hass = hass
        self.entry = entry
        self.subentry = subentry
        self._on_change = on_change
        data = subentry.data
        unit = int(data[CONF_UNIT])

        def spec(key: str) -> RegisterSpec | None:
            text = data.get(key)
            return parse_spec(text, unit) if text else None

        self.tank_spec = spec(CONF_TANK_LEVEL)
        self.flow_spec = spec(CONF_FLOW_TOTAL)
        self.rain_spec = spec(CONF_RAIN)
        self.mains_spec = spec(CONF_MAINS_VALVE)
        self.pump_spec = spec(CONF_PUMP)
        self.watchdog_spec = spec(CONF_WATCHDOG)
        self.greened_specs = [parse_spec(text, unit) for text in data.get(CONF_TEMP_GREENED, [])]
        self.bare_specs = [parse_spec(text, unit) for text in data.get(CONF_TEMP_BARE, [])]
        self.tank_capacity: float | None = data.get(CONF_TANK_CAPACITY)
        self.zones = {
            zone.subentry_id: Zone(
                self,
                zone,
                parse_spec(zone.data[CONF_MOISTURE], unit),
                parse_spec(zone.data[CONF_VALVE], unit),
            )
            for zone in zone_subentries
        }
        self.controller = IrrigationController(
            FacadeSettings(
                window_start=time.fromisoformat(data[CONF_WINDOW_START]),
                window_end=time.fromisoformat(data[CONF_WINDOW_END]),
                min_tank_percent=float(data[CONF_MIN_TANK]),
                mains_fallback=bool(data[CONF_MAINS_FALLBACK]),
                daily_budget_litres=float(data[CONF_DAILY_BUDGET]),
                dry_run_after=timedelta(seconds=int(data[CONF_DRY_RUN_SECONDS])),
                has_tank=self.tank_spec is not None,
                has_frost_sensor=bool(self.bare_specs or self.greened_specs),
            ),
            {
                zone_id: ZoneSettings(
                    zone_id,
                    target=float(zone.subentry.data[CONF_TARGET]),
                    hysteresis=float(zone.subentry.data[CONF_HYSTERESIS]),
                    max_cycle=timedelta(minutes=int(zone.subentry.data[CONF_MAX_CYCLE])),
                    max_day=timedelta(minutes=int(zone.subentry.data[CONF_MAX_DAY])),
                    soak=timedelta(minutes=int(zone.subentry.data[CONF_SOAK])),
                )
                for zone_id, zone in self.zones.items()
            },
        )
        self.tank_check = PlausibilityCheck(0, 100, stuck_after=timedelta(days=30))
        self.temperature_checks = {
            spec: PlausibilityCheck(-40, 85) for spec in (*self.greened_specs, *self.bare_specs)
        }
        self.client = FacadeModbus(data[CONF_HOST], int(data[CONF_PORT]))
        self.water = WaterTotals()
        self.overrides: dict[str, dict[str, Any]] = {}
        self.weather_entity: str | None = data.get(CONF_WEATHER)
        self.rain_forecast = False
        self._forecast_at: datetime | None = None
        self.values: dict[RegisterSpec, float | bool | None] = {}
        self.failed: dict[str, str] = {}
        self.command: Command | None = None
        self.communication_ok = True
        self.requests_last_poll = 0
        self._blocks = plan_reads(self._read_specs())
        self._written: dict[RegisterSpec, bool] = {}
        self.coordinator = DataUpdateCoordinator[None](
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} façade {subentry.title}",
            update_interval=timedelta(seconds=int(data[CONF_POLL_SECONDS])),
            update_method=self._async_cycle,
            always_update=True,
        )

    # --- subject ------------------------------------------------------------------------

    @property
    def facade_id(self) -> str:
        """The façade's stable id (its subentry id)."""
        return self.subentry.subentry_id

    @property
    def update_signal(self) -> str:
        """Signal sent after every poll."""
        return f"{DOMAIN}_facade_{self.facade_id}"

    @property
    def available(self) -> bool:
        """Whether the controller answered the last poll."""
        return self.communication_ok

    def readable(self, spec: RegisterSpec) -> bool:
        """Whether the last poll could read this register (its block did not fail)."""
        return spec in self.values or not self.communication_ok

    def value(self, spec: RegisterSpec | None) -> float | bool | None:
        """Return the last value read for a spec (None if not configured or not read)."""
        return self.values.get(spec) if spec is not None else None

    @property
    def tank_percent(self) -> float | None:
        """Plausible tank level in %."""
        return None if self.tank_check.problem else _number(self.value(self.tank_spec))

    @property
    def tank_litres(self) -> float | None:
        """Tank content in litres (needs the capacity)."""
        percent = self.tank_percent
        if percent is None or not self.tank_capacity:
            return None
        return round(percent / 100 * self.tank_capacity, 1)

    def temperatures(self, greened: bool) -> list[float]:
        """Plausible façade temperatures of one kind."""
        specs = self.greened_specs if greened else self.bare_specs
        return [
            value
            for spec in specs
            if self.temperature_checks[spec].problem is None
            and (value := _number(self.value(spec))) is not None
        ]

    @property
    def cooling(self) -> float | None:
        """Greened minus bare wall temperature (mean of each); negative = the green cools."""
        greened, bare = self.temperatures(True), self.temperatures(False)
        if not greened or not bare:
            return None
        return round(sum(greened) / len(greened) - sum(bare) / len(bare), 2)

    @property
    def frost_sensor_value(self) -> float | None:
        """The temperature the frost lockout uses: the coldest plausible one."""
        values = self.temperatures(False) + self.temperatures(True)
        return min(values) if values else None

    # --- life cycle ---------------------------------------------------------------------

    async def async_start(self) -> None:
        """Connect, close every output, arm the controller's watchdog, first poll."""
        try:
            if await self.client.connect():
                await self._async_close_all()
                if self.watchdog_spec is not None:
                    await self.client.write(
                        self.watchdog_spec, float(self.subentry.data[CONF_WATCHDOG_SECONDS])
                    )
        except (ModbusLinkError, ModbusAnswerError) as err:
            _LOGGER.warning(
                "Façade %s: controller not ready at start: %s", self.subentry.title, err
            )
        await self.coordinator.async_refresh()

    async def async_stop(self) -> None:
        """Stop all watering now (the service and the button)."""
        self.controller.stop_all(dt_util.now())
        await self.coordinator.async_refresh()

    async def async_shutdown(self) -> None:
        """Close every output and the connection (unload, Home Assistant stops)."""
        await self.coordinator.async_shutdown()
        try:
            await self._async_close_all()
        except (ModbusLinkError, ModbusAnswerError) as err:
            _LOGGER.warning("Façade %s: outputs not closed at stop: %s", self.subentry.title, err)
        self.client.close()

    async def async_run_zone(self, zone_id: str, duration: timedelta) -> datetime:
        """Start a manual run (IrrigationError when refused); it ends by itself."""
        until = self.controller.start_manual(zone_id, duration, dt_util.now())
        await self.coordinator.async_refresh()
        return until

    async def async_reset_faults(self) -> None:
        """Clear latched faults after a technician checked the façade."""
        self.controller.reset_faults()
        ir.async_delete_issue(self.hass, DOMAIN, self._mismatch_issue_id)
        await self.coordinator.async_refresh()

    # --- the cycle ----------------------------------------------------------------------

    async def _async_update_forecast(self, now: datetime) -> None:
        """Rain expected in the next 12 hours (by the weather entity), checked every 30 min.

        A forecast that cannot be had does not stop watering (the plants would suffer for a
        missing service); it is logged.
        """
        if self.weather_entity is None or (
            self._forecast_at is not None and now - self._forecast_at < FORECAST_EVERY
        ):
            return
        self._forecast_at = now
        try:
            response = await self.hass.services.async_call(
                "weather",
                "get_forecasts",
                {"entity_id": self.weather_entity, "type": "hourly"},
                blocking=True,
                return_response=True,
            )
        except Exception as err:  # noqa: BLE001 - any failure: no forecast
            _LOGGER.warning("Façade %s: no rain forecast (%s)", self.subentry.title, err)
            self.rain_forecast = False
            return
        entity = (response or {}).get(self.weather_entity)
        forecast = entity.get("forecast") if isinstance(entity, dict) else None
        self.rain_forecast = rain_expected(
            [hour for hour in forecast if isinstance(hour, dict)]
            if isinstance(forecast, list)
            else [],
            now,
        )

    async def _async_cycle(self) -> None:
        now = dt_util.now()
        await self._async_update_forecast(now)
        previous_source = (
            self.command.source if self.command and not self.command.all_closed else None
        )
        try:
            result = await self.client.poll(self._blocks)
        except ModbusLinkError as err:
            self._lost(now, err)
        else:
            if not self.communication_ok:
                _LOGGER.info("Façade %s: controller answers again", self.subentry.title)
            self.communication_ok = True
            self.values = result.values
            self.requests_last_poll = result.requests
            self.failed = {
                f"{block.table}:{block.start}+{block.count}": reason
                for block, reason in result.failed.items()
            }
            for block, reason in result.failed.items():
                _LOGGER.warning(
                    "Façade %s: reading %s %d-%d failed (%s); its values are unavailable",
                    self.subentry.title,
                    block.table,
                    block.start,
                    block.start + block.count - 1,
                    reason,
                )
        self.water.add(_number(self.value(self.flow_spec)), previous_source, now)
        readings = self._readings(now)
        self.command = self.controller.step(readings)
        if self.communication_ok:
            try:
                await self._async_apply(self.command, now)
            except ModbusLinkError as err:
                self._lost(now, err)
        self._on_change()
        if not self.communication_ok:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="facade_unreachable",
                translation_placeholders={"facade": self.subentry.title},
            )

    def _lost(self, now: datetime, err: Exception) -> None:
        if self.communication_ok:
            _LOGGER.error(
                "Façade %s: controller %s:%s lost (%s); its watchdog drops the outputs",
                self.subentry.title,
                self.client.host,
                self.client.port,
                err,
            )
        self.communication_ok = False
        self._written.clear()  # unknown now: write everything again when it is back
        self.controller.step(self._readings(now))

    def _readings(self, now: datetime) -> Readings:
        moisture: dict[str, float | None] = {}
        for zone_id, zone in self.zones.items():
            raw = _number(self.value(zone.moisture_spec))
            zone.moisture = zone.check.update(raw, now)
            moisture[zone_id] = zone.moisture
        self.tank_check.update(_number(self.value(self.tank_spec)), now)
        for spec, check in self.temperature_checks.items():
            check.update(_number(self.value(spec)), now)
        return Readings(
            now=now,
            moisture=moisture,
            tank_percent=self.tank_percent,
            temperature=self.frost_sensor_value,
            raining=bool(self.value(self.rain_spec)),
            rain_forecast=self.rain_forecast,
            water_today_litres=self.water.today,
            flow_total_litres=_number(self.value(self.flow_spec)),
            communication_ok=self.communication_ok,
        )

    async def _async_apply(self, command: Command, now: datetime) -> None:
        """Write the outputs that must change, each read back; a mismatch latches a fault."""
        wanted: dict[RegisterSpec, bool] = {
            zone.valve_spec: command.zones.get(zone_id, False)
            for zone_id, zone in self.zones.items()
        }
        if self.mains_spec is not None:
            wanted[self.mains_spec] = command.mains
        if self.pump_spec is not None:
            wanted[self.pump_spec] = command.pump
        # Close before open, so that two sources or zones are never open at once.
        for spec, value in sorted(wanted.items(), key=lambda item: item[1]):
            actual = _bool(self.values.get(spec))
            if self._written.get(spec) is value and actual is value:
                continue
            try:
                ok = await self.client.write_and_verify(spec, value)
            except ModbusAnswerError as err:
                _LOGGER.error(  # noqa: TRY400 - the answer is the whole story
                    "Façade %s: output %s refused: %s", self.subentry.title, spec, err
                )
                ok = False
            self._written[spec] = value
            if not ok:
                self._mismatch(spec, value, now)
                return
            self.values[spec] = value  # read back: what the entities show now

    def _mismatch(self, spec: RegisterSpec, value: bool, now: datetime) -> None:
        _LOGGER.error(
            "Façade %s: output %s:%d did not take %s; irrigation stopped until reset",
            self.subentry.title,
            spec.table,
            spec.address,
            value,
        )
        self.controller.report_mismatch(now)
        self.hass.bus.async_fire(
            EVENT_OUTPUT_MISMATCH,
            {
                "facade": self.subentry.title,
                "output": f"{spec.table}:{spec.address}",
                "wanted": value,
            },
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._mismatch_issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="facade_output_mismatch",
            translation_placeholders={
                "facade": self.subentry.title,
                "output": f"{spec.table}:{spec.address}",
            },
        )

    @property
    def _mismatch_issue_id(self) -> str:
        return f"facade_mismatch_{self.entry.entry_id}_{self.facade_id}"

    async def _async_close_all(self) -> None:
        outputs = [zone.valve_spec for zone in self.zones.values()]
        outputs += [spec for spec in (self.pump_spec, self.mains_spec) if spec is not None]
        for spec in outputs:
            await self.client.write(spec, False)
            self._written[spec] = False

    def _read_specs(self) -> list[RegisterSpec]:
        specs = [
            spec
            for spec in (
                self.tank_spec,
                self.flow_spec,
                self.rain_spec,
                self.mains_spec,
                self.pump_spec,
            )
            if spec is not None
        ]
        specs += self.greened_specs + self.bare_specs
        for zone in self.zones.values():
            specs += [zone.moisture_spec, zone.valve_spec]
        return specs

    # --- state --------------------------------------------------------------------------

    @property
    def state_label(self) -> str:
        """What the irrigation does now: watering, idle, or why it is blocked."""
        command = self.command
        if command is None:
            return "idle"
        if command.watering:
            return "watering"
        if command.blocks:
            return command.blocks[0].value
        return "idle"

    def has_block(self, block: Block) -> bool:
        """Whether the last step was blocked for this reason."""
        return self.command is not None and block in self.command.blocks

    def has_fault(self, fault: Fault) -> bool:
        """Whether this fault is latched."""
        return fault in self.controller.faults

    def as_dict(self) -> dict[str, Any]:
        """Return the stored state (controller memory, water totals, changed zone rules)."""
        return {
            "overrides": self.overrides,
            "controller": self.controller.as_dict(),
            "water": {
                "rain": self.water.rain,
                "mains": self.water.mains,
                "today": self.water.today,
                "day": self.water.day,
                "last_meter": self.water.last_meter,
            },
        }

    def load(self, data: dict[str, Any]) -> None:
        """Read what as_dict wrote."""
        self.controller.load(data.get("controller", {}))
        for zone_id, changes in data.get("overrides", {}).items():
            if zone_id in self.controller.zones and isinstance(changes, dict):
                try:
                    self.controller.zones[zone_id] = replace(
                        self.controller.zones[zone_id],
                        target=float(changes["target"]),
                        hysteresis=float(changes["hysteresis"]),
                        mode=Mode(changes["mode"]),
                    )
                except KeyError, TypeError, ValueError:
                    continue
                self.overrides[zone_id] = changes
        water = data.get("water", {})
        self.water = WaterTotals(
            float(water.get("rain", 0.0)),
            float(water.get("mains", 0.0)),
            float(water.get("today", 0.0)),
            str(water.get("day", "")),
            water.get("last_meter"),
        )

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """State for diagnostics (no secrets: addresses of a local controller only)."""
        return {
            "state": self.state_label,
            "communication_ok": self.communication_ok,
            "requests_last_poll": self.requests_last_poll,
            "blocks": len(self._blocks),
            "failed_blocks": self.failed,
            "faults": sorted(fault.value for fault in self.controller.faults),
            "command": {
                "zones": dict(self.command.zones),
                "mains": self.command.mains,
                "pump": self.command.pump,
                "reason": self.command.reason,
            }
            if self.command
            else None,
            **self.as_dict(),
        }


def _number(value: float | bool | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    return float(value)


def _bool(value: float | bool | None) -> bool | None:
    return None if value is None else bool(value)
