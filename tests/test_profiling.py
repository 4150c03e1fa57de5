"""`resilience profile`: one run under cProfile, with the time of each point of the yearly schedule."""

from __future__ import annotations

import pstats
from pathlib import Path

import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.config import load_scenario
from resilience.model import PROCESS_NAMES
from resilience.profiling import BETWEEN_YEARS, CONSTRUCTION, profile_run

ROOT = Path(__file__).resolve().parents[1]
TRAENA = ROOT / "scenarios" / "traena.yaml"


def test_the_breakdown_covers_every_point_and_adds_up() -> None:
    result = profile_run(load_scenario(TRAENA), horizon=2030, limit=5)
    assert list(result.seconds) == [CONSTRUCTION, *PROCESS_NAMES, BETWEEN_YEARS]
    assert all(seconds >= 0 for seconds in result.seconds.values())
    assert result.seconds[CONSTRUCTION] > 0 and result.seconds["hiring"] > 0
    assert result.total == pytest.approx(sum(result.seconds.values()))
    assert result.person_years > 400 * 6
    assert "function calls" in result.functions
    table = result.table()
    assert all(name in table for name in result.seconds) and "µs per person-year" in table


def test_the_profile_does_not_change_the_run() -> None:
    from resilience.experiments import plan_runs, run_replication

    # The profile runs at the scenario's fixed values: compare with a run that draws nothing either.
    scenario = load_scenario(TRAENA).model_copy(update={"uncertainties": {}})
    task = next(t for t in plan_runs(scenario, replications=1) if t.strategy == "baseline")
    assert task.drawn == {}
    plain = run_replication(scenario, task, horizon=2030)
    profiled = profile_run(scenario, seed=task.seed, horizon=2030)
    assert profiled.person_years == int(plain["population"].sum())


def test_cli_prints_the_breakdown_and_keeps_the_raw_profile(tmp_path: Path) -> None:
    out = tmp_path / "run.prof"
    result = CliRunner().invoke(
        main, ["profile", str(TRAENA), "--horizon", "2028", "--limit", "5", "--sort", "tottime", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "hiring" in result.output and "µs per person-year" in result.output and "tottime" in result.output
    assert pstats.Stats(str(out)).total_calls > 0


def test_cli_unknown_strategy_exits_2_in_one_line() -> None:
    result = CliRunner().invoke(main, ["profile", str(TRAENA), "--strategy", "nope", "--horizon", "2026"])
    assert result.exit_code == 2
    assert "no strategy 'nope'" in result.output
