"""End to end: report.html opened in headless Chromium — no console errors, every figure drawn, a screenshot.

The screenshot is kept as a test artefact in ``tests/reporting/artifacts/`` (git-ignored). Set
``RESILIENCE_UPDATE_SCREENSHOT=1`` to also refresh ``docs/report.png``, the README's picture.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from resilience.reporting.export import BROWSER_FLAGS
from resilience.workflow import write_report
from tests.reporting.results import browser_or_fail, copy_results

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_report_renders_in_chromium_without_errors(
    results_dir: Path, tmp_path: Path, lang: str, monkeypatch: pytest.MonkeyPatch
):
    browser = browser_or_fail()
    # Playwright must never download a browser: it is given the system's Chromium.
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    directory = copy_results(results_dir, tmp_path / "results")
    report = write_report(directory, lang)
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(browser), args=[f for f in BROWSER_FLAGS if f != "--headless"], headless=True
        )
        try:
            page = chromium.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            figure_ids = page.eval_on_selector_all(
                "figure .plot div.plotly-graph-div[id^='fig-']", "els => els.map(e => e.id)"
            )
            assert len(figure_ids) >= 2
            for figure_id in figure_ids:
                page.wait_for_selector(f"#{figure_id} .plot-container svg.main-svg", timeout=30_000)
            drawn = page.eval_on_selector_all(
                "figure .plot div.plotly-graph-div[id^='fig-']",
                "els => els.filter(e => e.querySelector('.plot-container svg')).length",
            )
            assert drawn == len(figure_ids)
            assert page.title()
            # On a phone the page does not scroll sideways (wide tables scroll inside their own box).
            phone = chromium.new_page(viewport={"width": 390, "height": 844})
            phone.goto(report.as_uri(), wait_until="load")
            for figure_id in figure_ids:
                phone.wait_for_selector(f"#{figure_id} .plot-container svg.main-svg", timeout=30_000)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
            phone.close()
            page.set_viewport_size({"width": 1280, "height": 1700})
            page.wait_for_timeout(1000)
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"report-{lang}.png"
            page.screenshot(path=str(shot), full_page=False)
            assert shot.stat().st_size > 10_000
        finally:
            chromium.close()
    assert errors == []
    assert requests == []  # nothing from the network
    if lang == "en" and os.environ.get("RESILIENCE_UPDATE_SCREENSHOT"):
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "report.png")
