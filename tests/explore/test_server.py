"""`resilience explore` as a real process: a port in use or an address it cannot serve on is one line and exit 2.

Each test works in its own temporary directory, on a copy of the bundled Træna scenario, and stops the process
group it started on the way out, also when it fails. They poll with generous limits (``PATIENCE``) and never
assume how fast the machine is.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from resilience.explore._server import ServeError, listen
from tests.explore.servers import (
    PATIENCE,
    assets_or_skip,
    explore_command,
    free_port,
    stop,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """The explorer's prerequisites, and a copy of the bundled scenario in the test's own directory."""
    if os.name != "posix":
        pytest.skip("stops the explorer's process group (POSIX)")
    pytest.importorskip("solara")
    assets_or_skip()
    return Path(shutil.copy(ROOT / "scenarios" / "traena.yaml", tmp_path / "traena.yaml"))


def explore_fails(scenario: Path, cwd: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``resilience explore`` that is expected to stop by itself; its exit code, stdout and stderr."""
    process = subprocess.Popen(
        explore_command(scenario, *options),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        # A command that started serving instead of refusing would never return.
        out, err = process.communicate(timeout=PATIENCE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"explore {' '.join(options)} did not return within {PATIENCE:.0f} s")
    finally:
        stop(process)
    return subprocess.CompletedProcess(process.args, process.returncode, out.decode(), err.decode())


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], *words: str) -> str:
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]
    return lines[0]


def test_a_port_in_use_is_one_line_and_exit_2(scenario: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = explore_fails(scenario, tmp_path, "--port", str(port))
    line = assert_one_line_exit_2(result, str(port), "127.0.0.1", "--port")
    assert "in use" in line


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("192.0.2.1", "not an address of this machine"),  # TEST-NET-1 (RFC 5737): on no machine
        ("no-such-host.invalid", "cannot find"),  # .invalid never resolves (RFC 2606)
    ],
)
def test_an_address_the_explorer_cannot_serve_on_is_one_line_and_exit_2(
    scenario: Path, tmp_path: Path, host: str, why: str
) -> None:
    result = explore_fails(scenario, tmp_path, "--host", host, "--port", str(free_port()))
    assert_one_line_exit_2(result, host, why, "--host")


def test_listen_keeps_the_port_it_checked() -> None:
    sockets = listen("127.0.0.1", 0)
    try:
        port = sockets[0].getsockname()[1]
        # The socket that found the port free is the one served on: nobody else can take it in between.
        with pytest.raises(ServeError, match=rf"^port {port} on 127\.0\.0\.1 is already in use .* --port$"):
            listen("127.0.0.1", port)
    finally:
        for sock in sockets:
            sock.close()
