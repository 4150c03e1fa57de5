"""All randomness flows from the root seed: same seed, same bytes; another seed, other results."""

from __future__ import annotations

import pandas as pd

from resilience.config import parse_scenario
from resilience.experiments import plan_runs, replication_seeds, run_ensemble
from resilience.workflow import run_scenario
from tests.conftest import ROOT, traena_variant


def test_same_seed_gives_byte_identical_timeseries(tmp_path):
    scenario = traena_variant(horizon=2034)
    first = run_scenario(scenario, tmp_path / "a", replications=3)
    second = run_scenario(scenario, tmp_path / "b", replications=3, workers=2)
    assert (first / "timeseries.parquet").read_bytes() == (second / "timeseries.parquet").read_bytes()
    assert (first / "summary.csv").read_bytes() == (second / "summary.csv").read_bytes()


def test_different_seeds_differ():
    scenario = traena_variant(horizon=2034)
    a = run_ensemble(scenario, plan_runs(scenario, replications=3, seed=1))
    b = run_ensemble(scenario, plan_runs(scenario, replications=3, seed=2))
    assert not a["population"].equals(b["population"])


def test_seeds_are_recorded_and_shared_by_strategies():
    scenario = traena_variant(horizon=2030)
    tasks = plan_runs(scenario, replications=4, seed=7, strategies=["baseline"])
    # Baseline and the no-shock reference: the same four seeds, in replication order.
    assert [t.seed for t in tasks] == replication_seeds(7, 4) * 2
    frame = run_ensemble(scenario, tasks)
    per_replication = frame.groupby("replication")["seed"].unique()
    assert all(len(s) == 1 for s in per_replication)
    assert sorted(int(s[0]) for s in per_replication) == sorted(replication_seeds(7, 4))


def test_replications_are_independent_of_each_other():
    scenario = traena_variant(horizon=2030)
    alone = run_ensemble(scenario, plan_runs(scenario, replications=3, seed=5)[2:3])
    together = run_ensemble(scenario, plan_runs(scenario, replications=3, seed=5))
    pd.testing.assert_frame_equal(
        alone.reset_index(drop=True),
        together[(together["replication"] == 2) & (together["strategy"] == "baseline")].reset_index(drop=True),
    )


def test_an_empty_strategy_equals_baseline_in_every_replication():
    scenario = traena_variant(horizon=2036)
    text_scenario = scenario.model_copy(update={"strategies": {"baseline": [], "wait_and_see": []}})
    frame = run_ensemble(text_scenario, plan_runs(text_scenario, replications=4, seed=3))
    baseline = frame[frame["strategy"] == "baseline"].drop(columns="strategy").reset_index(drop=True)
    other = frame[frame["strategy"] == "wait_and_see"].drop(columns="strategy").reset_index(drop=True)
    pd.testing.assert_frame_equal(baseline, other)


def test_uncertain_parameters_are_drawn_per_replication_and_shared_by_strategies():
    extra = "uncertainties:\n  local_multiplier: {distribution: uniform, low: 0.0, high: 1.0}\n"
    text = (ROOT / "scenarios" / "traena.yaml").read_text(encoding="utf-8")
    text = text.replace("uncertainties: {}\n", extra).replace("  baseline: []\n", "  baseline: []\n  other: []\n")
    scenario = parse_scenario(text, filename="u.yaml")
    tasks = plan_runs(scenario, replications=5, seed=2)
    draws = {(t.strategy, t.replication): t.drawn["local_multiplier"] for t in tasks}
    assert len({draws[("baseline", r)] for r in range(5)}) == 5
    assert all(draws[("baseline", r)] == draws[("other", r)] for r in range(5))
    assert all(0.0 <= v <= 1.0 for v in draws.values())
