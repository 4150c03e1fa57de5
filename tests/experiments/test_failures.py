"""A run that raises is recorded with its error and seed; the others complete; the command line exits 1."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from click.testing import CliRunner

from resilience.cli import _progress, main
from resilience.config import dump_scenario
from resilience.experiments import (
    EnsembleFailures,
    RunStore,
    RunTask,
    execute_task,
    open_executor,
    plan_runs,
    read_timeseries,
    run_ensemble,
    stream_ensemble,
)
from resilience.experiments import runner as runner_module
from tests.experiments.helpers import FAILING, crashing_run, failing_run, small_scenario

REPLICATIONS = 3


def test_execute_task_returns_the_error_instead_of_raising():
    scenario = small_scenario()
    task = RunTask(*FAILING, seed=42)
    result = execute_task(scenario, task, None, failing_run)
    assert not result.ok and result.frame is None and result.task == task
    assert result.error == "ValueError: replication 1 of other refused on purpose"
    assert result.traceback is not None and "failing_run" in result.traceback


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_run_is_recorded_and_the_others_complete(tmp_path, workers):
    scenario = small_scenario()
    tasks = plan_runs(scenario, replications=REPLICATIONS)
    store = RunStore(tmp_path, ["baseline", "other", "no_shock"])
    calls: list[tuple[str, int, bool]] = []
    with open_executor("process", workers=workers) as executor:
        outcome = stream_ensemble(
            scenario,
            tasks,
            executor=executor,
            sink=store,
            run=failing_run,
            on_done=lambda task, ok: calls.append((task.strategy, task.replication, ok)),
        )
    store.finalize()
    assert outcome.done == len(tasks) - 1 and outcome.failed == 1 and outcome.total == len(tasks)
    [failure] = outcome.failures
    expected_seed = next(t.seed for t in tasks if (t.strategy, t.replication) == FAILING)
    assert (failure.strategy, failure.replication, failure.seed) == (*FAILING, expected_seed)
    assert failure.error == "ValueError: replication 1 of other refused on purpose"
    assert "failing_run" in failure.traceback
    assert sorted(calls) == sorted((t.strategy, t.replication, (t.strategy, t.replication) != FAILING) for t in tasks)
    # The failure is on disk with its seed; the other runs are in the time series.
    failures = pd.read_csv(tmp_path / "failures.csv")
    assert failures[["strategy", "replication", "seed"]].values.tolist() == [[*FAILING, expected_seed]]
    assert "refused on purpose" in failures["error"][0] and "Traceback" in failures["traceback"][0]
    frame = read_timeseries(tmp_path / "timeseries.parquet")
    runs = set(zip(frame["strategy"], frame["replication"], strict=True))
    assert runs == {(t.strategy, t.replication) for t in tasks} - {FAILING}


def test_a_worker_that_dies_fails_its_runs_but_not_the_ensemble():
    scenario = small_scenario()
    tasks = [RunTask("baseline", r, seed=r) for r in range(4)]
    with open_executor("process", workers=2) as executor:
        outcome = stream_ensemble(scenario, tasks, executor=executor, run=crashing_run)
    assert outcome.total == 4
    assert outcome.failed >= 1
    assert any(f.replication == 1 and "BrokenProcessPool" in f.error for f in outcome.failures)


def test_in_memory_ensemble_raises_with_every_failure():
    scenario = small_scenario()
    with pytest.raises(EnsembleFailures) as caught:
        run_ensemble(scenario, plan_runs(scenario, replications=2), run=failing_run)
    assert [(f.strategy, f.replication) for f in caught.value.failures] == [FAILING]
    assert caught.value.total == 6 and str(caught.value) == "1 of 6 runs failed"


def test_cli_reports_failed_runs_and_exits_1(tmp_path, monkeypatch):
    # Inline (--executor sequential), so that the replacement reaches the runs.
    monkeypatch.setattr(runner_module, "run_replication", failing_run)
    scenario_file = tmp_path / "small.yaml"
    scenario_file.write_text(dump_scenario(small_scenario()), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["run", str(scenario_file), "--out", str(out), "--replications", str(REPLICATIONS), "--executor", "sequential"],
    )
    assert result.exit_code == 1, result.output
    seed = next(t.seed for t in plan_runs(small_scenario(), replications=REPLICATIONS) if t.replication == 1)
    lines = result.stderr.strip().splitlines()
    assert f"other 1 {seed}: ValueError: replication 1 of other refused on purpose" in lines
    assert any("1 of 9 runs failed" in line and str(out / "failures.csv") in line for line in lines), lines
    assert "Traceback" not in result.stderr
    # Not a terminal: no progress bar.
    assert "run/s" not in result.stderr and "%|" not in result.stderr
    # Everything else is written.
    for name in ("timeseries.parquet", "summary.csv", "scenario.resolved.yaml", "report.html", "failures.csv"):
        assert (out / name).exists(), name
    assert len(read_timeseries(out / "timeseries.parquet").groupby(["strategy", "replication"])) == 8


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_runs_rate_and_time_left_on_a_terminal():
    terminal = _Terminal()
    bar = _progress(4, file=terminal)
    for _ in range(4):
        bar.update(1)
    bar.close()
    shown = terminal.getvalue()
    assert "4/4" in shown and "run/s" in shown and "<" in shown  # done/total, rate, elapsed<left


def test_progress_bar_is_silent_when_not_on_a_terminal():
    quiet = io.StringIO()
    bar = _progress(4, file=quiet)
    bar.update(4)
    bar.close()
    assert quiet.getvalue() == ""
