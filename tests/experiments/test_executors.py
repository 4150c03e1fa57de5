"""One runner, any executor: identical results inline, in a fresh interpreter, on local processes and on Dask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, wait
from pathlib import Path

import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.config import dump_scenario
from resilience.experiments import (
    RunTask,
    SequentialExecutor,
    executor_capacity,
    open_executor,
    plan_runs,
    run_ensemble,
    stream_ensemble,
)
from resilience.workflow import run_scenario
from tests.conftest import TRAENA
from tests.experiments.helpers import pid_run, small_scenario, tiny_run

REPLICATIONS = 3


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results of the small scenario run one by one in this process."""
    return run_scenario(
        small_scenario(), tmp_path_factory.mktemp("reference") / "out", replications=REPLICATIONS, executor="sequential"
    )


def same_results(a: Path, b: Path) -> None:
    for name in ("timeseries.parquet", "summary.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# --- the executors themselves -------------------------------------------------------------------------------


def test_sequential_executor_runs_inline_and_keeps_errors_on_the_future():
    executor = SequentialExecutor()
    done = executor.submit(divmod, 7, 2)
    failed = executor.submit(divmod, 7, 0)
    assert done.done() and failed.done()
    assert done.result() == (3, 1)
    assert isinstance(failed.exception(), ZeroDivisionError)
    finished, pending = wait([done, failed])
    assert finished == {done, failed} and not pending
    executor.shutdown()
    with pytest.raises(RuntimeError, match="shutdown"):
        executor.submit(divmod, 1, 1)


def test_capacity_of_each_executor():
    assert executor_capacity(SequentialExecutor()) == 1
    pool = ProcessPoolExecutor(max_workers=3)  # no process starts before the first submit
    try:
        assert executor_capacity(pool) == 3
    finally:
        pool.shutdown()


def test_open_executor_kinds():
    with open_executor("sequential") as executor:
        assert isinstance(executor, SequentialExecutor)
    with open_executor("process", workers=1) as executor:
        assert isinstance(executor, SequentialExecutor)  # one worker: no process to start
    with open_executor("process", workers=2) as executor:
        assert isinstance(executor, ProcessPoolExecutor)
        assert executor.submit(pow, 3, 4).result() == 81
    with pytest.raises(ValueError, match="dask"), open_executor("process", scheduler="tcp://127.0.0.1:1"):
        pass
    with pytest.raises(ValueError, match="unknown executor"), open_executor("threads"):  # type: ignore[arg-type]
        pass


def test_dask_missing_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(ImportError, match=r"resilience\[dask\]"), open_executor("dask"):
        pass


def test_bounded_submission_keeps_few_runs_in_flight():
    """Never more than max_pending runs submitted and unfinished, and tasks are drawn only as runs finish."""
    scenario = small_scenario()
    pulled = 0

    def tasks() -> Iterator[RunTask]:
        nonlocal pulled
        for task in plan_runs(scenario, replications=100):
            pulled += 1
            yield task

    finished = 0
    most_ahead = 0

    def on_done(_task: RunTask, ok: bool) -> None:
        nonlocal finished, most_ahead
        finished += 1
        most_ahead = max(most_ahead, pulled - finished)

    with ThreadPoolExecutor(max_workers=2) as executor:
        outcome = stream_ensemble(scenario, tasks(), executor=executor, run=tiny_run, on_done=on_done, max_pending=5)
    assert outcome.done == 300 and outcome.failed == 0 and pulled == 300
    assert 1 <= most_ahead <= 5
    # By default: twice the workers, plus 2.
    assert executor_capacity(ThreadPoolExecutor(max_workers=3)) == 3


# --- identical results whatever the executor and the number of workers ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "workers"),
    [("process", 1), ("process", 2), ("dask", 1), ("dask", 2)],
    ids=["process-1", "process-2", "dask-1", "dask-2"],
)
def test_identical_results_whatever_the_executor(tmp_path, reference, kind, workers):
    if kind == "dask":
        pytest.importorskip("distributed")
    out = run_scenario(small_scenario(), tmp_path / "out", replications=REPLICATIONS, executor=kind, workers=workers)
    same_results(reference, out)
    assert not (out / "runs").exists() and not (out / "failures.csv").exists()


@pytest.mark.parametrize(
    ("hash_seed", "executor"),
    [("0", ["--executor", "sequential"]), ("4242", ["--executor", "process", "--workers", "2"])],
    ids=["hashseed-0-sequential", "hashseed-4242-process-2"],
)
def test_identical_results_in_a_fresh_interpreter(tmp_path, reference, hash_seed, executor):
    """`resilience run` in a new Python process gives this process's bytes, whatever ``PYTHONHASHSEED`` is.

    The hash seed changes the order of sets and of hashes of strings; a result that depended on either (a seed
    derived from ``hash(name)``, iteration over a set of codes) would differ between the two runs here.
    """
    scenario_file = tmp_path / "small.yaml"
    scenario_file.write_text(dump_scenario(small_scenario()), encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "resilience", "run", str(scenario_file), "--out", str(out)]
    completed = subprocess.run(
        [*command, "--replications", str(REPLICATIONS), *executor],
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    same_results(reference, out)


def test_in_memory_ensemble_is_the_same_on_processes():
    scenario = small_scenario()
    tasks = plan_runs(scenario, replications=2)
    inline = run_ensemble(scenario, tasks)
    with open_executor("process", workers=2) as executor:
        on_processes = run_ensemble(scenario, tasks, executor=executor)
    assert inline.equals(on_processes)
    assert list(dict.fromkeys(inline["strategy"])) == ["baseline", "other", "no_shock"]


# --- a real Dask scheduler and workers on loopback, reached through the command line -------------------------


@pytest.fixture(scope="module")
def dask_scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `dask scheduler` and two single-threaded `dask worker` processes on 127.0.0.1; yields the address."""
    distributed = pytest.importorskip("distributed")
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1", "--scheduler-file", str(scheduler_file)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--port", "0", "--idle-timeout", "300s", *common],
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "scheduler.log", "wb"),  # noqa: SIM115 (closed with the process)
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        assert address.startswith("tcp://127.0.0.1:"), address
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    "--nworkers",
                    "2",
                    "--nthreads",
                    "1",
                    "--death-timeout",
                    "60s",
                    *common,
                ],
                stdout=subprocess.DEVNULL,
                stderr=open(folder / "worker.log", "wb"),  # noqa: SIM115 (closed with the process)
            )
        )
        with distributed.Client(address) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
        with distributed.Client(address) as client:
            client.shutdown()  # the scheduler and its workers stop at once
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_cli_runs_on_an_existing_dask_cluster(tmp_path, reference, dask_scheduler):
    scenario_file = tmp_path / "small.yaml"
    scenario_file.write_text(dump_scenario(small_scenario()), encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(scenario_file), "--out", str(out), "--replications", str(REPLICATIONS)]
    result = CliRunner().invoke(main, [*args, "--scheduler", dask_scheduler], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    same_results(reference, out)
    assert (out / "report.html").exists()
    assert "run/s" not in result.stderr  # not a terminal: no progress bar


def test_the_runs_execute_on_the_cluster_workers(dask_scheduler):
    distributed = pytest.importorskip("distributed")
    scenario = small_scenario()
    with open_executor("dask", scheduler=dask_scheduler) as executor:
        assert executor_capacity(executor) == 2
        outcome = stream_ensemble(scenario, plan_runs(scenario, replications=4), executor=executor, run=pid_run)
    assert outcome.done == 12 and outcome.failed == 0 and outcome.frame is not None
    with distributed.Client(dask_scheduler) as client:
        worker_pids = set(client.run(os.getpid).values())
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    assert set(outcome.frame["pid"]) <= worker_pids


def test_scheduler_with_another_executor_is_bad_input(tmp_path):
    args = ["run", str(TRAENA), "--out", str(tmp_path / "x")]
    result = CliRunner().invoke(main, [*args, "--executor", "process", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "--scheduler" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()
