"""Summaries across replications: quantiles at the horizon and paired comparisons with baseline.

Spreads are of outcomes across replications (what could happen), not confidence intervals of a mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["OUTCOMES", "fan", "paired_difference", "summarise"]

#: Outcomes summarised at the horizon.
OUTCOMES: tuple[str, ...] = (
    "population",
    "jobs",
    "employed",
    "unemployed",
    "pupils",
    "age_67_plus",
    "budget_balance",
)


def fan(
    timeseries: pd.DataFrame, column: str, quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
) -> pd.DataFrame:
    """Quantiles of ``column`` across replications, per strategy and year (columns q05, q25, …)."""
    grouped = timeseries.groupby(["strategy", "year"], sort=False)[column]
    out = grouped.quantile(np.asarray(quantiles)).unstack()
    out.columns = [f"q{round(q * 100):02d}" for q in quantiles]
    return out.reset_index()


def paired_difference(timeseries: pd.DataFrame, column: str, year: int) -> pd.DataFrame:
    """Per strategy and replication: ``column`` in ``year`` minus baseline's in the same replication."""
    at = timeseries[timeseries["year"] == year].set_index(["strategy", "replication"])[column]
    baseline = at.xs("baseline", level="strategy")
    diff = at - baseline.reindex(at.index.get_level_values("replication")).to_numpy()
    frame: pd.DataFrame = diff.rename(f"{column}_vs_baseline").reset_index()
    return frame


def summarise(timeseries: pd.DataFrame, costs: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per strategy: quantiles of the outcomes at the horizon, P(more residents than baseline),
    total cost and cost per resident retained (cost / median paired gain in residents)."""
    horizon = int(timeseries["year"].max())
    at = timeseries[timeseries["year"] == horizon]
    costs = costs or {}
    diff = paired_difference(timeseries, "population", horizon)
    rows = []
    for strategy, group in at.groupby("strategy", sort=False):
        row: dict[str, object] = {"strategy": strategy, "horizon": horizon, "replications": len(group)}
        for column in OUTCOMES:
            values = group[column].to_numpy(dtype=float)
            row[f"{column}_median"] = float(np.median(values))
            row[f"{column}_p05"] = float(np.quantile(values, 0.05))
            row[f"{column}_p95"] = float(np.quantile(values, 0.95))
        gain = diff.loc[diff["strategy"] == strategy, "population_vs_baseline"].to_numpy(dtype=float)
        row["residents_vs_baseline_median"] = float(np.median(gain))
        row["p_more_residents_than_baseline"] = float(np.mean(gain > 0)) if strategy != "baseline" else float("nan")
        cost = float(costs.get(str(strategy), 0.0))
        row["cost_nok"] = cost
        median_gain = float(np.median(gain))
        row["cost_per_resident_retained_nok"] = cost / median_gain if median_gain > 0 and cost > 0 else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)
