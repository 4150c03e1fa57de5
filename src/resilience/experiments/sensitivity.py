"""Global sensitivity analysis: which uncertain parameters move an outcome, through the ensemble runner.

The sampling and the indices are SALib's (Morris elementary effects, Sobol indices with Saltelli's
sampling); this module supplies the parts that know the model:

* :func:`sensitivity_problem` — a SALib *problem* (names and bounds) from the parameters' plausible ranges
  (:meth:`resilience.model.Parameters.specs`, or a lever setting's documented range for ``lever.setting``);
* :func:`sensitivity_tasks` — one :class:`~resilience.experiments.RunTask` per sample and replication, the
  sample's values as the task's ``drawn`` values, and *common random numbers*: replication *k* has the same
  model seed for every sample, so two samples differ by their parameter values, not by their luck;
* :func:`run_sensitivity` — runs those tasks with :func:`~resilience.experiments.run_ensemble` (inline, on
  local processes or on any executor, e.g. Dask) and returns the outcome of each sample, in sample order
  (the mean over its replications);
* :func:`morris_indices` and :func:`sobol_indices` — SALib's analyses as tidy DataFrames, one row per
  parameter.

SALib is an optional dependency (the development environment has it): importing this module does not need
it, the functions that sample or analyse do — **needs SALib: pip install SALib**.

Usage (Morris screening, then Sobol indices of the parameters that matter)::

    >>> from SALib.sample import morris as morris_sample, sobol as sobol_sample          # doctest: +SKIP
    >>> from resilience.config import load_scenario                                      # doctest: +SKIP
    >>> scenario = load_scenario("scenarios/traena.yaml")                                # doctest: +SKIP
    >>> names = ["out_migration_scale", "local_multiplier", "amenity_in_migration_rate"]
    >>> problem = sensitivity_problem(names)
    >>> problem["bounds"][0]
    [1.0, 1.6]
    >>> x = morris_sample.sample(problem, N=6, seed=1)                                   # doctest: +SKIP
    >>> y = run_sensitivity(scenario, x, names, outcome="population", year=2032, workers=2)   # doctest: +SKIP
    >>> morris_indices(problem, x, y, seed=1)                                            # doctest: +SKIP
    >>> x = sobol_sample.sample(problem, 32, calc_second_order=False, seed=1)            # doctest: +SKIP
    >>> y = run_sensitivity(scenario, x, names, outcome="population", year=2032, workers=2)   # doctest: +SKIP
    >>> sobol_indices(problem, y, seed=1)                                                # doctest: +SKIP

Parameters that are not sampled keep the scenario's fixed values (``parameters:``) or the model defaults;
the scenario's ``uncertainties`` are *not* drawn (they would add noise that the indices cannot tell from
the sampled parameters' effects) — sample them instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from resilience.config import Scenario
from resilience.experiments.replication import RunTask
from resilience.experiments.runner import run_ensemble
from resilience.experiments.seeds import replication_seeds
from resilience.levers import LeverRegistryError, get_lever
from resilience.model import Parameters

__all__ = [
    "Outcome",
    "morris_indices",
    "run_sensitivity",
    "sensitivity_problem",
    "sensitivity_tasks",
    "sobol_indices",
]

#: An outcome of one run: a function of its yearly rows (one replication) that returns a number, or the name
#: of a column (its value in the outcome year).
Outcome = str | Callable[[pd.DataFrame], float]

_SALIB_MISSING = "sensitivity analysis needs SALib: pip install SALib (the development environment has it)"


def _salib(module: str) -> Any:
    """Import ``SALib.<module>``, with an installation hint when SALib is missing."""
    import importlib

    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError as error:
        raise ImportError(_SALIB_MISSING) from error


def _range(name: str) -> tuple[float, float]:
    """The plausible range of a model parameter, or of a lever setting written ``lever.setting``."""
    if "." not in name:
        specs = Parameters.specs()
        if name not in specs:
            raise ValueError(f"unknown model parameter {name!r}; see resilience.model.Parameters.specs()")
        spec = specs[name]
        return spec.low, spec.high
    lever, _, setting = name.partition(".")
    try:
        fields = get_lever(lever).Settings.model_fields
    except LeverRegistryError as error:
        raise ValueError(str(error)) from None
    if setting not in fields:
        raise ValueError(f"lever {lever!r} has no setting {setting!r}; it has {', '.join(fields)}")
    extra = fields[setting].json_schema_extra
    bounds = extra.get("x-range") if isinstance(extra, dict) else None
    if not isinstance(bounds, list | tuple) or len(bounds) != 2:
        raise ValueError(f"{name} has no documented range: give its bounds in `specs`")
    low, high = bounds
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        raise ValueError(f"{name} has no numeric range: give its bounds in `specs`")
    return float(low), float(high)


def sensitivity_problem(names: Sequence[str], specs: Mapping[str, tuple[float, float]] | None = None) -> dict[str, Any]:
    """A SALib problem for ``names``: ``{"num_vars", "names", "bounds"}``, uniform over each plausible range.

    A name is a model parameter (its range from :meth:`resilience.model.Parameters.specs`) or a lever
    setting ``lever.setting`` (its documented range, ``resilience levers LEVER``); ``specs`` gives other
    bounds ``(low, high)`` for some or all names. Raises ValueError for an unknown name, a repeated name or
    bounds that are not ``low < high``.

    >>> sensitivity_problem(["out_migration_scale", "local_multiplier"])
    {'num_vars': 2, 'names': ['out_migration_scale', 'local_multiplier'], 'bounds': [[1.0, 1.6], [0.0, 1.0]]}
    >>> sensitivity_problem(["local_multiplier"], {"local_multiplier": (0.2, 0.8)})["bounds"]
    [[0.2, 0.8]]
    """
    names = list(names)
    if not names:
        raise ValueError("no parameters given")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"parameters named more than once: {', '.join(repeated)}")
    given = dict(specs or {})
    bounds: list[list[float]] = []
    for name in names:
        low, high = (float(given[name][0]), float(given[name][1])) if name in given else _range(name)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"{name}: bounds must be finite with low < high, got ({low:g}, {high:g})")
        bounds.append([low, high])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _matrix(samples: ArrayLike, names: Sequence[str]) -> NDArray[np.float64]:
    matrix = np.asarray(samples, dtype=float)
    if matrix.ndim == 1 and len(names) == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2 or matrix.shape[1] != len(names):
        raise ValueError(f"samples must be a (samples × {len(names)}) array, one column per name; got {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ValueError("samples hold a value that is not finite")
    return matrix


def sensitivity_tasks(
    samples: ArrayLike,
    names: Sequence[str],
    *,
    seed: int,
    replications: int = 1,
    strategy: str = "baseline",
) -> list[RunTask]:
    """One run per sample (a row of ``samples``) and replication, with common random numbers.

    The task of sample *i* and replication *k* is ``RunTask(strategy, i * replications + k, seeds[k],
    drawn={name: samples[i, j]})``, where ``seeds`` are :func:`~resilience.experiments.replication_seeds` of
    ``seed``: every sample is run under the same ``replications`` seeds. Tasks come sample by sample.

    >>> tasks = sensitivity_tasks([[1.1, 0.2], [1.5, 0.9]], ["out_migration_scale", "local_multiplier"],
    ...                           seed=1, replications=2)
    >>> [(t.replication, t.drawn["out_migration_scale"]) for t in tasks]
    [(0, 1.1), (1, 1.1), (2, 1.5), (3, 1.5)]
    >>> tasks[0].seed == tasks[2].seed and tasks[1].seed == tasks[3].seed
    True
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    matrix = _matrix(samples, names)
    seeds = replication_seeds(seed, replications)
    return [
        RunTask(
            strategy,
            i * replications + k,
            seeds[k],
            {name: float(value) for name, value in zip(names, row.tolist(), strict=True)},
        )
        for i, row in enumerate(matrix)
        for k in range(replications)
    ]


def _outcome_function(outcome: Outcome, year: int) -> Callable[[pd.DataFrame], float]:
    if callable(outcome):
        return outcome
    column = outcome

    def value_in_year(frame: pd.DataFrame) -> float:
        if column not in frame.columns:
            raise ValueError(f"no column {column!r} in the results (see resilience.model.COLUMNS)")
        rows = frame.loc[frame["year"] == year, column]
        if rows.empty:
            raise ValueError(f"no row for {year}: the runs end in {int(frame['year'].max())}")
        return float(rows.iloc[0])

    return value_in_year


def run_sensitivity(
    scenario: Scenario,
    samples: ArrayLike,
    names: Sequence[str],
    *,
    outcome: Outcome | Sequence[Outcome] = "population",
    year: int | None = None,
    seed: int | None = None,
    replications: int = 1,
    strategy: str = "baseline",
    horizon: int | None = None,
    executor: Executor | None = None,
    workers: int = 1,
) -> NDArray[np.float64]:
    """Run every sample (a row of ``samples``, one column per name) and return its outcome, in sample order.

    ``outcome`` is a column of the results (its value in ``year``; e.g. ``"population"``, ``"jobs"``) or a
    function of one run's yearly rows returning a number; each sample's outcome is the mean over its
    ``replications`` runs (the same seeds for every sample: :func:`sensitivity_tasks` from ``seed``, default
    the scenario's ``run.seed``). A sequence of outcomes gives a ``(samples × outcomes)`` array from the same
    runs; one outcome a 1-D array. ``horizon`` (the last simulated year) defaults to ``year``, and ``year``
    to the horizon (default the scenario's ``run.horizon``). The runs go to ``executor`` when given (e.g.
    :func:`~resilience.experiments.open_executor` ``("dask", scheduler=...)``), else to ``workers`` local
    processes (1: inline); the result does not depend on either. Raises
    :class:`~resilience.experiments.EnsembleFailures` if a run raised.

    >>> y = run_sensitivity(scenario, x, ["out_migration_scale"], outcome=["population", "jobs"],
    ...                     year=2032, workers=2)                                        # doctest: +SKIP
    >>> y.shape                                                                          # doctest: +SKIP
    (8, 2)
    """
    matrix = _matrix(samples, names)
    if horizon is None:
        horizon = year if year is not None else scenario.run.horizon
    if year is None:
        year = horizon
    if not scenario.municipality.base_year <= year <= horizon:
        raise ValueError(
            f"year {year} is not simulated (base year {scenario.municipality.base_year}, horizon {horizon})"
        )
    outcomes: list[Outcome]
    if isinstance(outcome, str) or callable(outcome):
        outcomes, single = [outcome], True
    else:
        outcomes, single = list(outcome), False
    if not outcomes:
        raise ValueError("no outcome given")
    functions = [_outcome_function(o, year) for o in outcomes]
    root = scenario.run.seed if seed is None else seed
    tasks = sensitivity_tasks(matrix, names, seed=root, replications=replications, strategy=strategy)
    frame = run_ensemble(scenario, tasks, executor=executor, workers=workers, horizon=horizon)
    values = np.full((len(tasks), len(functions)), np.nan)
    for _, rows in frame.groupby("replication", sort=True):
        values[int(rows["replication"].iloc[0])] = [f(rows) for f in functions]
    result = values.reshape(matrix.shape[0], replications, len(functions)).mean(axis=1)
    return result[:, 0] if single else result


def morris_indices(
    problem: Mapping[str, Any],
    samples: ArrayLike,
    values: ArrayLike,
    *,
    num_levels: int = 4,
    num_resamples: int = 100,
    seed: int | None = None,
) -> pd.DataFrame:
    """Morris elementary effects (SALib) as a table: one row per parameter, most influential first.

    Columns ``parameter``, ``mu``, ``mu_star``, ``mu_star_conf`` (half-width of its 95 % bootstrap
    interval), ``sigma``. ``mu_star`` (mean absolute effect of moving the parameter across its range, in
    the outcome's units) ranks influence; ``sigma`` large against it means interactions or non-linearity.
    ``num_levels`` must be the one the samples were drawn with. Needs SALib.
    """
    analyze = _salib("analyze.morris")
    result = analyze.analyze(
        dict(problem),
        np.asarray(samples, dtype=float),
        np.asarray(values, dtype=float),
        num_levels=num_levels,
        num_resamples=num_resamples,
        seed=seed,
    )
    table = pd.DataFrame(
        {
            "parameter": list(problem["names"]),
            "mu": np.asarray(result["mu"], dtype=float),
            "mu_star": np.asarray(result["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
            "sigma": np.asarray(result["sigma"], dtype=float),
        }
    )
    return table.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


def sobol_indices(
    problem: Mapping[str, Any],
    values: ArrayLike,
    *,
    calc_second_order: bool = False,
    num_resamples: int = 100,
    seed: int | None = None,
) -> pd.DataFrame:
    """Sobol indices (SALib, from Saltelli samples) as a table: one row per parameter, in problem order.

    Columns ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (the ``_conf`` columns are half-widths
    of 95 % bootstrap intervals). ``S1`` is the share of the outcome's variance due to the parameter alone,
    ``ST`` including its interactions. ``calc_second_order`` must be the one the samples were drawn with.
    With small samples the indices are rough and may fall below 0: read the intervals. Needs SALib.
    """
    analyze = _salib("analyze.sobol")
    result = analyze.analyze(
        dict(problem),
        np.asarray(values, dtype=float),
        calc_second_order=calc_second_order,
        num_resamples=num_resamples,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": list(problem["names"]),
            "S1": np.asarray(result["S1"], dtype=float),
            "S1_conf": np.asarray(result["S1_conf"], dtype=float),
            "ST": np.asarray(result["ST"], dtype=float),
            "ST_conf": np.asarray(result["ST_conf"], dtype=float),
        }
    )
