"""What strategies cost: total intervention cost by payer, per resident retained and per job created.

Per replication, the cost of a strategy is the sum over all simulated years of ``cost_total`` (and of
``cost_municipality``, ``cost_county``, ``cost_state``), in NOK, undiscounted; a strategy's cost is the mean of
that across replications. Its effect is the *median paired gain* at the horizon: the median across
replications of ``x_strategy(r) − x_baseline(r)`` for ``population`` (residents retained) and for ``jobs``
(jobs created). Then::

    cost per resident retained = cost / median paired gain in population at the horizon
    cost per job created       = cost / median paired gain in jobs at the horizon

both NaN when the gain is ≤ 0 (nothing retained: no finite price) or the cost is 0 (nothing paid).
A cost column missing from ``timeseries`` counts as 0 (results from before costs were recorded).

>>> cost_per_unit(2_000_000.0, 4.0)
500000.0
>>> cost_per_unit(2_000_000.0, -1.0)
nan
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from resilience.analysis.frames import horizon, quantile_values, require_columns, strategies
from resilience.analysis.paired import paired_difference

__all__ = ["COST_COLUMNS", "PAYERS", "cost_per_unit", "cost_summary", "total_costs"]

#: Who pays for an intervention (``cost_<payer>`` columns).
PAYERS: tuple[str, ...] = ("municipality", "county", "state")

#: The cost columns of ``timeseries``: all payers, then each payer.
COST_COLUMNS: tuple[str, ...] = ("cost_total", *(f"cost_{payer}" for payer in PAYERS))


def total_costs(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Per strategy and replication: each cost column summed over all simulated years.

    Returns columns ``strategy``, ``replication``, ``cost_total``, ``cost_municipality``, ``cost_county``,
    ``cost_state`` (NOK, float), strategies only (baseline first, no reference). Without ``cost_total`` the
    payers are summed; a missing payer column counts as 0.

    >>> total_costs(timeseries).groupby("strategy")["cost_total"].mean()   # doctest: +SKIP
    """
    require_columns(timeseries, ["strategy", "replication", "year"])
    names = strategies(timeseries)
    frame = timeseries[timeseries["strategy"].isin(names)]
    costs = pd.DataFrame(index=frame.index)
    for payer in PAYERS:
        column = f"cost_{payer}"
        costs[column] = frame[column].astype(float) if column in frame.columns else 0.0
    payers = [f"cost_{payer}" for payer in PAYERS]
    costs["cost_total"] = (
        frame["cost_total"].astype(float) if "cost_total" in frame.columns else costs[payers].sum(axis=1)
    )
    sums = costs[list(COST_COLUMNS)].groupby([frame["strategy"], frame["replication"]], sort=False).sum()
    out = sums.reset_index()
    order = {name: i for i, name in enumerate(names)}
    out = out.assign(_order=out["strategy"].map(order)).sort_values(["_order", "replication"])
    return out.drop(columns="_order").reset_index(drop=True)


def cost_per_unit(cost: float, gain: float) -> float:
    """``cost / gain``, or NaN when the gain is ≤ 0 or NaN, or the cost is ≤ 0 or NaN."""
    if math.isnan(cost) or math.isnan(gain) or gain <= 0 or cost <= 0:
        return math.nan
    return cost / gain


def cost_summary(timeseries: pd.DataFrame) -> pd.DataFrame:
    """One row per strategy (baseline first, no reference) with

    * ``cost_nok``: mean across replications of the total cost over all simulated years (all payers), and
      ``cost_municipality_nok``, ``cost_county_nok``, ``cost_state_nok`` likewise per payer;
    * ``residents_retained_median``, ``jobs_created_median``: the median paired gain against baseline at the
      horizon in ``population`` and ``jobs``;
    * ``cost_per_resident_retained_nok`` and ``cost_per_job_created_nok`` (see the module docstring).

    >>> cost_summary(timeseries)[["strategy", "cost_nok", "cost_per_resident_retained_nok"]]  # doctest: +SKIP
    """
    require_columns(timeseries, ["population", "jobs"])
    names = strategies(timeseries)
    last = horizon(timeseries)
    totals = total_costs(timeseries).groupby("strategy", sort=False)
    gains: dict[str, pd.Series] = {}
    for column in ("population", "jobs"):
        diff = paired_difference(timeseries, column, last)
        gains[column] = diff.groupby("strategy", sort=False)[f"{column}_vs_baseline"].agg(
            lambda s: quantile_values(s.to_numpy(), (0.5,))[0]
        )
    rows: list[dict[str, object]] = []
    for name in names:
        group = totals.get_group(name)
        row: dict[str, object] = {"strategy": name}
        mean_cost = {column: float(np.mean(group[column].to_numpy(dtype=float))) for column in COST_COLUMNS}
        row["cost_nok"] = mean_cost["cost_total"]
        row.update({f"cost_{payer}_nok": mean_cost[f"cost_{payer}"] for payer in PAYERS})
        residents = float(gains["population"].get(name, math.nan))
        jobs = float(gains["jobs"].get(name, math.nan))
        row["residents_retained_median"] = residents
        row["jobs_created_median"] = jobs
        row["cost_per_resident_retained_nok"] = cost_per_unit(mean_cost["cost_total"], residents)
        row["cost_per_job_created_nok"] = cost_per_unit(mean_cost["cost_total"], jobs)
        rows.append(row)
    return pd.DataFrame(rows)
