"""The model against the published stylised facts of EVIDENCE.md §2–3 (one validation experiment)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from resilience.validation import STYLISED_FACTS, CheckResult, format_results, run_validation
from resilience.validation.stylised_facts import _adjustment, _displacement, adjustment_path, simulate

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def results() -> list[CheckResult]:
    return run_validation(workers=2)


def test_every_stylised_fact_is_checked(results):
    assert [r.name for r in results] == [f.name for f in STYLISED_FACTS]


@pytest.mark.parametrize("fact", [f.name for f in STYLISED_FACTS])
def test_stylised_fact_holds(results, fact):
    result = next(r for r in results if r.name == fact)
    assert result.passed, f"{fact}: model {result.model_value} vs published {result.published}"


@pytest.mark.parametrize("fact", [f.name for f in STYLISED_FACTS])
def test_printed_line_shows_model_and_published_figures(results, fact):
    result = next(r for r in results if r.name == fact)
    line = next(line for line in format_results(results).splitlines() if line.startswith(fact))
    assert result.model_value in line and result.published in line
    assert NUMBER.search(result.model_value) and NUMBER.search(result.published)
    assert line.rstrip().endswith("PASS" if result.passed else "FAIL")


def test_a_broken_model_fails_the_displacement_check():
    broken = run_validation(
        workers=2,
        replications=20,
        overrides={"displaced_migration_factor": 1.0, "tie_retention": 0.0},
        facts=[f for f in STYLISED_FACTS if f.measure is _displacement],
    )
    assert len(broken) == 1
    assert not broken[0].passed, broken[0].model_value


def test_the_adjustment_decomposition_is_exact_and_migration_builds():
    runs = simulate(workers=2, replications=12)
    path = adjustment_path(runs)
    assert [a.years_after for a in path] == list(range(1, len(path) + 1))
    for a in path:
        assert a.employment < 0
        assert a.migration + a.participation + a.employment_rate == pytest.approx(a.employment, abs=1e-9)
        assert a.migration_share + a.participation_share + a.employment_rate_share == pytest.approx(1.0)
    assert path[-1].migration_share > path[0].migration_share


def test_a_model_where_the_displaced_leave_at_once_fails_the_adjustment_check():
    # Displaced and unemployed people moving out twenty times as readily: migration takes the shock at once.
    broken = simulate(workers=2, replications=12, overrides={"displaced_migration_factor": 20.0})
    text, passed = _adjustment(broken)
    assert not passed, text


def test_cli_exit_code_follows_the_checks(monkeypatch):
    from resilience import cli

    def fake(*, workers: int) -> list[CheckResult]:
        return [CheckResult("a", "1.0", "2.0", "src", True), CheckResult("b", "3", "4", "src", workers == 99)]

    monkeypatch.setattr("resilience.validation.run_validation", fake)
    ok = CliRunner().invoke(cli.main, ["validate-model", "--workers", "99"])
    assert ok.exit_code == 0, ok.output
    assert "PASS" in ok.output and "2 of 2" in ok.output
    failed = CliRunner().invoke(cli.main, ["validate-model", "--workers", "1"])
    assert failed.exit_code == 1
    assert "FAIL" in failed.output
