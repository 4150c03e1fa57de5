"""Shared fixtures: the bundled Træna scenario and variants of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from resilience.config import Scenario, load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
TRAENA = ROOT / "scenarios" / "traena.yaml"


@pytest.fixture(scope="session")
def traena() -> Scenario:
    return load_scenario(TRAENA)


def traena_variant(*, shock: bool = True, base_year: int = 2024, horizon: int = 2050, extra: str = "") -> Scenario:
    """The Træna scenario text with the closure on or off and another base year or horizon."""
    text = TRAENA.read_text(encoding="utf-8")
    text = text.replace("base_year: 2024", f"base_year: {base_year}").replace("horizon: 2050", f"horizon: {horizon}")
    if not shock:
        text = text.replace("shocks:\n  - type: closure\n    employer: Fiskeindustri\n    year: 2026\n", "shocks: []\n")
    return parse_scenario(text + extra, filename="traena-variant.yaml")
