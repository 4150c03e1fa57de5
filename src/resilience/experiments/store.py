"""The results directory: written atomically, never silently overwritten.

A results directory holds ``timeseries.parquet``, ``summary.csv``, ``scenario.resolved.yaml`` and
``report.html``. Each file is written to a temporary file in the same directory and renamed into place, so a
crash never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "ResultsExistError",
    "atomic_write",
    "atomic_write_text",
    "prepare_results_dir",
    "read_timeseries",
    "write_timeseries",
]

TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.csv"
RESOLVED = "scenario.resolved.yaml"
REPORT = "report.html"


class ResultsExistError(FileExistsError):
    """The results directory already holds results and ``force`` was not given."""


def prepare_results_dir(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Create ``path`` (or empty it with ``force``); refuse a directory that already holds results."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ResultsExistError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise ResultsExistError(f"{out} already holds results; use --force to replace them")
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


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


def write_timeseries(path: str | os.PathLike[str], frame: pd.DataFrame) -> None:
    """Write the time series as Parquet, byte-identical for identical data (no pandas metadata, no stats)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)
    atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd", write_statistics=False))


def read_timeseries(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a ``timeseries.parquet``."""
    frame: pd.DataFrame = pq.read_table(path).to_pandas()
    return frame
