"""Starting the explorer: Solara's Starlette app under uvicorn, on localhost, with nothing from the network.

Solara is configured through environment variables before it is imported: the app module and the scenario,
production mode (no check against solara.dev), no telemetry, the CDN proxy answered from the local asset
cache (:mod:`resilience.explore._assets`) with every fetch from the CDN refused, and the plotly package's
own ``plotly.min.js`` served under ``/static/assets/``.
"""

from __future__ import annotations

import os
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["configure", "serve"]


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


def serve(
    scenario: Path,
    assets: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    on_ready: Callable[[str], Any] | None = None,
    open_browser: bool = False,
) -> None:
    """Serve the explorer of ``scenario`` at http://host:port/ until interrupted."""
    configure(scenario, assets)
    import uvicorn
    from solara.server import cdn_helper

    cdn_helper.fetch_from_cdn = _refuse_cdn  # a file missing from the cache is a 404, never a download
    from solara.server.starlette import app

    url = f"http://{host}:{port}/"
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
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
    try:
        server.run()
    finally:
        from resilience.explore._pool import shutdown_pool

        shutdown_pool()
