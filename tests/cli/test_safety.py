"""Nothing a user owns is ever destroyed, tried in real processes on real file systems, as a careless or hostile
user would: --force through a symlink and on a home-like directory, two writers at once, --resume against a live
run, a truncated time series, a newline in --out, and a disk that fills up.

Every path a test writes, replaces or deletes is inside its own ``tmp_path``; the commands run with their working
directory there too.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from resilience.config import dump_scenario
from resilience.experiments import LOCK, MANIFEST, TIMESERIES
from tests.cli.test_interrupt import (
    HORIZON,
    PATIENCE,
    REPLICATIONS,
    assert_same_results,
    run_files,
    start,
    wait_for,
)
from tests.cli.test_interrupt import reference as reference
from tests.cli.test_interrupt import scenario_file as scenario_file
from tests.experiments.helpers import small_scenario
from tests.filesystem import snapshot


def command(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``resilience ARGS`` in a real process, in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "resilience", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
        env={**os.environ, **(env or {})},
    )


def one_line(stderr: str) -> str:
    """The one line a refusal prints, checked to be one, with no traceback."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home-like directory of someone's files."""
    home = tmp_path / "home"
    (home / ".config" / "app").mkdir(parents=True)
    (home / ".config" / "app" / "settings.ini").write_text("[app]\nkey = value\n", encoding="utf-8")
    (home / ".bashrc").write_text("export PS1='$ '\n", encoding="utf-8")
    (home / "thesis.tex").write_text("\\documentclass{article}", encoding="utf-8")
    return home


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A short scenario: a run of it takes a few seconds."""
    path = tmp_path / "small.yaml"
    path.write_text(dump_scenario(small_scenario()), encoding="utf-8")
    return path


QUICK = ("--replications", "1", "--executor", "sequential")


# --- --force -----------------------------------------------------------------------------------------------------


def test_force_through_a_symlink_deletes_nothing(tmp_path, home, small):
    link = tmp_path / "link"
    link.symlink_to(home, target_is_directory=True)
    before = snapshot(home)
    done = command("run", str(small), "--out", str(link), "--force", *QUICK, cwd=tmp_path)
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        f"error: {link} is a symbolic link (to {home}); resilience writes results only into a real directory, "
        "never through a link: give --out the directory itself, or a new one"
    )
    assert snapshot(home) == before and link.is_symlink()


def test_force_on_a_home_like_directory_deletes_nothing_and_names_a_foreign_file(tmp_path, home, small):
    before = snapshot(home)
    forced = command("run", str(small), "--out", str(home), "--force", *QUICK, cwd=tmp_path)
    assert forced.returncode == 2
    assert one_line(forced.stderr) == (
        f"error: refusing --force: {home} is not a results directory of resilience (it holds .bashrc, which "
        f"resilience did not write, and no {MANIFEST}); --force replaces only results this tool wrote and deletes "
        "nothing else: give --out a new or empty directory"
    )
    plain = command("run", str(small), "--out", str(home), *QUICK, cwd=tmp_path)
    assert plain.returncode == 2
    assert one_line(plain.stderr) == (
        f"error: {home} is not empty and is not a results directory (it holds .bashrc, .config/, thesis.tex): "
        "give --out a new or empty directory"
    )
    assert snapshot(home) == before


def test_force_replaces_a_real_results_directory(tmp_path, small):
    out = tmp_path / "out"
    first = command("run", str(small), "--out", str(out), *QUICK, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    refused = command("run", str(small), "--out", str(out), *QUICK, cwd=tmp_path)
    assert refused.returncode == 2
    assert "already holds the results of" in one_line(refused.stderr) and "use --force" in refused.stderr
    (out / "report.html").write_text("an old report", encoding="utf-8")
    replaced = command("run", str(small), "--out", str(out), "--force", *QUICK, cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    assert (out / "report.html").read_text(encoding="utf-8") != "an old report"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["comparison.csv", MANIFEST, "report.html", "scenario.resolved.yaml", "summary.csv", TIMESERIES]
    )


# --- one writer per results directory ------------------------------------------------------------------------


def test_a_second_writer_and_a_resume_against_a_live_run_are_refused(tmp_path, scenario_file, reference):
    out = tmp_path / "out"
    live = start(scenario_file, out, "--horizon", str(HORIZON), "--workers", "2")
    try:
        wait_for(lambda: len(run_files(out)) >= 2, "two runs were on disk", live)
        # Paused (its workers too), so that it is still writing, however fast this machine, while the others try.
        os.killpg(live.pid, signal.SIGSTOP)
        args = ["run", str(scenario_file), "--out", str(out), "--replications", str(REPLICATIONS)]
        for extra in ((), ("--resume",), ("--force",)):
            second = command(*args, "--horizon", str(HORIZON), *extra, cwd=tmp_path)
            assert second.returncode == 2, second.stderr
            line = one_line(second.stderr)
            assert line.startswith(f"error: {out} is being written by process {live.pid} (resilience run "), line
            assert line.endswith("; wait for it to finish, or stop it, then try again")
        report = command("report", str(out), cwd=tmp_path)
        assert report.returncode == 2 and "is being written by process" in one_line(report.stderr)
        os.killpg(live.pid, signal.SIGCONT)
        _, err = live.communicate(timeout=PATIENCE)
    finally:
        if live.poll() is None:
            live.kill()
    assert live.returncode == 0, err  # the live run was not disturbed
    assert_same_results(reference, out)
    assert not (out / LOCK).exists()


def test_two_writers_started_together_give_one_result(tmp_path, scenario_file, reference):
    out = tmp_path / "out"
    both = [start(scenario_file, out, "--horizon", str(HORIZON), "--workers", "1") for _ in range(2)]
    try:
        outcomes = [process.communicate(timeout=PATIENCE) for process in both]
    finally:
        for process in both:
            if process.poll() is None:
                process.kill()
    codes = sorted(process.returncode for process in both)
    assert codes == [0, 2], outcomes
    loser = next(err for process, (_, err) in zip(both, outcomes, strict=True) if process.returncode == 2)
    line = one_line(loser)
    # The loser found the directory being written, or (had the winner already finished) complete.
    assert "is being written by process" in line or "already holds the results of" in line, line
    assert_same_results(reference, out)


# --- a damaged time series -------------------------------------------------------------------------------------


def test_a_truncated_time_series(tmp_path, small):
    out = tmp_path / "out"
    assert command("run", str(small), "--out", str(out), *QUICK, cwd=tmp_path).returncode == 0
    whole = (out / TIMESERIES).read_bytes()
    (out / TIMESERIES).write_bytes(whole[: len(whole) // 3])
    damage = "its checksum differs from the one recorded when it was written: cut short or changed"
    report = command("report", str(out), cwd=tmp_path)
    assert report.returncode == 2
    assert one_line(report.stderr) == (
        f"error: {out / TIMESERIES} is damaged ({damage}): its run files are gone, so run the ensemble again "
        "with --force"
    )
    resumed = command("run", str(small), "--out", str(out), *QUICK, "--resume", cwd=tmp_path)
    assert resumed.returncode == 2
    assert one_line(resumed.stderr) == (
        f"error: {out / TIMESERIES} is damaged ({damage}) and the run files it was made from are gone: run the "
        "ensemble again with --force"
    )
    forced = command("run", str(small), "--out", str(out), *QUICK, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (out / TIMESERIES).read_bytes() == whole
    assert command("report", str(out), cwd=tmp_path).returncode == 0


# --- control characters in what is printed --------------------------------------------------------------------


def test_a_newline_in_out_cannot_forge_a_line(tmp_path, small):
    out = tmp_path / "a\nerror: forged\x1b[2J"
    done = command("run", str(small), "--out", str(out), *QUICK, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shown = str(out).replace("\n", "\\n").replace("\x1b", "\\x1b")
    assert done.stdout == f"Results in {shown}/ — open {shown}/report.html\n"
    report = command("report", str(out), cwd=tmp_path)
    assert report.stdout == f"Report in {shown}/report.html\n"
    named = tmp_path / "x\nvalid.yaml"
    shutil.copy(small, named)
    checked = command("validate", str(named), cwd=tmp_path)
    assert checked.returncode == 0
    assert checked.stdout.splitlines()[0].startswith(str(named).replace("\n", "\\n") + ": valid (")


# --- a disk that fills up --------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    """A tmpfs of 400 kB mounted in ``tmp_path`` (root and a kernel that allows it); skipped where not."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


@pytest.mark.slow
def test_a_full_disk_keeps_the_runs_and_resume_completes_them(tmp_path, small_disk, scenario_file, reference):
    out = small_disk / "out"
    args = ["run", str(scenario_file), "--out", str(out), "--replications", str(REPLICATIONS)]
    full = command(*args, "--horizon", str(HORIZON), "--workers", "2", cwd=tmp_path)
    assert full.returncode == 1, full.stderr
    line = one_line(full.stderr)
    assert line.startswith("error: cannot write ") and ": no space left on device; " in line, line
    assert line.endswith(f" --horizon {HORIZON} --workers 2 --resume"), line
    assert ": free some space, then resume with: resilience run " in line
    kept = len(run_files(out))
    assert kept >= 1 and f"; {kept} of " in line
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    resumed = command(*args, "--horizon", str(HORIZON), "--workers", "2", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_results(reference, out)


# --- the lock of a process killed outright ----------------------------------------------------------------------


def killed_after_two_runs(scenario_file: Path, out: Path) -> int:
    """Start the ensemble into ``out``, kill -9 it (all its processes) once two runs are on disk; its pid."""
    killed = start(scenario_file, out, "--horizon", str(HORIZON), "--workers", "2")
    wait_for(lambda: len(run_files(out)) >= 2, "two runs were on disk", killed)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=PATIENCE)
    return killed.pid


def resume_in(tmp_path: Path, scenario_file: Path, out: Path) -> subprocess.CompletedProcess[str]:
    args = ["run", str(scenario_file), "--out", str(out), "--replications", str(REPLICATIONS)]
    return command(*args, "--horizon", str(HORIZON), "--resume", cwd=tmp_path)


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path, scenario_file, reference):
    out = tmp_path / "out"
    pid = killed_after_two_runs(scenario_file, out)
    assert (out / LOCK).exists() and str(pid) in (out / LOCK).read_text(encoding="utf-8")
    resumed = resume_in(tmp_path, scenario_file, out)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_results(reference, out)


# --- a tampered run file -----------------------------------------------------------------------------------------


def test_a_tampered_run_file_is_run_again_and_the_resume_says_so(tmp_path, scenario_file, reference):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    killed_after_two_runs(scenario_file, out)
    # A run file rewritten with other values: a whole, readable Parquet file that is not what the run gave.
    name = run_files(out)[0]
    rows = pq.read_table(out / "runs" / name).to_pandas()
    rows["population"] += 1
    pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), out / "runs" / name)
    resumed = resume_in(tmp_path, scenario_file, out)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr.splitlines() == [
        f"note: {out / 'runs' / name} is run again: its checksum differs from the one recorded when it was "
        "written: cut short or changed"
    ]
    assert_same_results(reference, out)
