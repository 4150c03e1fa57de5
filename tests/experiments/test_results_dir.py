"""Nothing a user owns is destroyed: --force replaces only results, one writer per directory, resumes verify.

These work on real directories in ``tmp_path`` (symbolic links, a home-like directory, FIFOs), and a second
writer is a real second process holding the lock. Every path any test deletes is inside its ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from resilience import workflow
from resilience.experiments import (
    LEDGER,
    LOCK,
    MANIFEST,
    RUNS,
    TIMESERIES,
    EnsembleManifest,
    ResultsBusyError,
    ResultsDamagedError,
    ResultsExistError,
    ResultsPathError,
    ResumeError,
    RunFileError,
    RunStore,
    check_results_dir,
    hold_results_dir,
    plan_runs,
    prepare_results_dir,
    verify_results,
)
from resilience.experiments.layout import foreign_entries, is_owned
from resilience.workflow import run_scenario, write_report
from tests.experiments.helpers import small_scenario, tiny_run
from tests.filesystem import snapshot

REPLICATIONS = 2
STRATEGIES = ["baseline", "other", "no_shock"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete results directory, written once."""
    out = tmp_path_factory.mktemp("reference") / "out"
    return run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential")


def copy_results(reference: Path, target: Path) -> Path:
    target.mkdir()
    for path in reference.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def home_like(root: Path) -> Path:
    """A directory of someone's files: dotfiles, documents, a folder of their own."""
    home = root / "home"
    (home / "Documents").mkdir(parents=True)
    (home / ".bashrc").write_text("export PS1='$ '\n", encoding="utf-8")
    (home / "Documents" / "budget.ods").write_bytes(b"PK\x03\x04 the council's budget")
    (home / "notes.txt").write_text("mine", encoding="utf-8")
    return home


# --- --force only ever replaces results ----------------------------------------------------------------------


def test_force_through_a_symlink_is_refused_and_the_target_untouched(tmp_path, reference):
    home = home_like(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(home, target_is_directory=True)
    before = snapshot(home)
    for force in (False, True):
        with pytest.raises(ResultsPathError, match=r"is a symbolic link \(to .*home\).*never through a link"):
            run_scenario(small_scenario(), link, replications=1, executor="sequential", force=force)
    # Even a link to a results directory: results are never written or replaced through a link.
    results_link = tmp_path / "results-link"
    results_link.symlink_to(reference, target_is_directory=True)
    with pytest.raises(ResultsPathError):
        prepare_results_dir(results_link, force=True)
    assert snapshot(home) == before
    assert link.is_symlink()


def test_force_on_a_home_like_directory_is_refused_naming_the_first_foreign_file(tmp_path):
    home = home_like(tmp_path)
    before = snapshot(home)
    with pytest.raises(ResultsExistError) as refused:
        run_scenario(small_scenario(), home, replications=1, executor="sequential", force=True)
    message = str(refused.value)
    assert message == (
        f"refusing --force: {home} is not a results directory of resilience (it holds .bashrc, which resilience "
        f"did not write, and no {MANIFEST}); --force replaces only results this tool wrote and deletes nothing "
        "else: give --out a new or empty directory"
    )
    # Without --force: what is there, and no invitation to --force.
    with pytest.raises(ResultsExistError) as without:
        run_scenario(small_scenario(), home, replications=1, executor="sequential")
    assert str(without.value) == (
        f"{home} is not empty and is not a results directory (it holds .bashrc, Documents/, notes.txt): "
        "give --out a new or empty directory"
    )
    assert "--force" not in str(without.value)
    assert snapshot(home) == before  # not even a lock file was left behind


def test_force_replaces_a_results_directory_and_only_its_files(tmp_path, reference):
    out = copy_results(reference, tmp_path / "out")
    (out / RUNS).mkdir()
    (out / RUNS / "s000-r000003.parquet").write_bytes(b"an old run")
    (out / "figures").mkdir()
    (out / "figures" / "population.png").write_bytes(b"\x89PNG old")
    (out / ".summary.csv.k2x9a1.tmp").write_bytes(b"a write cut off")
    run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential", force=True)
    assert {p.name for p in out.iterdir()} == {p.name for p in reference.iterdir()}
    for name in (TIMESERIES, "summary.csv", "report.html"):
        assert (out / name).read_bytes() == (reference / name).read_bytes()


@pytest.mark.parametrize(
    ("place", "make", "named"),
    [
        ("top", lambda d: (d / "notes.txt").write_text("mine", encoding="utf-8"), "notes.txt"),
        ("runs", lambda d: (d / RUNS / "notes.txt").write_text("mine", encoding="utf-8"), f"{RUNS}/notes.txt"),
        ("link", lambda d: (d / "summary.csv").symlink_to("/etc/hostname"), "summary.csv (a symbolic link)"),
        ("folder", lambda d: (d / "data").mkdir(), "data/"),
        ("fifo", lambda d: os.mkfifo(d / "report.pdf"), "report.pdf (not a regular file)"),
        ("runs-link", lambda d: (d / RUNS / "s000-r000000.parquet").symlink_to("/etc/hostname"), "a symbolic link"),
    ],
)
def test_force_refuses_results_with_anything_foreign_beside_them(tmp_path, reference, place, make, named):
    out = copy_results(reference, tmp_path / "out")
    (out / RUNS).mkdir()
    if place in ("link", "fifo"):
        target = "summary.csv" if place == "link" else "report.pdf"
        (out / target).unlink(missing_ok=True)
    make(out)
    before = snapshot(out)
    with pytest.raises(ResultsExistError, match="refusing --force") as refused:
        prepare_results_dir(out, force=True)
    assert named in str(refused.value)
    assert snapshot(out) == before


def test_force_needs_the_manifest(tmp_path, reference):
    out = copy_results(reference, tmp_path / "out")
    (out / MANIFEST).unlink()
    with pytest.raises(ResultsExistError, match=f"no {MANIFEST}, so it is not known to be a results directory"):
        prepare_results_dir(out, force=True)
    assert (out / TIMESERIES).exists()


def test_the_refusal_without_force_says_what_is_there(tmp_path, reference):
    with pytest.raises(ResultsExistError) as complete:
        check_results_dir(reference, resumable=True)
    assert "already holds the results of" in str(complete.value) and "use --force" in str(complete.value)
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(ResultsPathError, match="exists and is not a directory"):
        check_results_dir(tmp_path / "a-file", force=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    check_results_dir(empty)  # an empty directory is taken
    check_results_dir(tmp_path / "new")  # and a new one


def test_ownership_is_judged_by_name_kind_and_folder(tmp_path):
    assert is_owned("timeseries.parquet") and is_owned(".timeseries.parquet.abc_12.tmp") and is_owned(LOCK)
    assert is_owned("hindcast.png") and is_owned(".hindcast.png.tmp")
    assert not is_owned("timeseries.parquet.bak") and not is_owned(".bashrc") and not is_owned(".notes.tmp")
    assert is_owned(LEDGER, folder=RUNS) and is_owned(".s001-r000002.parquet.tmp", folder=RUNS)
    assert not is_owned("summary.csv", folder=RUNS) and not is_owned("s0-r0.parquet", folder=RUNS)
    assert is_owned(RUNS, directory=True) and not is_owned("Documents", directory=True)
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        (tmp_path / "summary.csv").mkdir()  # a folder under a file's name is not ours
        assert [entry.path for entry in foreign_entries(fd)] == ["summary.csv"]
    finally:
        os.close(fd)


# --- one writer per results directory -------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    from resilience.experiments import hold_results_dir
    with hold_results_dir(sys.argv[1]):
        print("holding", flush=True)
        time.sleep(600)
    """
)


def hold_in_another_process(out: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True, cwd=out.parent
    )
    assert process.stdout is not None and process.stdout.readline() == "holding\n"
    return process


def test_a_second_writer_is_refused_naming_the_holder_and_a_dead_holder_is_taken_over(tmp_path):
    out = tmp_path / "out"
    holder = hold_in_another_process(out)
    try:
        with pytest.raises(ResultsBusyError) as busy:
            run_scenario(small_scenario(), out, replications=1, executor="sequential")
        assert str(busy.value).startswith(f"{out} is being written by process {holder.pid}")
        assert str(busy.value).endswith("; wait for it to finish, or stop it, then try again")
        with pytest.raises(ResultsBusyError):
            run_scenario(small_scenario(), out, replications=1, executor="sequential", resume=True)
        with pytest.raises(ResultsBusyError):
            prepare_results_dir(out, force=True)
        assert sorted(os.listdir(out)) == [LOCK]  # the refused writers wrote nothing
    finally:
        holder.kill()  # as kill -9: the lock file stays, naming a process that is gone
        holder.wait()
    assert json.loads((out / LOCK).read_text(encoding="utf-8"))["pid"] == holder.pid
    run_scenario(small_scenario(), out, replications=1, executor="sequential")  # the stale lock is taken
    assert (out / TIMESERIES).exists()
    assert not (out / LOCK).exists()  # released: the lock file goes with the lock


def test_the_lock_is_reentrant_within_a_process_and_released_after(tmp_path):
    out = tmp_path / "out"
    with hold_results_dir(out), hold_results_dir(out):
        prepare_results_dir(out)
    holder = hold_in_another_process(out)  # the lock was released: another process can take it
    holder.kill()
    holder.wait()


def test_a_directory_made_for_a_start_that_failed_is_removed(tmp_path, monkeypatch):
    out = tmp_path / "new" / "out"

    class NoScheduler(Exception):
        pass

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise NoScheduler("the scheduler does not answer")

    monkeypatch.setattr(workflow, "open_executor", refuse)
    with pytest.raises(NoScheduler):
        run_scenario(small_scenario(), out, replications=1, executor="dask")
    assert not out.exists()  # nothing of a start that never ran stays behind
    assert (tmp_path / "new").is_dir()  # the parents it made are the user's to keep or remove


# --- resume verifies what run files say -------------------------------------------------------------------------


def store_with_runs(out: Path, count: int) -> tuple[RunStore, list]:
    scenario = small_scenario()
    tasks = plan_runs(scenario, replications=REPLICATIONS)
    store = RunStore(out, STRATEGIES)
    for task in tasks[:count]:
        store.add_run(task, tiny_run(scenario, task))
    return store, tasks


def rewrite_run(path: Path, change: dict[str, object]) -> None:
    """Rewrite a run file with other values, as a careless hand or a bad tool would (a whole Parquet file)."""
    frame = pq.read_table(path).to_pandas()
    for column, value in change.items():
        frame[column] = value
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def test_a_tampered_run_file_is_run_again_and_said_so(tmp_path):
    store, tasks = store_with_runs(tmp_path, 3)
    runs = tmp_path / RUNS
    rewrite_run(runs / "s000-r000000.parquet", {"population": 999})
    checked = store.verify(tasks)
    assert checked.done == {("baseline", 1), ("other", 0)}
    assert checked.rejected == [
        (
            f"{RUNS}/s000-r000000.parquet",
            "its checksum differs from the one recorded when it was written: cut short or changed",
        )
    ]
    assert not (runs / "s000-r000000.parquet").exists()


def test_a_run_file_of_another_seed_or_broken_identity_is_run_again(tmp_path):
    scenario = small_scenario()
    tasks = plan_runs(scenario, replications=REPLICATIONS)
    store = RunStore(tmp_path, STRATEGIES)
    model_rows = tiny_run(scenario, tasks[0]).assign(births=1, deaths=0, in_migrants=0, out_migrants=0)
    model_rows["population"] = [100, 101, 102]
    store.add_run(tasks[0], model_rows)
    broken = model_rows.assign(population=[100, 105, 106])  # 100 + 1 ≠ 105
    store.add_run(tasks[1], broken.assign(replication=tasks[1].replication, seed=tasks[1].seed))
    # Replication 0's rows under replication 1 of another strategy (its own seed is another).
    store.add_run(tasks[3], model_rows.assign(strategy=tasks[3].strategy, replication=tasks[3].replication))
    checked = store.verify(tasks)
    assert checked.done == {(tasks[0].strategy, tasks[0].replication)}
    reasons = dict(checked.rejected)
    assert reasons[f"{RUNS}/{store.run_name(tasks[1])}"] == "its population does not add up from 2024 to 2025"
    assert reasons[f"{RUNS}/{store.run_name(tasks[3])}"] == f"its rows are not all of seed {tasks[3].seed}"
    # A ledger that records another seed: not this ensemble's run.
    ledger = (tmp_path / RUNS / LEDGER).read_text(encoding="utf-8").splitlines()
    record = json.loads(ledger[0])
    record["seed"] += 1
    with open(tmp_path / RUNS / LEDGER, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    again = store.verify(tasks)
    assert again.done == set()
    assert again.rejected == [
        (
            f"{RUNS}/{store.run_name(tasks[0])}",
            f"it was run with seed {tasks[0].seed + 1}, not this ensemble's {tasks[0].seed}",
        )
    ]


def test_a_run_file_without_a_record_or_with_a_torn_ledger_line(tmp_path):
    store, tasks = store_with_runs(tmp_path, 2)
    ledger = tmp_path / RUNS / LEDGER
    lines = ledger.read_bytes().splitlines(keepends=True)
    ledger.write_bytes(lines[0] + lines[1][: len(lines[1]) // 2])  # the last line cut off by a kill
    checked = store.verify(tasks)
    assert checked.done == {("baseline", 0)}
    assert checked.rejected == [(f"{RUNS}/s000-r000001.parquet", "it has no record of how it was written")]


def test_a_run_file_changed_while_the_ensemble_runs_stops_the_time_series(tmp_path):
    store, _ = store_with_runs(tmp_path, 2)
    rewrite_run(tmp_path / RUNS / "s000-r000001.parquet", {"population": 1})
    with pytest.raises(RunFileError, match=r"s000-r000001\.parquet changed after it was written"):
        store.finalize()
    assert not (tmp_path / TIMESERIES).exists()


def test_resume_reruns_a_tampered_run_says_so_and_gives_the_same_bytes(tmp_path, reference):
    out = tmp_path / "out"
    from tests.experiments.test_resume import assert_same_results, interrupted

    interrupted(out, after=4)
    target = out / RUNS / "s000-r000001.parquet"
    rewrite_run(target, {"population": 1})
    notes: list[str] = []
    ran: list[tuple[str, int]] = []
    run_scenario(
        small_scenario(),
        out,
        replications=3,
        executor="sequential",
        resume=True,
        on_note=notes.append,
        on_done=lambda task, _ok: ran.append((task.strategy, task.replication)),
    )
    assert notes == [
        f"{target} is run again: its checksum differs from the one recorded when it was written: cut short or changed"
    ]
    assert ("baseline", 1) in ran and len(ran) == 6
    three = run_scenario(small_scenario(), tmp_path / "three", replications=3, executor="sequential")
    assert_same_results(three, out)


# --- a damaged timeseries.parquet ------------------------------------------------------------------------------


def test_a_truncated_time_series_is_named_by_report_and_resume_says_the_runs_are_gone(tmp_path, reference):
    out = copy_results(reference, tmp_path / "out")
    whole = (out / TIMESERIES).read_bytes()
    (out / TIMESERIES).write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ResultsDamagedError) as damaged:
        write_report(out)
    assert str(damaged.value) == (
        f"{out / TIMESERIES} is damaged (its checksum differs from the one recorded when it was written: cut "
        "short or changed): its run files are gone, so run the ensemble again with --force"
    )
    with pytest.raises(ResumeError) as gone:
        run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential", resume=True)
    assert str(gone.value) == (
        f"{out / TIMESERIES} is damaged (its checksum differs from the one recorded when it was written: cut "
        "short or changed) and the run files it was made from are gone: run the ensemble again with --force"
    )
    # Results from before checksums were recorded: the footer tells a file cut short.
    manifest = EnsembleManifest.read(out)
    assert manifest is not None
    from dataclasses import replace

    replace(manifest, timeseries_sha256="").write(out)
    with pytest.raises(ResultsDamagedError, match="it is not a whole Parquet file: cut short or overwritten"):
        verify_results(out)
    run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential", force=True)
    assert (out / TIMESERIES).read_bytes() == whole


def test_a_damaged_time_series_is_rebuilt_from_run_files_that_are_still_there(tmp_path, reference):
    out = tmp_path / "out"
    # An ensemble killed after it was marked complete but before its run files were removed.
    import resilience.experiments.store as store_module

    discard = store_module.RunStore.discard
    store_module.RunStore.discard = lambda self: None  # type: ignore[method-assign]
    try:
        run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential")
    finally:
        store_module.RunStore.discard = discard  # type: ignore[method-assign]
    assert (out / RUNS).is_dir()
    (out / TIMESERIES).write_bytes(b"PAR1 cut")
    with pytest.raises(ResultsDamagedError, match="rebuild it with the same `resilience run` command and --resume"):
        verify_results(out)
    run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential", resume=True)
    from tests.experiments.test_resume import assert_same_results

    assert_same_results(reference, out)


def test_report_of_an_interrupted_or_empty_directory_says_so(tmp_path):
    from tests.experiments.test_resume import interrupted

    out = tmp_path / "out"
    interrupted(out, after=2)
    with pytest.raises(ResultsDamagedError) as caught:
        write_report(out)
    assert str(caught.value) == (
        f"{out} holds an interrupted ensemble (2 of 9 runs finished), so there are no results to report yet: "
        "complete it with the same `resilience run` command and --resume"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ResultsDamagedError, match="holds no results of resilience"):
        write_report(empty)
    assert os.listdir(empty) == []
