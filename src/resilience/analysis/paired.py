"""Paired comparisons with baseline: replication *r* of a strategy against replication *r* of baseline.

Replication *r* uses the same seed under every strategy (common random numbers), so the difference
``x_strategy(r) − x_baseline(r)`` removes most of the chance both runs share; its spread across replications is
the spread of the *effect* of the strategy, much narrower than the spread of the levels.

>>> import pandas as pd
>>> ts = pd.DataFrame(
...     {"strategy": ["baseline"] * 3 + ["harbour"] * 3, "replication": [0, 1, 2] * 2, "year": 2050,
...      "population": [300, 320, 340, 310, 320, 345]}
... )
>>> paired_difference(ts, "population", 2050)["population_vs_baseline"].tolist()
[0.0, 0.0, 0.0, 10.0, 0.0, 5.0]
>>> round(float(probability_better(ts, "population", 2050)["harbour"]), 3)
0.667
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from resilience.analysis.frames import (
    BASELINE,
    QUANTILES,
    quantile_label,
    quantile_values,
    strategies,
    values_by_replication,
)

__all__ = ["paired_difference", "paired_quantiles", "probability_better"]


def _differences(timeseries: pd.DataFrame, column: str, year: int) -> dict[str, pd.Series]:
    """Per strategy: ``column`` minus baseline's in the same replication, over the replications both have."""
    table = values_by_replication(timeseries, column, year)
    if BASELINE not in table.columns:
        raise ValueError(f"no '{BASELINE}' rows in {year}")
    out: dict[str, pd.Series] = {}
    for name in strategies(timeseries):
        if name in table.columns:
            out[name] = (table[name] - table[BASELINE]).dropna()
    return out


def paired_difference(timeseries: pd.DataFrame, column: str, year: int) -> pd.DataFrame:
    """Per strategy and replication: ``column`` in ``year`` minus baseline's in the same replication.

    Returns columns ``strategy``, ``replication`` and ``<column>_vs_baseline`` (float), baseline first (its
    differences are 0), no row for the no-shock reference, and only replications that baseline has too.

    >>> paired_difference(timeseries, "population", 2050)     # doctest: +SKIP
    """
    frames = [
        pd.DataFrame({"strategy": name, "replication": diff.index, f"{column}_vs_{BASELINE}": diff.to_numpy()})
        for name, diff in _differences(timeseries, column, year).items()
    ]
    return pd.concat(frames, ignore_index=True)


def probability_better(timeseries: pd.DataFrame, column: str, year: int) -> pd.Series:
    """Per strategy: the share of replications in which ``column`` in ``year`` is *strictly* higher than
    baseline's in the same replication (0 to 1; ties count as not better). NaN for baseline itself and for a
    strategy without a replication in common with baseline. Indexed by strategy, baseline first.

    >>> probability_better(timeseries, "population", 2050)["harbour"]   # doctest: +SKIP
    """
    return _probability(_differences(timeseries, column, year), column)


def _probability(differences: dict[str, pd.Series], column: str) -> pd.Series:
    values = {
        name: (math.nan if name == BASELINE or diff.empty else float(np.mean(diff.to_numpy() > 0)))
        for name, diff in differences.items()
    }
    return pd.Series(values, name=f"p_{column}_better", dtype=float)


def paired_quantiles(
    timeseries: pd.DataFrame, column: str, year: int, quantiles: Sequence[float] = QUANTILES
) -> pd.DataFrame:
    """Per strategy: quantiles across replications of the paired difference against baseline, and the
    probability of a higher value than baseline (see :func:`probability_better`).

    Returns columns ``strategy``, ``diff_q05`` … ``diff_q95`` (one per quantile), ``diff_mean`` and
    ``p_better``; baseline first (differences 0, ``p_better`` NaN).

    >>> paired_quantiles(timeseries, "population", 2050)       # doctest: +SKIP
    """
    differences = _differences(timeseries, column, year)
    p_better = _probability(differences, column)
    rows: list[dict[str, object]] = []
    for name, diff in differences.items():
        row: dict[str, object] = {"strategy": name}
        row.update(
            {
                f"diff_{quantile_label(q)}": v
                for q, v in zip(quantiles, quantile_values(diff.to_numpy(), quantiles), strict=True)
            }
        )
        row["diff_mean"] = float(diff.mean()) if not diff.empty else math.nan
        row["p_better"] = float(p_better[name])
        rows.append(row)
    return pd.DataFrame(rows)
