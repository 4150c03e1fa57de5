"""The hindcast workflow: run a scenario of the past and compare its ``actual`` strategy with SSB's series.

Like :mod:`resilience.workflow` it sits above every layer and only wires them together: it runs the scenario
(baseline and ``actual``) with :func:`resilience.workflow.run_scenario`, takes the 5 %, 50 % and 95 %
quantiles of the simulated population of ``actual`` per year (:func:`resilience.analysis.fan`), sets SSB's
real population (table 07459) beside them and writes ``hindcast.csv`` and ``hindcast.html`` (the figure of
:func:`resilience.reporting.observed_vs_simulated_figure`, in the scenario's language).

    >>> result = run_hindcast("scenarios/traena_hindcast.yaml", "results/hindcast")   # doctest: +SKIP
    >>> result.inside, result.mape                                                      # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from resilience.analysis import fan
from resilience.data import population_series
from resilience.experiments import (
    HINDCAST_CSV,
    HINDCAST_HTML,
    TIMESERIES,
    atomic_write,
    atomic_write_text,
    hold_results_dir,
    read_timeseries,
)
from resilience.reporting import observed_vs_simulated_figure, standalone_html
from resilience.reporting.export import export_figures, find_browser
from resilience.reporting.messages import message
from resilience.reporting.report import FigureOut
from resilience.workflow import load_checked, run_scenario

__all__ = ["ACTUAL", "COLUMNS", "HINDCAST_CSV", "HINDCAST_HTML", "HindcastResult", "hindcast_metrics", "run_hindcast"]

#: The strategy holding the interventions that actually happened.
ACTUAL = "actual"
#: The columns of ``hindcast.csv``.
COLUMNS = ("year", "observed", "median", "p05", "p95")
#: The years of the 2013→2020 comparison (Træna: 506 → 435, −14 %).
DROP_FROM, DROP_TO = 2013, 2020


@dataclass(frozen=True)
class HindcastResult:
    """The hindcast table and its overall measures.

    ``inside`` is the number of years whose observed value lies in the simulated 90 % band (p05–p95,
    bounds included) out of ``years``; ``mape`` the mean absolute percentage error of the median (percent);
    ``simulated_change`` and ``observed_change`` the relative change of the median and of the real series
    from ``drop_from`` to ``drop_to`` (percent; None when a year is not in the table).
    """

    table: pd.DataFrame
    inside: int
    years: int
    mape: float
    simulated_change: float | None
    observed_change: float | None
    drop_from: int
    drop_to: int
    results_dir: Path
    csv: Path
    html: Path

    @property
    def inside_share(self) -> float:
        """Share of years inside the 90 % band."""
        return self.inside / self.years if self.years else float("nan")


def hindcast_metrics(
    table: pd.DataFrame, drop_from: int = DROP_FROM, drop_to: int = DROP_TO
) -> tuple[int, float, float | None, float | None]:
    """(years inside the band, MAPE of the median in %, simulated and observed % change drop_from→drop_to)."""
    observed = table["observed"].to_numpy(dtype=float)
    inside = int(((observed >= table["p05"].to_numpy()) & (observed <= table["p95"].to_numpy())).sum())
    mape = float(np.mean(np.abs(table["median"].to_numpy(dtype=float) - observed) / observed) * 100)
    years = [int(y) for y in table["year"]]
    medians = [float(m) for m in table["median"]]
    if drop_from in years and drop_to in years:
        first, last = years.index(drop_from), years.index(drop_to)
        simulated = (medians[last] / medians[first] - 1) * 100
        real = float(observed[last] / observed[first] - 1) * 100
        return inside, mape, simulated, real
    return inside, mape, None, None


def hindcast_table(timeseries: pd.DataFrame, observed: pd.Series) -> pd.DataFrame:
    """year, observed, median, p05, p95 of ``actual``'s population for the simulated years SSB has."""
    quantiles = fan(timeseries[timeseries["strategy"] == ACTUAL], "population", (0.05, 0.5, 0.95))
    quantiles = quantiles.rename(columns={"q05": "p05", "q50": "median", "q95": "p95"})
    quantiles = quantiles[quantiles["year"].isin(observed.index)]
    quantiles["observed"] = quantiles["year"].map(observed).astype(int)
    return quantiles[list(COLUMNS)].reset_index(drop=True)


def run_hindcast(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    replications: int | None = None,
    workers: int | None = 1,
    *,
    force: bool = False,
    language: str | None = None,
    formats: Sequence[str] = (),
) -> HindcastResult:
    """Run the scenario at ``path`` (baseline and ``actual``) into ``out`` and compare ``actual`` with SSB.

    Writes the usual results directory plus ``hindcast.csv`` and ``hindcast.html`` (in ``language``, default
    the scenario's), and ``hindcast.png``/``.pdf`` for each of ``formats`` (kaleido and a Chromium browser;
    :class:`resilience.reporting.export.ExportError` if they are missing). Raises ValueError if the
    scenario has no ``actual`` strategy or SSB has none of its simulated years.

    >>> result = run_hindcast("scenarios/traena_hindcast.yaml", "results/hindcast", workers=2)  # doctest: +SKIP
    >>> result.inside, result.years, round(result.mape, 1)                                    # doctest: +SKIP
    """
    scenario = load_checked(path)
    if ACTUAL not in scenario.strategies:
        raise ValueError(f"the scenario has no strategy '{ACTUAL}' (the interventions that actually happened)")
    if formats:
        find_browser()  # no browser: say so before the runs, not after
    # One writer from the first file to the last: the ensemble's files, then the hindcast's beside them.
    with hold_results_dir(out):
        out_dir = run_scenario(
            scenario, out, replications=replications, workers=workers, strategies=[ACTUAL], force=force
        )
        observed = population_series(scenario.municipality.kommunenummer)
        table = hindcast_table(read_timeseries(out_dir / TIMESERIES), observed)
        if table.empty:
            raise ValueError("SSB's series has none of the simulated years")
        inside, mape, simulated, real = hindcast_metrics(table)
        csv = out_dir / HINDCAST_CSV
        atomic_write(csv, lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"))
        html = out_dir / HINDCAST_HTML
        name = scenario.municipality.name or scenario.municipality.kommunenummer
        lang = language or scenario.language
        title = message(lang, "fig_hindcast_title", name=name)
        figure = observed_vs_simulated_figure(table, language=lang, title=title)
        atomic_write_text(html, standalone_html(figure, language=lang, div_id="hindcast"))
        for fmt in formats:
            export_figures([FigureOut("fig-hindcast", title, "", figure)], out_dir, fmt)
    return HindcastResult(
        table=table,
        inside=inside,
        years=len(table),
        mape=mape,
        simulated_change=simulated,
        observed_change=real,
        drop_from=DROP_FROM,
        drop_to=DROP_TO,
        results_dir=out_dir,
        csv=csv,
        html=html,
    )
