"""The benchmark suite runs (its quick version), so it cannot rot. Timings are not asserted: machines are noisy."""

from __future__ import annotations

import math
import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_quick_benchmark_measures_all_five_figures(capsys: pytest.CaptureFixture[str]) -> None:
    bench = runpy.run_path(str(ROOT / "benchmarks" / "run.py"), run_name="benchmarks")
    stored: list[dict[str, Any]] = []
    result = bench["main"](["--quick", "--no-store"], store=stored.append)
    assert stored == [result]
    figures = result["figures"]
    assert len(figures) == 5
    for figure in figures:
        assert math.isfinite(figure["value"]) and figure["value"] > 0, figure
        assert figure["better"] in ("lower", "higher") and figure["budget"] > 0
    speed_up = next(f for f in figures if f["name"].startswith("speed-up"))
    assert speed_up["detail"]["identical_results"] is True  # 1 and 2 workers give the same rows
    printed = capsys.readouterr().out
    assert all(f["name"] in printed for f in figures)
