"""Nothing lost: an interrupted ensemble keeps its finished runs, and resuming it gives the same bytes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from resilience.experiments import (
    LEDGER,
    MANIFEST,
    RUNS,
    TIMESERIES,
    EnsembleInterrupted,
    EnsembleManifest,
    ResultsExistError,
    ResumeError,
    RunStore,
    plan_runs,
    resume_results_dir,
    write_parquet_stream,
)
from resilience.experiments import runner as runner_module
from resilience.experiments import store as store_module
from resilience.workflow import run_scenario
from tests.experiments.helpers import small_scenario, tiny_run

REPLICATIONS = 3
#: Every file an ensemble writes: all of them must be the same bytes after a resume.
OUTPUTS = ("timeseries.parquet", "summary.csv", "comparison.csv", "scenario.resolved.yaml", "report.html", MANIFEST)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The uninterrupted ensemble."""
    return run_scenario(
        small_scenario(), tmp_path_factory.mktemp("reference") / "out", replications=REPLICATIONS, executor="sequential"
    )


def interrupted(out: Path, after: int = 4, *, resume: bool = False) -> EnsembleInterrupted:
    """Run the ensemble inline and press Ctrl-C when ``after`` runs have finished (as the next one starts)."""
    model_run = runner_module.run_replication
    calls = 0

    def run(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > after:
            raise KeyboardInterrupt
        return model_run(*args, **kwargs)

    runner_module.run_replication = run  # type: ignore[assignment]
    try:
        with pytest.raises(EnsembleInterrupted) as caught:
            run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential", resume=resume)
    finally:
        runner_module.run_replication = model_run
    return caught.value


def run_files(out: Path) -> list[str]:
    return sorted(name for name in os.listdir(out / RUNS) if name.endswith(".parquet") and not name.startswith("."))


def assert_same_results(reference: Path, out: Path) -> None:
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert not (out / RUNS).exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in reference.iterdir())


def test_an_interrupted_ensemble_keeps_its_runs_and_resumes_to_the_same_bytes(tmp_path, reference):
    out = tmp_path / "out"
    error = interrupted(out, after=4)
    assert isinstance(error, KeyboardInterrupt)
    assert (error.done, error.total, error.results_dir) == (4, 3 * REPLICATIONS, out)
    assert str(error) == f"interrupted after 4 of 9 runs; the finished runs are kept in {out}"
    assert len(run_files(out)) == 4  # every run that finished, also those not yet collected when Ctrl-C came
    assert not (out / TIMESERIES).exists()
    manifest = EnsembleManifest.read(out)
    assert manifest is not None and not manifest.complete and manifest.total == 9

    # Without --resume the directory is refused, with both ways out named.
    with pytest.raises(ResultsExistError) as refused:
        run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential")
    message = str(refused.value)
    assert "interrupted ensemble (4 of 9 runs finished)" in message
    assert "--resume" in message and "--force" in message

    # Only the missing runs are run.
    ran: list[tuple[str, int]] = []
    run_scenario(
        small_scenario(),
        out,
        replications=REPLICATIONS,
        executor="sequential",
        resume=True,
        on_done=lambda task, _ok: ran.append((task.strategy, task.replication)),
    )
    assert len(ran) == 5 and len(set(ran)) == 5
    assert_same_results(reference, out)
    assert EnsembleManifest.read(out) == EnsembleManifest.read(reference)
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["complete"] is True


def test_interrupted_twice_then_resumed_on_processes(tmp_path, reference):
    out = tmp_path / "out"
    interrupted(out, after=2)
    again = interrupted(out, after=3, resume=True)
    assert (again.done, again.total) == (5, 9)  # the runs of both attempts count
    assert len(run_files(out)) == 5
    run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="process", workers=2, resume=True)
    assert_same_results(reference, out)


def test_resume_refuses_other_options_naming_each(tmp_path):
    out = tmp_path / "out"
    interrupted(out)
    with pytest.raises(ResumeError) as caught:
        run_scenario(small_scenario(), out, replications=4, seed=9, executor="sequential", resume=True)
    message = str(caught.value)
    assert "\n" not in message
    assert "--replications 4, not 3" in message and "--seed 9, not 1" in message and "--force" in message
    with pytest.raises(ResumeError, match=r"--horizon 2026, not 2027"):
        run_scenario(small_scenario(), out, replications=REPLICATIONS, horizon=2026, resume=True)
    with pytest.raises(ResumeError, match=r"strategies run \(--strategy\): baseline, no_shock, not baseline, other"):
        run_scenario(small_scenario(), out, replications=REPLICATIONS, strategies=["baseline"], resume=True)
    changed = small_scenario().model_copy(update={"name": "another question"})
    with pytest.raises(ResumeError, match="the scenario"):
        run_scenario(changed, out, replications=REPLICATIONS, resume=True)
    # Nothing was touched by the refusals.
    assert len(run_files(out)) == 4


def test_resume_refuses_when_there_is_nothing_to_resume(tmp_path, reference):
    scenario = small_scenario()
    with pytest.raises(ResumeError, match="does not exist: there is nothing to resume"):
        run_scenario(scenario, tmp_path / "missing", replications=REPLICATIONS, resume=True)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResumeError, match="is empty: there is nothing to resume"):
        run_scenario(scenario, tmp_path / "empty", replications=REPLICATIONS, resume=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ResumeError, match="without a record of their ensemble"):
        run_scenario(scenario, tmp_path / "other", replications=REPLICATIONS, resume=True)
    with pytest.raises(ResumeError, match="already complete: there is nothing to resume"):
        run_scenario(scenario, reference, replications=REPLICATIONS, resume=True)
    with pytest.raises(ValueError, match="not both"):
        run_scenario(scenario, reference, replications=REPLICATIONS, resume=True, force=True)


def test_a_complete_directory_is_refused_naming_force_and_resume(reference):
    with pytest.raises(ResultsExistError) as caught:
        run_scenario(small_scenario(), reference, replications=REPLICATIONS)
    message = str(caught.value)
    assert f"{reference} already holds the results of '{small_scenario().name}' (9 runs, " in message
    assert "use --force to replace them" in message and "--resume" in message


def test_interrupted_before_any_run_finished_needs_no_force(tmp_path, reference):
    out = tmp_path / "out"
    out.mkdir()
    EnsembleManifest("x", 1, 1, 2030, ["baseline"], "0", "2026-01-01").write(out)  # other options: no matter
    (out / RUNS).mkdir()
    (out / RUNS / ".s000-r000000.parquet.tmp").write_bytes(b"PAR1 cut off")
    run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential")
    assert_same_results(reference, out)


def test_damaged_run_files_are_run_again(tmp_path, reference):
    out = tmp_path / "out"
    interrupted(out, after=6)
    files = run_files(out)
    runs = out / RUNS
    whole = (runs / files[0]).read_bytes()
    (runs / files[0]).write_bytes(whole[: len(whole) // 2])  # cut short: the footer is gone
    damaged = bytearray((runs / files[1]).read_bytes())
    damaged[8:40] = b"\xff" * 32  # the first page's bytes overwritten, footer intact
    (runs / files[1]).write_bytes(bytes(damaged))
    (runs / files[2]).write_bytes(b"")  # created, never written
    os.replace(runs / files[3], runs / "s000-r000099.parquet")  # a replication that is not in the plan
    (runs / ".s001-r000000.parquet.tmp").write_bytes(whole[:100])  # a write cut off before its rename
    (out / ".timeseries.parquet.abc123.tmp").write_bytes(b"PAR1")
    (out / TIMESERIES).write_bytes(b"stale")  # from an attempt killed while finishing

    tasks = plan_runs(small_scenario(), replications=REPLICATIONS)
    store = RunStore(out, ["baseline", "other", "no_shock"])
    assert len(store.finished(tasks)) == 2  # of 6 files, only the two untouched ones
    assert sorted(os.listdir(runs)) == [".s001-r000000.parquet.tmp", LEDGER, *files[4:6]]

    run_scenario(small_scenario(), out, replications=REPLICATIONS, executor="sequential", resume=True)
    assert_same_results(reference, out)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_run_file_of_another_run_is_not_taken(tmp_path):
    scenario = small_scenario()
    tasks = plan_runs(scenario, replications=2)
    store = RunStore(tmp_path, ["baseline", "other", "no_shock"])
    for task in tasks[:2]:
        store.add_run(task, tiny_run(scenario, task))
    assert store.finished(tasks) == {("baseline", 0), ("baseline", 1)}
    # Replication 1's rows under replication 0's name (e.g. another seed): not the run it claims to be.
    os.replace(tmp_path / RUNS / "s000-r000001.parquet", tmp_path / RUNS / "s000-r000000.parquet")
    assert store.finished(tasks) == set()
    assert run_files(tmp_path) == []


# --- a crash while the final file is written leaves nothing that looks complete ------------------------------


class _Crash(RuntimeError):
    pass


def _failing_writer(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    """Make pyarrow's Parquet writer raise after ``after`` row groups (a full disk, a crash mid-write)."""
    original = pq.ParquetWriter.write_table
    written = 0

    def write_table(self: pq.ParquetWriter, *args: object, **kwargs: object) -> None:
        nonlocal written
        if written == after:
            raise _Crash("disk full")
        written += 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)


def test_a_crash_while_writing_the_timeseries_leaves_the_old_file_or_none(tmp_path, monkeypatch):
    scenario = small_scenario()
    tasks = plan_runs(scenario, replications=4)
    store = RunStore(tmp_path, ["baseline", "other", "no_shock"])
    for task in tasks:
        store.add_run(task, tiny_run(scenario, task))
    monkeypatch.setattr(store_module, "ROW_GROUP_ROWS", 5)  # several row groups: the crash comes midway
    _failing_writer(monkeypatch, after=2)
    with pytest.raises(_Crash):
        store.finalize()
    assert not (tmp_path / TIMESERIES).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [RUNS]  # no temporary file left either
    assert len(run_files(tmp_path)) == len(tasks)  # and the runs are still there to finish from

    # Over an existing file: the old bytes stay, whole.
    monkeypatch.undo()
    old = tmp_path / "old.parquet"
    table = pq.read_table(tmp_path / RUNS / run_files(tmp_path)[0])
    write_parquet_stream(old, table.schema, [table])
    before = old.read_bytes()
    monkeypatch.setattr(store_module, "ROW_GROUP_ROWS", 1)
    _failing_writer(monkeypatch, after=1)
    with pytest.raises(_Crash):
        write_parquet_stream(old, table.schema, [table, table])
    assert old.read_bytes() == before
    assert pq.read_table(old).num_rows == table.num_rows


def test_the_manifest_round_trips_and_names_differences(tmp_path):
    manifest = EnsembleManifest("abc", 1, 4, 2030, ["baseline", "no_shock"], "0.1.0", "2026-11-28", "Træna")
    manifest.write(tmp_path)
    assert EnsembleManifest.read(tmp_path) == manifest
    assert manifest.completed().complete and not manifest.complete
    other = EnsembleManifest("abc", 2, 4, 2030, ["baseline", "no_shock"], "0.2.0", "2027-01-01")
    assert manifest.differences(other) == ["--seed 2, not 1", "the version of resilience 0.2.0, not 0.1.0"]
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    assert EnsembleManifest.read(tmp_path) is None
    with pytest.raises(ResumeError, match="cannot be read"):
        resume_results_dir(tmp_path, manifest)
