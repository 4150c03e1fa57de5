"""Writing results: atomically, never silently overwritten, and run by run as an ensemble's runs finish.

Each file of a results directory is written to a temporary file in the same directory and renamed into
place, so a crash never leaves a half-written file that looks complete.

While an ensemble runs, a :class:`RunStore` writes every finished run to a small file of its own in
``DIR/runs/``, and records the file's checksum and the run's seed in ``runs/ledger.jsonl`` before the file is
renamed into place; :meth:`RunStore.finalize` then streams the runs, in strategy and replication order, into
one ``timeseries.parquet``. Memory stays flat whatever the number of runs, and the file's bytes depend only on
the results, not on the order in which runs finished::

    store = RunStore("results/traena", strategies=["baseline", "no_shock"])
    store.add_run(task, frame)          # as each run finishes (any order)
    store.add_failure(failure)          # a run that raised
    store.finalize()                    # → timeseries.parquet (+ failures.csv); runs/ is removed

An ensemble that is interrupted (Ctrl-C, SIGTERM, the process killed) keeps its finished runs in ``runs/``.
Before a resumed ensemble counts a run file as done, :meth:`RunStore.verify` checks it against its record
(checksum, seed), reads it in full and checks the accounting identity; any other file is run again::

    checked = RunStore("results/x", stored.strategies).verify(tasks)   # valid run files; the rest is re-run
    checked.done, checked.rejected                                     # {(strategy, replication)}, [(file, why)]

Starting, replacing and resuming a results directory: :mod:`resilience.experiments.directory`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from resilience.experiments.layout import (
    COMPARISON,
    FAILURES,
    LEDGER,
    REPORT,
    REPORT_PDF,
    RESOLVED,
    RUN_FILE,
    RUNS,
    SUMMARY,
    TIMESERIES,
)
from resilience.experiments.replication import RunTask
from resilience.model.outputs import accounting_breaks

__all__ = [
    "DERIVED",
    "RunFailure",
    "RunFileError",
    "RunSink",
    "RunStore",
    "Verification",
    "atomic_write",
    "atomic_write_text",
    "read_timeseries",
    "write_parquet_stream",
    "write_timeseries",
]

#: The files an ensemble writes from its runs: stale ones are removed before an interrupted ensemble resumes.
DERIVED = (TIMESERIES, SUMMARY, COMPARISON, RESOLVED, REPORT, REPORT_PDF, FAILURES)

#: Rows per Parquet row group of ``timeseries.parquet``: bounds the memory of writing it (and of reading it
#: group by group), and fixes the file layout whatever the number of runs or their completion order.
ROW_GROUP_ROWS = 65_536


class RunFileError(ValueError):
    """A run file changed after it was written (its checksum or its rows are not what was recorded).

    Raised when the runs are streamed into ``timeseries.parquet``; the ensemble stays incomplete, and
    ``--resume`` runs that run again.
    """


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


@dataclass
class Verification:
    """What :meth:`RunStore.verify` found: the runs whose files are whole and theirs, and the files it removed."""

    #: The (strategy, replication) of the runs whose file passed every check.
    done: set[tuple[str, int]] = field(default_factory=set)
    #: ``(file name, why)`` of each run file removed, so that its run is run again.
    rejected: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Record:
    """A run file as it was written: its run, seed, rows and the SHA-256 of its bytes (a line of the ledger)."""

    file: str
    strategy: str
    replication: int
    seed: int
    rows: int
    sha256: str


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
        self._ledger = os.path.join(self._runs, LEDGER)
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
        """Write one finished run to its own file, recorded in the ledger first and then renamed into place:
        a crash leaves no partial file, and no file without its record."""
        name = self.run_name(task)
        sink = pa.BufferOutputStream()
        pq.write_table(_table(frame), sink, compression="zstd", write_statistics=False)
        data = sink.getvalue().to_pybytes()
        record = _Record(name, task.strategy, task.replication, task.seed, len(frame), hashlib.sha256(data).hexdigest())
        # One write of one short line with O_APPEND: a line is added whole or (killed mid-write) cut off, and a
        # line cut off is not read back. The record comes before the rename, so a run file never lacks one.
        line = (json.dumps(asdict(record), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        fd = os.open(self._ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        # Plain strings, not pathlib: pathlib interns every file name it parses, which would keep one string
        # per run alive for the life of the process.
        target = os.path.join(self._runs, name)
        tmp = os.path.join(self._runs, f".{name}.tmp")
        # No fsync: these files are intermediate; the rename alone guarantees complete files, and the checksum
        # catches one whose blocks were lost in a power cut.
        with open(tmp, "wb") as handle:
            handle.write(data)
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
                match = RUN_FILE.match(entry.name)
                if match and entry.is_file(follow_symlinks=False):
                    found.append((int(match[1]), int(match[2]), entry.path))
        return [path for *_, path in sorted(found)]

    def _records(self) -> dict[str, _Record]:
        """The ledger: the last record of each run file (a run written again has a newer one)."""
        records: dict[str, _Record] = {}
        try:
            with open(self._ledger, "rb") as handle:
                lines = handle.read().splitlines()
        except FileNotFoundError:
            return records
        for line in lines:
            try:
                record = _Record(**json.loads(line))
            except (ValueError, TypeError):
                continue  # a line cut off by a kill: its file was never renamed into place
            records[record.file] = record
        return records

    def verify(self, tasks: Iterable[RunTask]) -> Verification:
        """Which of ``tasks`` have a run file in ``runs/`` that is whole, unchanged and theirs.

        A run file counts only if its ledger record names the task's strategy, replication and seed, its bytes
        have the recorded checksum, it reads as Parquet in full, its rows name the task's strategy,
        replication and seed, and its population adds up year to year (births, deaths, moves). Any other run
        file is removed, with the reason, so that its run is run again.

        >>> checked = store.verify(tasks)                                                 # doctest: +SKIP
        >>> todo = [t for t in tasks if (t.strategy, t.replication) not in checked.done]  # doctest: +SKIP
        """
        expected = {self.run_name(task): task for task in tasks}
        records = self._records()
        result = Verification()
        with os.scandir(self._runs) as entries:
            names = sorted(entry.name for entry in entries if RUN_FILE.match(entry.name))
        for name in names:
            path = os.path.join(self._runs, name)
            task = expected.get(name)
            if task is None:
                problem: str | None = "it is not a run of this ensemble"
            else:
                problem = _run_problem(path, task, records.get(name))
            if problem is None and task is not None:
                result.done.add((task.strategy, task.replication))
            else:
                os.unlink(path)
                result.rejected.append((f"{RUNS}/{name}", problem or ""))
        return result

    def finished(self, tasks: Iterable[RunTask]) -> set[tuple[str, int]]:
        """The (strategy, replication) of ``tasks`` whose run file passes :meth:`verify` (others are removed)."""
        return self.verify(tasks).done

    def finalize(self, *, keep_runs: bool = False) -> Path | None:
        """Write ``timeseries.parquet`` from the per-run files, ``failures.csv`` if any run failed, and remove
        ``runs/`` (unless ``keep_runs``: the caller removes them with :meth:`discard` once everything made from
        them is written). Returns the time series' path, or None when no run finished.

        Every run file is checked again as it is read (its checksum against the ledger, the accounting
        identity): :class:`RunFileError` if one changed since it was written.
        """
        files = self.run_files()
        target: Path | None = None
        if files:
            schema = _unified_schema(files)
            target = self.directory / TIMESERIES
            write_parquet_stream(target, schema, self._read_each(files))
        if self._failures:
            failures = pd.DataFrame([asdict(f) for f in self.failures])
            atomic_write(self.directory / FAILURES, lambda tmp: failures.to_csv(tmp, index=False))
        if not keep_runs:
            shutil.rmtree(self.runs_dir)
        return target

    def _read_each(self, files: Iterable[str]) -> Iterator[pa.Table]:
        records = self._records()
        for path in files:
            name = os.path.basename(path)
            table, problem = _as_written(path, records.get(name))
            if table is None:
                raise RunFileError(
                    f"{self.directory / RUNS / name} changed after it was written ({problem}); "
                    "run the same command with --resume to run it again"
                )
            yield table

    def discard(self) -> None:
        """Remove the per-run files."""
        shutil.rmtree(self.runs_dir, ignore_errors=True)


def _run_problem(path: str, task: RunTask, record: _Record | None) -> str | None:
    """Why the run file at ``path`` is not ``task``'s run as it was written, or None when it is."""
    if record is not None and (record.strategy, record.replication, record.seed) != (
        task.strategy,
        task.replication,
        task.seed,
    ):
        return f"it was run with seed {record.seed}, not this ensemble's {task.seed}"
    table, problem = _as_written(path, record)
    if table is None:
        return problem
    for name, value in (("strategy", task.strategy), ("replication", task.replication), ("seed", task.seed)):
        if name not in table.column_names or table.column(name).unique().to_pylist() != [value]:
            return f"its rows are not all of {name} {value}"
    return None


def _as_written(path: str, record: _Record | None) -> tuple[pa.Table | None, str]:
    """The run file at ``path`` read in full, if it is what ``record`` says was written and its population adds
    up; else None and why not."""
    if record is None:
        return None, "it has no record of how it was written"
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return None, f"it cannot be read ({error.strerror or error})"
    if hashlib.sha256(data).hexdigest() != record.sha256:
        return None, "its checksum differs from the one recorded when it was written: cut short or changed"
    try:
        # Every column in full: a damaged page anywhere must fail here, not later.
        table = pq.read_table(pa.BufferReader(data))
    except (OSError, pa.ArrowException):
        return None, "it is not a whole Parquet file"
    if table.num_rows == 0 or table.num_rows != record.rows:
        return None, f"it holds {table.num_rows} rows, not the {record.rows} written"
    broken = _identity_problem(table)
    return (None, broken) if broken is not None else (table, "")


def _identity_problem(table: pa.Table) -> str | None:
    """Why the rows of one run break ``population[y+1] = population[y] + births − deaths + in − out``, if so."""
    names = ("year", "population", "births", "deaths", "in_migrants", "out_migrants")
    if not set(names) <= set(table.column_names):
        return None  # not the model's rows (a replication function of one's own): nothing to add up
    columns = {name: table.column(name).to_numpy(zero_copy_only=False) for name in names}
    broken = accounting_breaks(**columns)
    if broken.size:
        return f"its population does not add up from {int(broken[0])} to {int(broken[0]) + 1}"
    return None


def _unified_schema(files: Sequence[str]) -> pa.Schema:
    """One schema for every file (columns in order of first appearance; types promoted as pandas would)."""
    schema = pq.read_schema(files[0]).remove_metadata()
    for path in files[1:]:
        other = pq.read_schema(path).remove_metadata()
        if not other.equals(schema):
            schema = pa.unify_schemas([schema, other], promote_options="permissive")
    return schema
