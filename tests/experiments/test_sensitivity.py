"""Global sensitivity analysis through the ensemble runner: problems, tasks, a tiny Morris screening."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Executor

import numpy as np
import pandas as pd
import pytest

from resilience.config import Scenario
from resilience.experiments import open_executor, replication_seeds
from resilience.experiments.sensitivity import (
    morris_indices,
    run_sensitivity,
    sensitivity_problem,
    sensitivity_tasks,
    sobol_indices,
)
from resilience.model import Parameters
from tests.conftest import traena_variant

pytest.importorskip("SALib")

#: A budget parameter (no feedback on people) and the strongest migration parameter.
INERT, ACTIVE = "tax_per_employed_nok", "out_migration_scale"
HORIZON = 2030


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return traena_variant(horizon=HORIZON)


@pytest.fixture(scope="module")
def pool() -> Iterator[Executor]:
    """Two local processes, opened once for the module (starting them is the slow part)."""
    with open_executor("process", workers=2) as executor:
        yield executor


def test_problem_takes_the_plausible_ranges_of_the_parameters():
    specs = Parameters.specs()
    names = [ACTIVE, "local_multiplier", INERT]
    problem = sensitivity_problem(names)
    assert problem["num_vars"] == 3
    assert problem["names"] == names
    assert problem["bounds"] == [[specs[n].low, specs[n].high] for n in names]
    assert problem["bounds"][0] == [1.0, 1.6]


def test_problem_bounds_can_be_given_and_lever_settings_take_their_documented_range():
    problem = sensitivity_problem(
        ["local_multiplier", "business_development.jobs_per_million_nok"], {"local_multiplier": (0.25, 0.75)}
    )
    assert problem["bounds"][0] == [0.25, 0.75]
    low, high = problem["bounds"][1]
    assert 0.0 <= low < high


@pytest.mark.parametrize(
    ("names", "specs", "match"),
    [
        (["out_migration_scal"], None, "unknown model parameter"),
        (["no_such_lever.x"], None, "no_such_lever"),
        (["business_development.no_such_setting"], None, "has no setting"),
        ([ACTIVE, ACTIVE], None, "more than once"),
        ([ACTIVE], {ACTIVE: (1.5, 1.0)}, "low < high"),
        ([], None, "no parameters"),
    ],
)
def test_problem_refuses_bad_names_and_bounds(names, specs, match):
    with pytest.raises(ValueError, match=match):
        sensitivity_problem(names, specs)


def test_tasks_carry_the_sample_values_and_common_seeds():
    samples = np.array([[1.1, 0.2], [1.5, 0.9], [1.3, 0.5]])
    names = [ACTIVE, "local_multiplier"]
    tasks = sensitivity_tasks(samples, names, seed=7, replications=2, strategy="baseline")
    assert len(tasks) == 6
    seeds = replication_seeds(7, 2)
    for i, row in enumerate(samples):
        for k in range(2):
            task = tasks[i * 2 + k]
            assert task.strategy == "baseline"
            assert task.replication == i * 2 + k
            assert task.seed == seeds[k]  # the same seeds for every sample: common random numbers
            assert task.drawn == {ACTIVE: row[0], "local_multiplier": row[1]}
    assert len({t.replication for t in tasks}) == len(tasks)


def test_tasks_refuse_samples_of_the_wrong_shape():
    with pytest.raises(ValueError, match="one column per name"):
        sensitivity_tasks(np.zeros((3, 2)), [ACTIVE], seed=1)
    with pytest.raises(ValueError, match="not finite"):
        sensitivity_tasks(np.array([[np.nan]]), [ACTIVE], seed=1)
    with pytest.raises(ValueError, match="replications"):
        sensitivity_tasks(np.zeros((1, 1)), [ACTIVE], seed=1, replications=0)


def test_a_tiny_morris_screening_is_reproducible_and_ranks_an_inert_parameter_last(scenario, pool):
    from SALib.sample import morris as morris_sample

    names = [ACTIVE, INERT, "local_multiplier"]
    problem = sensitivity_problem(names)
    samples = morris_sample.sample(problem, N=2, seed=3)
    assert samples.shape == (2 * (len(names) + 1), len(names))

    values = run_sensitivity(scenario, samples, names, outcome="population", seed=5, executor=pool)
    again = run_sensitivity(scenario, samples, names, outcome="population", seed=5, executor=pool)

    assert values.shape == (len(samples),)
    assert np.isfinite(values).all()
    np.testing.assert_array_equal(values, again)  # same seed, same array

    # In sample order: sample i's value is the population of its own run, whatever executor ran it.
    alone = run_sensitivity(scenario, samples[[1, 0]], names, outcome="population", seed=5)
    np.testing.assert_array_equal(alone, values[[1, 0]])

    table = morris_indices(problem, samples, values, seed=1).set_index("parameter")
    assert table.loc[INERT, "mu_star"] == 0.0  # the budget does not feed back on people
    assert table.loc[ACTIVE, "mu_star"] > table.loc[INERT, "mu_star"]
    assert list(table.columns) == ["mu", "mu_star", "mu_star_conf", "sigma"]


def test_outcomes_as_columns_or_functions_from_the_same_runs_averaged_over_replications(scenario):
    names = [ACTIVE]
    samples = np.array([[1.0], [1.6]])
    frames: list[pd.DataFrame] = []

    def net_migration(frame: pd.DataFrame) -> float:
        frames.append(frame)
        return float((frame["in_migrants"] - frame["out_migrants"]).sum())

    values = run_sensitivity(
        scenario, samples, names, outcome=["population", "jobs", net_migration], year=2028, seed=2, replications=2
    )
    assert values.shape == (2, 3)
    assert len(frames) == 4 and all(frame["year"].max() == 2028 for frame in frames)  # horizon defaults to year
    population_2028 = [float(f.loc[f["year"] == 2028, "population"].iloc[0]) for f in frames]
    assert values[0, 0] == pytest.approx(np.mean(population_2028[:2]))
    assert values[1, 0] == pytest.approx(np.mean(population_2028[2:]))
    assert values[1, 2] == pytest.approx(np.mean([net_migration(f) for f in frames[2:4]]))
    # More out-migration: fewer people (common seeds make even two replications telling).
    assert values[1, 0] < values[0, 0]


def test_an_outcome_year_outside_the_run_is_refused(scenario):
    with pytest.raises(ValueError, match="not simulated"):
        run_sensitivity(scenario, np.array([[1.2]]), [ACTIVE], year=2020)


def test_sobol_indices_come_as_a_table_in_problem_order():
    from SALib.sample import sobol as sobol_sample

    problem = sensitivity_problem(["a", "b"], {"a": (0.0, 1.0), "b": (0.0, 1.0)})
    samples = sobol_sample.sample(problem, 64, calc_second_order=False, seed=1)
    values = 10 * samples[:, 0] + 0.1 * samples[:, 1]
    table = sobol_indices(problem, values, seed=1)
    assert list(table["parameter"]) == ["a", "b"]
    assert list(table.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert table.loc[0, "ST"] > 0.9 > 0.1 > table.loc[1, "ST"]


def test_importing_the_experiments_does_not_need_salib():
    code = (
        "import sys; sys.modules['SALib'] = None\n"
        "import resilience.experiments.sensitivity as s\n"
        "print(s.sensitivity_problem(['local_multiplier'])['bounds'])\n"
        "try:\n    s.sobol_indices({'names': ['a']}, [1.0])\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "[[0.0, 1.0]]" in out
    assert "pip install SALib" in out
