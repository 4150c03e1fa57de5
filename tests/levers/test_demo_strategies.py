"""The bundled Træna scenario compares the strategies the evidence describes, each with its cost."""

from __future__ import annotations

import pandas as pd

from resilience.experiments import plan_runs, run_replication
from resilience.levers import build_interventions


def test_the_demo_has_at_least_six_strategies_mirroring_the_evidence(traena):
    assert next(iter(traena.strategies)) == "baseline"
    assert len(traena.strategies) >= 6
    levers = {name: {i.lever for i in interventions} for name, interventions in traena.strategies.items()}
    assert levers["tenk_traena"] == {"business_development"}
    assert levers["omstilling"] == {"business_development"}
    assert levers["aquaculture"] == {"new_employer"}
    assert {"build_housing", "try_an_island"} <= levers["housing"]
    assert len(levers["combined"]) >= 3
    # A development project is smaller than a full restructuring programme.
    budget = {
        name: traena.strategies[name][0].lever_parameters()["budget_nok_per_year"]
        for name in ("tenk_traena", "omstilling")
    }
    assert budget["tenk_traena"] < budget["omstilling"]
    employer = traena.strategies["aquaculture"][0].lever_parameters()
    assert 18 <= employer["jobs"] <= 20 and employer["stage2_jobs"] == 50


def test_every_demo_strategy_has_a_cost(traena):
    scenario = traena.model_copy(update={"run": traena.run.model_copy(update={"horizon": 2034})})
    costs = {}
    for task in plan_runs(scenario, replications=1, seed=4):
        if task.strategy == "no_shock":
            continue
        frame = run_replication(scenario, task)
        costs[task.strategy] = frame["cost_total"].sum()
        assert (frame["cost_total"] == frame[["cost_municipality", "cost_county", "cost_state"]].sum(axis=1)).all()
    assert costs.pop("baseline") == 0
    assert all(cost > 0 for name, cost in costs.items() if name != "aquaculture"), costs
    assert pd.notna(costs["aquaculture"])


def test_the_demo_levers_start_with_the_closure(traena):
    for strategy in traena.strategies:
        for lever in build_interventions(traena, strategy):
            assert lever.start == 2026
