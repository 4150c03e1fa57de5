"""End to end: `resilience explore` serves the page; headless Chromium draws its figures, nothing leaves
localhost, and moving a lever's slider redraws the fan."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from resilience.reporting.export import BROWSER_FLAGS
from tests.explore.servers import assets_or_skip, free_port
from tests.reporting.results import browser_or_fail

ROOT = Path(__file__).resolve().parents[2]
STRATEGY_DATA = """
el => JSON.stringify((el.data || []).filter(t => t.meta && t.meta.strategy === 'tenk_traena').map(t => t.y))
"""


@pytest.fixture
def explorer(tmp_path: Path) -> Iterator[str]:
    """`resilience explore scenarios/traena.yaml` on a free port, run in a temporary directory; its URL once it
    serves."""
    pytest.importorskip("solara")
    assets_or_skip()
    port = free_port()
    scenario = str(ROOT / "scenarios" / "traena.yaml")
    process = subprocess.Popen(
        [sys.executable, "-m", "resilience", "explore", scenario, "--port", str(port), "--no-browser"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the explorer stopped: {process.stdout.read() if process.stdout else ''}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the explorer did not serve within 60 s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_explorer_renders_and_a_lever_redraws_the_fan(explorer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    browser = browser_or_fail()
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    outside: list[str] = []
    local = explorer.rstrip("/")
    allowed = (local, local.replace("http://", "ws://"), "data:", "blob:")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(browser), args=[f for f in BROWSER_FLAGS if f != "--headless"], headless=True
        )
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(allowed) else outside.append(r.url))
            page.on("websocket", lambda ws: None if ws.url.startswith(allowed) else outside.append(ws.url))
            page.goto(explorer, wait_until="load")
            for name in ("population", "difference"):
                page.wait_for_selector(f".resilience-figure[data-name='{name}'] svg.main-svg", timeout=45_000)
            figure = page.locator(".resilience-figure[data-name='population']")
            before = figure.evaluate(STRATEGY_DATA)
            assert json.loads(before), "the fan has the strategy's traces"
            numbers_before = page.locator(".resilience-difference").inner_text()

            # The budget of the development project (tenk_traena's third slider) to its maximum, by keyboard.
            sliders = page.locator("[role='slider']")
            budget = sliders.nth(2)
            budget.focus()
            budget.press("End")
            page.wait_for_function(
                "([sel, old]) => { const el = document.querySelector(sel); if (!el || !el.data) return false;"
                " return JSON.stringify(el.data.filter(t => t.meta && t.meta.strategy === 'tenk_traena')"
                ".map(t => t.y)) !== old; }",
                arg=[".resilience-figure[data-name='population']", before],
                timeout=45_000,
            )
            assert figure.evaluate(STRATEGY_DATA) != before
            page.wait_for_selector(".resilience-difference", timeout=10_000)
            numbers_after = page.locator(".resilience-difference").inner_text()
            page.screenshot(path=str(tmp_path / "explorer.png"), full_page=False)
        finally:
            chromium.close()
    assert errors == []
    assert outside == []  # nothing but the explorer's own server
    assert numbers_before and numbers_after
