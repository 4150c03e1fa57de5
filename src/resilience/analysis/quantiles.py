"""Fans: quantiles of an outcome across replications, per strategy and year.

Spreads are spreads of *outcomes* across replications (what could happen), not confidence intervals of a mean.

>>> import pandas as pd
>>> ts = pd.DataFrame(
...     {"strategy": "baseline", "replication": [0, 1, 2, 0, 1, 2], "year": [2024] * 3 + [2025] * 3,
...      "population": [100, 110, 120, 90, 100, 110]}
... )
>>> fan(ts, "population")[["year", "q05", "q50", "q95"]]
   year   q05    q50    q95
0  2024  101.0  110.0  119.0
1  2025   91.0  100.0  109.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from resilience.analysis.frames import QUANTILES, REFERENCE, quantile_label, require_columns, strategies

__all__ = ["fan", "level_quantiles"]


def fan(
    timeseries: pd.DataFrame,
    column: str,
    quantiles: Sequence[float] = QUANTILES,
    *,
    include_reference: bool = True,
) -> pd.DataFrame:
    """Quantiles of ``column`` across replications, per strategy and year.

    Returns columns ``strategy``, ``year``, ``q05``, ``q25``, ``q50``, ``q75``, ``q95`` (one per quantile in
    ``quantiles``), strategies in order of appearance and years ascending. Quantiles interpolate linearly
    between replications (numpy's and pandas' default); missing values are ignored. The no-shock reference
    is kept unless ``include_reference`` is false (it is the expected path without the shock, useful on a
    figure, but not a strategy).

    >>> fan(timeseries, "population").query("year == 2050")      # doctest: +SKIP
    """
    require_columns(timeseries, ["strategy", "year", column])
    frame = timeseries if include_reference else timeseries[timeseries["strategy"] != REFERENCE]
    grouped = frame.groupby(["strategy", "year"], sort=False)[column]
    table = grouped.quantile(np.asarray(quantiles, dtype=float)).unstack()
    table.columns = [quantile_label(q) for q in quantiles]
    out = table.reset_index()
    order = {name: i for i, name in enumerate(pd.unique(frame["strategy"]))}
    out = out.sort_values(["strategy", "year"], key=lambda s: s.map(order) if s.name == "strategy" else s)
    return out.reset_index(drop=True)


def level_quantiles(
    timeseries: pd.DataFrame, column: str, years: Sequence[int], quantiles: Sequence[float] = QUANTILES
) -> pd.DataFrame:
    """Quantiles of ``column`` across replications in ``years``, for the strategies only (baseline first,
    no reference): columns ``strategy``, ``year``, ``q05`` … ``q95``.

    >>> level_quantiles(timeseries, "population", [2030, 2050])  # doctest: +SKIP
    """
    names = strategies(timeseries)
    selected = timeseries[timeseries["strategy"].isin(names) & timeseries["year"].isin(list(years))]
    out = fan(selected, column, quantiles, include_reference=False)
    order = {name: i for i, name in enumerate(names)}
    out = out.sort_values(["strategy", "year"], key=lambda s: s.map(order) if s.name == "strategy" else s)
    return out.reset_index(drop=True)
