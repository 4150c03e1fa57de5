"""Running replications: one (strategy, replication) is one model run; an ensemble is many.

Every executor goes through one code path (:func:`stream_ensemble`): runs are submitted to any
:class:`concurrent.futures.Executor` (inline, local processes, Dask; see :mod:`.executors`), a bounded number
at a time, and each finished run goes to a sink (e.g. a :class:`~resilience.experiments.store.RunStore` that
streams it to disk) as soon as it finishes. A run that raises is recorded with its error and seed; the others
go on. Each run is seeded on its own, so the results do not depend on the executor or the number of workers.

In a notebook, all rows in memory::

    >>> from resilience.config import load_scenario                    # doctest: +SKIP
    >>> scenario = load_scenario("scenarios/traena.yaml")                # doctest: +SKIP
    >>> tasks = plan_runs(scenario, replications=4)                      # doctest: +SKIP
    >>> frame = run_ensemble(scenario, tasks, workers=2)                 # doctest: +SKIP

Streaming to a results directory, on a Dask cluster::

    >>> with open_executor("dask", scheduler="tcp://10.0.0.5:8786") as executor:          # doctest: +SKIP
    ...     store = RunStore("results/x", strategies=["baseline", "no_shock"])
    ...     outcome = stream_ensemble(scenario, tasks, executor=executor, sink=store)
    ...     store.finalize()
"""

from __future__ import annotations

import errno
import signal
import time
import traceback as tb
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from resilience.config import Scenario
from resilience.experiments.executors import SequentialExecutor, executor_capacity, open_executor
from resilience.experiments.interruption import raise_if_stopped, signal_name
from resilience.experiments.replication import NO_SHOCK, RunTask, run_replication
from resilience.experiments.seeds import replication_seeds
from resilience.experiments.store import RunFailure, RunSink
from resilience.experiments.uncertainty import draw_uncertainties

__all__ = [
    "NO_SHOCK",
    "EnsembleFailures",
    "EnsembleInterrupted",
    "EnsembleOutcome",
    "ReplicationFunction",
    "ResultsWriteError",
    "RunResult",
    "RunTask",
    "execute_task",
    "plan_runs",
    "run_ensemble",
    "run_replication",
    "sort_timeseries",
    "stream_ensemble",
]


class ReplicationFunction(Protocol):
    """Runs one replication and returns its yearly rows (as :func:`run_replication` does).

    To run on other processes or machines it must be picklable: a function defined at module level.
    """

    def __call__(self, scenario: Scenario, task: RunTask, *, horizon: int | None = None) -> pd.DataFrame: ...


@dataclass(frozen=True)
class RunResult:
    """What one run gave: its rows, or the error it raised (then ``frame`` is None)."""

    task: RunTask
    frame: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the run finished without an error."""
        return self.error is None


@dataclass
class EnsembleOutcome:
    """How an ensemble went: runs finished and failed, and (without a sink) every row, sorted."""

    done: int = 0
    failures: list[RunFailure] = field(default_factory=list)
    frame: pd.DataFrame | None = None

    @property
    def failed(self) -> int:
        """The number of runs that raised."""
        return len(self.failures)

    @property
    def total(self) -> int:
        """The number of runs, finished or failed."""
        return self.done + self.failed


class EnsembleFailures(RuntimeError):
    """Some runs of an ensemble raised; the others completed (and, in a results directory, were written).

    ``failures`` has one :class:`RunFailure` (strategy, replication, seed, error, traceback) per failed run.
    """

    def __init__(
        self,
        failures: Sequence[RunFailure],
        total: int,
        *,
        results_dir: Path | None = None,
        failures_file: Path | None = None,
        notes: Sequence[str] = (),
    ) -> None:
        self.failures = list(failures)
        self.total = total
        self.results_dir = results_dir
        self.failures_file = failures_file
        self.notes = list(notes)
        super().__init__(f"{len(self.failures)} of {total} runs failed")


class EnsembleInterrupted(KeyboardInterrupt):
    """An ensemble stopped by Ctrl-C, SIGTERM or SIGHUP (a :class:`KeyboardInterrupt`): its finished runs are
    kept on disk.

    ``done`` of ``total`` runs had finished (in earlier attempts too); ``results_dir`` holds them, and
    ``resume_command`` (set by the command line) is the command that completes the ensemble (in Python:
    :func:`resilience.workflow.run_scenario` with ``resume=True``). ``signal_number`` is the signal that
    stopped it (the command exits with 128 + it). Its message is the one line to show::

        interrupted after 37 of 120 runs; resume with: resilience run scenarios/traena.yaml --out … --resume
    """

    def __init__(
        self,
        done: int,
        total: int,
        results_dir: Path,
        resume_command: str | None = None,
        signal_number: int = int(signal.SIGINT),
    ) -> None:
        super().__init__(done, total, results_dir)
        self.done = done
        self.total = total
        self.results_dir = results_dir
        self.resume_command = resume_command
        self.signal_number = signal_number

    def __str__(self) -> str:
        by = "" if self.signal_number == signal.SIGINT else f" by {signal_name(self.signal_number)}"
        head = f"interrupted{by} after {self.done} of {self.total} runs"
        if self.resume_command:
            return f"{head}; resume with: {self.resume_command}"
        return f"{head}; the finished runs are kept in {self.results_dir}"


class ResultsWriteError(RuntimeError):
    """An ensemble stopped because its results could not be written (a full disk, a permission taken away).

    Like an interruption, its finished runs are kept: ``done`` of ``total``, in ``results_dir``; once the
    cause is fixed, ``resume_command`` (set by the command line) completes it. The message is one line.
    """

    def __init__(
        self, error: OSError, done: int, total: int, results_dir: Path, resume_command: str | None = None
    ) -> None:
        super().__init__(error, done, total, results_dir)
        self.error = error
        self.done = done
        self.total = total
        self.results_dir = results_dir
        self.resume_command = resume_command

    def __str__(self) -> str:
        reason = (self.error.strerror or str(self.error)).lower()
        where = self.error.filename if self.error.filename else f"the results in {self.results_dir}"
        head = f"cannot write {where}: {reason}; {self.done} of {self.total} runs are kept"
        fix = "free some space" if self.error.errno == errno.ENOSPC else "fix that"
        if self.resume_command:
            return f"{head}: {fix}, then resume with: {self.resume_command}"
        return f"{head}: {fix}, then resume the ensemble"


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

    >>> tasks = plan_runs(scenario, replications=20, seed=7)   # doctest: +SKIP
    >>> tasks[0].strategy, tasks[0].replication, tasks[0].seed  # doctest: +SKIP
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


#: How often (seconds) the ensemble looks for a stop (SIGTERM, SIGHUP, Ctrl-C) while it waits for runs.
_STOP_CHECK_SECONDS = 0.5
#: How often (seconds) the number of runs kept in flight follows the executor's current number of workers.
_CAPACITY_RECHECK_SECONDS = 10.0


def execute_task(
    scenario: Scenario,
    task: RunTask,
    horizon: int | None = None,
    run: ReplicationFunction | None = None,
) -> RunResult:
    """Run one task where the executor puts it and return its :class:`RunResult`; never raises an Exception.

    ``run`` is the replication function (default :func:`run_replication`). Any exception it raises is caught
    and returned with its traceback, so that one failing run cannot stop the ensemble.
    """
    replicate: ReplicationFunction = run_replication if run is None else run
    try:
        frame = replicate(scenario, task, horizon=horizon)
    except Exception as error:
        return RunResult(task, error=_describe(error), traceback=tb.format_exc())
    return RunResult(task, frame=frame)


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _result_of(future: Future[RunResult], task: RunTask) -> RunResult:
    """The future's result; an error of the executor itself (a worker died, …) becomes a failed run."""
    try:
        return future.result()
    except Exception as error:
        return RunResult(task, error=_describe(error), traceback="".join(tb.format_exception(error)))


def stream_ensemble(
    scenario: Scenario,
    tasks: Iterable[RunTask],
    *,
    executor: Executor | None = None,
    horizon: int | None = None,
    sink: RunSink | None = None,
    on_done: Callable[[RunTask, bool], None] | None = None,
    run: ReplicationFunction | None = None,
    max_pending: int | None = None,
) -> EnsembleOutcome:
    """Run ``tasks`` on ``executor`` (default: inline), handing each finished run to ``sink`` as it finishes.

    At most ``max_pending`` runs (default: twice the executor's workers, plus 2, following a cluster's workers
    as they come and go) are submitted and not yet finished at any time, so memory does not grow with the
    number of tasks (``tasks`` may be a generator).
    A run that raises is recorded (``sink.add_failure`` and the outcome's ``failures``); the others go on.
    ``on_done(task, ok)`` is called after each run (for progress). Without a sink, the outcome's ``frame``
    holds every row, sorted by :func:`sort_timeseries`. ``run`` replaces :func:`run_replication` (it must be
    picklable for other processes: a module-level function).
    """
    pool = SequentialExecutor() if executor is None else executor
    if max_pending is not None and max_pending < 1:
        raise ValueError(f"max_pending must be at least 1, got {max_pending}")
    limit = max_pending or 2 * executor_capacity(pool) + 2
    checked = time.monotonic()
    outcome = EnsembleOutcome()
    frames: list[pd.DataFrame] = []

    def finish(result: RunResult) -> None:
        if result.ok and result.frame is not None:
            outcome.done += 1
            if sink is not None:
                sink.add_run(result.task, result.frame)
            else:
                frames.append(result.frame)
        else:
            failure = RunFailure.of(result.task, result.error or "no result", result.traceback or "")
            outcome.failures.append(failure)
            if sink is not None:
                sink.add_failure(failure)
        if on_done is not None:
            on_done(result.task, result.ok)

    pending: dict[Future[RunResult], RunTask] = {}
    remaining = iter(tasks)
    exhausted = False
    try:
        while True:
            if max_pending is None and time.monotonic() - checked > _CAPACITY_RECHECK_SECONDS:
                # A cluster's workers may come and go while the ensemble runs.
                limit, checked = 2 * executor_capacity(pool) + 2, time.monotonic()
            while not exhausted and len(pending) < limit:
                task = next(remaining, None)
                if task is None:
                    exhausted = True
                    break
                try:
                    future = pool.submit(execute_task, scenario, task, horizon, run)
                except BrokenExecutor as error:  # a worker died: the runs that remain fail, with the reason
                    finish(RunResult(task, error=_describe(error), traceback="".join(tb.format_exception(error))))
                    continue
                pending[future] = task
            if not pending:
                break
            # With a time-out, so that a stop whose exception was swallowed on its way is still seen.
            finished, _ = wait(pending, timeout=_STOP_CHECK_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(_result_of(future, pending.pop(future)))
            raise_if_stopped()
    except KeyboardInterrupt:
        # Runs that had finished when Ctrl-C came still go to the sink: resuming need not run them again.
        # Quietly (no on_done): the interruption is already on its way.
        for future, task in pending.items():
            if sink is not None and future.done() and not future.cancelled() and future.exception() is None:
                result = future.result()
                if result.ok and result.frame is not None:
                    sink.add_run(task, result.frame)
                    outcome.done += 1
        raise
    finally:
        for future in pending:
            future.cancel()
    if sink is None:
        strategy_order = list(scenario.strategies)
        outcome.frame = (
            sort_timeseries(pd.concat(frames, ignore_index=True), strategy_order) if frames else pd.DataFrame()
        )
    return outcome


def run_ensemble(
    scenario: Scenario,
    tasks: Iterable[RunTask],
    *,
    executor: Executor | None = None,
    workers: int = 1,
    horizon: int | None = None,
    on_done: Callable[[RunTask, bool], None] | None = None,
    run: ReplicationFunction | None = None,
) -> pd.DataFrame:
    """Run ``tasks`` and return all rows in memory, sorted (the convenient path for notebooks).

    On ``executor`` when given, else on ``workers`` local processes (1: inline). The result does not depend
    on either: each run is seeded on its own and rows are sorted by strategy order, replication and year.
    Raises :class:`EnsembleFailures` if any run raised. For many runs, stream them to disk instead
    (:func:`stream_ensemble` with a :class:`~resilience.experiments.store.RunStore`, or
    :func:`resilience.workflow.run_scenario`).

    >>> rows = run_ensemble(scenario, plan_runs(scenario, replications=8), workers=2)   # doctest: +SKIP
    >>> rows.groupby("strategy")["population"].describe()                             # doctest: +SKIP
    """
    if executor is None:
        tasks = list(tasks)
        with open_executor("process", workers=max(1, min(workers, len(tasks)))) as pool:
            outcome = stream_ensemble(scenario, tasks, executor=pool, horizon=horizon, on_done=on_done, run=run)
    else:
        outcome = stream_ensemble(scenario, tasks, executor=executor, horizon=horizon, on_done=on_done, run=run)
    if outcome.failures:
        raise EnsembleFailures(outcome.failures, outcome.total)
    assert outcome.frame is not None
    return outcome.frame


def sort_timeseries(frame: pd.DataFrame, strategy_order: Sequence[str]) -> pd.DataFrame:
    """Rows in strategy order (as in the scenario), then replication, then year; a fresh index."""
    order = {name: i for i, name in enumerate([*strategy_order, NO_SHOCK])}
    key = frame["strategy"].map(order).fillna(len(order))
    frame = frame.assign(_order=key).sort_values(["_order", "replication", "year"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)
