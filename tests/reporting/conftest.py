"""Fixtures of the report tests: one small results directory per session (and one with hostile texts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reporting.results import make_results


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_results(tmp_path_factory.mktemp("report") / "results")


@pytest.fixture(scope="session")
def hostile_results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_results(tmp_path_factory.mktemp("hostile") / "results", hostile=True)
