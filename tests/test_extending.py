"""docs/extending.md: every Python block runs, in order, in one namespace (the examples are the tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from resilience.levers import lever_names

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "extending.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_an_example_for_every_extension_point() -> None:
    text = "\n".join(blocks())
    for needle in ("household_class=", "extra_processes=", "reporters", "@register_lever", "run_ensemble("):
        assert needle in text, needle


def test_the_guides_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from resilience.levers import _registry

    monkeypatch.chdir(ROOT)  # the guide reads scenarios/traena.yaml
    namespace: dict[str, object] = {"__name__": "extending_guide"}
    try:
        for number, code in enumerate(blocks(), start=1):
            exec(compile(code, f"{GUIDE.name} block {number}", "exec"), namespace)
        assert "faster_ferry" in lever_names()
    finally:
        _registry._REGISTRY.pop("faster_ferry", None)  # keep the registry as the other tests expect it
    assert "faster_ferry" not in lever_names()
