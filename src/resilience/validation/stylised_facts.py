"""Stylised facts as checks: does the model reproduce the published regularities of EVIDENCE.md §2–3?

One synthetic experiment feeds every check: the bundled Træna scenario run ``replications`` times with its
closure (``baseline``, no interventions) and without it (``no_shock``), same seeds (common random numbers),
parameters fixed at the scenario's values (no uncertainty draws). Each run records, besides the usual yearly
rows, who left in the out-migration step (by age, displacement and household) and how many displaced workers
are back in work. Each :class:`StylisedFact` turns those runs into a :class:`CheckResult` that puts the
model's figure next to the published one.

    >>> results = run_validation(workers=2)          # doctest: +SKIP
    >>> print(format_results(results))               # doctest: +SKIP

``resilience validate-model`` does the same from the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from resilience.config import Scenario, load_scenario
from resilience.experiments import NO_SHOCK, RunTask, replication_seeds, run_ensemble
from resilience.model import MunicipalityModel, Parameters, Status
from resilience.model.labour import DISPLACEMENT_YEARS
from resilience.model.parameters import MOVE_RATES_2004

__all__ = [
    "STYLISED_FACTS",
    "Adjustment",
    "CheckResult",
    "StylisedFact",
    "ValidationRuns",
    "adjustment_path",
    "format_results",
    "run_validation",
    "simulate",
    "validation_replication",
]

#: The experiment: shocked runs are ``baseline`` (the scenario's closure, no interventions).
SHOCK = "baseline"
DEFAULT_REPLICATIONS = 40
DEFAULT_HORIZON = 2036
DEFAULT_SEED = 20240101

#: Five-year age groups of SSB's table of moves (the last is open: 70+).
AGE_GROUPS: tuple[int, ...] = tuple(range(0, 75, 5))
#: Adults compared in the displacement check: prime working age.
ADULT_AGES = (20, 61)
#: Years after the closure over which the early adjustment is measured (Decressin & Fatás 1995: ≈ 3).
EARLY_YEARS = 3


def _group_label(start: int) -> str:
    return f"{start}+" if start == AGE_GROUPS[-1] else f"{start}–{start + 4}"


# ------------------------------------------------------------------------------------------------------
# The synthetic experiment
# ------------------------------------------------------------------------------------------------------
class _MoveRecorder:
    """Snapshots residents just before out-migration and counts who left, by group, for the year's row."""

    def __init__(self) -> None:
        self.counts: dict[str, float] = dict.fromkeys(_RECORDED, 0.0)
        self._rows = np.empty(0, dtype=np.int64)
        self._groups: dict[str, np.ndarray] = {}

    def before(self, model: MunicipalityModel) -> None:
        pt = model.persons
        rows = pt.resident_rows()
        age = pt.age[rows].astype(np.int64)
        status = pt.status[rows]
        hh = pt.household[rows].astype(np.int64)
        sizes = np.bincount(hh, minlength=model.households.n)[hh]
        adult = (age >= ADULT_AGES[0]) & (age <= ADULT_AGES[1])
        displaced = adult & ((model.year - pt.displaced_year[rows]) < DISPLACEMENT_YEARS)
        control = adult & ~displaced & (status == Status.EMPLOYED)
        family = sizes >= 2
        group = np.minimum(age // 5, len(AGE_GROUPS) - 1)
        self._rows = rows
        self._groups = {f"age_{k}": group == k for k in range(len(AGE_GROUPS))}
        self._groups.update(
            working_age=(age >= 16) & (age <= 66),
            disp_single=displaced & ~family,
            disp_family=displaced & family,
            ctrl_single=control & ~family,
            ctrl_family=control & family,
        )
        for name, mask in self._groups.items():
            self.counts[f"v_n_{name}"] = float(mask.sum())

    def after(self, model: MunicipalityModel) -> None:
        left = ~model.persons.present[self._rows]
        for name, mask in self._groups.items():
            self.counts[f"v_moved_{name}"] = float((mask & left).sum())
        pt = model.persons
        rows = pt.resident_rows()
        back = (pt.displaced_year[rows] > -9999) & (pt.status[rows] == Status.EMPLOYED)
        self.counts["v_reemployed"] = float(back.sum())


_GROUP_NAMES = (
    *(f"age_{k}" for k in range(len(AGE_GROUPS))),
    "working_age",
    "disp_single",
    "disp_family",
    "ctrl_single",
    "ctrl_family",
)
_RECORDED: tuple[str, ...] = (
    *(f"v_n_{g}" for g in _GROUP_NAMES),
    *(f"v_moved_{g}" for g in _GROUP_NAMES),
    "v_reemployed",
)


def _reporter(recorder: _MoveRecorder, name: str) -> Callable[[MunicipalityModel], float]:
    return lambda model: recorder.counts[name]


def validation_replication(scenario: Scenario, task: RunTask, *, horizon: int | None = None) -> pd.DataFrame:
    """One run of the validation experiment: :func:`~resilience.experiments.run_replication` without levers,
    plus the ``v_*`` columns the checks need. ``task.drawn`` overrides model parameters (no range check)."""
    parameters = Parameters().replace(**{k: float(v) for k, v in scenario.parameters.items()})
    if task.drawn:
        parameters = parameters.replace(**task.drawn)
    if task.strategy == NO_SHOCK:
        scenario = scenario.model_copy(update={"shocks": []})
    recorder = _MoveRecorder()
    model = MunicipalityModel(
        scenario,
        np.random.SeedSequence(task.seed),
        parameters=parameters,
        horizon=horizon,
        extra_processes={"labour_exits": [recorder.before], "out_migration": [recorder.after]},
    )
    for name in _RECORDED:
        model.reporters[name] = _reporter(recorder, name)
    frame = model.run()
    frame.insert(0, "seed", np.int64(task.seed))
    frame.insert(0, "replication", task.replication)
    frame.insert(0, "strategy", task.strategy)
    return frame


def _default_scenario() -> Scenario:
    return load_scenario(Path(str(files("resilience") / "scenarios" / "traena.yaml")))


@dataclass(frozen=True)
class ValidationRuns:
    """The experiment's yearly rows: ``shock`` (closure) and ``reference`` (no shock), same seeds."""

    shock: pd.DataFrame
    reference: pd.DataFrame
    closure_year: int
    parameters: Parameters
    replications: int

    def paired(self, column: str) -> pd.DataFrame:
        """``column`` as a year × replication table, shocked minus reference (the effect of the closure)."""
        shock = self.shock.pivot(index="year", columns="replication", values=column)
        reference = self.reference.pivot(index="year", columns="replication", values=column)
        return shock - reference


def simulate(
    *,
    workers: int = 2,
    replications: int = DEFAULT_REPLICATIONS,
    horizon: int = DEFAULT_HORIZON,
    seed: int = DEFAULT_SEED,
    overrides: Mapping[str, float] | None = None,
    scenario: Scenario | None = None,
) -> ValidationRuns:
    """Run the validation experiment (``2 × replications`` short runs) and return its rows."""
    scenario = _default_scenario() if scenario is None else scenario
    if not scenario.shocks:
        raise ValueError("the validation experiment needs a scenario with a closure")
    drawn = {k: float(v) for k, v in (overrides or {}).items()}
    parameters = Parameters().replace(**{k: float(v) for k, v in scenario.parameters.items()}).replace(**drawn)
    seeds = replication_seeds(seed, replications)
    tasks = [RunTask(s, r, seeds[r], drawn) for s in (SHOCK, NO_SHOCK) for r in range(replications)]
    frame = run_ensemble(scenario, tasks, workers=workers, horizon=horizon, run=validation_replication)
    return ValidationRuns(
        shock=frame[frame["strategy"] == SHOCK].reset_index(drop=True),
        reference=frame[frame["strategy"] == NO_SHOCK].reset_index(drop=True),
        closure_year=min(shock.year for shock in scenario.shocks),
        parameters=parameters,
        replications=replications,
    )


# ------------------------------------------------------------------------------------------------------
# The checks
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    """One stylised fact: the model's figure, the published one, where it is from, and whether it holds."""

    name: str
    model_value: str
    published: str
    source: str
    passed: bool


@dataclass(frozen=True)
class StylisedFact:
    """A published regularity and how to measure it in the validation runs (``measure`` → text, passed)."""

    name: str
    published: str
    source: str
    measure: Callable[[ValidationRuns], tuple[str, bool]] = field(repr=False)

    def __call__(self, runs: ValidationRuns) -> CheckResult:
        model_value, passed = self.measure(runs)
        return CheckResult(self.name, model_value, self.published, self.source, bool(passed))


def _rate(frame: pd.DataFrame, group: str) -> tuple[float, float]:
    """Moves and exposure (person-years) of ``group`` summed over the rows."""
    return float(frame[f"v_moved_{group}"].sum()), float(frame[f"v_n_{group}"].sum())


def _age_profile(runs: ValidationRuns) -> tuple[str, bool]:
    frame = runs.reference
    rates = []
    for k in range(len(AGE_GROUPS)):
        moved, exposed = _rate(frame, f"age_{k}")
        rates.append(1000.0 * moved / exposed if exposed else 0.0)
    moved_all = sum(_rate(frame, f"age_{k}")[0] for k in range(len(AGE_GROUPS)))
    exposed_all = sum(_rate(frame, f"age_{k}")[1] for k in range(len(AGE_GROUPS)))
    overall = 1000.0 * moved_all / exposed_all
    peak = int(np.argmax(rates))
    peak_in_20s = AGE_GROUPS[peak] in (20, 25)
    ratio = max(rates[4], rates[5]) / overall
    published_ratio = max(MOVE_RATES_2004[4], MOVE_RATES_2004[5]) / 41.0
    text = (
        f"peak {_group_label(AGE_GROUPS[peak])}: 20–24 {rates[4]:.0f}, 25–29 {rates[5]:.0f} vs all ages "
        f"{overall:.0f} per 1 000 (×{ratio:.1f}; published ×{published_ratio:.1f})"
    )
    return text, peak_in_20s and ratio >= 2.0


def _displacement(runs: ValidationRuns) -> tuple[str, bool]:
    frame = runs.shock[runs.shock["year"] >= runs.closure_year]

    def risk(*groups: str) -> float:
        moved = sum(_rate(frame, g)[0] for g in groups)
        exposed = sum(_rate(frame, g)[1] for g in groups)
        return moved / exposed if exposed else float("nan")

    rr_all = risk("disp_single", "disp_family") / risk("ctrl_single", "ctrl_family")
    rr_single = risk("disp_single") / risk("ctrl_single")
    rr_family = risk("disp_family") / risk("ctrl_family")
    text = (
        f"relative risk {rr_all:.2f} ({100 * (rr_all - 1):+.0f} %); living alone {rr_single:.2f}, "
        f"in a family {rr_family:.2f}"
    )
    return text, bool(1.2 <= rr_all <= 3.0 and rr_family < rr_single)


def _multiplier(runs: ValidationRuns) -> tuple[str, bool]:
    years = [y for y in sorted(runs.shock["year"].unique()) if y >= runs.closure_year]
    before = runs.closure_year - 1
    local = runs.paired("jobs_local_services").mean(axis=1)
    basic = runs.paired("jobs_basic").mean(axis=1)
    effective = [
        -(local[y] - local[before]) / -(basic[y] - basic[before]) if basic[y] != basic[before] else 0.0 for y in years
    ]
    configured = runs.parameters.local_multiplier
    low, high = Parameters.spec("local_multiplier").low, Parameters.spec("local_multiplier").high
    updates = len(years)
    expected = configured * (1.0 - (1.0 - runs.parameters.labour_demand_adjustment) ** updates)
    final = effective[-1]
    within = all(low - 1e-9 <= e <= high + 1e-9 for e in effective)
    text = (
        f"{final:.2f} after {updates} years (range over years {min(effective):.2f}–{max(effective):.2f}; "
        f"configured {configured:.2f}, expected after adjustment {expected:.2f})"
    )
    return text, within and abs(final - expected) <= 0.1


@dataclass(frozen=True)
class Adjustment:
    """Decressin & Fatás' decomposition of the closure's employment effect in one year after the closure.

    With employed residents E, labour force L (employed + unemployed) and working-age residents N (16–66),
    ``ln E = ln N + ln(L/N) + ln(E/L)`` exactly, so the paired effect of the closure on ``ln E`` (shocked
    minus reference, mean over replications) splits into migration (``ln N``), participation (``ln(L/N)``)
    and the employment rate (``ln(E/L)``: unemployment and re-employment). Shares are of the ``ln E`` effect.
    """

    years_after: int
    employment: float
    migration: float
    participation: float
    employment_rate: float

    @property
    def migration_share(self) -> float:
        return self.migration / self.employment if self.employment else float("nan")

    @property
    def participation_share(self) -> float:
        return self.participation / self.employment if self.employment else float("nan")

    @property
    def employment_rate_share(self) -> float:
        return self.employment_rate / self.employment if self.employment else float("nan")


def adjustment_path(runs: ValidationRuns) -> list[Adjustment]:
    """The decomposition at the end of each year from the closure year on (year 1 = the closure year).

    E and L are counted at the end of year y, N on 1 January y + 1 (the same moment), so the last simulated
    year, whose 1 January y + 1 is not simulated, is left out.
    """
    shock, reference = runs.shock, runs.reference

    def log_effect(numerator: str, denominator: str | None, *, shift: bool = False) -> pd.Series:
        def table(frame: pd.DataFrame, column: str) -> pd.DataFrame:
            if column == "labour_force":
                values = frame.pivot(index="year", columns="replication", values="employed") + frame.pivot(
                    index="year", columns="replication", values="unemployed"
                )
            else:
                values = frame.pivot(index="year", columns="replication", values=column)
            return values.shift(-1) if shift and column == "age_16_66" else values

        def log_of(frame: pd.DataFrame) -> pd.DataFrame:
            top = table(frame, numerator)
            ratio = top if denominator is None else top / table(frame, denominator)
            return ratio.apply(np.log)

        return (log_of(shock) - log_of(reference)).mean(axis=1)

    employment = log_effect("employed", None)
    migration = log_effect("age_16_66", None, shift=True)
    participation = log_effect("labour_force", "age_16_66", shift=True)
    rate = log_effect("employed", "labour_force")
    years = [y for y in sorted(shock["year"].unique()) if y >= runs.closure_year and not np.isnan(migration[y])]
    return [
        Adjustment(y - runs.closure_year + 1, employment[y], migration[y], participation[y], rate[y]) for y in years
    ]


def _adjustment(runs: ValidationRuns) -> tuple[str, bool]:
    path = adjustment_path(runs)
    early = path[min(EARLY_YEARS, len(path)) - 1]
    last = path[-1]

    def shares(a: Adjustment) -> str:
        return (
            f"migration {100 * a.migration_share:.0f} %, participation {100 * a.participation_share:.0f} %, "
            f"employment rate {100 * a.employment_rate_share:.0f} %"
        )

    text = (
        f"employment −{100 * (1 - np.exp(early.employment)):.0f} % vs no closure; after {early.years_after} yrs: "
        f"{shares(early)}; after {last.years_after} yrs: {shares(last)}"
    )
    growing = [a.migration_share for a in path]
    builds = sum(b >= a for a, b in pairwise(growing)) >= 0.7 * (len(growing) - 1)
    passed = (
        early.migration_share < 0.5  # participation and the employment rate absorb most at first
        and last.migration_share >= 1.5 * max(early.migration_share, 0.05)  # migration builds
        and 0.3 <= last.migration_share <= 0.7  # long run ≈ 50 %
        and builds
    )
    return text, bool(passed)


def _drift(runs: ValidationRuns) -> tuple[str, bool]:
    frame = runs.reference
    first, last = frame["year"].min(), frame["year"].max()
    start = frame[frame["year"] == first].set_index("replication")["population"]
    end = frame[frame["year"] == last].set_index("replication")["population"]
    yearly = (end / start) ** (1.0 / (last - first)) - 1.0
    mean = float(yearly.mean())
    text = (
        f"{100 * mean:+.2f} %/yr ({first}–{last}; replications {100 * yearly.min():+.1f} … {100 * yearly.max():+.1f})"
    )
    return text, -0.015 <= mean <= 0.0


STYLISED_FACTS: list[StylisedFact] = [
    StylisedFact(
        "age profile of moves peaks at 20–29",
        "20–24: 121, 25–29: 123 vs all ages 41 per 1 000 (×3.0)",
        "SSB 2004 (EVIDENCE §2)",
        _age_profile,
    ),
    StylisedFact(
        "displacement raises moving, less with family",
        "≈ +80 % (Finland); raised, family ties reduce it (Norway)",
        "Maczulskij & Böckerman 2019; Huttunen, Møen & Salvanes 2018",
        _displacement,
    ),
    StylisedFact(
        "effective local multiplier within range",
        "0–1 for a remote Nordic micro-municipality (Sweden ≈ 0.5)",
        "Moretti & Thulin 2013; van Dijk 2014 (EVIDENCE §3)",
        _multiplier,
    ),
    StylisedFact(
        "participation first, migration builds",
        "share of the employment loss absorbed by migration: small in the first ≈ 3 yrs (participation "
        "absorbs most), ≈ 50 % in the long run",
        "Decressin & Fatás 1995; Beyer & Smets 2015",
        _adjustment,
    ),
    StylisedFact(
        "slow drift without a shock",
        "Træna 2016–2024 ≈ −1 %/yr; check −1.5 … 0 %/yr",
        "SSB 07459 (EVIDENCE §1)",
        _drift,
    ),
]


def run_validation(
    *,
    workers: int = 2,
    replications: int = DEFAULT_REPLICATIONS,
    overrides: Mapping[str, float] | None = None,
    facts: Sequence[StylisedFact] | None = None,
) -> list[CheckResult]:
    """Run the validation experiment once and every stylised fact on it (``overrides``: parameter values).

    >>> print(format_results(run_validation(workers=2)))   # doctest: +SKIP
    """
    runs = simulate(workers=workers, replications=replications, overrides=overrides)
    return [fact(runs) for fact in (STYLISED_FACTS if facts is None else facts)]


def format_results(results: Sequence[CheckResult]) -> str:
    """A plain-text table: check, model, published, source, PASS/FAIL; one line per check."""
    header = ("check", "model", "published", "source", "result")
    rows = [(r.name, r.model_value, r.published, r.source, "PASS" if r.passed else "FAIL") for r in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} of {len(results)} stylised facts hold")
    return "\n".join(lines)
