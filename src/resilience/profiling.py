"""Where a run spends its time: one replication under cProfile, with a breakdown by point of the schedule.

``resilience profile SCENARIO.yaml`` runs one replication of one strategy in the command's own process and
prints (1) seconds and share per point of the yearly schedule (:data:`resilience.model.PROCESS_NAMES`; the
model's construction and the yearly data collection are shown apart), the cost per person-year, and (2) the
functions that took the most time, from :mod:`cProfile`. ``--out FILE.prof`` keeps the raw profile for
``snakeviz`` or ``python -m pstats``.

    >>> result = profile_run(load_scenario("scenarios/traena.yaml"), horizon=2035)   # doctest: +SKIP
    >>> print(result.table())                                                       # doctest: +SKIP

The breakdown times the gaps between hooks placed after every point of the schedule (the model's own
``extra_processes`` mechanism), so it needs no change to the model and costs a few microseconds a year.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import time
from dataclasses import dataclass

import numpy as np

from resilience.config import Scenario
from resilience.experiments import NO_SHOCK, atomic_write
from resilience.levers import build_interventions
from resilience.model import PROCESS_NAMES, MunicipalityModel, Parameters, YearlyProcess

__all__ = ["CONSTRUCTION", "SORT_KEYS", "ProfileResult", "profile_run"]

#: The row of the breakdown for building the model (population, households, firms, network).
CONSTRUCTION = "construction"
#: The row for everything between the last point of one year and the first of the next (data collection).
BETWEEN_YEARS = "collect_year (between years)"
_CLOCK_COLUMN = "_profile_clock"
#: How the function table can be sorted (pstats keys).
SORT_KEYS = ("cumulative", "tottime", "ncalls")


@dataclass(frozen=True)
class ProfileResult:
    """Seconds per schedule point (and construction), person-years simulated, and the cProfile statistics."""

    seconds: dict[str, float]
    person_years: int
    functions: str
    stats: pstats.Stats

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    @property
    def microseconds_per_person_year(self) -> float:
        return self.total / self.person_years * 1e6 if self.person_years else float("nan")

    def table(self) -> str:
        """The breakdown as plain text: point, seconds, share of the total."""
        width = max(len(name) for name in self.seconds)
        lines = [f"{'where':<{width}}  {'seconds':>8}  {'share':>6}"]
        for name, seconds in self.seconds.items():
            lines.append(f"{name:<{width}}  {seconds:>8.3f}  {seconds / self.total:>6.1%}")
        lines.append(f"{'total':<{width}}  {self.total:>8.3f}  {1:>6.0%}")
        lines.append(
            f"{self.person_years} person-years: {self.microseconds_per_person_year:.1f} µs per person-year "
            "(under the profiler, which slows Python code down)"
        )
        return "\n".join(lines)


class _Clock:
    """Hooks after every schedule point; each records the time since the previous hook."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys((*PROCESS_NAMES, BETWEEN_YEARS), 0.0)
        self._last = time.perf_counter()
        self._first = PROCESS_NAMES[0]

    def start(self) -> None:
        self._last = time.perf_counter()

    def collected(self, model: MunicipalityModel) -> float:
        """A reporter: called last while a year's row is collected, it closes the data collection's gap."""
        now = time.perf_counter()
        self.seconds[BETWEEN_YEARS] += now - self._last
        self._last = now
        return 0.0

    def hook(self, name: str) -> YearlyProcess:
        def after(model: MunicipalityModel) -> None:
            now = time.perf_counter()
            self.seconds[name] += now - self._last
            self._last = now

        return after


def profile_run(
    scenario: Scenario,
    *,
    strategy: str = "baseline",
    seed: int | None = None,
    horizon: int | None = None,
    sort: str = "cumulative",
    limit: int = 25,
    out: str | os.PathLike[str] | None = None,
) -> ProfileResult:
    """Run one replication of ``strategy`` (or ``"no_shock"``) under cProfile; see the module docstring.

    The run uses the scenario's fixed parameter values (its ``uncertainties`` are not drawn).

    ``seed`` defaults to the scenario's ``run.seed``; ``out`` writes the raw profile (``.prof``), atomically
    and never over an existing file (:class:`FileExistsError`, before the run).
    """
    if out is not None and os.path.lexists(out):
        raise FileExistsError(f"{out} exists; choose another file name (a profile never overwrites a file)")
    if sort not in SORT_KEYS:
        raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}, not {sort!r}")
    if strategy != NO_SHOCK and strategy not in scenario.strategies:
        raise ValueError(f"no strategy {strategy!r}; the scenario has {', '.join(scenario.strategies)}")
    parameters = Parameters().replace(**{k: float(v) for k, v in scenario.parameters.items()})
    if strategy == NO_SHOCK:
        scenario = scenario.model_copy(update={"shocks": []})
        interventions = []
    else:
        interventions = build_interventions(scenario, strategy, {})
    clock = _Clock()
    hooks = {name: [clock.hook(name)] for name in PROCESS_NAMES}
    profiler = cProfile.Profile()
    profiler.enable()
    started = time.perf_counter()
    model = MunicipalityModel(
        scenario,
        np.random.SeedSequence(scenario.run.seed if seed is None else seed),
        parameters=parameters,
        horizon=horizon,
        interventions=interventions,
        extra_processes=hooks,
    )
    model.reporters[_CLOCK_COLUMN] = clock.collected
    built = time.perf_counter()
    clock.start()
    rows = model.run()
    ended = time.perf_counter()
    profiler.disable()
    # After the last reporter: building the frame of rows, counted with the data collection.
    clock.seconds[BETWEEN_YEARS] += max(0.0, (ended - built) - sum(clock.seconds.values()))
    seconds = {CONSTRUCTION: built - started, **clock.seconds}
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    if out is not None:
        atomic_write(out, stats.dump_stats)
    return ProfileResult(
        seconds=seconds,
        person_years=int(rows["population"].sum()),
        functions=buffer.getvalue(),
        stats=stats,
    )
