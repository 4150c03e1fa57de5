"""What a results directory holds: the name of every file resilience writes in one, and which entries are its own.

Every command that writes a directory (``run``, ``demo``, ``hindcast``, ``calibrate``, ``report``) writes only
these names, so a directory that holds nothing else, and has an ``ensemble.json``, is a results directory this
tool wrote; :func:`foreign_entries` names whatever else a directory holds. ``--force`` replaces only such a
directory, and deletes only these entries (:mod:`resilience.experiments.directory`)::

    >>> is_owned("summary.csv"), is_owned(".summary.csv.k2x9a1.tmp"), is_owned("notes.txt")
    (True, True, False)
    >>> is_owned("s000-r000017.parquet", folder=RUNS), is_owned("population.png", folder=FIGURES)
    (True, True)
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "CALIBRATION_CSV",
    "CALIBRATION_YAML",
    "COMPARISON",
    "FAILURES",
    "FIGURES",
    "FIT_CSV",
    "FIT_HTML",
    "HINDCAST_CSV",
    "HINDCAST_HTML",
    "LEDGER",
    "LOCK",
    "MANIFEST",
    "OWNED_FILES",
    "REPORT",
    "REPORT_PDF",
    "RESOLVED",
    "RUNS",
    "RUN_FILE",
    "SUMMARY",
    "TIMESERIES",
    "Entry",
    "foreign_entries",
    "is_owned",
    "owned_entries",
]

TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.csv"
COMPARISON = "comparison.csv"
RESOLVED = "scenario.resolved.yaml"
REPORT = "report.html"
REPORT_PDF = "report.pdf"
FAILURES = "failures.csv"
#: What defines the ensemble of a results directory, and whether it is complete; its presence is what marks a
#: directory as one this tool wrote.
MANIFEST = "ensemble.json"
#: The advisory lock of the one process writing the directory (:mod:`resilience.experiments.lock`).
LOCK = ".resilience.lock"
#: The folder of per-run files while an ensemble runs (removed when the ensemble is complete).
RUNS = "runs"
#: In ``runs/``: one line per run file written, with its seed and checksum (what ``--resume`` verifies).
LEDGER = "ledger.jsonl"
#: The folder of figures exported by ``resilience report --format png|pdf``.
FIGURES = "figures"
#: Written by ``resilience calibrate``.
CALIBRATION_YAML = "calibration.yaml"
CALIBRATION_CSV = "calibration.csv"
FIT_CSV = "fit.csv"
FIT_HTML = "fit.html"
#: Written by ``resilience hindcast`` (beside an ensemble's files; its figure as hindcast.png or .pdf too).
HINDCAST_CSV = "hindcast.csv"
HINDCAST_HTML = "hindcast.html"

#: Every file a command writes at the top of a results directory.
OWNED_FILES: frozenset[str] = frozenset(
    {
        TIMESERIES,
        SUMMARY,
        COMPARISON,
        RESOLVED,
        REPORT,
        REPORT_PDF,
        FAILURES,
        MANIFEST,
        LOCK,
        CALIBRATION_YAML,
        CALIBRATION_CSV,
        FIT_CSV,
        FIT_HTML,
        HINDCAST_CSV,
        HINDCAST_HTML,
        "hindcast.png",
        "hindcast.pdf",
    }
)

#: A run's file in ``runs/``: strategy number and replication.
RUN_FILE = re.compile(r"^s(\d{3,})-r(\d{6,})\.parquet$")
_RUN_TMP = re.compile(r"^\.s\d{3,}-r\d{6,}\.parquet\.tmp$")
#: An exported figure: the report's figure ids without ``fig-`` (population, outcomes, …).
_FIGURE = re.compile(r"^[a-z][a-z0-9_-]*\.(png|pdf)$")
#: A write cut off before its rename: ``.NAME.tmp`` (export) or ``.NAME.RANDOM.tmp`` (``tempfile.mkstemp``).
_TMP = re.compile(r"^\.(?P<inner>.+)\.tmp$")


def _temporary_of(name: str) -> tuple[str, ...]:
    """The names a temporary file ``name`` may be written for: ``.x.csv.tmp`` → x.csv; ``.x.csv.ab12.tmp`` →
    x.csv.ab12 or x.csv."""
    match = _TMP.match(name)
    if match is None:
        return ()
    inner = match["inner"]
    head, dot, tail = inner.rpartition(".")
    return (inner, head) if dot and re.fullmatch(r"[A-Za-z0-9_]+", tail) else (inner,)


def is_owned(name: str, *, folder: str | None = None, directory: bool = False) -> bool:
    """Whether an entry called ``name`` (a folder when ``directory``) at the top of a results directory, or in
    its ``folder`` (:data:`RUNS` or :data:`FIGURES`), is one that resilience writes there.
    """
    if folder is None:
        if directory:
            return name in (RUNS, FIGURES)
        return name in OWNED_FILES or any(candidate in OWNED_FILES for candidate in _temporary_of(name))
    if directory:
        return False
    if folder == RUNS:
        return bool(RUN_FILE.match(name) or _RUN_TMP.match(name) or name == LEDGER)
    if folder == FIGURES:
        return bool(_FIGURE.match(name) or any(_FIGURE.match(candidate) for candidate in _temporary_of(name)))
    return False


@dataclass(frozen=True)
class Entry:
    """One entry of a directory, as found (never following a symbolic link)."""

    #: Its path relative to the results directory, with ``/`` (``runs/s000-r000001.parquet``).
    path: str
    #: ``file``, ``directory``, ``symlink`` or ``other`` (a FIFO, a socket, a device).
    kind: str

    def describe(self) -> str:
        """The entry for a message: ``notes.txt``, ``data/`` or ``link (a symbolic link)``."""
        if self.kind == "directory":
            return f"{self.path}/"
        if self.kind == "symlink":
            return f"{self.path} (a symbolic link)"
        if self.kind == "other":
            return f"{self.path} (not a regular file)"
        return self.path


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


def _scan(dir_fd: int, prefix: str, folder: str | None) -> Iterator[tuple[Entry, bool]]:
    """Every entry under ``dir_fd`` in name order, with whether it is owned; into owned folders only."""
    for name in sorted(os.listdir(dir_fd)):
        try:
            mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
        except FileNotFoundError:  # removed while we looked: nothing to judge
            continue
        kind = _kind(mode)
        entry = Entry(f"{prefix}{name}", kind)
        owned = kind in ("file", "directory") and is_owned(name, folder=folder, directory=kind == "directory")
        yield entry, owned
        if owned and kind == "directory":
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
            try:
                yield from _scan(sub, f"{prefix}{name}/", name)
            finally:
                os.close(sub)


def foreign_entries(dir_fd: int) -> Iterator[Entry]:
    """The entries of the directory open as ``dir_fd`` that resilience did not write, in name order (depth
    first). A symbolic link, a FIFO or a device is never resilience's, whatever its name; links are never
    followed.
    """
    return (entry for entry, owned in _scan(dir_fd, "", None) if not owned)


def owned_entries(dir_fd: int) -> list[Entry]:
    """The entries resilience wrote in the directory open as ``dir_fd``, files before the folder holding them."""
    return [entry for entry, owned in _scan(dir_fd, "", None) if owned]
