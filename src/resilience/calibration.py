"""Calibration: fit the uncertain migration parameters to the municipality's real population path.

Method — approximate Bayesian computation by rejection (ABC rejection; Pritchard et al. 1999, Beaumont et
al. 2002):

1. **Priors.** The parameters fitted are the scenario's uncertain *model* parameters (names without a dot)
   that govern migration (:data:`MIGRATION_PARAMETERS`), each with the scenario's own distribution as its
   prior. If the scenario lists none, ``out_migration_scale`` and ``amenity_in_migration_rate`` are fitted
   with uniform priors over their plausible ranges (``Parameters.specs()``). ``priors=`` overrides this.
2. **Draws.** ``samples`` parameter sets are drawn from the priors, from a ``numpy`` SeedSequence derived from
   the scenario's root seed (its own stream, separate from the model's and the uncertainties' streams): the
   same scenario and seed give the same draws, the same runs and the same result, on any executor.
3. **Simulation.** Each set is run ``replications`` times through the ensemble runner
   (:func:`resilience.experiments.stream_ensemble`, so on inline, process or Dask executors) on the
   scenario *without shocks and without interventions*, starting on 1 January ``FROM`` from SSB's population
   of that year (``municipality.base_year = FROM``) and ending on 1 January ``TO`` (``run.horizon = TO``).
   Replication *k* has the same model seed for every parameter set (common random numbers), so the sets are
   compared under the same luck; the scenario's other uncertain model parameters (not fitted) are drawn per
   replication as in an ordinary run, i.e. integrated over.
4. **Distance.** For each set, the replication mean of four yearly series — total population and the broad
   age groups 0–15, 16–66 and 67+ on 1 January — is compared with SSB table 07459 for every year after
   ``FROM`` (``FROM`` itself is the starting point and matches by construction): the distance is the mean,
   over those years and the four series, of the squared relative error ``((simulated − observed) /
   observed)²``.
5. **Acceptance.** The ``ceil(acceptance × samples)`` sets with the smallest distances are accepted (the
   ε-quantile of the distances; ε is reported). They approximate the posterior: the fitted values are their
   medians, the spread their 5–95 % quantiles.
6. **Fit report.** The posterior predictive band: every run of every accepted set, per year and series, as
   median and 5–95 % quantiles next to the observed series (``fit.csv``; ``fit.html`` draws it with
   :func:`resilience.reporting.observed_vs_simulated_figure` in bokmål or English).

What it cannot do: with a small population, yearly counts are noisy, so a short window constrains the
parameters only loosely, and parameters with similar effects on these four series (e.g. more out-migration
and more in-migration) trade off against each other — read the accepted samples, not just the medians. The
scenario's employers describe its base year, not the historical window; the fit is of demography and
migration under those employers. ABC rejection with a finite tolerance widens the posterior; more samples
and a smaller ``acceptance`` sharpen it.

    >>> from resilience.config import load_scenario                                       # doctest: +SKIP
    >>> result = calibrate(load_scenario("scenarios/traena.yaml"), history=(2005, 2013))  # doctest: +SKIP
    >>> result.fitted, result.spread                                                      # doctest: +SKIP
    >>> write_calibration(result, "results/calibration")                                  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from resilience.config import Choice, Distribution, Normal, Scenario, Triangular, Uniform, did_you_mean
from resilience.data import available_years, municipality_population
from resilience.experiments import (
    CALIBRATION_CSV,
    CALIBRATION_YAML,
    FIT_CSV,
    FIT_HTML,
    EnsembleFailures,
    EnsembleManifest,
    RunFailure,
    RunTask,
    atomic_write,
    atomic_write_text,
    draw_uncertainties,
    hold_results_dir,
    prepare_results_dir,
    replication_seeds,
    stream_ensemble,
)
from resilience.model import Parameters

__all__ = [
    "CALIBRATION_CSV",
    "CALIBRATION_YAML",
    "DEFAULT_PARAMETERS",
    "FIT_CSV",
    "FIT_HTML",
    "GROUPS",
    "MIGRATION_PARAMETERS",
    "CalibrationResult",
    "HistoryError",
    "calibrate",
    "calibration_priors",
    "check_history",
    "historical_scenario",
    "observed_series",
    "parse_history",
    "simulate_history",
    "write_calibration",
]

#: Model parameters of the migration processes (the ones calibration fits when the scenario lists them).
MIGRATION_PARAMETERS: tuple[str, ...] = (
    "out_migration_scale",
    "young_women_move_factor",
    "displaced_migration_factor",
    "tie_retention",
    "friend_left_factor",
    "owner_migration_factor",
    "return_migration_rate",
    "amenity_in_migration_rate",
    "remote_worker_in_rate",
)
#: Fitted when the scenario has no uncertain migration parameter (uniform over their plausible ranges).
DEFAULT_PARAMETERS: tuple[str, ...] = ("out_migration_scale", "amenity_in_migration_rate")
#: The series compared with SSB: total population and broad age groups on 1 January.
GROUPS: tuple[str, ...] = ("total", "age_0_15", "age_16_66", "age_67_plus")
#: Files written by :func:`write_calibration` (named in :mod:`resilience.experiments.layout`, with every file a
#: results directory may hold): CALIBRATION_YAML, CALIBRATION_CSV, FIT_CSV, FIT_HTML.

# Spawn key of the prior draws (the model streams use 0, the uncertainty draws 1; see experiments.seeds).
_CALIBRATION_KEY = 2
_METHOD = "ABC rejection"


class HistoryError(ValueError):
    """A historical window that is not ``FROM-TO`` with data for both years and ``FROM < TO``."""


def parse_history(text: str) -> tuple[int, int]:
    """``"2005-2013"`` → ``(2005, 2013)``; :class:`HistoryError` unless it is ``FROM-TO`` with ``FROM < TO``.

    >>> parse_history("2005-2013")
    (2005, 2013)
    """
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise HistoryError(f"--history must be FROM-TO, e.g. 2005-2013, not {text!r}")
    start, end = int(parts[0]), int(parts[1])
    if start >= end:
        raise HistoryError(f"--history {text}: FROM must be before TO")
    return start, end


def check_history(kommunenummer: str, history: tuple[int, int]) -> None:
    """:class:`HistoryError` unless ``FROM < TO`` and SSB has the municipality's population for every year."""
    start, end = history
    if start >= end:
        raise HistoryError(f"history {start}-{end}: FROM must be before TO")
    years = available_years(kommunenummer)
    missing = [y for y in range(start, end + 1) if y not in years]
    if missing:
        span = f"{years[0]}–{years[-1]}" if years else "none"
        raise HistoryError(
            f"history {start}-{end}: no SSB population for municipality {kommunenummer} in {missing[0]} "
            f"(years with data: {span})"
        )


def observed_series(kommunenummer: str, history: tuple[int, int]) -> pd.DataFrame:
    """SSB 07459 on 1 January of each year of ``history``: one row per year (index ``year``), :data:`GROUPS`."""
    check_history(kommunenummer, history)
    rows = []
    for year in range(history[0], history[1] + 1):
        by_age = municipality_population(kommunenummer, year).by_age
        rows.append(
            {
                "year": year,
                "total": int(by_age.sum()),
                "age_0_15": int(by_age[:16].sum()),
                "age_16_66": int(by_age[16:67].sum()),
                "age_67_plus": int(by_age[67:].sum()),
            }
        )
    return pd.DataFrame(rows).set_index("year").astype("int64")


def _prior_bounds(distribution: Distribution) -> tuple[float, float]:
    match distribution:
        case Uniform() | Triangular():
            return float(distribution.low), float(distribution.high)
        case Normal():
            low = -math.inf if distribution.low is None else float(distribution.low)
            high = math.inf if distribution.high is None else float(distribution.high)
            return low, high
        case Choice():
            values = [float(v) for v in distribution.values]
            return min(values), max(values)
    raise TypeError(f"unknown distribution {distribution!r}")


def calibration_priors(
    scenario: Scenario, names: Sequence[str] | None = None, *, plausible_ranges: bool = False
) -> dict[str, Distribution]:
    """The priors of the fitted parameters: ``names`` (default: the scenario's uncertain migration parameters).

    A name the scenario lists under ``uncertainties`` keeps its distribution; any other (and, when the
    scenario lists no migration parameter, :data:`DEFAULT_PARAMETERS`) is uniform over its plausible range.
    ``plausible_ranges=True`` makes every prior uniform over the plausible range, ignoring the scenario's
    distributions — to re-fit a scenario that already holds a posterior (``resilience calibrate --fit``).

    >>> from resilience.config import load_scenario                                  # doctest: +SKIP
    >>> calibration_priors(load_scenario("scenarios/traena.yaml"), ["tie_retention"])  # doctest: +SKIP
    {'tie_retention': Uniform(distribution='uniform', low=0.03, high=0.15)}
    """
    specs = Parameters.specs()
    if names is None:
        chosen = [n for n in scenario.uncertainties if n in MIGRATION_PARAMETERS] or list(DEFAULT_PARAMETERS)
    else:
        chosen = list(names)
    priors: dict[str, Distribution] = {}
    for name in chosen:
        if "." in name or name not in specs:
            hint = did_you_mean(name, list(specs))
            raise ValueError(f"{name!r} is not a model parameter" + (f" ({hint})" if hint else ""))
        if name in scenario.uncertainties and not plausible_ranges:
            priors[name] = scenario.uncertainties[name]
        else:
            priors[name] = Uniform(distribution="uniform", low=specs[name].low, high=specs[name].high)
    return priors


def historical_scenario(scenario: Scenario, history: tuple[int, int]) -> Scenario:
    """The scenario on the historical window: base year FROM, horizon TO, no shocks, only ``baseline``."""
    start, end = history
    return scenario.model_copy(
        update={
            "municipality": scenario.municipality.model_copy(update={"base_year": start}),
            "run": scenario.run.model_copy(update={"horizon": end}),
            "shocks": [],
            "strategies": {"baseline": []},
        }
    )


def _root(seed: int) -> int:
    sequence = np.random.SeedSequence(seed, spawn_key=(_CALIBRATION_KEY,))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def _draw_samples(priors: Mapping[str, Distribution], seed: int, samples: int) -> pd.DataFrame:
    root = _root(seed)
    rows = [draw_uncertainties(priors, root, i) for i in range(samples)]
    return pd.DataFrame(rows, columns=list(priors), index=pd.RangeIndex(samples, name="sample"), dtype="float64")


def _groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's rows reduced to year, replication and :data:`GROUPS`."""
    return pd.DataFrame(
        {
            "replication": frame["replication"].to_numpy(),
            "year": frame["year"].to_numpy(),
            "total": frame["population"].to_numpy(),
            "age_0_15": (frame["age_0_5"] + frame["pupils"]).to_numpy(),
            "age_16_66": frame["age_16_66"].to_numpy(),
            "age_67_plus": frame["age_67_plus"].to_numpy(),
        }
    )


@dataclass
class _Collector:
    """A run sink that keeps only the calibration series of each run (memory stays small)."""

    frames: list[pd.DataFrame] = field(default_factory=list)
    failures: list[RunFailure] = field(default_factory=list)

    def add_run(self, task: RunTask, frame: pd.DataFrame) -> None:
        self.frames.append(_groups(frame))

    def add_failure(self, failure: RunFailure) -> None:
        self.failures.append(failure)


def _tasks(
    scenario: Scenario, fitted: Sequence[str], values: pd.DataFrame, replications: int, seed: int
) -> Iterator[RunTask]:
    """One task per (parameter set, replication): replication number ``set × replications + k``."""
    seeds = replication_seeds(seed, replications)
    others = {n: d for n, d in scenario.uncertainties.items() if "." not in n and n not in fitted}
    background = [draw_uncertainties(others, seed, k) for k in range(replications)]
    for i, row in enumerate(values.itertuples(index=False)):
        drawn = dict(zip(fitted, (float(v) for v in row), strict=True))
        for k in range(replications):
            yield RunTask("baseline", i * replications + k, seeds[k], {**background[k], **drawn})


def _simulate(
    scenario: Scenario,
    history: tuple[int, int],
    values: pd.DataFrame,
    replications: int,
    seed: int,
    executor: Executor | None,
) -> pd.DataFrame:
    """Every run of every parameter set: columns ``sample``, ``replication``, ``year`` and :data:`GROUPS`."""
    past = historical_scenario(scenario, history)
    sink = _Collector()
    tasks = _tasks(past, list(values.columns), values, replications, seed)
    outcome = stream_ensemble(past, tasks, executor=executor, horizon=history[1], sink=sink)
    if sink.failures:
        raise EnsembleFailures(sink.failures, outcome.total)
    runs = pd.concat(sink.frames, ignore_index=True)
    runs.insert(0, "sample", runs["replication"] // replications)
    runs["replication"] = runs["replication"] % replications
    return runs.sort_values(["sample", "replication", "year"], kind="stable").reset_index(drop=True)


def simulate_history(
    scenario: Scenario,
    history: tuple[int, int],
    values: Mapping[str, float],
    *,
    replications: int = 1,
    seed: int | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """The replication mean of :data:`GROUPS` per year for fixed parameter ``values`` (no shocks).

    Shaped like :func:`observed_series`, e.g. to make a synthetic "observed" history with known parameters.
    """
    root = scenario.run.seed if seed is None else seed
    frame = pd.DataFrame([dict(values)], dtype="float64")
    runs = _simulate(scenario, history, frame, replications, root, executor)
    return runs.groupby("year")[list(GROUPS)].mean()


def _distances(runs: pd.DataFrame, observed: pd.DataFrame, start: int) -> pd.Series:
    """Mean over years after ``start`` and :data:`GROUPS` of the squared relative error of replication means."""
    means = runs.groupby(["sample", "year"])[list(GROUPS)].mean()
    means = means[means.index.get_level_values("year") > start]
    target = observed.loc[means.index.get_level_values("year"), list(GROUPS)].to_numpy(dtype=float)
    errors = (means.to_numpy(dtype=float) - target) / np.maximum(target, 1.0)
    squared = pd.DataFrame(errors**2, index=means.index)
    return squared.groupby(level="sample").mean().mean(axis=1).rename("distance")


@dataclass(frozen=True)
class CalibrationResult:
    """What :func:`calibrate` found.

    ``samples``: every parameter set drawn (index ``sample``), with ``distance`` and ``accepted``;
    ``posterior``: per fitted parameter its prior bounds and the accepted sets' median, mean, sd, 5 % and
    95 % quantiles; ``fit``: per year and series the observed value and the posterior predictive median and
    5–95 % band; ``epsilon``: the largest accepted distance.
    """

    scenario_name: str
    kommunenummer: str
    history: tuple[int, int]
    priors: dict[str, Distribution]
    samples: pd.DataFrame
    posterior: pd.DataFrame
    fit: pd.DataFrame
    epsilon: float
    replications: int
    acceptance: float
    seed: int
    method: str = _METHOD

    @property
    def accepted(self) -> pd.DataFrame:
        """The accepted parameter sets (with their distances), best first."""
        return self.samples[self.samples["accepted"]].sort_values("distance", kind="stable")

    def stats(self, name: str) -> dict[str, float]:
        """One parameter's row of :attr:`posterior` as a plain dict."""
        row = self.posterior.to_dict("index")[name]
        return {str(key): float(value) for key, value in row.items()}

    @property
    def fitted(self) -> dict[str, float]:
        """Fitted value of each parameter: the posterior median."""
        return {name: self.stats(name)["median"] for name in self.priors}

    @property
    def spread(self) -> dict[str, tuple[float, float]]:
        """The posterior 5–95 % interval of each parameter."""
        return {name: (self.stats(name)["p05"], self.stats(name)["p95"]) for name in self.priors}

    def snippet(self) -> str:
        """``parameters:`` (posterior medians) and ``uncertainties:`` (truncated normals) to paste into a scenario."""
        start, end = self.history
        lines = [
            f"# Calibration of {self.scenario_name!r} (kommune {self.kommunenummer})",
            f"# to SSB table 07459, {start}–{end}.",
            f"# Method: {self.method} — {len(self.samples)} parameter sets drawn from the priors, "
            f"{self.replications} replications each,",
            "#   no shocks and no interventions; distance = mean squared relative error of the replication mean of",
            f"#   total population and ages 0–15, 16–66, 67+ per year; the {len(self.accepted)} closest sets accepted",
            f"#   (acceptance {self.acceptance:g}, epsilon {self.epsilon:.6g}); root seed {self.seed}.",
            "# Paste or merge into the scenario: either the fixed values under `parameters:` or the",
            "# distributions under `uncertainties:` (a parameter should not be in both; uncertainties win).",
            "parameters:",
        ]
        for name in self.priors:
            p05, p95 = self.spread[name]
            lines.append(f"  {name}: {_num(self.fitted[name])}   # posterior median; 5–95 %: {_num(p05)} … {_num(p95)}")
        lines.append("uncertainties:")
        for name in self.priors:
            lines.append(f"  {name}: {_normal(self.stats(name))}")
        return "\n".join(lines) + "\n"


def _num(value: float) -> str:
    return f"{value:.6g}"


def _normal(row: Mapping[str, float]) -> str:
    """A normal with the posterior mean and sd, cut off at the accepted 5–95 % range (kept valid)."""
    low, high = float(row["p05"]), float(row["p95"])
    prior_low, prior_high = float(row["prior_low"]), float(row["prior_high"])
    if not high > low:  # a single accepted value (or identical ones): a small range around it, within the prior
        width = (prior_high - prior_low) * 0.01 if math.isfinite(prior_high - prior_low) else abs(low) * 0.01 or 0.01
        low, high = max(prior_low, low - width), min(prior_high, high + width)
    sd = float(row["sd"])
    if not (math.isfinite(sd) and sd > 0):
        sd = (high - low) / 3.29
    mean = min(max(float(row["mean"]), low), high)
    return (
        f"{{distribution: normal, mean: {_num(mean)}, sd: {_num(sd)}, low: {_num(low)}, high: {_num(high)}}}"
        "   # posterior mean and sd, within the accepted 5–95 % range"
    )


def calibrate(
    scenario: Scenario,
    history: tuple[int, int],
    *,
    samples: int = 100,
    replications: int = 5,
    acceptance: float = 0.2,
    executor: Executor | None = None,
    priors: Mapping[str, Distribution] | None = None,
    observed: pd.DataFrame | None = None,
    seed: int | None = None,
) -> CalibrationResult:
    """Fit the uncertain migration parameters to the observed population over ``history`` (ABC rejection).

    See the module docstring for the method. ``executor``: where the runs go (default inline; any
    ``concurrent.futures.Executor``, e.g. from :func:`resilience.experiments.open_executor`); the result does
    not depend on it. ``priors``: the parameters to fit and their priors (default
    :func:`calibration_priors`). ``observed``: the series to fit, shaped like :func:`observed_series`
    (default: SSB's). ``seed``: the root seed (default ``run.seed``).

    >>> result = calibrate(load_scenario("scenarios/traena.yaml"), (2005, 2013), samples=100)  # doctest: +SKIP
    >>> result.fitted, result.spread                                                          # doctest: +SKIP
    """
    if samples < 1 or replications < 1:
        raise ValueError("samples and replications must be at least 1")
    if not 0 < acceptance <= 1:
        raise ValueError(f"acceptance must be in (0, 1], got {acceptance}")
    kommune = scenario.municipality.kommunenummer
    check_history(kommune, history)
    start, end = history
    chosen = dict(calibration_priors(scenario) if priors is None else priors)
    if not chosen:
        raise ValueError("nothing to calibrate: no parameters given")
    calibration_priors(scenario, list(chosen))  # every name must be a model parameter
    target = observed_series(kommune, history) if observed is None else observed
    missing = [y for y in range(start, end + 1) if y not in target.index] + [g for g in GROUPS if g not in target]
    if missing:
        raise ValueError(f"observed series lacks {missing[0]!r}")
    root = scenario.run.seed if seed is None else seed

    values = _draw_samples(chosen, root, samples)
    runs = _simulate(scenario, history, values, replications, root, executor)
    distance = _distances(runs, target, start).reindex(values.index)
    keep = min(samples, math.ceil(acceptance * samples - 1e-9))
    order = np.argsort(distance.to_numpy(), kind="stable")
    accepted = np.zeros(samples, dtype=bool)
    accepted[order[:keep]] = True
    table = values.assign(distance=distance.to_numpy(), accepted=accepted)

    chosen_values = values[accepted]
    rows = []
    for name, prior in chosen.items():
        column = chosen_values[name].to_numpy(dtype=float)
        low, high = _prior_bounds(prior)
        rows.append(
            {
                "parameter": name,
                "prior_low": low,
                "prior_high": high,
                "median": float(np.median(column)),
                "mean": float(column.mean()),
                "sd": float(column.std(ddof=1)) if column.size > 1 else 0.0,
                "p05": float(np.quantile(column, 0.05)),
                "p95": float(np.quantile(column, 0.95)),
            }
        )
    posterior = pd.DataFrame(rows).set_index("parameter")

    predictive = runs[runs["sample"].isin(values.index[accepted])]
    long = predictive.melt(id_vars=["year"], value_vars=list(GROUPS), var_name="group", value_name="value")
    grouped = long.groupby(["year", "group"], sort=False)["value"]
    band = pd.DataFrame(
        {"median": grouped.median(), "p05": grouped.quantile(0.05), "p95": grouped.quantile(0.95)}
    ).reset_index()
    observed_long = (
        target.loc[start:end, list(GROUPS)]
        .rename_axis("year")
        .reset_index()
        .melt(id_vars=["year"], var_name="group", value_name="observed")
    )
    fit = observed_long.merge(band, on=["year", "group"], how="left")
    fit["group"] = pd.Categorical(fit["group"], categories=list(GROUPS), ordered=True)
    fit = fit.sort_values(["group", "year"], kind="stable").reset_index(drop=True)
    fit["group"] = fit["group"].astype(str)
    fit = fit[["year", "group", "observed", "median", "p05", "p95"]]

    return CalibrationResult(
        scenario_name=scenario.name,
        kommunenummer=kommune,
        history=(start, end),
        priors=chosen,
        samples=table,
        posterior=posterior,
        fit=fit,
        epsilon=float(distance.to_numpy()[order[keep - 1]]),
        replications=replications,
        acceptance=acceptance,
        seed=root,
    )


def _figure_html(result: CalibrationResult, language: str) -> str:
    """The fit report: observed against the posterior predictive band, one panel per series, in ``language``."""
    from resilience.reporting import observed_vs_simulated_figure, standalone_html
    from resilience.reporting.messages import message
    from resilience.reporting.numbers import format_number

    start, end = result.history
    fitted = ", ".join(
        f"{n} = {format_number(v, language, None)} "
        f"({format_number(lo, language, None)}–{format_number(hi, language, None)})"
        for (n, v), (lo, hi) in zip(result.fitted.items(), result.spread.values(), strict=True)
    )
    method = message(language, "fig_abc_rejection") if result.method == _METHOD else result.method
    figure = observed_vs_simulated_figure(
        result.fit,
        language=language,
        title=message(language, "fig_calibration_title", start=start, end=end),
        subtitle=message(
            language,
            "fig_calibration_subtitle",
            method=method,
            accepted=format_number(len(result.accepted), language),
            samples=format_number(len(result.samples), language),
            fitted=fitted,
        ),
    )
    return standalone_html(figure, language=language, div_id="calibration-fit")


def write_calibration(
    result: CalibrationResult, directory: str | os.PathLike[str], *, force: bool = False, language: str = "en"
) -> Path:
    """Write ``calibration.yaml``, ``calibration.csv``, ``fit.csv`` and ``fit.html`` into ``directory``.

    ``fit.html`` is in ``language`` ('nb' or 'en'; pass the scenario's ``language``). The directory is taken
    as every results directory is (:func:`~resilience.experiments.prepare_results_dir`: new or empty, or with
    ``force`` an earlier results directory of resilience, never anything else), under its lock, and gets an
    ``ensemble.json`` of kind ``calibration``: what marks it as resilience's, for a later ``--force``.
    """
    manifest = EnsembleManifest(
        scenario_checksum="",
        root_seed=result.seed,
        replications=result.replications,
        horizon=result.history[1],
        strategies=[],
        package_version=version("resilience"),
        created=datetime.now(UTC).strftime("%Y-%m-%d"),
        scenario_name=result.scenario_name,
        kind="calibration",
    )
    with hold_results_dir(directory) as out:
        prepare_results_dir(out, force=force, manifest=manifest)
        atomic_write_text(out / CALIBRATION_YAML, result.snippet())
        samples = result.samples.reset_index()
        atomic_write(out / CALIBRATION_CSV, lambda tmp: samples.to_csv(tmp, index=False, float_format="%.10g"))
        atomic_write(out / FIT_CSV, lambda tmp: result.fit.to_csv(tmp, index=False, float_format="%.10g"))
        atomic_write_text(out / FIT_HTML, _figure_html(result, language))
        manifest.completed().write(out)
    return out
