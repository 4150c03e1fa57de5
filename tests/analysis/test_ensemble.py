"""The analysis of a real small ensemble: Træna, the plant closing in 2026, 4 replications to 2034."""

from __future__ import annotations

import pandas as pd
import pytest

from resilience.analysis import compare, summarise
from resilience.experiments import plan_runs, run_ensemble
from tests.conftest import traena_variant

SHOCK = 2026


@pytest.fixture(scope="module")
def timeseries() -> pd.DataFrame:
    scenario = traena_variant(horizon=2034)
    # a strategy without interventions: under common random numbers it must equal baseline run by run
    scenario = scenario.model_copy(update={"strategies": {"baseline": [], "same_as_baseline": []}})
    frame = run_ensemble(scenario, plan_runs(scenario, replications=4))
    assert "no_shock" in set(frame["strategy"])
    return frame


def test_summary_of_a_real_ensemble(timeseries):
    summary = summarise(timeseries, shock_year=SHOCK).set_index("strategy")
    assert list(summary.index) == ["baseline", "same_as_baseline"]  # no no_shock row
    assert (summary["replications"] == 4).all()
    # the closure: population falls below the no-shock path, jobs even more
    assert (summary["resistance_population_median"] < 0).all()
    assert (summary["resistance_population_p95"] <= 0).all()
    assert (summary["resistance_jobs_median"] < summary["resistance_population_median"]).all()
    # the plant's 80 jobs were a fifth of the jobs: losing them moves the HHI
    assert summary.loc["baseline", "hhi_change_median"] != 0
    for outcome in ("population", "age_16_66", "employed", "jobs", "pupils", "budget_balance"):
        levels = summary[[f"{outcome}_{k}" for k in ("p05", "q25", "median", "q75", "p95")]].to_numpy()
        assert (levels[:, :-1] <= levels[:, 1:]).all(), outcome
    same = summary.loc["same_as_baseline"]
    assert same["population_diff_p05"] == same["population_diff_p95"] == 0
    assert same["p_more_residents_than_baseline"] == 0
    assert summary["cost_nok"].eq(0).all() and summary["cost_per_resident_retained_nok"].isna().all()


def test_comparison_of_a_real_ensemble(timeseries):
    table = compare(timeseries, shock_year=SHOCK)
    assert "no_shock" not in set(table["strategy"])
    assert sorted(set(table["year"])) == [2026, 2031, 2034]
    values = table[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert (values[:, :-1] <= values[:, 1:]).all()
    diffs = table[["diff_q05", "diff_q25", "diff_q50", "diff_q75", "diff_q95"]].to_numpy()
    assert (diffs[:, :-1] <= diffs[:, 1:]).all()
    same = table[table["strategy"] == "same_as_baseline"]
    assert (same.filter(like="diff_") == 0).all().all()
    assert ((same["p_better"] >= 0) & (same["p_better"] <= 1)).all()
