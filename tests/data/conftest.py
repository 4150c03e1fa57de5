"""Fixtures for the tests of :mod:`resilience.data`: where the raw SSB 07459 exports are, read once."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from resilience.data import read_07459, read_07459_dir

_REPO_ROOT = Path(__file__).resolve().parents[2]
_ENV_VAR = "RESILIENCE_SSB_RAW"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The raw exports: ``$RESILIENCE_SSB_RAW`` or ``../shared/data/ssb_07459`` next to the repository.

    A missing directory fails the tests instead of skipping them: the bundled dataset is only trustworthy
    while it is checked against its source.
    """
    configured = os.environ.get(_ENV_VAR)
    path = Path(configured) if configured else _REPO_ROOT.parent / "shared" / "data" / "ssb_07459"
    if not path.is_dir() or not any(path.glob("*.csv")):
        pytest.fail(f"raw SSB 07459 exports not found in {path}; set {_ENV_VAR} to their directory")
    return path


@pytest.fixture(scope="session")
def raw_files(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Every raw file read on its own with :func:`read_07459`, by file name."""
    return {path.name: read_07459(path) for path in sorted(raw_dir.glob("*.csv"))}


@pytest.fixture(scope="session")
def raw_all(raw_dir: Path) -> pd.DataFrame:
    """All raw files combined with :func:`read_07459_dir` (checked, canonical names)."""
    return read_07459_dir(raw_dir)
