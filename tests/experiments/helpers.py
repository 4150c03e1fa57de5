"""Picklable replication functions for the runner tests (module level, so other processes can import them)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from resilience.config import Scenario
from resilience.experiments import RunTask, run_replication

#: The run that the failing functions below refuse.
FAILING = ("other", 1)


def tiny_run(scenario: Scenario, task: RunTask, *, horizon: int | None = None) -> pd.DataFrame:
    """A very cheap stand-in for a model run: three yearly rows that depend only on the task."""
    years = np.arange(2024, 2027, dtype=np.int64)
    rng = np.random.default_rng(task.seed)
    return pd.DataFrame(
        {
            "strategy": task.strategy,
            "replication": task.replication,
            "seed": np.int64(task.seed),
            "year": years,
            "population": rng.integers(300, 500, size=years.size),
            "budget_balance": rng.normal(0.0, 1e6, size=years.size),
        }
    )


def failing_run(scenario: Scenario, task: RunTask, *, horizon: int | None = None) -> pd.DataFrame:
    """The model run, except that replication 1 of strategy ``other`` raises."""
    if (task.strategy, task.replication) == FAILING:
        raise ValueError(f"replication {task.replication} of {task.strategy} refused on purpose")
    return run_replication(scenario, task, horizon=horizon)


def crashing_run(scenario: Scenario, task: RunTask, *, horizon: int | None = None) -> pd.DataFrame:
    """A tiny run, except that replication 1 kills its worker process (as a segfault or the OOM killer would)."""
    if task.replication == 1:
        os._exit(3)
    return tiny_run(scenario, task, horizon=horizon)


def small_scenario(horizon: int = 2027) -> Scenario:
    """The Træna scenario, short, with two strategies without levers (baseline, other) and the reference."""
    from tests.conftest import traena_variant

    scenario = traena_variant(horizon=horizon)
    return scenario.model_copy(update={"strategies": {"baseline": [], "other": []}})


def pid_run(scenario: Scenario, task: RunTask, *, horizon: int | None = None) -> pd.DataFrame:
    """A tiny run that records the process it ran in (column ``pid``)."""
    return tiny_run(scenario, task, horizon=horizon).assign(pid=os.getpid())
