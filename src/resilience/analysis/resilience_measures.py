"""Regional-resilience measures after Martin (2012) and Martin & Sunley (2015): resistance, recovery and
reorientation (change of industrial structure, measured by a Herfindahl–Hirschman index of jobs by sector).

Every measure is computed per strategy and replication first, then summarised across replications (median
and 5–95 % range): a spread of outcomes, not a confidence interval.

**Resistance** of ``x`` (population, jobs …) in replication *r*: the deepest relative shortfall against the
same replication's no-shock reference path (:data:`~resilience.analysis.frames.REFERENCE`, same seed, no
shocks, no interventions), over the years from the shock year to the horizon::

    resistance(r) = min over y in [shock_year, horizon] of (x_s(y, r) − x_ref(y, r)) / x_ref(y, r)

Negative is a drop (−0.25: a quarter below the no-shock path in the worst year); 0 is no drop. It is positive
only if the strategy stays above the no-shock path in every year from the shock on. Years with
``x_ref = 0`` are skipped. NaN without a shock year or without reference rows for that replication.

**Recovery** of ``x``: the number of years from the shock year until ``x`` is back at or above its pre-shock
level, the value on 1 January of the shock year. Stocks of people (``population``, ``pupils`` …,
:data:`~resilience.analysis.frames.JANUARY_STOCKS`) are counted on 1 January of ``year``, so their pre-shock
level is the shock year's row; jobs and other end-of-year levels of ``year`` stand for 1 January of
``year + 1``, so their pre-shock level is the row of the year before the shock, and a value at the end of
year ``y`` counts as reached in year ``y + 1``. Within the horizon:

* if ``x`` never falls below the pre-shock level after the shock, recovery is 0 years;
* otherwise it is (first year at or above the level after the first year below it) − shock year;
* if it has not come back by the horizon it has not recovered ("never"; ``recovery_years`` NaN).

Across replications this is reported as the share that recover within the horizon and the median years
among those that do (NaN when none does). Only the first return counts, even if ``x`` drops again later.

**Herfindahl–Hirschman index** (HHI) of jobs by sector: ``Σ_s (jobs_s / Σ jobs)²`` over the ``jobs_<sector>``
columns, from 1/(number of sectors) (jobs spread evenly) to 1 (all jobs in one sector); NaN when there are no
jobs. Its change from the base year to the horizon is the reorientation measure (negative: more diverse).

>>> import pandas as pd
>>> herfindahl(pd.DataFrame({"jobs_fishing": [50, 10], "jobs_public": [50, 0]})).tolist()
[0.5, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from resilience.analysis.frames import (
    JANUARY_STOCKS,
    QUANTILES,
    REFERENCE,
    base_year,
    horizon,
    quantile_values,
    require_columns,
    strategies,
)
from resilience.config import Sector

__all__ = [
    "SECTOR_COLUMNS",
    "herfindahl",
    "hhi_change",
    "recovery",
    "resilience_summary",
    "resistance",
    "sector_columns",
]

#: The jobs-by-sector columns of ``timeseries``, one per sector of the scenario schema.
SECTOR_COLUMNS: tuple[str, ...] = tuple(f"jobs_{sector.value}" for sector in Sector)

_KEYS = ["strategy", "replication"]


def sector_columns(timeseries: pd.DataFrame) -> list[str]:
    """The columns of :data:`SECTOR_COLUMNS` that ``timeseries`` has."""
    return [c for c in SECTOR_COLUMNS if c in timeseries.columns]


def herfindahl(jobs_by_sector: pd.DataFrame) -> pd.Series:
    """Herfindahl–Hirschman index per row: the sum of squared sector shares of jobs (0–1; NaN for no jobs).

    ``jobs_by_sector`` holds one column per sector (e.g. ``timeseries[sector_columns(timeseries)]``); every
    column counts as a sector. Returns a float Series on the same index, named ``hhi``.

    >>> herfindahl(timeseries[sector_columns(timeseries)])    # doctest: +SKIP
    """
    jobs = jobs_by_sector.to_numpy(dtype=float)
    total = jobs.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = jobs / total[:, None]
        hhi = np.where(total > 0, (shares**2).sum(axis=1), np.nan)
    return pd.Series(hhi, index=jobs_by_sector.index, name="hhi", dtype=float)


def hhi_change(timeseries: pd.DataFrame, *, start_year: int | None = None, end_year: int | None = None) -> pd.DataFrame:
    """Per strategy and replication: the HHI of jobs by sector in ``start_year`` (default: base year) and
    ``end_year`` (default: horizon) and its change, columns ``strategy``, ``replication``, ``hhi_start``,
    ``hhi_end``, ``hhi_change`` (end − start). Strategies only (baseline first), no reference rows.

    >>> hhi_change(timeseries)["hhi_change"].median()          # doctest: +SKIP
    """
    columns = sector_columns(timeseries)
    if not columns:
        raise ValueError("timeseries has no jobs_<sector> columns")
    start = base_year(timeseries) if start_year is None else start_year
    end = horizon(timeseries) if end_year is None else end_year
    names = strategies(timeseries)
    frame = timeseries[timeseries["strategy"].isin(names)]
    values = frame[[*_KEYS, "year"]].assign(hhi=herfindahl(frame[columns]))
    first = values[values["year"] == start].set_index(_KEYS)["hhi"].rename("hhi_start")
    last = values[values["year"] == end].set_index(_KEYS)["hhi"].rename("hhi_end")
    out = pd.concat([first, last], axis=1).reset_index()
    out["hhi_change"] = out["hhi_end"] - out["hhi_start"]
    return _in_order(out, names)


def _in_order(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    order = {name: i for i, name in enumerate(names)}
    frame = frame.assign(_order=frame["strategy"].map(order)).sort_values(["_order", "replication"])
    return frame.drop(columns="_order").reset_index(drop=True)


def resistance(timeseries: pd.DataFrame, column: str, shock_year: int | None) -> pd.DataFrame:
    """Per strategy and replication: the resistance of ``column`` (see the module docstring), columns
    ``strategy``, ``replication``, ``resistance``. Strategies only, baseline first; all NaN when
    ``shock_year`` is None or the no-shock reference is absent.

    >>> resistance(timeseries, "population", 2026)["resistance"].median()   # doctest: +SKIP
    """
    require_columns(timeseries, ["strategy", "replication", "year", column])
    names = strategies(timeseries)
    frame = timeseries[timeseries["strategy"].isin(names)]
    keys = frame[_KEYS].drop_duplicates()
    reference = timeseries[timeseries["strategy"] == REFERENCE]
    if shock_year is None or reference.empty:
        return _in_order(keys.assign(resistance=math.nan), names)
    after = frame[frame["year"] >= shock_year][[*_KEYS, "year", column]]
    ref = reference[reference["year"] >= shock_year].set_index(["replication", "year"])[column].astype(float)
    expected = ref.reindex(pd.MultiIndex.from_frame(after[["replication", "year"]])).to_numpy()
    actual = after[column].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.where(expected > 0, (actual - expected) / expected, np.nan)
    worst = after[_KEYS].assign(resistance=relative).groupby(_KEYS, sort=False)["resistance"].min()
    out = keys.merge(worst.reset_index(), on=_KEYS, how="left")
    return _in_order(out, names)


def _recovery_years(times: np.ndarray, values: np.ndarray, level: float, shock_year: int) -> float:
    """Years from ``shock_year`` to the first return to ``level`` after the first fall below it (see module)."""
    if math.isnan(level):
        return math.nan
    after = times > shock_year
    times, values = times[after], values[after]
    below = np.flatnonzero(values < level)
    if below.size == 0:
        return 0.0
    back = np.flatnonzero((values >= level) & (np.arange(values.size) > below[0]))
    return float(times[back[0]] - shock_year) if back.size else math.nan


def recovery(timeseries: pd.DataFrame, column: str, shock_year: int | None) -> pd.DataFrame:
    """Per strategy and replication: the recovery of ``column`` after ``shock_year`` (see the module
    docstring). Columns ``strategy``, ``replication``, ``pre_shock_level``, ``recovered`` (nullable boolean;
    missing when there is no shock year or no pre-shock value) and ``recovery_years`` (float; NaN for "never"
    or missing). Strategies only, baseline first.

    >>> recovery(timeseries, "population", 2026)["recovered"].mean()   # doctest: +SKIP
    """
    require_columns(timeseries, ["strategy", "replication", "year", column])
    names = strategies(timeseries)
    frame = timeseries.loc[timeseries["strategy"].isin(names), [*_KEYS, "year", column]]
    frame = frame.sort_values("year", kind="stable")
    shift = 0 if column in JANUARY_STOCKS else 1  # the row of year y is 1 January of year y + shift
    rows: list[dict[str, object]] = []
    for (name, replication), group in frame.groupby(_KEYS, sort=False):
        row: dict[str, object] = {"strategy": name, "replication": replication}
        if shock_year is None:
            rows.append({**row, "pre_shock_level": math.nan, "recovered": pd.NA, "recovery_years": math.nan})
            continue
        times = group["year"].to_numpy(dtype=int) + shift
        values = group[column].to_numpy(dtype=float)
        at_shock = values[times == shock_year]
        level = float(at_shock[0]) if at_shock.size else math.nan
        years = _recovery_years(times, values, level, shock_year)
        recovered: object = pd.NA if math.isnan(level) else not math.isnan(years)
        rows.append({**row, "pre_shock_level": level, "recovered": recovered, "recovery_years": years})
    out = pd.DataFrame(rows, columns=[*_KEYS, "pre_shock_level", "recovered", "recovery_years"])
    out["recovered"] = out["recovered"].astype("boolean")
    out["pre_shock_level"] = out["pre_shock_level"].astype(float)
    out["recovery_years"] = out["recovery_years"].astype(float)
    return _in_order(out, names)


def _median(values: pd.Series) -> float:
    return quantile_values(values.to_numpy(dtype=float), (0.5,))[0]


def resilience_summary(
    timeseries: pd.DataFrame, shock_year: int | None, columns: Sequence[str] = ("population", "jobs")
) -> pd.DataFrame:
    """One row per strategy (baseline first, no reference) with, for each ``c`` in ``columns``:

    * ``resistance_<c>_median``, ``resistance_<c>_p05``, ``resistance_<c>_p95`` across replications;
    * ``recovery_<c>_share``: the share of replications that recover within the horizon (NaN when it cannot
      be measured), ``recovery_<c>_years_median``: median years among those that recover (NaN if none);

    and ``hhi_base_median``, ``hhi_horizon_median``, ``hhi_change_median``, ``hhi_change_p05``,
    ``hhi_change_p95`` (HHI of jobs by sector at the base year and horizon, and its change), NaN when the
    timeseries has no ``jobs_<sector>`` columns.

    >>> resilience_summary(timeseries, 2026)                     # doctest: +SKIP
    """
    names = strategies(timeseries)
    out = pd.DataFrame({"strategy": names})
    low, high = QUANTILES[0], QUANTILES[-1]
    for column in columns:
        res = resistance(timeseries, column, shock_year).groupby("strategy", sort=False)["resistance"]
        rec = recovery(timeseries, column, shock_year).groupby("strategy", sort=False)
        stats: dict[str, list[float]] = {
            f"resistance_{column}_median": [],
            f"resistance_{column}_p05": [],
            f"resistance_{column}_p95": [],
            f"recovery_{column}_share": [],
            f"recovery_{column}_years_median": [],
        }
        for name in names:
            r05, r50, r95 = quantile_values(res.get_group(name).to_numpy(dtype=float), (low, 0.5, high))
            stats[f"resistance_{column}_median"].append(r50)
            stats[f"resistance_{column}_p05"].append(r05)
            stats[f"resistance_{column}_p95"].append(r95)
            group = rec.get_group(name)
            known = group["recovered"].dropna()
            share = float(known.astype(bool).mean()) if len(known) else math.nan
            stats[f"recovery_{column}_share"].append(share)
            stats[f"recovery_{column}_years_median"].append(_median(group["recovery_years"]))
        out = out.assign(**stats)
    if sector_columns(timeseries):
        hhi = hhi_change(timeseries).groupby("strategy", sort=False)
        change = {name: hhi.get_group(name) for name in names}
        out["hhi_base_median"] = [_median(change[n]["hhi_start"]) for n in names]
        out["hhi_horizon_median"] = [_median(change[n]["hhi_end"]) for n in names]
        out["hhi_change_median"] = [_median(change[n]["hhi_change"]) for n in names]
        out["hhi_change_p05"] = [quantile_values(change[n]["hhi_change"].to_numpy(), (low,))[0] for n in names]
        out["hhi_change_p95"] = [quantile_values(change[n]["hhi_change"].to_numpy(), (high,))[0] for n in names]
    else:
        for name in ("hhi_base_median", "hhi_horizon_median", "hhi_change_median", "hhi_change_p05"):
            out[name] = math.nan
        out["hhi_change_p95"] = math.nan
    return out
