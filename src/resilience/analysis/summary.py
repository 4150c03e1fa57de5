"""The two result tables: ``summary.csv`` (one row per strategy) and ``comparison.csv`` (long format).

>>> from resilience.analysis import compare, summarise                     # doctest: +SKIP
>>> summary = summarise(timeseries, shock_year=2026)                      # doctest: +SKIP
>>> summary[["strategy", "population_median", "p_more_residents_than_baseline", "cost_nok"]]  # doctest: +SKIP
>>> comparison = compare(timeseries, shock_year=2026)                     # doctest: +SKIP
>>> comparison.query("outcome == 'population' and year == 2050")        # doctest: +SKIP

Strategies are compared with ``baseline`` paired by replication (the same seed under every strategy); the
no-shock reference (``no_shock``) is only the expected path for resistance and never gets a row. Spreads are
spreads of outcomes across replications (what could happen), not confidence intervals of a mean. Quantiles
interpolate linearly between replications.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from resilience.analysis.costs import cost_summary
from resilience.analysis.frames import (
    QUANTILES,
    default_years,
    horizon,
    quantile_label,
    quantile_values,
    require_columns,
    strategies,
)
from resilience.analysis.paired import paired_quantiles
from resilience.analysis.quantiles import level_quantiles
from resilience.analysis.resilience_measures import resilience_summary

__all__ = ["KEY_OUTCOMES", "OUTCOMES", "compare", "summarise"]

#: Outcomes compared with baseline (higher is better for each): residents, working-age residents (16–66),
#: employed residents, jobs located here, pupils (6–15) and the municipal budget balance.
KEY_OUTCOMES: tuple[str, ...] = ("population", "age_16_66", "employed", "jobs", "pupils", "budget_balance")

#: Outcomes whose levels are summarised at the horizon: the key outcomes, unemployed and residents 67+.
OUTCOMES: tuple[str, ...] = (*KEY_OUTCOMES, "unemployed", "age_67_plus")

# Suffixes of the level quantiles in summary.csv (``population_p05``, ``population_q25``, ``population_median`` …).
_LEVEL_SUFFIX: dict[float, str] = {0.05: "p05", 0.25: "q25", 0.5: "median", 0.75: "q75", 0.95: "p95"}


def _check_years(timeseries: pd.DataFrame, years: Sequence[int]) -> list[int]:
    present = {int(y) for y in pd.unique(timeseries["year"])}
    missing = [int(y) for y in years if int(y) not in present]
    if missing:
        raise ValueError(f"year(s) not in timeseries: {', '.join(map(str, missing))}")
    return sorted({int(y) for y in years})


def _values(frame: pd.DataFrame, strategy: str, column: str) -> npt.NDArray[np.float64]:
    return frame.loc[frame["strategy"] == strategy, column].to_numpy(dtype=float)


def _years(timeseries: pd.DataFrame, years: Sequence[int] | None, shock_year: int | None) -> list[int]:
    if years is None:
        return default_years(timeseries, shock_year=shock_year)
    return _check_years(timeseries, years)


def compare(
    timeseries: pd.DataFrame,
    *,
    outcomes: Sequence[str] = KEY_OUTCOMES,
    years: Sequence[int] | None = None,
    shock_year: int | None = None,
) -> pd.DataFrame:
    """Each strategy against baseline, per outcome and year, in long format (this is ``comparison.csv``).

    Columns: ``strategy``, ``outcome``, ``year``; ``q05``, ``q25``, ``q50``, ``q75``, ``q95``: quantiles of the
    outcome's level across replications; ``diff_q05`` … ``diff_q95``: quantiles of the paired difference
    ``x_strategy(r) − x_baseline(r)``; ``p_better``: the share of replications in which the strategy's value
    is strictly higher than baseline's in the same replication (NaN for baseline, whose differences are 0).

    ``years`` defaults to every 5 years from ``shock_year`` (or, without it, the base year) to the horizon,
    plus the horizon. Rows: strategies with baseline first (scenario order), then outcomes in the order
    given, then years ascending; no row for the no-shock reference.

    >>> compare(timeseries, outcomes=["population"], years=[2030, 2050])  # doctest: +SKIP
    """
    require_columns(timeseries, ["strategy", "replication", "year", *outcomes])
    names = strategies(timeseries)
    chosen = _years(timeseries, years, shock_year)
    levels_cols = [quantile_label(q) for q in QUANTILES]
    diff_cols = [f"diff_{c}" for c in levels_cols]
    frames: list[pd.DataFrame] = []
    for outcome in outcomes:
        levels = level_quantiles(timeseries, outcome, chosen)
        for year in chosen:
            paired = paired_quantiles(timeseries, outcome, year)
            at = levels[levels["year"] == year].merge(paired, on="strategy", how="left")
            frames.append(
                at.assign(outcome=outcome)[["strategy", "outcome", "year", *levels_cols, *diff_cols, "p_better"]]
            )
    out = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate(names)}
    outcome_order = {name: i for i, name in enumerate(outcomes)}
    out = out.assign(_s=out["strategy"].map(order), _o=out["outcome"].map(outcome_order))
    out = out.sort_values(["_s", "_o", "year"], kind="stable").drop(columns=["_s", "_o"])
    return out.reset_index(drop=True)


def summarise(
    timeseries: pd.DataFrame, *, shock_year: int | None = None, years: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per strategy (baseline first, scenario order, no ``no_shock`` row): this is ``summary.csv``.

    Columns (``<o>`` an outcome, ``<y>`` an intermediate year):

    * ``strategy``, ``horizon``, ``replications`` (of that strategy), ``shock_year`` (NaN without one);
    * at the horizon, for every ``<o>`` in :data:`OUTCOMES`: quantiles of the level across replications
      ``<o>_p05``, ``<o>_q25``, ``<o>_median``, ``<o>_q75``, ``<o>_p95``;
    * at the horizon, for every ``<o>`` in :data:`KEY_OUTCOMES`: quantiles of the paired difference against
      baseline ``<o>_diff_p05``, ``<o>_diff_q25``, ``<o>_diff_median``, ``<o>_diff_q75``, ``<o>_diff_p95``,
      and ``<o>_p_better``, the probability of a strictly higher value than baseline in the same replication
      (NaN for baseline); ``p_more_residents_than_baseline`` is ``population_p_better`` under the name the
      report reads;
    * at each intermediate year ``<y>`` of ``years`` other than the horizon (default: every 5 years from the
      shock year, or the base year, on): ``<o>_median_<y>`` and ``<o>_diff_median_<y>`` for every key outcome,
      and ``p_more_residents_than_baseline_<y>`` (full quantiles at every year: :func:`compare`);
    * resilience (:func:`~resilience.analysis.resilience_measures.resilience_summary`):
      ``resistance_population_median``/``_p05``/``_p95``, the same for ``jobs``, ``recovery_population_share``,
      ``recovery_population_years_median``, ``recovery_jobs_share``, ``recovery_jobs_years_median``,
      ``hhi_base_median``, ``hhi_horizon_median``, ``hhi_change_median``, ``hhi_change_p05``, ``hhi_change_p95``;
      resistance and recovery are NaN without ``shock_year`` (nothing is inferred) and resistance also without
      the no-shock reference in ``timeseries``;
    * costs (:func:`~resilience.analysis.costs.cost_summary`): ``cost_nok`` and ``cost_municipality_nok``,
      ``cost_county_nok``, ``cost_state_nok`` (mean across replications of the total over all years),
      ``cost_per_resident_retained_nok`` and ``cost_per_job_created_nok`` (cost / median paired gain at the
      horizon in ``population`` / ``jobs``; NaN when that gain is ≤ 0 or the cost is 0).

    >>> summarise(timeseries, shock_year=2026)                    # doctest: +SKIP
    """
    require_columns(timeseries, ["strategy", "replication", "year", *OUTCOMES])
    names = strategies(timeseries)
    last = horizon(timeseries)
    intermediate = [y for y in _years(timeseries, years, shock_year) if y != last]
    frame = timeseries[timeseries["strategy"].isin(names)]
    at_horizon = frame[frame["year"] == last]
    out = pd.DataFrame({"strategy": names})
    out["horizon"] = last
    out["replications"] = [int(frame.loc[frame["strategy"] == n, "replication"].nunique()) for n in names]
    out["shock_year"] = math.nan if shock_year is None else shock_year

    columns: dict[str, list[float]] = {}
    for outcome in OUTCOMES:
        for name in names:
            values = _values(at_horizon, name, outcome)
            for q, value in zip(QUANTILES, quantile_values(values), strict=True):
                columns.setdefault(f"{outcome}_{_LEVEL_SUFFIX[q]}", []).append(value)
    for outcome in KEY_OUTCOMES:
        paired = paired_quantiles(timeseries, outcome, last).set_index("strategy").reindex(names)
        for q in QUANTILES:
            columns[f"{outcome}_diff_{_LEVEL_SUFFIX[q]}"] = paired[f"diff_{quantile_label(q)}"].tolist()
        columns[f"{outcome}_p_better"] = paired["p_better"].tolist()
    columns["p_more_residents_than_baseline"] = list(columns["population_p_better"])
    for year in intermediate:
        at = frame[frame["year"] == year]
        for outcome in KEY_OUTCOMES:
            columns[f"{outcome}_median_{year}"] = [quantile_values(_values(at, n, outcome), (0.5,))[0] for n in names]
            paired = paired_quantiles(timeseries, outcome, year).set_index("strategy").reindex(names)
            columns[f"{outcome}_diff_median_{year}"] = paired["diff_q50"].tolist()
            if outcome == "population":
                columns[f"p_more_residents_than_baseline_{year}"] = paired["p_better"].tolist()
    out = pd.concat([out, pd.DataFrame(columns)], axis=1)

    resilience = resilience_summary(timeseries, shock_year)
    costs = cost_summary(timeseries).drop(columns=["residents_retained_median", "jobs_created_median"])
    out = out.merge(resilience, on="strategy", how="left").merge(costs, on="strategy", how="left")
    return out
