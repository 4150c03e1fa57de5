"""The worker processes of the process executor: quiet on Ctrl-C, and gone when their parent is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

#: Opens the executor, lets both workers start and go idle, prints their pids, then waits for a signal.
SCRIPT = """
import os, time
from resilience.experiments import open_executor
if __name__ == "__main__":
    with open_executor("process", workers=2) as pool:
        pids = set()
        while len(pids) < 2:
            pids |= {f.result() for f in [pool.submit(os.getpid) for _ in range(8)]}
        print(*sorted(pids), flush=True)
        try:
            time.sleep(600)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
"""
PATIENCE = 300.0


def start() -> tuple[subprocess.Popen[str], list[int]]:
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the workers are up (or the script failed)
    if not line.strip():
        pytest.fail(f"the script failed: {process.communicate()[1]}")
    return process, [int(pid) for pid in line.split()]


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_idle_workers_print_no_traceback_on_ctrl_c():
    """Idle workers wait on a queue; without ignoring SIGINT each one dies there with a traceback."""
    process, _ = start()
    time.sleep(0.5)  # both workers back in their queue's get(): where an interrupt used to print a traceback
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: every process of the group
    out, err = process.communicate(timeout=PATIENCE)
    assert "interrupted" in out
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_workers_exit_when_their_parent_is_killed():
    process, workers = start()
    process.kill()  # the parent only, as the OOM killer would
    process.communicate(timeout=PATIENCE)
    deadline = time.monotonic() + PATIENCE
    while any(running(pid) for pid in workers):
        assert time.monotonic() < deadline, "the workers outlived their parent"
        time.sleep(0.1)
