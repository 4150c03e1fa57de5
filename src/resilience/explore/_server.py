"""Starting the explorer: Solara's Starlette app under uvicorn, on localhost, with nothing from the network.

Solara is configured through environment variables before it is imported: the app module and the scenario,
production mode (no check against solara.dev), no telemetry, the CDN proxy answered from the local asset
cache (:mod:`resilience.explore._assets`) with every fetch from the CDN refused, and the plotly package's
own ``plotly.min.js`` served under ``/static/assets/``.

The listening socket is bound here, before uvicorn starts, and handed to it: the check that the port is free
and the serving are the same socket, so there is no window in which another program can take the port, and
a busy port is one sentence (:class:`ServeError`) instead of uvicorn's log line and exit code 3. Every request,
page or websocket, must name the host served (Starlette's ``TrustedHostMiddleware``): a web page elsewhere
that points its own DNS name at 127.0.0.1 (DNS rebinding) gets ``400 Invalid host header``, not the explorer.

Usage::

    from resilience.explore._server import ServeError, serve

    try:
        serve(Path("scenarios/traena.yaml"), assets_dir(), host="127.0.0.1", port=8765, on_ready=print)
    except ServeError as error:
        print(f"error: {error}")  # e.g. port 8765 on 127.0.0.1 is already in use (another explorer?); ...
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ServeError", "allowed_hosts", "configure", "listen", "serve", "url_of"]

#: Pending connections the kernel keeps while the explorer is busy (uvicorn's default).
BACKLOG = 2048


class ServeError(Exception):
    """The explorer cannot serve where it was asked to; the message is one sentence for the user."""


def _refuse_cdn(url: str) -> bytes:
    raise RuntimeError(f"the explorer loads nothing from the network (asked for {url})")


def configure(scenario: Path, assets: Path) -> None:
    """Set the environment Solara reads when it is imported (idempotent)."""
    import plotly

    package_data = Path(plotly.__file__).parent / "package_data"
    os.environ.update(
        {
            "SOLARA_APP": "resilience.explore.app",
            "RESILIENCE_EXPLORE_SCENARIO": str(scenario.resolve()),
            "SOLARA_MODE": "production",
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
            "SOLARA_ASSETS_PROXY": "true",
            "SOLARA_ASSETS_PROXY_CACHE_DIR": str(assets),
            "SOLARA_ASSETS_EXTRA_LOCATIONS": str(package_data),  # a comma-separated list
            "SOLARA_THEME_TITLE": "resilience explore",
        }
    )


def _address(host: str) -> str:
    """``host`` without the brackets a URL puts around an IPv6 address (``[::1]`` → ``::1``)."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(_address(host)).version == 6
    except ValueError:
        return False


def url_of(host: str, port: int) -> str:
    """The page's address: ``url_of("::1", 8765)`` is ``http://[::1]:8765/``."""
    name = f"[{_address(host)}]" if _is_ipv6(host) else host
    return f"http://{name}:{port}/"


def _bind_error(error: OSError, host: str, port: int) -> ServeError:
    """One sentence for why ``host``:``port`` cannot be bound: the user picks another port or address."""
    if error.errno == errno.EADDRINUSE:
        return ServeError(f"port {port} on {host} is already in use (another explorer?); choose another with --port")
    if error.errno == errno.EACCES:
        return ServeError(
            f"port {port} on {host} is not open to this user (ports below 1024 need privileges); "
            "choose another with --port"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return ServeError(f"{host} is not an address of this machine; choose one with --host (e.g. 127.0.0.1)")
    return ServeError(
        f"cannot serve on port {port} of {host} ({error.strerror or error}); try another --host or --port"
    )


def listen(host: str, port: int) -> list[socket.socket]:
    """Listening sockets on every address ``host`` names on this machine (``localhost`` may be two).

    Raises :class:`ServeError` for a host that is not found or names every network (0.0.0.0, ::), and for a
    port that cannot be bound (in use, privileged, not this machine's address). Usage::

        sockets = listen("127.0.0.1", 8765)  # hand them to uvicorn.Server.run(sockets=...)
    """
    address = _address(host)
    try:
        found = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise ServeError(
            f"cannot find the address {host}; give one of this machine with --host (e.g. 127.0.0.1)"
        ) from None
    # The Host check accepts only the name served; an explorer on every network would refuse the addresses
    # people actually type, so a wildcard is refused here with a sentence rather than with a 400 later.
    if any(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_unspecified for info in found):
        raise ServeError(
            f"--host {host} means every network of this machine; give one address of this machine "
            "(e.g. 127.0.0.1, or this machine's address on the workshop's network)"
        )
    sockets: list[socket.socket] = []
    seen: set[tuple[int, str]] = set()
    try:
        for family, kind, proto, _, where in found:
            if (family, str(where[0])) in seen:
                continue
            seen.add((family, str(where[0])))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            if os.name != "nt":
                # Restarting right after Ctrl-C must not wait for old connections; on Windows this option would
                # let a second program share a port in use, so it is set on POSIX only.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(where)
                sock.listen(BACKLOG)
            except OSError as error:
                raise _bind_error(error, host, port) from error
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def allowed_hosts(host: str, sockets: list[socket.socket]) -> list[str]:
    """The names a request's ``Host`` header may give, as Starlette's ``TrustedHostMiddleware`` compares them.

    A loopback host is also reached as ``localhost`` and as the addresses it is bound to (``127.0.0.1``,
    ``[::1]``); any other host only exactly as given. Usage::

        allowed_hosts("127.0.0.1", listen("127.0.0.1", 8765))  # ['127.0.0.1', 'localhost']
    """

    def as_header(name: str) -> str:
        # TrustedHostMiddleware keeps the brackets of an IPv6 address (Host: [::1]:8765 is host "[::1]").
        return f"[{_address(name)}]" if _is_ipv6(name) else name.lower()

    hosts = [as_header(host)]
    bound = [str(sock.getsockname()[0]) for sock in sockets]
    if bound and all(ipaddress.ip_address(address.split("%")[0]).is_loopback for address in bound):
        # Only this machine reaches a loopback address, and a rebinding page's requests carry the page's own
        # DNS name: localhost and a literal address are not names an attacker can point elsewhere.
        hosts += ["localhost", *(as_header(address) for address in bound)]
    return list(dict.fromkeys(hosts))


def serve(
    scenario: Path,
    assets: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    on_ready: Callable[[str], Any] | None = None,
    open_browser: bool = False,
) -> None:
    """Serve the explorer of ``scenario`` at http://host:port/ until interrupted.

    Raises :class:`ServeError` (before anything is imported or served) when ``host``:``port`` cannot be bound.
    """
    sockets = listen(host, port)  # first: a busy port is reported at once, and kept from here on
    try:
        configure(scenario, assets)
        import uvicorn
        from solara.server import cdn_helper
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        cdn_helper.fetch_from_cdn = _refuse_cdn  # a file missing from the cache is a 404, never a download
        from solara.server.starlette import app

        # Outermost, so the page, its static files and the kernel websocket are all refused alike. uvicorn's
        # websockets-sansio logs "ASGI callable returned without completing handshake" after a refused
        # websocket (Kludex/uvicorn#3138); the client has its 400 all the same.
        guarded = TrustedHostMiddleware(app, allowed_hosts=allowed_hosts(host, sockets), www_redirect=False)
        url = url_of(host, port)
        config = uvicorn.Config(guarded, log_level="warning")
        server = uvicorn.Server(config)

        def announce() -> None:
            while not server.started:
                if server.should_exit:
                    return
                threading.Event().wait(0.05)
            if on_ready is not None:
                on_ready(url)
            if open_browser:
                webbrowser.open(url)

        threading.Thread(target=announce, daemon=True).start()
        server.run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()  # uvicorn closes them on a clean shutdown; this covers a failed start
        from resilience.explore._pool import shutdown_pool

        shutdown_pool()
