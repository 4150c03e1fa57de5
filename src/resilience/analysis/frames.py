"""Conventions shared by the analysis modules: which rows are strategies, which years, which quantiles.

The analysis layer reads the ``timeseries`` table of an ensemble as a plain :class:`pandas.DataFrame`, one row
per ``strategy`` × ``replication`` × ``year``. Replication *r* has the same seed under every strategy (common
random numbers), so strategies are compared **paired by replication**. Two names are special:

* :data:`BASELINE` (``"baseline"``, do nothing) is always present; every comparison is against it;
* :data:`REFERENCE` (``"no_shock"``) is the scenario without its shocks and without interventions, run under
  the same seeds when the scenario has shocks. It is *not* a strategy: it never gets a row of its own in a
  summary or comparison and only serves as the expected path for resistance.

>>> import pandas as pd
>>> ts = pd.DataFrame({"strategy": ["baseline", "no_shock", "harbour"], "replication": 0, "year": 2024})
>>> strategies(ts)
['baseline', 'harbour']
>>> default_years(pd.DataFrame({"year": range(2024, 2051)}), shock_year=2026)
[2026, 2031, 2036, 2041, 2046, 2050]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "BASELINE",
    "JANUARY_STOCKS",
    "QUANTILES",
    "REFERENCE",
    "base_year",
    "default_years",
    "horizon",
    "quantile_label",
    "quantile_values",
    "require_columns",
    "strategies",
    "values_by_replication",
]

#: The strategy every other is compared with (do nothing).
BASELINE = "baseline"

#: The no-shock reference run (same seeds, no shocks, no interventions); not a strategy.
REFERENCE = "no_shock"

#: The quantiles reported across replications: 5, 25, 50, 75 and 95 %.
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)

#: Columns that are stocks on 1 January of ``year`` (the rest are flows during ``year`` or levels at its end).
JANUARY_STOCKS: frozenset[str] = frozenset(
    {
        "population",
        "pupils",
        "age_0_5",
        "age_16_66",
        "age_67_plus",
        "age_80_plus",
        "males",
        "females",
        "households",
    }
)


def quantile_label(q: float) -> str:
    """``0.05`` → ``"q05"``, ``0.5`` → ``"q50"``: the column name of a quantile."""
    return f"q{round(q * 100):02d}"


def quantile_values(values: Iterable[float] | npt.ArrayLike, quantiles: Sequence[float] = QUANTILES) -> list[float]:
    """Quantiles of ``values`` (NaN ignored; all NaN when nothing is left).

    Linear interpolation between order statistics (numpy's default, Hyndman & Fan type 7), so the 5 % and
    95 % quantiles of a few replications lie between the smallest and largest value, never beyond.

    >>> quantile_values([1, 2, 3, 4, 5], (0.0, 0.5, 1.0))
    [1.0, 3.0, 5.0]
    """
    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    if array.size == 0:
        return [math.nan for _ in quantiles]
    return [float(v) for v in np.quantile(array, np.asarray(quantiles, dtype=float))]


def require_columns(timeseries: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise :class:`ValueError` naming every column of ``columns`` that ``timeseries`` lacks."""
    missing = [c for c in columns if c not in timeseries.columns]
    if missing:
        raise ValueError(f"timeseries lacks column(s): {', '.join(missing)}")


def strategies(timeseries: pd.DataFrame) -> list[str]:
    """The strategies in ``timeseries``: baseline first, then in order of appearance; never the reference.

    Raises :class:`ValueError` when there is no baseline (every comparison needs it).
    """
    require_columns(timeseries, ["strategy"])
    names = [str(s) for s in pd.unique(timeseries["strategy"])]
    if BASELINE not in names:
        raise ValueError(f"timeseries has no '{BASELINE}' rows; strategies are compared with it")
    return [BASELINE, *(s for s in names if s not in (BASELINE, REFERENCE))]


def horizon(timeseries: pd.DataFrame) -> int:
    """The last simulated year."""
    return int(timeseries["year"].max())


def base_year(timeseries: pd.DataFrame) -> int:
    """The first simulated year (the base year of the scenario)."""
    return int(timeseries["year"].min())


def default_years(timeseries: pd.DataFrame, *, shock_year: int | None = None, step: int = 5) -> list[int]:
    """Years at which outcomes are compared: every ``step`` years from the shock year (or, without one, the
    base year) up to the horizon, plus the horizon; only years present in ``timeseries``."""
    first, last = base_year(timeseries), horizon(timeseries)
    start = first if shock_year is None else min(max(shock_year, first), last)
    present = {int(y) for y in pd.unique(timeseries["year"])}
    return [y for y in sorted({*range(start, last + 1, step), last}) if y in present]


def values_by_replication(timeseries: pd.DataFrame, column: str, year: int) -> pd.DataFrame:
    """``column`` in ``year`` as a table: one row per replication, one column per strategy (reference too).

    Raises :class:`ValueError` when a strategy has two rows for the same replication and year.
    """
    require_columns(timeseries, ["strategy", "replication", "year", column])
    at = timeseries.loc[timeseries["year"] == year, ["strategy", "replication", column]]
    if at.duplicated(["strategy", "replication"]).any():
        raise ValueError(f"more than one row per strategy and replication in {year}")
    table = at.pivot(index="replication", columns="strategy", values=column).astype(float)
    table.columns = [str(c) for c in table.columns]
    return table
