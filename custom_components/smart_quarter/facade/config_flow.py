"""Subentry flows of the façade subsystem: a façade (its controller) and its irrigation zones."""

from __future__ import annotations

import logging
from typing import Any, override

from homeassistant.config_entries import SOURCE_RECONFIGURE, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TimeSelector,
)
import probatio

from ..subentry_flow import SiteSubentryFlow
from .const import (
    CONF_DAILY_BUDGET,
    CONF_DRY_RUN_SECONDS,
    CONF_FACADE,
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
    DEFAULT_FLOW_TOTAL,
    DEFAULT_MAINS_VALVE,
    DEFAULT_PORT,
    DEFAULT_PUMP,
    DEFAULT_RAIN,
    DEFAULT_TANK_LEVEL,
    DEFAULT_TEMP_BARE,
    DEFAULT_TEMP_GREENED,
    DEFAULT_UNIT,
    DEFAULT_WATCHDOG,
    SUBENTRY_TYPE_FACADE,
    SUBENTRY_TYPE_ZONE,
    ZONE_MOISTURE_BASE,
    ZONE_VALVE_BASE,
)
from .modbus_client import FacadeModbus, ModbusAnswerError, ModbusLinkError
from .registers import ReadBlock, RegisterMapError, Table
from .spec_text import parse_spec

_LOGGER = logging.getLogger(__name__)
TEST_TIMEOUT = 3.0  # seconds for the connection test of the form

# Register fields: which must be writable (outputs), which hold several values.
_OUTPUTS = (CONF_MAINS_VALVE, CONF_PUMP, CONF_WATCHDOG)
_SINGLE_SPECS = (CONF_TANK_LEVEL, CONF_FLOW_TOTAL, CONF_RAIN, *_OUTPUTS)
_LIST_SPECS = (CONF_TEMP_GREENED, CONF_TEMP_BARE)


def _number(low: float, high: float, unit: str | None = None, step: float = 1) -> NumberSelector:
    config = NumberSelectorConfig(min=low, max=high, step=step, mode=NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


def _specs(data: dict[str, Any], fields: tuple[str, ...], unit: int) -> dict[str, str]:
    """Check register texts: field -> error key."""
    errors: dict[str, str] = {}
    for field in fields:
        texts = data.get(field) or []
        for text in texts if isinstance(texts, list) else [texts]:
            try:
                spec = parse_spec(text, unit)
            except RegisterMapError as err:
                errors[field] = f"register_{err.key}"
                break
            if field in (*_OUTPUTS, CONF_VALVE) and not spec.table.writable:
                errors[field] = "register_not_writable"
                break
            if field in (CONF_MAINS_VALVE, CONF_PUMP, CONF_VALVE) and spec.table is not Table.COIL:
                errors[field] = "register_not_a_coil"
                break
    return errors


class FacadeSubentryFlow(SiteSubentryFlow):
    """Add or change a façade: its controller, registers and irrigation rules."""

    schema = probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Required(CONF_HOST): TextSelector(),
            probatio.Required(CONF_PORT, default=DEFAULT_PORT): _number(1, 65535),
            probatio.Required(CONF_UNIT, default=DEFAULT_UNIT): _number(0, 247),
            probatio.Required(CONF_POLL_SECONDS, default=10): _number(2, 300, "s"),
            probatio.Optional(CONF_TANK_LEVEL, default=DEFAULT_TANK_LEVEL): TextSelector(),
            probatio.Optional(CONF_TANK_CAPACITY): _number(0, 1_000_000, "L"),
            probatio.Optional(CONF_FLOW_TOTAL, default=DEFAULT_FLOW_TOTAL): TextSelector(),
            probatio.Optional(CONF_MAINS_VALVE, default=DEFAULT_MAINS_VALVE): TextSelector(),
            probatio.Optional(CONF_PUMP, default=DEFAULT_PUMP): TextSelector(),
            probatio.Optional(CONF_RAIN, default=DEFAULT_RAIN): TextSelector(),
            probatio.Optional(CONF_TEMP_GREENED, default=list(DEFAULT_TEMP_GREENED)): TextSelector(
                TextSelectorConfig(multiple=True)
            ),
            probatio.Optional(CONF_TEMP_BARE, default=list(DEFAULT_TEMP_BARE)): TextSelector(
                TextSelectorConfig(multiple=True)
            ),
            probatio.Optional(CONF_WATCHDOG, default=DEFAULT_WATCHDOG): TextSelector(),
            probatio.Required(CONF_WATCHDOG_SECONDS, default=60): _number(10, 3600, "s"),
            probatio.Required(CONF_WINDOW_START, default="22:00:00"): TimeSelector(),
            probatio.Required(CONF_WINDOW_END, default="06:00:00"): TimeSelector(),
            probatio.Required(CONF_MIN_TANK, default=15): _number(0, 100, "%"),
            probatio.Required(CONF_MAINS_FALLBACK, default=True): BooleanSelector(),
            probatio.Required(CONF_DAILY_BUDGET, default=400): _number(0, 100_000, "L"),
            probatio.Required(CONF_DRY_RUN_SECONDS, default=60): _number(10, 600, "s"),
            probatio.Optional(CONF_WEATHER): EntitySelector(EntitySelectorConfig(domain="weather")),
        }
    )

    @override
    def normalize(self, data: dict[str, Any]) -> dict[str, Any]:
        normalized = dict(data)
        for key in (CONF_PORT, CONF_UNIT, CONF_POLL_SECONDS, CONF_WATCHDOG_SECONDS):
            normalized[key] = int(data[key])
        for key in (CONF_DRY_RUN_SECONDS,):
            normalized[key] = int(data[key])
        for key in _LIST_SPECS:
            normalized[key] = [str(text).strip() for text in data.get(key, []) if str(text).strip()]
        return normalized

    @override
    def validate(self, data: dict[str, Any]) -> dict[str, str]:
        errors = _specs(data, (*_SINGLE_SPECS, *_LIST_SPECS), data[CONF_UNIT])
        if errors:
            return errors
        editing = self._reconfigure_subentry_id if self.source == SOURCE_RECONFIGURE else None
        for subentry in self._get_entry().subentries.values():
            if subentry.subentry_type != SUBENTRY_TYPE_FACADE or subentry.subentry_id == editing:
                continue
            if (subentry.data[CONF_HOST], subentry.data[CONF_PORT], subentry.data[CONF_UNIT]) == (
                data[CONF_HOST],
                data[CONF_PORT],
                data[CONF_UNIT],
            ):
                return {CONF_HOST: "controller_in_use"}
        return {}

    @override
    async def async_test(self, data: dict[str, Any]) -> dict[str, str]:
        """Reach the controller and read every register of the form before saving."""
        client = FacadeModbus(data[CONF_HOST], data[CONF_PORT], timeout=TEST_TIMEOUT)
        unit = data[CONF_UNIT]
        try:
            if not await client.connect():
                return {CONF_HOST: "cannot_connect"}
            for field in (*_SINGLE_SPECS, *_LIST_SPECS):
                texts = data.get(field) or []
                for text in texts if isinstance(texts, list) else [texts]:
                    spec = parse_spec(text, unit)
                    block = ReadBlock(spec.unit, spec.table, spec.address, spec.count, (spec,))
                    try:
                        await client.read_block(block)
                    except ModbusAnswerError as err:
                        _LOGGER.info("Register %s of %s: %s", text, data[CONF_HOST], err)
                        return {field: "register_not_readable"}
        except ModbusLinkError:
            return {CONF_HOST: "cannot_connect"}
        finally:
            client.close()
        return {}


def zone_schema(facades: list[SelectOptionDict], zones: int) -> probatio.Schema:
    """Return the zone form; register defaults follow the reference controller's layout."""
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Required(CONF_FACADE): SelectSelector(SelectSelectorConfig(options=facades)),
            probatio.Required(
                CONF_MOISTURE, default=f"input:{ZONE_MOISTURE_BASE + zones}*0.1"
            ): TextSelector(),
            probatio.Required(
                CONF_VALVE, default=f"coil:{ZONE_VALVE_BASE + zones}"
            ): TextSelector(),
            probatio.Required(CONF_TARGET, default=35): _number(5, 95, "%"),
            probatio.Required(CONF_HYSTERESIS, default=5): _number(1, 30, "%"),
            probatio.Required(CONF_MAX_CYCLE, default=10): _number(1, 60, "min"),
            probatio.Required(CONF_MAX_DAY, default=40): _number(1, 240, "min"),
            probatio.Required(CONF_SOAK, default=30): _number(0, 240, "min"),
        }
    )


class ZoneSubentryFlow(SiteSubentryFlow):
    """Add or change an irrigation zone of a façade."""

    schema = zone_schema([], 0)  # the fields; the form lists the site's façades

    @override
    def form_schema(self) -> probatio.Schema:
        facades = [
            SelectOptionDict(value=subentry.subentry_id, label=subentry.title)
            for subentry in self._get_entry().subentries.values()
            if subentry.subentry_type == SUBENTRY_TYPE_FACADE
        ]
        zones = sum(
            subentry.subentry_type == SUBENTRY_TYPE_ZONE
            for subentry in self._get_entry().subentries.values()
        )
        return zone_schema(facades, zones)

    @override
    def normalize(self, data: dict[str, Any]) -> dict[str, Any]:
        normalized = dict(data)
        for key in (CONF_MAX_CYCLE, CONF_MAX_DAY, CONF_SOAK):
            normalized[key] = int(data[key])
        return normalized

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Show the form, or say that a façade is needed first (a zone belongs to one)."""
        if not any(
            subentry.subentry_type == SUBENTRY_TYPE_FACADE
            for subentry in self._get_entry().subentries.values()
        ):
            return self.async_abort(reason="no_facade")
        return await super().async_step_user(user_input)

    @override
    def validate(self, data: dict[str, Any]) -> dict[str, str]:
        # The selector offers the site's façades only (and refuses other values).
        facade = self._get_entry().subentries[data[CONF_FACADE]]
        unit = int(facade.data[CONF_UNIT])
        if errors := _specs(data, (CONF_MOISTURE, CONF_VALVE), unit):
            return errors
        if data[CONF_HYSTERESIS] >= data[CONF_TARGET]:
            return {CONF_HYSTERESIS: "hysteresis_too_large"}
        valve = parse_spec(data[CONF_VALVE], unit)
        editing = self._reconfigure_subentry_id if self.source == SOURCE_RECONFIGURE else None
        for subentry in self._get_entry().subentries.values():
            if (
                subentry.subentry_type == SUBENTRY_TYPE_ZONE
                and subentry.subentry_id != editing
                and subentry.data[CONF_FACADE] == data[CONF_FACADE]
                and parse_spec(subentry.data[CONF_VALVE], unit) == valve
            ):
                return {CONF_VALVE: "valve_in_use"}
        return {}
