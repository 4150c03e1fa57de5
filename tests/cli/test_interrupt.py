"""Ctrl-C and kill -9 on `resilience run` in real processes: the finished runs stay, --resume completes them.

These start the command line in a process group of its own, wait until some runs are on disk, then send the
signal the way a terminal does (to every process of the group: the command and its workers). They poll with
generous time limits and never assume how fast the machine is.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.config import dump_scenario
from resilience.experiments import MANIFEST, RUNS, EnsembleManifest
from resilience.experiments import runner as runner_module
from resilience.workflow import load_checked, run_scenario
from tests.experiments.helpers import small_scenario

#: Enough runs (3 strategies × 16) that the command is still busy when the signal comes, on any machine.
REPLICATIONS = 16
HORIZON = 2045
TOTAL = 3 * REPLICATIONS
#: The files that must be the same bytes as an uninterrupted run's.
COMPARED = ("timeseries.parquet", "summary.csv", "comparison.csv", "scenario.resolved.yaml", "report.html", MANIFEST)
#: How long any one step may take on a slow, shared machine before the test gives up.
PATIENCE = 600.0
MESSAGE = re.compile(
    rf"^interrupted(?: by SIG[A-Z]+)? after (\d+) of {TOTAL} runs; resume with: (resilience run .* --resume)$"
)


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(dump_scenario(small_scenario(horizon=HORIZON)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same ensemble, uninterrupted, in this process."""
    out = tmp_path_factory.mktemp("reference") / "out"
    return run_scenario(load_checked(scenario_file), out, replications=REPLICATIONS, executor="process", workers=2)


def run_files(out: Path) -> list[str]:
    runs = out / RUNS
    if not runs.is_dir():
        return []
    return sorted(n for n in os.listdir(runs) if n.endswith(".parquet") and not n.startswith("."))


def start(scenario_file: Path, out: Path, *options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "resilience", "run", str(scenario_file), "--out", str(out)]
    return subprocess.Popen(
        [*command, "--replications", str(REPLICATIONS), *options],
        cwd=out.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a command started from a terminal
    )


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the command ended (exit {process.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def live_members(group: int) -> list[psutil.Process]:
    """The processes of a process group that are still running (zombies have finished)."""
    found = []
    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) == group and process.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (ProcessLookupError, psutil.Error):
            continue
    return found


def interrupt(process: subprocess.Popen[str], out: Path, how: signal.Signals, *, group: bool = True) -> str:
    """Wait until at least two runs are on disk, send ``how``, and return the command's stderr."""
    wait_for(lambda: len(run_files(out)) >= 2, "two runs were on disk", process)
    if group:
        os.killpg(process.pid, how)
    else:
        os.kill(process.pid, how)
    try:
        _, err = process.communicate(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    # Every process the command started has stopped too (none waits for work that never comes).
    wait_for(lambda: not live_members(process.pid), "every process of the command had stopped")
    return err


def resume(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    words = shlex.split(command)
    assert words[0] == "resilience"
    return subprocess.run(
        [sys.executable, "-m", "resilience", *words[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )


def assert_same_results(reference: Path, out: Path) -> None:
    for name in COMPARED:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert not (out / RUNS).exists()


#: How each signal reaches the command: (signal, executor, to every process of its group or to it alone).
STOPS = [
    pytest.param(signal.SIGINT, "process", True, id="ctrl-c-process"),
    pytest.param(signal.SIGINT, "dask", True, id="ctrl-c-dask"),
    pytest.param(signal.SIGTERM, "process", True, id="sigterm-group-process"),
    pytest.param(signal.SIGTERM, "dask", False, id="sigterm-parent-dask"),
    pytest.param(signal.SIGHUP, "process", True, id="sighup-group-process"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("how", "executor", "group"), STOPS)
def test_a_stop_keeps_the_runs_says_how_to_resume_and_resume_gives_the_same_bytes(
    tmp_path, scenario_file, reference, how, executor, group
):
    """Ctrl-C, SIGTERM and SIGHUP alike: one line, the resume command, exit 128 + the signal; the workers
    stop, no Python warning (a leaked semaphore, a dead resource tracker) reaches the user."""
    if executor == "dask":
        pytest.importorskip("distributed")
    out = tmp_path / "out"
    process = start(scenario_file, out, "--horizon", str(HORIZON), "--executor", executor, "--workers", "2")
    err = interrupt(process, out, how, group=group)
    assert process.returncode == 128 + how, err
    assert "Traceback" not in err and "Warning" not in err and "leak" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    match = MESSAGE.match(lines[0])
    assert match, lines[0]
    by = "" if how == signal.SIGINT else f" by {how.name}"
    assert lines[0].startswith(f"interrupted{by} after ")
    done = int(match[1])
    assert 2 <= done < TOTAL
    assert len(run_files(out)) == done  # every finished run kept, and nothing else counted
    manifest = EnsembleManifest.read(out)
    assert manifest is not None and not manifest.complete

    finished = resume(match[2], tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert "Traceback" not in finished.stderr
    assert_same_results(reference, out)


@pytest.mark.slow
@pytest.mark.parametrize("group", [True, False], ids=["all-processes", "parent-only"])
def test_kill_9_keeps_the_runs_and_resume_gives_the_same_bytes(tmp_path, scenario_file, reference, group):
    out = tmp_path / "out"
    process = start(scenario_file, out, "--horizon", str(HORIZON), "--workers", "2")
    err = interrupt(process, out, signal.SIGKILL, group=group)
    assert process.returncode == -signal.SIGKILL
    assert "Traceback" not in err
    kept = len(run_files(out))
    assert kept >= 2

    # Without --resume the directory is refused, and the message says what to do.
    command = ["run", str(scenario_file), "--out", str(out), "--replications", str(REPLICATIONS)]
    result = CliRunner().invoke(main, [*command, "--horizon", str(HORIZON)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {out} holds an interrupted ensemble ({kept} of {TOTAL} runs finished); "
        "use --resume to complete it, or --force to replace it"
    )
    finished = resume(shlex.join(["resilience", *command, "--horizon", str(HORIZON), "--resume"]), tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert_same_results(reference, out)


# --- in this process: the message, the command it names, and the refusals -----------------------------------


def _interrupting_run(after: int) -> Callable[..., object]:
    calls = 0
    model_run = runner_module.run_replication

    def run(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls > after:
            raise KeyboardInterrupt
        return model_run(*args, **kwargs)  # type: ignore[arg-type]

    return run


def test_the_printed_command_resumes_the_ensemble(tmp_path, monkeypatch):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(dump_scenario(small_scenario()), encoding="utf-8")
    out = tmp_path / "out"
    # Inline (--executor sequential), so that the interruption reaches the runs.
    monkeypatch.setattr(runner_module, "run_replication", _interrupting_run(after=3))
    args = ["run", str(scenario), "--out", str(out), "--replications", "3", "--seed", "4", "--strategy", "other"]
    result = CliRunner().invoke(main, [*args, "--executor", "sequential"])
    assert result.exit_code == 130
    given = ["--replications", "3", "--seed", "4", "--executor", "sequential", "--strategy", "other"]
    expected = shlex.join(["resilience", "run", str(scenario), "--out", str(out), *given, "--resume"])
    assert result.stderr == f"interrupted after 3 of 9 runs; resume with: {expected}\n"
    monkeypatch.undo()
    result = CliRunner().invoke(main, shlex.split(expected)[1:])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").exists() and not (out / RUNS).exists()


def test_force_and_resume_together_are_refused(tmp_path):
    result = CliRunner().invoke(main, ["run", "scenarios/x.yaml", "--out", str(tmp_path), "--force", "--resume"])
    assert result.exit_code == 2
    assert "--force" in result.stderr and "--resume" in result.stderr and "Traceback" not in result.stderr


def test_resume_with_nothing_to_resume_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "--resume"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: results/demo does not exist: there is nothing to resume (run without --resume)"
    )
