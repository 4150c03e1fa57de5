"""Fit the Træna hindcast's migration parameters on the years before the 2014 shock only (2005–2013).

A small, documented grid search, not a calibration method: for each pair (``out_migration_scale``,
``amenity_in_migration_rate``) it runs the hindcast scenario's 2013 economy from SSB's real population of
1 January 2005 to 2013 without shocks or interventions (``local_multiplier`` at its default, few
replications, common seeds) and scores the median path by its mean absolute percentage error against SSB's
2005–2013 series (07459). No year after 2013 is read. The best pair goes into the ``parameters:`` block
of ``src/resilience/scenarios/traena_hindcast.yaml``; ``resilience calibrate`` will replace this script.

    uv run python scripts/hindcast_prefit.py [replications] [workers]
"""

from __future__ import annotations

import itertools
import sys
from io import StringIO
from pathlib import Path

import numpy as np
from ruamel.yaml import YAML

from resilience.config import parse_scenario
from resilience.data import population_series
from resilience.experiments import plan_runs, run_ensemble

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "src" / "resilience" / "scenarios" / "traena_hindcast.yaml"
FIRST, LAST = 2005, 2013  # fit window: before the 2014 layoffs only
OUT_MIGRATION = (1.0, 1.1, 1.2, 1.34)
AMENITY = (14.0, 17.0, 20.0)


def pre_shock_scenario(out_migration: float, amenity: float) -> str:
    """The hindcast scenario from 2005 to 2013 with no shocks, no strategies, no uncertainties."""
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    document = yaml.load(SCENARIO.read_text(encoding="utf-8"))
    document["municipality"]["base_year"] = FIRST
    document["run"]["horizon"] = LAST
    document["shocks"] = []
    document["uncertainties"] = {}
    document["strategies"] = {"baseline": []}
    document["parameters"] = {"out_migration_scale": out_migration, "amenity_in_migration_rate": amenity}
    stream = StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def main(replications: int = 6, workers: int = 2) -> None:
    observed = population_series("1835").loc[FIRST:LAST].astype(float)
    rows = []
    for out_migration, amenity in itertools.product(OUT_MIGRATION, AMENITY):
        scenario = parse_scenario(pre_shock_scenario(out_migration, amenity), filename="prefit.yaml")
        frame = run_ensemble(scenario, plan_runs(scenario, replications=replications, seed=1), workers=workers)
        median = frame.groupby("year")["population"].median().loc[FIRST:LAST]
        mape = float(np.mean(np.abs(median - observed) / observed)) * 100
        rows.append((mape, out_migration, amenity, float(median.loc[LAST])))
        print(
            f"out_migration_scale={out_migration:<5} amenity_in_migration_rate={amenity:<5} "
            f"MAPE 2005–13 {mape:5.2f} %  2013: {median.loc[LAST]:.0f} (real {observed.loc[LAST]:.0f})",
            flush=True,
        )
    best = min(rows)
    print(f"best: out_migration_scale={best[1]} amenity_in_migration_rate={best[2]} (MAPE {best[0]:.2f} %)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
