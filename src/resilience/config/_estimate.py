"""How long a scenario's ensemble will take and how much memory it will need, from the benchmark figures.

``resilience validate`` prints this estimate after the "valid" line and warns when the ensemble would run for
more than an hour or need more than half of the machine's memory. The configuration layer knows nothing of
the model, so the caller passes the starting population (``resilience.data.municipality_population``)::

    >>> from resilience.config import estimate_ensemble, parse_scenario
    >>> scenario = parse_scenario('''
    ... schema_version: 1
    ... name: Træna
    ... municipality: {kommunenummer: "1835", base_year: 2024}
    ... shocks: []
    ... run: {horizon: 2050, replications: 20}
    ... ''')
    >>> estimate = estimate_ensemble(scenario, residents=442, cores=2, memory_bytes=16_000_000_000)
    >>> estimate.runs, estimate.person_years
    (20, 229840)
    >>> print(estimate.message())
    estimate: 20 runs, about 7 s on 2 cores, peak memory about 1.1 GB (from benchmark figures)
    >>> print(estimate.message().render("nb"))
    anslag: 20 kjøringer, omtrent 7 s på 2 kjerner, høyeste minnebruk omtrent 1,1 GB (ut fra ytelsesmålinger)
    >>> estimate.warnings()
    []

It is an estimate from figures measured on the 2-core development machine (README, "Performance"), not a
promise: another machine, or other work on this one, changes the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ._limits import ensemble_memory_bytes, result_rows
from ._messages import Amount, Message
from ._schema import Scenario

__all__ = [
    "BYTES_PER_RESIDENT",
    "COMMAND_BYTES",
    "COMMAND_SECONDS",
    "LARGE_MUNICIPALITY",
    "LONG_SECONDS",
    "MEMORY_SHARE",
    "PIPELINE_OVERHEAD",
    "SMALL_MUNICIPALITY",
    "WORKER_FLOOR_BYTES",
    "WORKER_STARTUP_SECONDS",
    "EnsembleEstimate",
    "duration_message",
    "ensemble_runs",
    "estimate_ensemble",
    "model_seconds_per_person_year",
]

# ----------------------------------------------------------------------------------------------------------
# Time
# ----------------------------------------------------------------------------------------------------------

#: (residents, seconds per person-year) of the full model at Træna, 10 simulated years, construction included:
#: benchmarks/results/2026-11-28T193555Z.json, first figure, ``model_us_per_person_year`` 4.65 (README,
#: Performance table, first row).
SMALL_MUNICIPALITY: Final = (442, 4.65e-6)

#: The same at Trondheim (``init --kommune 5001``): the same file, second figure, ``us_per_person_year`` 3.13
#: (README, Performance table, second row).
LARGE_MUNICIPALITY: Final = (214_565, 3.13e-6)

#: The whole ``resilience run`` per run (each run written to disk, the strategies' levers, which cost more than
#: the benchmark's baseline, the no-shock reference, summarising) ÷ the model's benchmark cost × starting
#: residents × simulated years. Measured at Træna (``--executor sequential``, 10 replications less 1
#: replication of 1 year, each the fastest of 3, the model's cost in the same run): 1.66 and 2.01 in two runs
#: on 2026-12-04 (README, Performance). Part of it is a cost per run, not per person, so at a large
#: municipality's size it likely makes the estimate err high.
PIPELINE_OVERHEAD: Final = 1.8

#: Each worker process first imports numpy, pandas and Mesa before its first run (README, Performance: "≈ 3 s
#: on this machine"); the workers start together, and the sequential executor imports the same in the command.
WORKER_STARTUP_SECONDS: Final = 3.0

#: The rest of the command's fixed cost: its own start-up, summarising and the report. The Træna command of
#: 1 replication and 1 year took 5.7 and 6.7 s (2026-12-04, the measurement of :data:`PIPELINE_OVERHEAD`;
#: README, Performance), of which :data:`WORKER_STARTUP_SECONDS` is the import of the model.
COMMAND_SECONDS: Final = 3.0

#: Above this the ensemble deserves a warning (issue 14: "more than an hour").
LONG_SECONDS: Final = 3600.0

# ----------------------------------------------------------------------------------------------------------
# Memory
# ----------------------------------------------------------------------------------------------------------

#: Peak memory of one run's process per resident: Trondheim's 0.564 GB for 214 565 residents,
#: benchmarks/results/2026-11-28T193555Z.json, third figure, ``bytes_per_resident`` 2629 (README, Performance
#: table). The process's own libraries are inside it, so per resident it errs high for large municipalities.
BYTES_PER_RESIDENT: Final = 2630

#: A worker process holds at least its libraries and one small run: a process that imports the model and runs
#: Træna once peaks at 256–266 MB (``ru_maxrss``, 2026-12-04; README, Performance).
WORKER_FLOOR_BYTES: Final = 270_000_000

#: The command's own process, which reads the results back, summarises them and writes the report: 0.55–0.56 GB
#: at its peak for Træna on 2 workers (GNU time's maximum resident size, 2026-12-04; README, Performance).
COMMAND_BYTES: Final = 560_000_000

#: Above this share of the machine's memory the ensemble deserves a warning (issue 14: "more than half").
MEMORY_SHARE: Final = 0.5


def model_seconds_per_person_year(residents: int) -> float:
    """Seconds per person-year of the model alone at ``residents``, between the two measured municipalities.

    The cost is a fixed part per person-year plus a part per run-year that a larger municipality spreads over
    more people (README, Performance: "per person-year it falls with size, because a run's fixed costs weigh
    less"): ``a + F / residents`` through both measured points. Beyond Trondheim it approaches ``a``; nothing
    larger has been measured.

    >>> round(model_seconds_per_person_year(442) * 1e6, 2), round(model_seconds_per_person_year(214_565) * 1e6, 2)
    (4.65, 3.13)
    >>> round(model_seconds_per_person_year(20_000) * 1e6, 2)
    3.16
    """
    (small_n, small_cost), (large_n, large_cost) = SMALL_MUNICIPALITY, LARGE_MUNICIPALITY
    fixed = (small_cost - large_cost) / (1 / small_n - 1 / large_n)
    per_person = large_cost - fixed / large_n
    return per_person + fixed / max(residents, 1)


def ensemble_runs(scenario: Scenario) -> int:
    """Runs of the scenario's ensemble: its strategies, with the no-shock reference the runner adds when the
    scenario has shocks, × its replications (``resilience.experiments.plan_runs``)."""
    return _strategies(scenario) * scenario.run.replications


def _strategies(scenario: Scenario) -> int:
    reference = 1 if scenario.shocks and "no_shock" not in scenario.strategies else 0
    return len(scenario.strategies) + reference


# ----------------------------------------------------------------------------------------------------------
# The estimate and its messages
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnsembleEstimate:
    """What an ensemble will take: runs, person-years, time on the machine's cores and peak memory."""

    runs: int
    person_years: int
    #: Runs at a time: ``resilience run`` starts one worker per core, and never more than there are runs.
    workers: int
    cores: int
    #: Seconds of the runs themselves (spread over the workers); grows with runs and residents.
    run_seconds: float
    #: Seconds whatever the size: the workers' and the command's start-up, summarising and the report.
    fixed_seconds: float
    #: One worker's peak memory.
    worker_bytes: int
    #: The command's own process with the results it summarises (``resilience.config.ensemble_memory_bytes``).
    summary_bytes: int
    #: This machine's memory, or None where the system does not say (then memory is never warned about).
    machine_bytes: int | None

    @property
    def seconds(self) -> float:
        """Estimated wall time of ``resilience run`` on this machine's cores."""
        return self.run_seconds + self.fixed_seconds

    @property
    def peak_memory_bytes(self) -> int:
        """Estimated peak memory: every worker at its peak, and the command summarising the results.

        The two do not happen at once (the workers end before summarising), so the sum errs high.
        """
        return self.workers * self.worker_bytes + self.summary_bytes

    @property
    def too_long(self) -> bool:
        """More than :data:`LONG_SECONDS`."""
        return self.seconds > LONG_SECONDS

    @property
    def too_large(self) -> bool:
        """More than :data:`MEMORY_SHARE` of this machine's memory."""
        return self.machine_bytes is not None and self.peak_memory_bytes > MEMORY_SHARE * self.machine_bytes

    def message(self) -> Message:
        """One line: runs, about how long on how many cores, and the peak memory."""
        runs = Message("1 run") if self.runs == 1 else Message("{count} runs", count=self.runs)
        cores = Message("1 core") if self.cores == 1 else Message("{count} cores", count=self.cores)
        return Message(
            "estimate: {runs}, {duration} on {cores}, peak memory about {memory} GB (from benchmark figures)",
            runs=runs,
            duration=duration_message(self.seconds),
            cores=cores,
            memory=_gigabytes(self.peak_memory_bytes),
        )

    def warnings(self) -> list[Message]:
        """A ``warning: …`` line for each threshold passed, saying what to reduce; empty when none is."""
        found: list[Message] = []
        if self.too_long:
            found.append(
                Message(
                    "warning: the runs may take {duration}, more than an hour; reduce run.replications "
                    "(or --replications), the horizon (--horizon) or the strategies (--strategy), or spread the "
                    "runs over more cores (--workers on a larger machine, or a Dask cluster with --scheduler)",
                    duration=duration_message(self.seconds),
                )
            )
        if self.too_large and self.machine_bytes is not None:
            found.append(
                Message(
                    "warning: peak memory about {memory} GB is more than half of this machine's {machine} GB "
                    "({workers} × about {worker} GB for the runs, about {summary} GB to summarise them); run fewer "
                    "at a time (--workers) or on a Dask cluster (--scheduler), or reduce run.replications, the "
                    "horizon or the strategies",
                    memory=_gigabytes(self.peak_memory_bytes),
                    machine=_gigabytes(self.machine_bytes),
                    workers=self.workers,
                    worker=_gigabytes(self.worker_bytes),
                    summary=_gigabytes(self.summary_bytes),
                )
            )
        return found


def estimate_ensemble(scenario: Scenario, residents: int, *, cores: int, memory_bytes: int | None) -> EnsembleEstimate:
    """The estimate of ``resilience run`` for ``scenario`` as written, on ``cores`` cores and ``memory_bytes``.

    ``residents`` is the starting population (``municipality_population(kommunenummer, base_year).total``);
    ``memory_bytes`` is the machine's memory (``machine_memory_bytes()``), None where unknown. Time: runs ×
    residents × simulated years × :func:`model_seconds_per_person_year` × :data:`PIPELINE_OVERHEAD`, over
    ``min(cores, runs)`` workers, plus the start-up. Memory: each of those workers at
    :data:`BYTES_PER_RESIDENT` × residents (at least :data:`WORKER_FLOOR_BYTES`), plus the command
    (:data:`COMMAND_BYTES`) and what summarising the results takes (:func:`ensemble_memory_bytes`).

    >>> from resilience.config import parse_scenario
    >>> big = parse_scenario('''
    ... schema_version: 1
    ... name: Oslo
    ... municipality: {kommunenummer: "0301", base_year: 2024}
    ... run: {horizon: 2049, replications: 20}
    ... strategies: {baseline: [], b: [], c: [], d: [], e: []}
    ... shocks: [{type: closure, employer: X, year: 2026}]
    ... employers: [{name: X, sector: other_basic, jobs: 3000}]
    ... ''')
    >>> estimate = estimate_ensemble(big, residents=717_710, cores=2, memory_bytes=16_000_000_000)
    >>> print(estimate.message())
    estimate: 120 runs, about 1 h 40 min on 2 cores, peak memory about 4.3 GB (from benchmark figures)
    >>> for warning in estimate.warnings():
    ...     print(warning)
    warning: the runs may take about 1 h 40 min, more than an hour; reduce run.replications (or --replications), ...
    """
    if cores < 1:
        raise ValueError(f"cores must be at least 1, got {cores}")
    if residents < 0:
        raise ValueError(f"residents must not be negative, got {residents}")
    runs = ensemble_runs(scenario)
    # Simulated years, not result rows: the benchmark's person-years (the sum of each year's population) come
    # to residents × simulated years within 3 % at both municipalities.
    years = scenario.run.horizon - scenario.municipality.base_year
    person_years = runs * residents * years
    workers = min(cores, runs)
    cost = person_years * model_seconds_per_person_year(residents) * PIPELINE_OVERHEAD
    rows = result_rows(_strategies(scenario), scenario.run.replications, years + 1)
    return EnsembleEstimate(
        runs=runs,
        person_years=person_years,
        workers=workers,
        cores=cores,
        run_seconds=cost / workers,
        fixed_seconds=WORKER_STARTUP_SECONDS + COMMAND_SECONDS,
        worker_bytes=max(WORKER_FLOOR_BYTES, BYTES_PER_RESIDENT * residents),
        summary_bytes=COMMAND_BYTES + ensemble_memory_bytes(rows),
        machine_bytes=memory_bytes,
    )


def _gigabytes(size: float) -> Amount:
    return Amount(size / 1e9, digits=1)


def duration_message(seconds: float) -> Message:
    """About ``seconds``, rounded as a person would say it: seconds, minutes, hours and minutes, hours, days.

    >>> for seconds in (0.2, 7.4, 42, 58, 130, 1700, 3599, 7900, 9000, 50_000, 400_000):
    ...     print(duration_message(seconds), "|", duration_message(seconds).render("nb"))
    about 1 s | omtrent 1 s
    about 7 s | omtrent 7 s
    about 40 s | omtrent 40 s
    about 1 min | omtrent 1 min
    about 2 min | omtrent 2 min
    about 30 min | omtrent 30 min
    about 1 h | omtrent 1 t
    about 2 h 10 min | omtrent 2 t 10 min
    about 2 h 30 min | omtrent 2 t 30 min
    about 14 h | omtrent 14 t
    about 5 days | omtrent 5 døgn
    """
    # Finer than the estimate is good would be false precision: whole seconds below 10 s, then steps of 5 s,
    # whole minutes below 10 min, then 5 min, then 10 min below 10 h, whole hours below 2 days, then days.
    if seconds < 9.5:
        return Message("about {seconds} s", seconds=max(1, round(seconds)))
    if (fives := 5 * round(seconds / 5)) < 60:
        return Message("about {seconds} s", seconds=fives)
    minutes = round(seconds / 60)
    if minutes >= 10:
        minutes = 5 * round(seconds / 300)
    if minutes < 60:
        return Message("about {minutes} min", minutes=minutes)
    if seconds < 10 * 3600 - 300:
        hours, tens = divmod(round(seconds / 600), 6)
        if tens:
            return Message("about {hours} h {minutes} min", hours=hours, minutes=10 * tens)
        return Message("about {hours} h", hours=hours)
    if (hours := round(seconds / 3600)) < 48:
        return Message("about {hours} h", hours=hours)
    return Message("about {days} days", days=round(seconds / 86_400))
