"""The irrigation controller with time travel: one test per rule, safety first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from custom_components.smart_quarter.facade.irrigation import (
    MAX_MANUAL,
    Block,
    Command,
    FacadeSettings,
    Fault,
    IrrigationController,
    IrrigationError,
    Mode,
    Readings,
    Source,
    ZoneSettings,
)

# The controller works on local wall-clock time (watering window, days): naive on purpose.
NIGHT = datetime(2026, 7, 14, 23, 0)  # noqa: DTZ001 - inside the default window 22:00-06:00
DAY = datetime(2026, 7, 14, 14, 0)  # noqa: DTZ001
DRY = {"z1": 20.0, "z2": 50.0}  # z1 needs water (< 35 - 5), z2 does not
M = timedelta(minutes=1)


def _controller(**settings: object) -> IrrigationController:
    return IrrigationController(
        FacadeSettings(**settings),  # type: ignore[arg-type]
        {"z1": ZoneSettings("z1"), "z2": ZoneSettings("z2")},
    )


def _read(now: datetime, **kw: object) -> Readings:
    values: dict[str, object] = {
        "moisture": DRY,
        "tank_percent": 80.0,
        "temperature": 18.0,
        "flow_total_litres": 0.0,
    }
    values.update(kw)
    return Readings(now=now, **values)  # type: ignore[arg-type]


class Flow:
    """A flow meter that counts while anything is open."""

    def __init__(self) -> None:
        self.total = 0.0

    def after(self, command: Command) -> float:
        if not command.all_closed:
            self.total += 5.0
        return self.total


def _run(
    controller: IrrigationController,
    start: datetime,
    minutes: int,
    flow: Flow | None = None,
    **kw: object,
) -> list[Command]:
    """Step once a minute; the flow meter rises while outputs are open (unless None)."""
    commands = []
    total = 0.0
    for minute in range(minutes):
        command = controller.step(_read(start + minute * M, flow_total_litres=total, **kw))
        commands.append(command)
        if flow is not None:
            total = flow.after(command)
    return commands


def test_waters_the_dry_zone_from_the_tank_first() -> None:
    command = _controller().step(_read(NIGHT))
    assert command.zones == {"z1": True, "z2": False}
    assert (command.source, command.pump, command.mains) == (Source.TANK, True, False)
    assert command.reason == "auto"


def test_nothing_outside_the_window() -> None:
    command = _controller().step(_read(DAY))
    assert command.all_closed
    assert command.reason == "outside_window"
    assert FacadeSettings(window_start=time(6), window_end=time(8)).in_window(DAY.replace(hour=7))


def test_stops_at_target_then_soaks() -> None:
    controller = _controller()
    assert controller.step(_read(NIGHT, flow_total_litres=0)).watering == "z1"
    wet = {"z1": 36.0, "z2": 50.0}
    command = controller.step(_read(NIGHT + M, moisture=wet, flow_total_litres=5))
    assert command.all_closed
    assert command.reason == "target"
    # Dry again 10 minutes later: still soaking (30 min) ...
    assert controller.step(_read(NIGHT + 10 * M)).all_closed
    # ... and after the soak time it waters again.
    assert controller.step(_read(NIGHT + 32 * M)).watering == "z1"


def test_max_run_per_cycle_and_per_day() -> None:
    controller = _controller(window_start=time(1), window_end=time(6))
    early = NIGHT.replace(day=15, hour=1)  # a window within one day
    commands = _run(controller, early, 200, Flow())
    on = [c.watering == "z1" for c in commands]
    # Cycles of 10 minutes, 30 minutes soak, at most 40 minutes a day.
    assert on[:10] == [True] * 10
    assert on[10] is False
    assert commands[10].reason == "max_cycle"
    assert sum(on) == 40
    assert controller.state["z1"].runtime_today == timedelta(minutes=40)
    # The next day the zone may water again.
    assert controller.step(_read(early + timedelta(days=1))).watering == "z1"


def test_one_zone_at_a_time() -> None:
    controller = _controller()
    both_dry = {"z1": 10.0, "z2": 10.0}
    commands = _run(controller, NIGHT, 25, Flow(), moisture=both_dry)
    assert all(sum(c.zones.values()) <= 1 for c in commands)
    assert {c.watering for c in commands} >= {"z1", "z2"}


def test_daily_budget() -> None:
    controller = _controller(daily_budget_litres=100)
    assert controller.step(_read(NIGHT, water_today_litres=99)).watering == "z1"
    command = controller.step(_read(NIGHT + M, water_today_litres=100, flow_total_litres=5))
    assert command.all_closed
    assert command.reason == "budget"


def test_rain_and_forecast_skip() -> None:
    assert _controller().step(_read(NIGHT, raining=True)).reason == "rain"
    assert _controller().step(_read(NIGHT, rain_forecast=True)).all_closed
    controller = _controller()
    controller.step(_read(NIGHT))
    stopped = controller.step(_read(NIGHT + M, raining=True, flow_total_litres=5))
    assert stopped.all_closed


def test_frost_lockout_with_hysteresis() -> None:
    controller = _controller()
    command = controller.step(_read(NIGHT, temperature=2.9))
    assert command.all_closed
    assert command.blocks == (Block.FROST,)
    assert controller.step(_read(NIGHT + M, temperature=3.5)).blocks == (Block.FROST,)
    assert controller.step(_read(NIGHT + 2 * M, temperature=4.0)).watering == "z1"


def test_missing_temperature_blocks_when_a_sensor_is_set_up() -> None:
    assert _controller().step(_read(NIGHT, temperature=None)).blocks == (Block.FROST_SENSOR,)
    without = _controller(has_frost_sensor=False)
    assert without.step(_read(NIGHT, temperature=None)).watering == "z1"


def test_tank_low_uses_mains_or_nothing() -> None:
    command = _controller().step(_read(NIGHT, tank_percent=10))
    assert (command.source, command.mains, command.pump) == (Source.MAINS, True, False)
    broken_probe = _controller().step(_read(NIGHT, tank_percent=None))
    assert broken_probe.source is Source.MAINS
    no_mains = _controller(mains_fallback=False).step(_read(NIGHT, tank_percent=10))
    assert no_mains.all_closed
    assert no_mains.blocks == (Block.NO_WATER,)
    no_tank = _controller(has_tank=False).step(_read(NIGHT))
    assert no_tank.source is Source.MAINS


def test_dry_run_closes_everything_and_latches() -> None:
    controller = _controller()
    opened = controller.step(_read(NIGHT))
    assert opened.watering == "z1"
    # The meter never moves: still open after 59 s, closed with a latched fault at 60 s.
    assert controller.step(_read(NIGHT + timedelta(seconds=59))).watering == "z1"
    dry = controller.step(_read(NIGHT + timedelta(seconds=60)))
    assert dry.all_closed
    assert dry.reason == "dry_run"
    assert Fault.DRY_RUN in dry.faults
    later = controller.step(_read(NIGHT + 10 * M))
    assert later.all_closed
    assert later.blocks == (Block.FAULT,)
    with pytest.raises(IrrigationError):
        controller.start_manual("z1", 5 * M, NIGHT + 10 * M)
    controller.reset_faults()
    assert controller.step(_read(NIGHT + 45 * M)).watering == "z1"


def test_communication_loss_closes_and_cancels_manual_runs() -> None:
    controller = _controller()
    controller.start_manual("z2", 10 * M, DAY)
    assert controller.step(_read(DAY)).watering == "z2"
    lost = controller.step(_read(DAY + M, communication_ok=False, flow_total_litres=5))
    assert lost.all_closed
    assert lost.blocks == (Block.COMMUNICATION,)
    assert controller.step(_read(DAY + 2 * M)).all_closed  # the manual run is over


def test_output_mismatch_latches() -> None:
    controller = _controller()
    controller.step(_read(NIGHT))
    controller.report_mismatch(NIGHT + M)
    command = controller.step(_read(NIGHT + M))
    assert command.all_closed
    assert Fault.OUTPUT_MISMATCH in command.faults


def test_implausible_sensor_never_drives_watering() -> None:
    controller = _controller()
    assert controller.step(_read(NIGHT, moisture={"z1": None, "z2": 50.0})).all_closed
    controller.step(_read(NIGHT + M))
    command = controller.step(
        _read(NIGHT + 2 * M, moisture={"z1": None, "z2": 50.0}, flow_total_litres=5)
    )
    assert command.all_closed
    assert command.reason == "sensor"


def test_manual_run_ends_by_itself_and_ignores_window_and_moisture() -> None:
    controller = _controller()
    until = controller.start_manual("z2", timedelta(hours=2), DAY)
    assert until == DAY + MAX_MANUAL  # clamped
    commands = _run(controller, DAY, 35, Flow())
    assert [c.watering for c in commands[:30]] == ["z2"] * 30
    assert commands[30].all_closed
    assert commands[30].reason in ("manual_done", "outside_window")
    assert controller.state["z2"].manual_until is None


def test_manual_run_obeys_frost() -> None:
    controller = _controller()
    controller.start_manual("z1", 5 * M, DAY)
    assert controller.step(_read(DAY, temperature=1.0)).all_closed


def test_manual_requests_checked() -> None:
    controller = IrrigationController(FacadeSettings(), {"z1": ZoneSettings("z1", mode=Mode.OFF)})
    for zone, duration, key in (
        ("zz", 5 * M, "unknown_zone"),
        ("z1", 5 * M, "zone_off"),
    ):
        with pytest.raises(IrrigationError) as err:
            controller.start_manual(zone, duration, DAY)
        assert err.value.key == key
    with pytest.raises(IrrigationError) as err:
        _controller().start_manual("z1", timedelta(0), DAY)
    assert err.value.key == "invalid_duration"


def test_off_and_manual_modes_never_auto_water() -> None:
    for mode in (Mode.OFF, Mode.MANUAL):
        controller = IrrigationController(FacadeSettings(), {"z1": ZoneSettings("z1", mode=mode)})
        assert controller.step(_read(NIGHT, moisture={"z1": 5.0})).all_closed


def test_mode_change_stops_a_running_zone() -> None:
    controller = _controller()
    controller.step(_read(NIGHT))
    controller.zones["z1"] = replace(controller.zones["z1"], mode=Mode.OFF)
    command = controller.step(_read(NIGHT + M, flow_total_litres=5))
    assert command.all_closed
    assert command.reason == "mode"


def test_stop_all() -> None:
    controller = _controller()
    controller.start_manual("z1", 5 * M, DAY)
    controller.stop_all(DAY)
    assert controller.step(_read(DAY)).all_closed


def test_state_survives_a_restart() -> None:
    controller = _controller()
    _run(controller, NIGHT, 12, Flow())
    controller.faults.add(Fault.DRY_RUN)
    restored = _controller()
    restored.load(controller.as_dict())
    assert restored.state["z1"].runtime_today == timedelta(minutes=10)
    assert restored.state["z1"].last_cycle_end == NIGHT + 10 * M
    assert restored.faults == {Fault.DRY_RUN}
    broken = _controller()
    broken.load({"zones": {"z1": {"runtime_today": "x"}}, "faults": ["nonsense"]})
    assert broken.state["z1"].runtime_today == timedelta(0)
    assert broken.faults == set()
