"""Each lever moves the outcomes it is meant to move, in the right direction, over enough replications.

Strategies are compared with baseline paired by replication (common random numbers), so a few dozen
replications separate a real effect from noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from resilience.config import Intervention, Scenario
from resilience.experiments import plan_runs, run_replication
from tests.conftest import traena_variant

REPLICATIONS = 24
HORIZON = 2036


def _scenario(*, shock: bool = True, **strategies: list[dict[str, Any]]) -> Scenario:
    base = traena_variant(shock=shock, horizon=HORIZON)
    built = {"baseline": [], **{name: [Intervention(**i) for i in items] for name, items in strategies.items()}}
    return base.model_copy(update={"strategies": built})


def _paired(
    scenario: Scenario, strategy: str, column: str, years: range, replications: int = REPLICATIONS
) -> np.ndarray:
    """Per replication: (strategy − baseline) of ``column`` summed over ``years``."""
    frames = [
        run_replication(scenario, task)
        for task in plan_runs(scenario, replications=replications, seed=101, strategies=[strategy])
        if task.strategy in ("baseline", strategy)
    ]
    frame = pd.concat(frames)
    window = frame[frame["year"].isin(list(years))]
    totals = window.groupby(["strategy", "replication"])[column].sum()
    return (totals.xs(strategy) - totals.xs("baseline")).to_numpy(dtype=float)


def _assert_moves(diff: np.ndarray, direction: int) -> None:
    mean = float(np.mean(diff))
    spread = float(np.std(diff, ddof=1)) / np.sqrt(diff.size) if diff.size > 1 else 0.0
    # Clearly in the right direction: more than two standard errors away from zero.
    assert direction * mean > 2 * spread, f"mean difference {mean:.2f} (standard error {spread:.2f})"


CASES = [
    ("business_development", {"budget_nok_per_year": 4_000_000}, "jobs_basic", range(2027, 2033), +1),
    ("new_employer", {"probability": 1.0}, "jobs", range(2028, 2037), +1),
    ("new_employer", {"probability": 1.0}, "population", range(2030, 2037), +1),
    (
        "cornerstone_rescue",
        {"success_probability": 1.0, "failure_hazard": 0.05},
        "jobs_fish_processing",
        range(2026, 2031),
        +1,
    ),
    ("cornerstone_rescue", {"success_probability": 1.0}, "out_migrants", range(2026, 2031), -1),
    ("retraining", {}, "unemployed", range(2026, 2030), -1),
    # Housing matters where dwellings are scarce: without the closure (after it, many stand empty).
    ("build_housing", {"dwellings": 10, "start": 2025, "shock": False}, "in_migrants", range(2025, 2033), +1),
    ("try_an_island", {}, "in_migrants", range(2026, 2029), +1),
    ("try_an_island", {}, "population", range(2027, 2030), +1),
    ("attractiveness", {"attractiveness_gain": 0.05, "years": 10}, "population", range(2030, 2037), +1),
    ("remote_work_hub", {"remote_multiplier": 3.0, "years": 10}, "remote_migrants", range(2026, 2037), +1),
    ("commuting_link", {}, "employed", range(2027, 2033), +1),
    ("public_job_relocation", {}, "jobs_public", range(2027, 2033), +1),
    ("young_fisher_fund", {}, "jobs_fishing", range(2027, 2035), +1),
]


@pytest.mark.parametrize(
    ("lever", "settings", "column", "years", "direction"),
    CASES,
    ids=[f"{c[0]}-{c[2]}" for c in CASES],
)
def test_lever_moves_its_outcome(lever, settings, column, years, direction):
    settings = dict(settings)
    shock = settings.pop("shock", True)
    scenario = _scenario(shock=shock, pulled=[{"lever": lever, **settings}])
    # Two effects are small against the paired spread, so they need more replications to be told from noise
    # (with 24, two standard errors are about the size of the effect). Attractiveness works on population only
    # through slightly fewer moves out and more in over ten years: ≈ +45 person-years against a spread of ≈ 100
    # per replication. A rescued cornerstone firm spares ≈ 5 moves out in five years against a spread of ≈ 13
    # (most of the displaced find another job; those who do not leave over many years).
    small = lever == "attractiveness" or (lever == "cornerstone_rescue" and column == "out_migrants")
    replications = 96 if small else REPLICATIONS
    _assert_moves(_paired(scenario, "pulled", column, years, replications), direction)


def test_attractiveness_default_range_includes_no_effect():
    from resilience.levers import get_lever

    field = get_lever("attractiveness").Settings.model_fields["attractiveness_gain"]
    low, high = field.json_schema_extra["x-range"]  # type: ignore[index]
    assert low == 0.0 < high
    # At zero effect, only the money differs from baseline.
    scenario = _scenario(culture=[{"lever": "attractiveness", "attractiveness_gain": 0.0}])
    tasks = plan_runs(scenario, replications=3, seed=5, strategies=["culture"])
    frames = {t.strategy: [] for t in tasks}
    for task in tasks:
        frames[task.strategy].append(run_replication(scenario, task))
    base = pd.concat(frames["baseline"]).reset_index(drop=True)
    culture = pd.concat(frames["culture"]).reset_index(drop=True)
    money = ["strategy", "cost_municipality", "cost_county", "cost_state", "cost_total", "budget_balance"]
    pd.testing.assert_frame_equal(base.drop(columns=money), culture.drop(columns=money))
    assert culture["cost_total"].sum() > 0


def test_knowledge_sharing_lowers_the_cost_of_other_levers_only():
    scenario = _scenario(
        alone=[{"lever": "business_development", "budget_nok_per_year": 2_000_000}],
        shared=[
            {"lever": "business_development", "budget_nok_per_year": 2_000_000},
            {"lever": "knowledge_sharing", "cost_reduction": 0.2, "cost_nok_per_year": 100_000},
        ],
    )
    task_alone, task_shared = (
        next(t for t in plan_runs(scenario, replications=1, seed=9) if t.strategy == name)
        for name in ("alone", "shared")
    )
    alone = run_replication(scenario, task_alone)
    shared = run_replication(scenario, task_shared)
    pd.testing.assert_series_equal(alone["population"], shared["population"])
    years_active = 6
    assert alone["cost_total"].sum() == pytest.approx(2_000_000 * years_active)
    assert shared["cost_total"].sum() == pytest.approx((2_000_000 * 0.8 + 100_000) * years_active)


def test_costs_are_split_between_payers():
    scenario = _scenario(programme=[{"lever": "business_development", "budget_nok_per_year": 4_000_000}])
    task = next(t for t in plan_runs(scenario, replications=1, seed=2) if t.strategy == "programme")
    frame = run_replication(scenario, task).set_index("year")
    assert frame.loc[2026, "cost_municipality"] == pytest.approx(1_000_000)
    assert frame.loc[2026, "cost_county"] == pytest.approx(3_000_000)
    assert frame.loc[2025, "cost_total"] == 0 and frame.loc[2032, "cost_total"] == 0
    # The municipality's share is charged to its budget.
    baseline_task = next(t for t in plan_runs(scenario, replications=1, seed=2) if t.strategy == "baseline")
    baseline = run_replication(scenario, baseline_task).set_index("year")
    assert frame.loc[2026, "budget_balance"] < baseline.loc[2026, "budget_balance"]
