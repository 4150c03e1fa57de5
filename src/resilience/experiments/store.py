"""The results directory: written atomically, never silently overwritten, filled as runs finish.

A results directory holds ``timeseries.parquet``, ``summary.csv``, ``scenario.resolved.yaml`` and
``report.html`` (and ``failures.csv`` when runs failed). Each file is written to a temporary file in the same
directory and renamed into place, so a crash never leaves a half-written file that looks complete.

While an ensemble runs, a :class:`RunStore` writes every finished run to a small file of its own in
``DIR/runs/``; :meth:`RunStore.finalize` then streams them, in strategy and replication order, into one
``timeseries.parquet``. Memory stays flat whatever the number of runs, and the file's bytes depend only on
the results, not on the order in which runs finished::

    store = RunStore("results/traena", strategies=["baseline", "no_shock"])
    store.add_run(task, frame)          # as each run finishes (any order)
    store.add_failure(failure)          # a run that raised
    store.finalize()                    # → timeseries.parquet (+ failures.csv); runs/ is removed

An ensemble that is interrupted (Ctrl-C, the process killed) keeps its finished runs in ``runs/``. The
directory's :class:`EnsembleManifest` (``ensemble.json``, written atomically when the directory is prepared)
records what defines the ensemble, so that :func:`resume_results_dir` can refuse to complete it with other
options, and :meth:`RunStore.finished` checks every run file before it is taken as done::

    manifest = EnsembleManifest(scenario_checksum(scenario), root_seed=1, replications=4, horizon=2030,
                                strategies=["baseline", "no_shock"], package_version="0.1.0", created="2026-11-28")
    prepare_results_dir("results/x", manifest=manifest)          # a new ensemble
    stored = resume_results_dir("results/x", manifest)           # later: the same ensemble, interrupted
    done = RunStore("results/x", stored.strategies).finished(tasks)   # valid run files; the rest is re-run
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from resilience.config import Scenario
from resilience.experiments.replication import RunTask

__all__ = [
    "COMPARISON",
    "FAILURES",
    "MANIFEST",
    "REPORT",
    "RESOLVED",
    "RUNS",
    "SUMMARY",
    "TIMESERIES",
    "EnsembleManifest",
    "ResultsExistError",
    "ResumeError",
    "RunFailure",
    "RunSink",
    "RunStore",
    "atomic_write",
    "atomic_write_text",
    "prepare_results_dir",
    "read_timeseries",
    "resume_results_dir",
    "scenario_checksum",
    "write_parquet_stream",
    "write_timeseries",
]

TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.csv"
COMPARISON = "comparison.csv"
RESOLVED = "scenario.resolved.yaml"
REPORT = "report.html"
FAILURES = "failures.csv"
#: The folder of per-run files while an ensemble runs (removed by :meth:`RunStore.finalize`).
RUNS = "runs"
#: What defines the ensemble of a results directory, and whether it is complete (:class:`EnsembleManifest`).
MANIFEST = "ensemble.json"
#: The files an ensemble writes from its runs: stale ones are removed before an interrupted ensemble resumes.
DERIVED = (TIMESERIES, SUMMARY, COMPARISON, RESOLVED, REPORT, FAILURES)

#: Rows per Parquet row group of ``timeseries.parquet``: bounds the memory of writing it (and of reading it
#: group by group), and fixes the file layout whatever the number of runs or their completion order.
ROW_GROUP_ROWS = 65_536

_RUN_FILE = re.compile(r"^s(\d+)-r(\d+)\.parquet$")


class ResultsExistError(FileExistsError):
    """The results directory already holds results and ``force`` was not given."""


class ResumeError(ResultsExistError):
    """An ensemble cannot be resumed: nothing to resume, already complete, or other options than before.

    The message is one line that names the directory and what differs.
    """


def scenario_checksum(scenario: Scenario) -> str:
    """A checksum of every field of the scenario (defaults included): the same scenario, the same checksum.

    >>> scenario_checksum(load_scenario("scenarios/traena.yaml"))[:8]   # doctest: +SKIP
    '3f1c9a07'
    """
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class EnsembleManifest:
    """What defines the ensemble of a results directory (``ensemble.json``), and whether it is complete.

    Two ensembles with equal definitions (every field but ``created`` and ``complete``) give the same bytes,
    so an interrupted one may be completed by the other (:func:`resume_results_dir`). ``created`` is the date
    the ensemble began: the resolved scenario and the report show it, so a resumed ensemble keeps it.

    >>> manifest = EnsembleManifest("ab12", 1, 4, 2030, ["baseline", "no_shock"], "0.1.0", "2026-11-28")
    >>> manifest.total
    8
    """

    scenario_checksum: str
    root_seed: int
    replications: int
    horizon: int
    strategies: list[str]
    package_version: str
    created: str
    scenario_name: str = ""
    complete: bool = False
    #: The fields that define the runs, with how the command line names each.
    _LABELS: ClassVar[dict[str, str]] = {
        "scenario_checksum": "the scenario (its file or its defaults changed)",
        "root_seed": "--seed",
        "replications": "--replications",
        "horizon": "--horizon",
        "strategies": "the strategies run (--strategy)",
        "package_version": "the version of resilience",
    }

    @property
    def total(self) -> int:
        """The number of runs of the ensemble: strategies × replications."""
        return len(self.strategies) * self.replications

    def differences(self, other: EnsembleManifest) -> list[str]:
        """What ``other`` defines differently, one phrase per field: ``--replications 6, not 4``."""
        found = []
        for name, label in self._LABELS.items():
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine == theirs:
                continue
            if name == "scenario_checksum":
                found.append(label)
            elif name == "strategies":
                found.append(f"{label}: {', '.join(theirs)}, not {', '.join(mine)}")
            else:
                found.append(f"{label} {theirs}, not {mine}")
        return found

    def to_json(self) -> str:
        """The manifest as the text of ``ensemble.json``."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        return json.dumps({"format": 1, **data}, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> EnsembleManifest | None:
        """The manifest of ``directory``, or None when it has none (or one that cannot be read)."""
        path = Path(directory) / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data.pop("format", None)
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def write(self, directory: str | os.PathLike[str]) -> None:
        """Write ``ensemble.json`` in ``directory`` atomically."""
        atomic_write_text(Path(directory) / MANIFEST, self.to_json())

    def completed(self) -> EnsembleManifest:
        """The same manifest, marked complete."""
        return replace(self, complete=True)


def _run_files_in(directory: Path) -> int:
    runs = directory / RUNS
    if not runs.is_dir():
        return 0
    with os.scandir(runs) as entries:
        return sum(1 for entry in entries if _RUN_FILE.match(entry.name))


def prepare_results_dir(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    manifest: EnsembleManifest | None = None,
) -> Path:
    """Create ``path`` (or empty it with ``force``); refuse a directory that already holds results.

    With ``manifest`` (an ensemble's results directory), it is written to ``ensemble.json`` before any run,
    and a refusal says that ``--resume`` completes an interrupted ensemble.

    >>> prepare_results_dir("results/x", force=True)   # doctest: +SKIP
    PosixPath('results/x')
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ResultsExistError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force and not _holds_nothing(out):
            raise ResultsExistError(_occupied(out, resumable=manifest is not None))
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    if manifest is not None:
        manifest.write(out)
    return out


def _holds_nothing(out: Path) -> bool:
    """Whether ``out`` holds only an ensemble interrupted before any run finished: nothing to lose."""
    stored = EnsembleManifest.read(out)
    if stored is None or stored.complete:
        return False
    for child in out.iterdir():
        if child.name == MANIFEST or (child.name.startswith(".") and child.name.endswith(".tmp")):
            continue
        if child.name == RUNS and child.is_dir() and _run_files_in(out) == 0:
            continue
        return False
    return True


def _occupied(out: Path, *, resumable: bool) -> str:
    """Why ``out`` is refused, and what to do: --force, and --resume where an ensemble could resume."""
    if not resumable:
        return f"{out} already holds results; use --force to replace them"
    stored = EnsembleManifest.read(out)
    if stored is not None and not stored.complete:
        return (
            f"{out} holds an interrupted ensemble ({_run_files_in(out)} of {stored.total} runs finished); "
            "use --resume to complete it, or --force to replace it"
        )
    return f"{out} already holds results; use --force to replace them (--resume completes an interrupted ensemble)"


def resume_results_dir(path: str | os.PathLike[str], manifest: EnsembleManifest) -> EnsembleManifest:
    """Check that ``path`` holds an interrupted ensemble defined as ``manifest``; return its stored manifest.

    Raises :class:`ResumeError` (one line) when there is nothing to resume, when the ensemble is already
    complete, or when it was defined otherwise (another scenario, seed, number of replications, horizon,
    strategies or package version: its runs would not be the same). Left-over temporary files and the files
    made from an earlier, incomplete attempt are removed; the finished runs in ``runs/`` are kept.
    """
    out = Path(path)
    if not out.is_dir():
        raise ResumeError(f"{out} does not exist: there is nothing to resume (run without --resume)")
    stored = EnsembleManifest.read(out)
    if stored is None:
        if (out / MANIFEST).exists():
            raise ResumeError(f"{out / MANIFEST} cannot be read; use --force to run the ensemble again")
        what = "holds results without a record of their ensemble" if any(out.iterdir()) else "is empty"
        raise ResumeError(f"{out} {what}: there is nothing to resume (use --force to run it again)")
    if stored.complete:
        raise ResumeError(f"{out} is already complete: there is nothing to resume (use --force to run it again)")
    differences = stored.differences(manifest)
    if differences:
        raise ResumeError(
            f"{out} holds an interrupted ensemble of other options: {'; '.join(differences)}; "
            "resume with the same scenario and options, or use --force to replace it"
        )
    for name in DERIVED:
        (out / name).unlink(missing_ok=True)
    for folder in (out, out / RUNS):
        if folder.is_dir():
            for leftover in folder.glob(".*.tmp"):  # a write that was cut off before its rename
                leftover.unlink(missing_ok=True)
    return stored


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary path beside ``path``, fsync it, then rename it to ``path``."""
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates the file private (0600); results are ordinary files, so honour the umask instead.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)


def _table(frame: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table without the index and without pandas metadata (which would vary)."""
    # Column by column from numpy: the same table as ``pa.Table.from_pandas`` (without its metadata) for the
    # plain numeric and string columns of a run, in a tenth of the time.
    if all(isinstance(dtype, np.dtype) and dtype.kind in "biufO" for dtype in frame.dtypes):
        return pa.Table.from_arrays(
            [pa.array(frame[name].to_numpy(), from_pandas=True) for name in frame.columns],
            names=[str(name) for name in frame.columns],
        )
    return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with ``schema``'s columns in its order and types; a column it lacks is all nulls."""
    if table.schema.equals(schema):
        return table
    present = set(table.column_names)
    columns = [
        table.column(field.name).cast(field.type) if field.name in present else pa.nulls(table.num_rows, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def write_parquet_stream(path: str | os.PathLike[str], schema: pa.Schema, tables: Iterable[pa.Table]) -> int:
    """Write ``tables`` (in order) as one Parquet file, atomically, holding at most about a row group in memory.

    The bytes depend only on the rows: every row group but the last has :data:`ROW_GROUP_ROWS` rows and is
    written from one contiguous chunk, with zstd compression, no statistics and no pandas metadata. Each table
    is conformed to ``schema`` (missing columns are nulls). Returns the number of rows written.
    """
    schema = schema.remove_metadata()
    rows = 0

    def write(tmp: Path) -> None:
        nonlocal rows
        with pq.ParquetWriter(tmp, schema, compression="zstd", write_statistics=False) as writer:
            buffer: list[pa.Table] = []
            buffered = 0

            def flush(count: int) -> None:
                nonlocal buffer, buffered
                combined = pa.concat_tables(buffer)
                writer.write_table(combined.slice(0, count).combine_chunks(), row_group_size=ROW_GROUP_ROWS)
                rest = combined.slice(count)
                buffer, buffered = ([rest] if rest.num_rows else []), rest.num_rows

            for table in tables:
                buffer.append(_conform(table, schema))
                buffered += table.num_rows
                rows += table.num_rows
                while buffered >= ROW_GROUP_ROWS:
                    flush(ROW_GROUP_ROWS)
            if buffered or rows == 0:
                if not buffer:
                    buffer = [schema.empty_table()]
                flush(buffered)

    atomic_write(path, write)
    return rows


def write_timeseries(path: str | os.PathLike[str], frame: pd.DataFrame) -> None:
    """Write the time series as Parquet, byte-identical for identical data (no pandas metadata, no stats).

    The same rows give the same bytes as a :class:`RunStore` streaming them run by run.
    """
    table = _table(frame)
    write_parquet_stream(path, table.schema, [table])


def read_timeseries(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a ``timeseries.parquet``.

    >>> rows = read_timeseries("results/demo/timeseries.parquet")   # doctest: +SKIP
    >>> rows.groupby(["strategy", "year"])["population"].median()   # doctest: +SKIP
    """
    frame: pd.DataFrame = pq.read_table(path).to_pandas()
    return frame


@dataclass(frozen=True)
class RunFailure:
    """A run that raised: which run, its seed (to rerun it alone), the error and its traceback."""

    strategy: str
    replication: int
    seed: int
    error: str
    traceback: str = ""

    @classmethod
    def of(cls, task: RunTask, error: str, traceback: str = "") -> RunFailure:
        """The failure of ``task``."""
        return cls(task.strategy, task.replication, task.seed, error, traceback)

    def __str__(self) -> str:
        return f"{self.strategy} {self.replication} {self.seed}: {self.error}"


class RunSink(Protocol):
    """Where the ensemble runner hands each run as it finishes (e.g. a :class:`RunStore`)."""

    def add_run(self, task: RunTask, frame: pd.DataFrame) -> None:
        """A run that finished: its yearly rows."""

    def add_failure(self, failure: RunFailure) -> None:
        """A run that raised."""


class RunStore:
    """A :class:`RunSink` that streams finished runs into a results directory (see the module docstring).

    ``strategies`` is the order of the strategies in ``timeseries.parquet`` (rows are in strategy order, then
    replication, then year, as :func:`resilience.experiments.sort_timeseries` orders them).
    """

    def __init__(self, directory: str | os.PathLike[str], strategies: Sequence[str]) -> None:
        self.directory = Path(directory)
        self.strategies = list(strategies)
        self._index = {name: i for i, name in enumerate(self.strategies)}
        self.runs_dir = self.directory / RUNS
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self._runs = os.fspath(self.runs_dir)
        self._failures: list[RunFailure] = []
        self.runs_written = 0

    @property
    def failures(self) -> list[RunFailure]:
        """The failures recorded so far, in strategy and replication order."""
        return sorted(self._failures, key=self._failure_key)

    def _failure_key(self, failure: RunFailure) -> tuple[int, int]:
        return self._index.get(failure.strategy, len(self._index)), failure.replication

    def run_name(self, task: RunTask) -> str:
        """The file name of one run in ``runs/``: ``s003-r000017.parquet`` (strategy number, replication)."""
        if task.strategy not in self._index:
            raise ValueError(f"strategy {task.strategy!r} is not one of {self.strategies}")
        return f"s{self._index[task.strategy]:03d}-r{task.replication:06d}.parquet"

    def add_run(self, task: RunTask, frame: pd.DataFrame) -> None:
        """Write one finished run to its own file (renamed into place, so a crash leaves no partial file)."""
        name = self.run_name(task)
        # Plain strings, not pathlib: pathlib interns every file name it parses, which would keep one string
        # per run alive for the life of the process.
        target = os.path.join(self._runs, name)
        tmp = os.path.join(self._runs, f".{name}.tmp")
        # No fsync: these files are intermediate; the rename alone guarantees complete files.
        pq.write_table(_table(frame), tmp, compression="zstd", write_statistics=False)
        os.replace(tmp, target)
        self.runs_written += 1

    def add_failure(self, failure: RunFailure) -> None:
        """Record a run that raised (written to ``failures.csv`` by :meth:`finalize`)."""
        self._failures.append(failure)

    def run_files(self) -> list[str]:
        """The paths of the per-run files, in strategy then replication order (numeric, not by name)."""
        found: list[tuple[int, int, str]] = []
        with os.scandir(self._runs) as entries:
            for entry in entries:
                match = _RUN_FILE.match(entry.name)
                if match:
                    found.append((int(match[1]), int(match[2]), entry.path))
        return [path for *_, path in sorted(found)]

    def finished(self, tasks: Iterable[RunTask]) -> set[tuple[str, int]]:
        """The (strategy, replication) of ``tasks`` whose run file in ``runs/`` is complete and theirs.

        A run file counts only if it reads as Parquet in full (a file cut short or damaged does not: its
        footer or a page fails to decode), has rows, and every row names the task's strategy, replication
        and seed. Any other run file is removed, so that its run is run again.

        >>> done = store.finished(tasks)                                          # doctest: +SKIP
        >>> todo = [t for t in tasks if (t.strategy, t.replication) not in done]  # doctest: +SKIP
        """
        expected = {self.run_name(task): task for task in tasks}
        done: set[tuple[str, int]] = set()
        with os.scandir(self._runs) as entries:
            names = sorted(entry.name for entry in entries if _RUN_FILE.match(entry.name))
        for name in names:
            path = os.path.join(self._runs, name)
            task = expected.get(name)
            if task is not None and _holds_run(path, task):
                done.add((task.strategy, task.replication))
            else:
                os.unlink(path)
        return done

    def finalize(self, *, keep_runs: bool = False) -> Path | None:
        """Write ``timeseries.parquet`` from the per-run files, ``failures.csv`` if any run failed, and remove
        ``runs/`` (unless ``keep_runs``: the caller removes them with :meth:`discard` once everything made from
        them is written). Returns the time series' path, or None when no run finished.
        """
        files = self.run_files()
        target: Path | None = None
        if files:
            schema = _unified_schema(files)
            target = self.directory / TIMESERIES
            write_parquet_stream(target, schema, _read_each(files))
        if self._failures:
            failures = pd.DataFrame([asdict(f) for f in self.failures])
            atomic_write(self.directory / FAILURES, lambda tmp: failures.to_csv(tmp, index=False))
        if not keep_runs:
            shutil.rmtree(self.runs_dir)
        return target

    def discard(self) -> None:
        """Remove the per-run files."""
        shutil.rmtree(self.runs_dir, ignore_errors=True)


def _holds_run(path: str, task: RunTask) -> bool:
    """Whether the run file at ``path`` is whole and holds the rows of ``task`` (and only those)."""
    try:
        # Every column in full: a damaged page anywhere must fail here, not later in finalize.
        table = pq.read_table(path)
        if table.num_rows == 0:
            return False
        for name, value in (("strategy", task.strategy), ("replication", task.replication), ("seed", task.seed)):
            if table.column(name).unique().to_pylist() != [value]:
                return False
    except (OSError, KeyError, pa.ArrowException):
        return False
    return True


def _unified_schema(files: Sequence[str]) -> pa.Schema:
    """One schema for every file (columns in order of first appearance; types promoted as pandas would)."""
    schema = pq.read_schema(files[0]).remove_metadata()
    for path in files[1:]:
        other = pq.read_schema(path).remove_metadata()
        if not other.equals(schema):
            schema = pa.unify_schemas([schema, other], promote_options="permissive")
    return schema


def _read_each(files: Iterable[str]) -> Iterator[pa.Table]:
    for path in files:
        yield pq.read_table(path)
