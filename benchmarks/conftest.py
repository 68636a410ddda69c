"""The benchmark harness: benchmarks record samples, and a table is printed at the end.

Benchmarks are pytest functions (so they can use Home Assistant's test harness) that call
`record(name, samples, unit)`; they assert nothing about speed. scripts/bench runs them.
"""

from __future__ import annotations

# See tests/conftest.py: the repository's package must be imported first.
import custom_components  # noqa: F401  # isort: skip

from collections.abc import Callable
from dataclasses import dataclass
import statistics

import pytest


@dataclass(frozen=True)
class Result:
    name: str
    unit: str
    samples: list[float]

    def quantile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


RESULTS: list[Result] = []

type Recorder = Callable[[str, list[float], str], None]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom integrations from the repository."""


@pytest.fixture
def record() -> Recorder:
    """Record the samples of one measurement for the table."""

    def _record(name: str, samples: list[float], unit: str) -> None:
        RESULTS.append(Result(name, unit, list(samples)))

    return _record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    header = f"{'benchmark':<58} {'n':>5} {'p50':>10} {'p99':>10} {'mean':>10} {'max':>10}  unit"
    terminalreporter.write_sep("=", "benchmarks")
    terminalreporter.write_line(header)
    terminalreporter.write_line("-" * len(header))
    for result in RESULTS:
        terminalreporter.write_line(
            f"{result.name:<58} {len(result.samples):>5} {result.quantile(0.5):>10.3f} "
            f"{result.quantile(0.99):>10.3f} {statistics.fmean(result.samples):>10.3f} "
            f"{max(result.samples):>10.3f}  {result.unit}"
        )
