"""Every error a user can meet on the command line is one escaped sentence: never a traceback, an errno or an
exception's repr; exit 2 for bad input and 1 for anything else.

Each case runs the real command in a process of its own, in its own temporary directory, and triggers one error
path: missing, unreadable and special files, bad and occupied directories, damaged results, a bad or dead Dask
scheduler, a busy port, files that would be overwritten.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.config import dump_scenario
from resilience.experiments import MANIFEST, RUNS, SUMMARY, TIMESERIES, EnsembleManifest
from tests.conftest import TRAENA
from tests.experiments.helpers import small_scenario

#: A control character printed raw (a tab is allowed in no error either).
RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: What an errno or an exception's repr looks like.
NOT_A_SENTENCE = re.compile(r"\[Errno \d+\]|^error: \d+$|Error\(|<class |Traceback")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small complete results directory, copied by the cases that damage one."""
    base = tmp_path_factory.mktemp("results")
    scenario = base / "small.yaml"
    scenario.write_text(dump_scenario(small_scenario()), encoding="utf-8")
    out = base / "out"
    args = ["run", str(scenario), "--out", str(out), "--replications", "1", "--executor", "sequential"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    return out


@dataclass(frozen=True)
class Case:
    """One error path: how to set it up in a directory, the command's arguments, the exit code, words it says."""

    name: str
    setup: Callable[[Path, Path], list[str]]
    code: int
    says: str
    env: tuple[tuple[str, str], ...] = ()
    #: A path (relative to the case's directory) that must not exist afterwards: nothing written on refusal.
    untouched: str | None = None


def small(where: Path) -> str:
    path = where / "small.yaml"
    path.write_text(dump_scenario(small_scenario()), encoding="utf-8")
    return str(path)


def copied(results: Path, where: Path) -> Path:
    out = where / "out"
    shutil.copytree(results, out)
    return out


def interrupted(results: Path, where: Path) -> Path:
    out = copied(results, where)
    manifest = EnsembleManifest.read(out)
    assert manifest is not None
    for name in (TIMESERIES, SUMMARY):
        (out / name).unlink()
    (out / RUNS).mkdir()
    from dataclasses import replace

    replace(manifest, complete=False, timeseries_sha256="").write(out)
    return out


def busy_port() -> tuple[socket.socket, int]:
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind(("127.0.0.1", 0))
    held.listen(1)
    return held, held.getsockname()[1]


def closed_port() -> int:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()  # nothing listens there now
    return port


QUICK = ["--replications", "1", "--executor", "sequential"]

CASES = [
    # Scenario files.
    Case("scenario-missing", lambda w, r: ["validate", str(w / "missing.yaml")], 2, "cannot read the file"),
    Case("scenario-a-directory", lambda w, r: ["validate", str(w)], 2, "is a directory, not a file"),
    Case("scenario-a-fifo", lambda w, r: (os.mkfifo(w / "s.yaml"), ["validate", str(w / "s.yaml")])[1], 2, "FIFO"),
    Case("scenario-a-device", lambda w, r: ["validate", "/dev/zero"], 2, "character device"),
    # The results directory of run.
    Case(
        "out-is-a-file",
        lambda w, r: ((w / "f").write_text("x"), ["run", small(w), "--out", str(w / "f"), *QUICK])[1],
        2,
        "exists and is not a directory",
    ),
    Case(
        "out-under-a-file",
        lambda w, r: ((w / "f").write_text("x"), ["run", small(w), "--out", str(w / "f" / "sub"), *QUICK])[1],
        2,
        "not a directory",
    ),
    Case(
        "out-a-symlink",
        lambda w, r: ((w / "l").symlink_to(w), ["run", small(w), "--out", str(w / "l"), *QUICK, "--force"])[1],
        2,
        "is a symbolic link",
    ),
    Case(
        "out-occupied",
        lambda w, r: ((w / "o").mkdir(), (w / "o" / "x").write_text("x"), ["run", small(w), "--out", str(w / "o")])[2],
        2,
        "is not empty and is not a results directory",
    ),
    Case("force-and-resume", lambda w, r: ["run", small(w), "--out", str(w / "o"), "--force", "--resume"], 2, "--"),
    Case(
        "resume-nothing",
        lambda w, r: ["run", small(w), "--out", str(w / "o"), "--resume"],
        2,
        "nothing to resume",
        untouched="o",
    ),
    Case(
        "unknown-strategy",
        lambda w, r: ["run", small(w), "--out", str(w / "o"), "--strategy", "nope"],
        2,
        "unknown strategy",
        untouched="o",
    ),
    Case(
        "horizon-before-base-year",
        lambda w, r: ["run", small(w), "--out", str(w / "o"), "--horizon", "2000"],
        2,
        "is not after the base year",
        untouched="o",
    ),
    Case("workers-zero", lambda w, r: ["run", small(w), "--workers", "0"], 2, "--workers"),
    Case("unknown-option", lambda w, r: ["run", small(w), "--bogus"], 2, "No such option"),
    Case(
        "scheduler-garbage",
        lambda w, r: ["run", small(w), "--out", str(w / "o"), "--scheduler", "not an address"],
        2,
        "is not a Dask scheduler address",
        untouched="o",
    ),
    Case(
        "scheduler-dead",
        lambda w, r: ["run", small(w), "--out", str(w / "o"), "--scheduler", f"tcp://127.0.0.1:{closed_port()}"],
        2,
        "no Dask scheduler answers at tcp://127.0.0.1:",
        env=(("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "3s"),),
        untouched="o",
    ),
    # Results given to report.
    Case("report-missing", lambda w, r: ["report", str(w / "nothing")], 2, "does not exist"),
    Case("report-a-file", lambda w, r: ((w / "f").write_text("x"), ["report", str(w / "f")])[1], 2, "is a file"),
    Case("report-empty", lambda w, r: ["report", str(w)], 2, "holds no results of resilience"),
    Case("report-interrupted", lambda w, r: ["report", str(interrupted(r, w))], 2, "holds an interrupted ensemble"),
    Case(
        "report-truncated-timeseries",
        lambda w, r: (
            (copied(r, w) / TIMESERIES).write_bytes((r / TIMESERIES).read_bytes()[:300]),
            ["report", str(w / "out")],
        )[1],
        2,
        "timeseries.parquet is damaged",
    ),
    Case(
        "report-garbage-summary",
        lambda w, r: ((copied(r, w) / SUMMARY).write_bytes(b"\x00\xff\xfe garbage"), ["report", str(w / "out")])[1],
        2,
        "summary.csv cannot be read",
    ),
    Case(
        "report-unreadable-manifest",
        lambda w, r: ((copied(r, w) / MANIFEST).write_text("{not json"), ["report", str(w / "out")])[1],
        2,
        "ensemble.json cannot be read",
    ),
    # Files that are never overwritten.
    Case(
        "init-out-exists",
        lambda w, r: ((w / "s.yaml").write_text("x"), ["init", "--kommune", "1835", "--out", str(w / "s.yaml")])[1],
        2,
        "exists",
    ),
    Case(
        "profile-out-exists",
        lambda w, r: ((w / "p.prof").write_text("x"), ["profile", str(TRAENA), "--out", str(w / "p.prof")])[1],
        2,
        "never overwrites",
    ),
    Case(
        "fetch-out-exists",
        lambda w, r: ((w / "t.csv").write_text("x"), ["ssb", "fetch", "07459", "--out", str(w / "t.csv")])[1],
        2,
        "never overwrites",
    ),
    # Other bad input.
    Case("init-unknown-kommune", lambda w, r: ["init", "--kommune", "9999"], 2, "9999"),
    Case("levers-unknown", lambda w, r: ["levers", "nope"], 2, "nope"),
    Case(
        "calibrate-bad-history",
        lambda w, r: ["calibrate", str(TRAENA), "--history", "x-y", "--out", str(w / "o")],
        2,
        "x-y",
        untouched="o",
    ),
    Case("hindcast-without-actual", lambda w, r: ["hindcast", small(w), "--out", str(w / "o")], 2, "actual"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_error_is_one_escaped_sentence(case: Case, tmp_path: Path, results: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    args = case.setup(work, results)
    done = subprocess.run(
        [sys.executable, "-m", "resilience", *args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **dict(case.env)},
    )
    assert done.returncode == case.code, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    [line] = lines
    assert case.says in line, line
    assert not NOT_A_SENTENCE.search(line), line
    assert not RAW_CONTROL.search(line), line
    assert done.stdout == "", done.stdout
    if case.untouched is not None:
        assert not (work / case.untouched).exists(), f"{case.untouched} was created before the refusal"


def test_a_busy_port_for_the_explorer(tmp_path: Path) -> None:
    pytest.importorskip("solara")
    from resilience.explore import assets_dir, missing_assets

    if missing_assets(assets_dir()):
        pytest.skip("Solara's browser assets are not cached (`resilience explore --fetch-assets`)")
    held, port = busy_port()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "resilience", "explore", str(TRAENA), "--no-browser", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        held.close()
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert f"port {port}" in line and "--port" in line and not NOT_A_SENTENCE.search(line)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file: an unreadable file cannot be made")
def test_an_unreadable_scenario(tmp_path: Path) -> None:
    path = Path(small(tmp_path))
    path.chmod(0)
    done = subprocess.run(
        [sys.executable, "-m", "resilience", "validate", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "cannot read the file: Permission denied" in line
