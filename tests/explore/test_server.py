"""`resilience explore` as a real process: a port in use or an address it cannot serve on is one line and exit 2;
a request that names a foreign host (DNS rebinding), page or websocket, is refused.

Each test works in its own temporary directory, on a copy of the bundled Træna scenario, and stops the process
group it started on the way out, also when it fails. They poll with generous limits (``PATIENCE``) and never
assume how fast the machine is.
"""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from resilience.explore._server import ServeError, allowed_hosts, listen, url_of
from tests.explore.servers import (
    PATIENCE,
    assets_or_skip,
    explore_command,
    explorer_process,
    free_port,
    stop,
    wait_until_served,
)

ROOT = Path(__file__).resolve().parents[2]
#: The websocket Solara's page opens for its kernel (``WebSocketRoute("/jupyter/api/kernels/{kernel_id}/{name}")``
#: in ``solara.server.starlette``; the page asks for ``channels``).
KERNEL_WEBSOCKET = "/jupyter/api/kernels/{kernel}/channels"


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
        ("0.0.0.0", "every network"),  # the Host check could not name the address people type
        ("192.0.2.1", "not an address of this machine"),  # TEST-NET-1 (RFC 5737): on no machine
        ("no-such-host.invalid", "cannot find"),  # .invalid never resolves (RFC 2606)
    ],
)
def test_an_address_the_explorer_cannot_serve_on_is_one_line_and_exit_2(
    scenario: Path, tmp_path: Path, host: str, why: str
) -> None:
    result = explore_fails(scenario, tmp_path, "--host", host, "--port", str(free_port()))
    assert_one_line_exit_2(result, host, why, "--host")


@pytest.fixture
def served(scenario: Path, tmp_path: Path) -> Iterator[int]:
    """The explorer of the scenario on a free port of 127.0.0.1, serving; its port."""
    port = free_port()
    with explorer_process(scenario, tmp_path, "--port", str(port)) as process:
        wait_until_served(process, port, tmp_path)
        yield port


def get(port: int, host: str, path: str = "/") -> tuple[int, str, bytes]:
    """``GET path`` on 127.0.0.1:port with the ``Host`` header ``host``: status, content type, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("content-type", ""), response.read()
    finally:
        connection.close()


def websocket_status(port: int, host: str) -> int:
    """The HTTP status that answers a websocket handshake for the kernel's channel with the ``Host`` ``host``."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {KERNEL_WEBSOCKET.format(kernel='test-kernel')}?session_id=test HTTP/1.1\r\n"
        f"Host: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as sock:
        sock.sendall(request.encode("ascii"))
        answer = b""
        deadline = time.monotonic() + PATIENCE
        while b"\r\n" not in answer and time.monotonic() < deadline:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    assert status_line.startswith("HTTP/1.1 "), f"no HTTP answer to the handshake: {answer!r}"
    return int(status_line.split()[1])


def test_the_page_answers_only_requests_that_name_this_machine(served: int) -> None:
    port = served
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        status, _, body = get(port, host)
        assert status == 200, host
        assert b"<html" in body.lower()
    # A page on evil.example whose DNS name now points at 127.0.0.1 sends its own name: refused, in plain words.
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}"):
        status, content_type, body = get(port, host)
        assert status in (400, 403), host
        assert content_type.startswith("text/plain")
        assert len(body) < 200
        assert b"<html" not in body.lower()


def test_the_kernel_websocket_answers_only_handshakes_that_name_this_machine(served: int) -> None:
    port = served
    assert websocket_status(port, "evil.example") in (400, 403)
    assert websocket_status(port, f"evil.example:{port}") in (400, 403)
    # The same handshake naming this machine is accepted: the refusal above is the Host check, not the path.
    assert websocket_status(port, f"127.0.0.1:{port}") == 101


def _bindable(address: str) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family) as sock:
            sock.bind((address, 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize(
    ("host", "names", "url"),
    [
        ("127.0.0.1", ["127.0.0.1", "localhost"], "http://127.0.0.1:{port}/"),
        ("::1", ["[::1]", "localhost"], "http://[::1]:{port}/"),
        ("[::1]", ["[::1]", "localhost"], "http://[::1]:{port}/"),
    ],
)
def test_a_loopback_address_is_also_reached_as_localhost(host: str, names: list[str], url: str) -> None:
    if not _bindable(host.strip("[]")):
        pytest.skip(f"{host} is not available on this machine")
    sockets = listen(host, 0)
    try:
        port = sockets[0].getsockname()[1]
        assert allowed_hosts(host, sockets) == names
        assert url_of(host, port) == url.format(port=port)
    finally:
        for sock in sockets:
            sock.close()


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
