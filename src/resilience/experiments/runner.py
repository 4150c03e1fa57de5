"""Running replications: one (strategy, replication) is one model run; an ensemble is many.

>>> from resilience.config import load_scenario                    # doctest: +SKIP
>>> scenario = load_scenario("scenarios/traena.yaml")                # doctest: +SKIP
>>> tasks = plan_runs(scenario, replications=4)                      # doctest: +SKIP
>>> frame = run_ensemble(scenario, tasks, workers=2)                 # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

import pandas as pd

from resilience.config import Scenario
from resilience.experiments.replication import NO_SHOCK, RunTask, run_replication
from resilience.experiments.seeds import replication_seeds
from resilience.experiments.uncertainty import draw_uncertainties

__all__ = ["NO_SHOCK", "RunTask", "plan_runs", "run_ensemble", "run_replication", "sort_timeseries"]


def plan_runs(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    strategies: Sequence[str] | None = None,
) -> list[RunTask]:
    """Every (strategy, replication) of the ensemble, baseline first; replication r has one seed for all.

    When the scenario has shocks, the reference :data:`NO_SHOCK` (the scenario without its shocks and without
    interventions) is run last under the same seeds: resistance and recovery are measured against it.
    """
    n = scenario.run.replications if replications is None else replications
    root = scenario.run.seed if seed is None else seed
    names = list(scenario.strategies)
    if strategies:
        names = [s for s in names if s in strategies]
        if "baseline" not in names:
            names.insert(0, "baseline")
    if scenario.shocks and NO_SHOCK not in names:
        names.append(NO_SHOCK)
    seeds = replication_seeds(root, n)
    draws = [draw_uncertainties(scenario.uncertainties, root, r) for r in range(n)]
    return [RunTask(s, r, seeds[r], draws[r]) for s in names for r in range(n)]


def _run_one(args: tuple[Scenario, RunTask, int | None]) -> pd.DataFrame:
    scenario, task, horizon = args
    return run_replication(scenario, task, horizon=horizon)


def run_ensemble(
    scenario: Scenario,
    tasks: Iterable[RunTask],
    *,
    workers: int = 1,
    horizon: int | None = None,
    on_done: Callable[[RunTask, pd.DataFrame], None] | None = None,
) -> pd.DataFrame:
    """Run ``tasks`` (serially, or on ``workers`` processes) and return all rows, sorted.

    The result does not depend on ``workers``: each run is seeded on its own and rows are sorted by
    strategy order, replication and year. ``on_done`` is called as each run finishes (for progress).
    """
    tasks = list(tasks)
    frames: list[pd.DataFrame] = []
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            frame = run_replication(scenario, task, horizon=horizon)
            frames.append(frame)
            if on_done:
                on_done(task, frame)
    else:
        # "spawn": forking a process that may hold threads (pyarrow, BLAS) can deadlock the child.
        context = multiprocessing.get_context("spawn")
        max_workers = min(workers, os.cpu_count() or 1, len(tasks))
        with ProcessPoolExecutor(max_workers=max_workers, mp_context=context) as pool:
            futures = {pool.submit(_run_one, (scenario, task, horizon)): task for task in tasks}
            for future in as_completed(futures):
                frame = future.result()
                frames.append(frame)
                if on_done:
                    on_done(futures[future], frame)
    return sort_timeseries(pd.concat(frames, ignore_index=True), list(scenario.strategies))


def sort_timeseries(frame: pd.DataFrame, strategy_order: Sequence[str]) -> pd.DataFrame:
    """Rows in strategy order (as in the scenario), then replication, then year; a fresh index."""
    order = {name: i for i, name in enumerate([*strategy_order, NO_SHOCK])}
    key = frame["strategy"].map(order).fillna(len(order))
    frame = frame.assign(_order=key).sort_values(["_order", "replication", "year"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)
