"""The suite's own guard: no test deletes, replaces or renames anything outside a temporary directory."""

from __future__ import annotations

import os
import shutil

import pytest

from tests import conftest


def test_a_deletion_outside_every_temporary_directory_is_refused_and_recorded():
    # A path that does not exist: the audit hook speaks before the system call, so nothing real is at risk.
    for delete in (os.remove, os.rmdir, shutil.rmtree):
        with pytest.raises(PermissionError, match="outside every temporary directory"):
            delete("/nonexistent-resilience-test/results")
    with pytest.raises(PermissionError):
        os.replace("/nonexistent-resilience-test/a", "/nonexistent-resilience-test/b")
    assert conftest._outside[-4:] == [
        "os.remove /nonexistent-resilience-test/results",
        "os.rmdir /nonexistent-resilience-test/results",
        "shutil.rmtree /nonexistent-resilience-test/results",
        "os.rename /nonexistent-resilience-test/a",
    ]
    del conftest._outside[-4:]  # recorded on purpose: not a failure of this test


def test_deletions_inside_a_temporary_directory_are_allowed(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_text("x", encoding="utf-8")
    os.replace(tmp_path / "d" / "f", tmp_path / "g")
    os.remove(tmp_path / "g")
    shutil.rmtree(tmp_path / "d")
    assert os.listdir(tmp_path) == []
