"""Random valid scenarios (employers, a cornerstone, shocks, strategies of any lever, uncertainties, fixed
parameters; see ``strategies.py``): they pass every check, every run of them keeps the model's invariants
at the end of every year, and a run is a pure function of (scenario, seed)."""

from __future__ import annotations

from functools import partial

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.config import dump_scenario, parse_scenario
from resilience.experiments import RunTask, plan_runs, run_replication
from resilience.testing import check_accounting_identity, check_model_invariants
from resilience.testing.strategies import scenarios
from resilience.workflow import check_scenario
from tests.conftest import scaled

#: The invariants checked at the end of every simulated year (after the budget, before the year's row).
checked_run = partial(run_replication, extra_processes={"budget": [check_model_invariants]})


@settings(max_examples=scaled(25))
@given(scenarios())
def test_every_run_of_a_random_scenario_keeps_the_invariants(scenario):
    assert check_scenario(scenario) == []
    tasks = plan_runs(scenario, replications=1)
    assert {t.strategy for t in tasks} >= set(scenario.strategies)
    for task in tasks:
        frame = checked_run(scenario, task)
        check_accounting_identity(frame)
        assert frame["year"].tolist() == list(range(scenario.municipality.base_year, scenario.run.horizon + 1))
        assert (frame[["population", "employed", "unemployed", "jobs", "pupils"]] >= 0).all().all()
        assert (frame["employed"] <= frame["population"]).all()


@settings(max_examples=scaled(10))
@given(scenarios())
def test_a_scenario_survives_writing_and_reading(scenario):
    """What a planner writes is what runs: dump → parse gives the same scenario and the same results."""
    text = dump_scenario(scenario)
    again = parse_scenario(text, "dumped.yaml")
    assert again == scenario
    task = plan_runs(scenario, replications=1)[-1]
    pd.testing.assert_frame_equal(run_replication(scenario, task), run_replication(again, task))


@settings(max_examples=scaled(6))
@given(st.lists(scenarios(), min_size=2, max_size=3), st.randoms(use_true_random=False))
def test_a_run_is_a_pure_function_of_scenario_and_seed(scenario_list, order):
    """Each run gives the same rows whatever ran before it in the same process, and in any order."""
    tasks: list[tuple[int, RunTask]] = [
        (i, task) for i, scenario in enumerate(scenario_list) for task in plan_runs(scenario, replications=1)
    ]
    first = [run_replication(scenario_list[i], task) for i, task in tasks]
    shuffled = list(range(len(tasks)))
    order.shuffle(shuffled)
    for k in shuffled:
        i, task = tasks[k]
        pd.testing.assert_frame_equal(run_replication(scenario_list[i], task), first[k])


def test_the_strategies_docstring_examples_run() -> None:
    import doctest

    import resilience.testing.strategies as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
