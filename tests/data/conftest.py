"""Fixtures for the tests of :mod:`resilience.data`: where the raw SSB 07459 exports are, read once."""

from __future__ import annotations

import lzma
import os
from pathlib import Path

import pandas as pd
import pytest

from resilience.data import read_07459, read_07459_dir

_REPO_ROOT = Path(__file__).resolve().parents[2]
_ENV_VAR = "RESILIENCE_SSB_RAW"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The raw exports: ``$RESILIENCE_SSB_RAW``, or the repository's own xz-compressed copies in
    ``data/ssb_07459`` (a fresh clone has them).

    A missing directory fails the tests instead of skipping them: the bundled dataset is only trustworthy
    while it is checked against its source.
    """
    configured = os.environ.get(_ENV_VAR)
    path = Path(configured) if configured else _REPO_ROOT / "data" / "ssb_07459"
    if not path.is_dir() or not any(path.glob("*.csv*")):
        pytest.fail(f"raw SSB 07459 exports not found in {path}; set {_ENV_VAR} to their directory")
    return path


def raw_bytes(raw_dir: Path, name: str) -> bytes:
    """The bytes of the export ``name`` (``Personer2024.csv``) as StatBank wrote them, kept plain or xz-compressed."""
    plain = raw_dir / name
    return plain.read_bytes() if plain.exists() else lzma.decompress((raw_dir / f"{name}.xz").read_bytes())


@pytest.fixture(scope="session")
def raw_files(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Every raw file read on its own with :func:`read_07459`, by the export's file name (without ``.xz``)."""
    paths = sorted(raw_dir.glob("*.csv")) or sorted(raw_dir.glob("*.csv.xz"))
    return {path.name.removesuffix(".xz"): read_07459(path) for path in paths}


@pytest.fixture(scope="session")
def raw_all(raw_dir: Path) -> pd.DataFrame:
    """All raw files combined with :func:`read_07459_dir` (checked, canonical names)."""
    return read_07459_dir(raw_dir)
