"""The fuzz harness itself: it catches a hang and a dead worker, and a short run finds nothing."""

from __future__ import annotations

import os
import time
from multiprocessing.connection import Connection

from tests.properties.fuzz_loader import Checker, fuzz, main, message_kind


def _sleeping_worker(conn: Connection) -> None:
    conn.recv_bytes()
    time.sleep(60)


def _dying_worker(conn: Connection) -> None:
    conn.recv_bytes()
    os._exit(3)


def test_a_document_over_the_time_limit_is_a_hang_and_the_worker_is_replaced():
    checker = Checker(timeout=0.5, target=_sleeping_worker, warm_up=False)
    try:
        first = checker.process.pid
        outcome, detail, seconds = checker.check(b"a: 1\n")
        assert outcome == "hang" and "0.5 s" in detail[0] and seconds >= 0.5
        assert checker.process.pid != first and checker.process.is_alive()
    finally:
        checker.close()


def test_a_dead_worker_is_a_crash():
    checker = Checker(timeout=30, target=_dying_worker, warm_up=False)
    try:
        outcome, detail, _ = checker.check(b"a: 1\n")
        assert outcome == "crash" and "exit code 3" in detail[0]
    finally:
        checker.close()


def test_the_real_worker_tells_valid_from_refused():
    checker = Checker(timeout=60)
    try:
        assert checker.check(b"schema_version: 1\n")[0] == "refused"
        valid = b'schema_version: 1\nname: x\nmunicipality: {kommunenummer: "1835", base_year: 2024}\n'
        valid += b"run: {horizon: 2030}\n"
        assert checker.check(valid)[:2] == ("valid", [])
        assert checker.check(b"!!python/object/apply:os.system [echo]\n")[0] == "refused"
    finally:
        checker.close()


def test_a_short_fuzz_run_finds_nothing(tmp_path, capsys):
    summary = fuzz(documents=60, seed=1, timeout=30, progress=False)
    assert summary.documents == 60 and not summary.findings
    assert summary.outcomes.get("refused", 0) > 30
    assert main(["--documents", "10", "--quiet", "--findings", str(tmp_path / "f")]) == 0
    assert "documents: 10" in capsys.readouterr().out
    assert not (tmp_path / "f").exists()


def test_message_kinds_mask_values():
    assert message_kind("fuzz.yaml:7: run.horizon: must be after the base year 2024, got 2020") == (
        "must be after the base year #, got #"
    )
