"""A small results directory for the report tests (made once per test session)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from resilience.config import parse_scenario
from tests.conftest import TRAENA

#: A scenario whose every free text is markup: the report must show it as text.
HOSTILE = "<script>alert(1)</script>"


def scenario_text(*, hostile: bool = False) -> str:
    """The Træna scenario, short (horizon 2030); with ``hostile``, markup in its name, municipality and text."""
    text = TRAENA.read_text(encoding="utf-8").replace("horizon: 2050", "horizon: 2030")
    if hostile:
        text = text.replace('name: "Træna: the fish-processing plant closes"', f'name: "{HOSTILE}"')
        text = text.replace("  name: Træna\n", f'  name: "{HOSTILE}"\n')
        text = text.replace("description: >-\n", f"description: >-\n  {HOSTILE}\n", 1)
    return text


def make_results(directory: Path, *, hostile: bool = False) -> Path:
    """Run the short scenario with 2 replications into ``directory`` (report written in bokmål)."""
    from resilience.workflow import run_scenario

    scenario = parse_scenario(scenario_text(hostile=hostile), filename="report-test.yaml")
    return run_scenario(scenario, directory, replications=2, executor="sequential")


def copy_results(source: Path, target: Path) -> Path:
    """A copy of a results directory, to rewrite its report without touching the shared one."""
    shutil.copytree(source, target)
    return target


def browser_or_fail() -> Path:
    """Chromium for the browser and export tests: fail in CI (CI=true) without one, skip elsewhere."""
    from resilience.reporting.export import ExportError, find_browser

    try:
        return find_browser()
    except ExportError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs a Chromium browser for this test: {error}")
        pytest.skip(f"no Chromium browser: {error}")
