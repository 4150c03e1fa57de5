"""What the model does over many replications: drift without a shock, and the closure's effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resilience.experiments import plan_runs, run_ensemble
from tests.conftest import traena_variant


@pytest.fixture(scope="module")
def closure_and_reference() -> pd.DataFrame:
    """100 replications of the closure (baseline) and of the no-shock reference, under the same seeds."""
    scenario = traena_variant(shock=True)
    return run_ensemble(scenario, plan_runs(scenario, replications=100, seed=11, strategies=["baseline"]), workers=2)


def test_closure_lowers_population_and_jobs_over_100_replications(closure_and_reference):
    frame = closure_and_reference
    at = {
        name: frame[(frame["year"] == 2050) & (frame["strategy"] == strategy)].set_index("replication")
        for name, strategy in (("closure", "baseline"), ("none", "no_shock"))
    }
    assert len(at["closure"]) == len(at["none"]) == 100
    # Common random numbers: replication r has the same seed in both, so compare pairwise.
    population_gap = at["none"]["population"] - at["closure"]["population"]
    jobs_gap = at["none"]["jobs"] - at["closure"]["jobs"]
    assert population_gap.median() > 40
    assert (population_gap > 0).mean() > 0.9
    assert jobs_gap.median() > 60
    # The effect shows already in the year of the closure (jobs are counted at the end of the year).
    in_2026 = frame[frame["year"] == 2026].groupby("strategy")["jobs"].median()
    assert in_2026["no_shock"] - in_2026["baseline"] >= 70


def test_the_no_shock_reference_is_the_scenario_without_its_shocks():
    with_reference = traena_variant(shock=True, horizon=2032)
    tasks = plan_runs(with_reference, replications=3, seed=5, strategies=["baseline"])
    assert [t.strategy for t in tasks].count("no_shock") == 3
    frame = run_ensemble(with_reference, tasks)
    reference = frame[frame["strategy"] == "no_shock"].drop(columns="strategy").reset_index(drop=True)
    unshocked = traena_variant(shock=False, horizon=2032)
    plain = run_ensemble(unshocked, plan_runs(unshocked, replications=3, seed=5, strategies=["baseline"]))
    assert "no_shock" not in set(plain["strategy"])
    pd.testing.assert_frame_equal(reference, plain.drop(columns="strategy").reset_index(drop=True))


def test_no_shock_population_drifts_like_small_island_municipalities(closure_and_reference):
    frame = closure_and_reference[closure_and_reference["strategy"] == "no_shock"]
    population = frame.pivot(index="year", columns="replication", values="population")
    yearly = (population.loc[2050] / population.loc[2024]) ** (1 / 26) - 1
    # A slow decline, of the order of 0–1.5 % a year: neither explosion nor collapse.
    assert -0.015 <= float(np.median(yearly)) <= 0.0
    gross_out = frame.groupby("year")["out_migrants"].mean() / frame.groupby("year")["population"].mean() * 1000
    assert 30 <= float(gross_out.median()) <= 80  # Træna ≈ 55 per 1 000 (EVIDENCE §1)
