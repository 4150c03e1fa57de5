"""`resilience explore` as a real process for the tests: Solara's assets, a free port, starting and stopping.

Usage::

    assets_or_skip()
    port = free_port()
    with explorer_process(scenario, tmp_path, "--port", str(port)) as process:
        wait_until_served(process, port, tmp_path)
        ...  # requests to 127.0.0.1:port; the process group is stopped on the way out, also on failure
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from resilience.explore import missing_assets

#: How long any one step may take on a slow, shared machine before a test gives up (never a measure of speed).
PATIENCE = 120.0
#: Where a process started by :func:`explorer_process` writes, inside its working directory: a pipe nobody reads
#: could fill up and stop the server.
OUT, ERR = "explorer.out", "explorer.err"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def assets_or_skip() -> None:
    """Solara's browser assets in the local cache (tests never use the network: .ci/run fetches them first)."""
    missing = missing_assets()
    if not missing:
        return
    how = "uv run python -c 'from resilience.explore import fetch_assets; fetch_assets()'"
    if in_ci():
        pytest.fail(f"CI needs Solara's browser assets for this test ({', '.join(missing)}): run {how}")
    pytest.skip(f"no Solara browser assets ({', '.join(missing)}); fetch them once: {how}")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on at the moment (the kernel's choice for port 0)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def explore_command(scenario: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "resilience", "explore", str(scenario), "--no-browser", *options]


def output(cwd: Path) -> str:
    """What a process of :func:`explorer_process` in ``cwd`` has written so far, for a failure's message."""
    return "\n".join((cwd / name).read_text(errors="replace") for name in (OUT, ERR) if (cwd / name).exists())


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop ``process`` and every process it started (its own process group), however far it got."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=PATIENCE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever of the group is left (a worker, or a stuck server)
    process.wait(timeout=PATIENCE)


@contextmanager
def explorer_process(scenario: Path, cwd: Path, *options: str) -> Iterator[subprocess.Popen[bytes]]:
    """``resilience explore SCENARIO --no-browser OPTIONS`` in ``cwd``, in a process group of its own."""
    with (cwd / OUT).open("wb") as out, (cwd / ERR).open("wb") as err:
        process = subprocess.Popen(
            explore_command(scenario, *options), cwd=cwd, stdout=out, stderr=err, start_new_session=True
        )
    try:
        yield process
    finally:
        stop(process)


def wait_until_served(process: subprocess.Popen[bytes], port: int, cwd: Path) -> None:
    """Poll ``http://127.0.0.1:port/`` until it answers 200; fail if the process ends first or never answers."""
    deadline = time.monotonic() + PATIENCE
    while True:
        if process.poll() is not None:
            pytest.fail(f"the explorer stopped (exit {process.returncode}) before serving:\n{output(cwd)}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass  # not listening yet, or still starting
        finally:
            connection.close()
        if time.monotonic() > deadline:
            pytest.fail(f"the explorer did not serve within {PATIENCE:.0f} s:\n{output(cwd)}")
        time.sleep(0.3)
