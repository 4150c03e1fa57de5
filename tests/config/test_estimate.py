"""The estimate ``resilience validate`` prints: runs, time on this machine's cores and peak memory, from the
benchmark figures; it grows linearly with the ensemble, and warns above an hour or half the memory."""

from __future__ import annotations

import ast
import itertools
import json
from pathlib import Path

import pytest

from resilience.config import (
    EnsembleEstimate,
    Scenario,
    duration_message,
    ensemble_memory_bytes,
    ensemble_runs,
    estimate_ensemble,
    load_scenario,
)
from resilience.config import _estimate as estimate_module
from resilience.config._estimate import (
    BYTES_PER_RESIDENT,
    COMMAND_BYTES,
    LARGE_MUNICIPALITY,
    LONG_SECONDS,
    SMALL_MUNICIPALITY,
    WORKER_FLOOR_BYTES,
    model_seconds_per_person_year,
)
from resilience.config._limits import result_rows

ROOT = Path(__file__).resolve().parents[2]
TRAENA = ROOT / "scenarios" / "traena.yaml"
BENCHMARK = ROOT / "benchmarks" / "results" / "2026-11-28T193555Z.json"
GB = 1_000_000_000


@pytest.fixture(scope="module")
def traena() -> Scenario:
    return load_scenario(TRAENA)


def with_run(scenario: Scenario, **run: int) -> Scenario:
    return scenario.model_copy(update={"run": scenario.run.model_copy(update=run)})


def lone_run(scenario: Scenario) -> Scenario:
    """One replication of the baseline alone, without shocks (so without the reference): a single run."""
    return with_run(scenario.model_copy(update={"shocks": [], "strategies": {"baseline": []}}), replications=1)


def estimate(
    scenario: Scenario, residents: int = 442, cores: int = 2, memory: int | None = 16 * GB
) -> EnsembleEstimate:
    return estimate_ensemble(scenario, residents, cores=cores, memory_bytes=memory)


# --------------------------------------------------------------------------
# What is counted
# --------------------------------------------------------------------------


def test_runs_are_strategies_with_the_no_shock_reference_times_replications(traena: Scenario) -> None:
    assert ensemble_runs(traena) == (6 + 1) * 20  # six strategies and the reference the runner adds
    without_shocks = traena.model_copy(update={"shocks": []})
    assert ensemble_runs(without_shocks) == 6 * 20
    assert estimate(with_run(traena, replications=3)).runs == 21


def test_person_years_are_residents_times_simulated_years_times_runs(traena: Scenario) -> None:
    result = estimate(traena, residents=1000)
    assert result.person_years == 1000 * (2050 - 2024) * 140


# --------------------------------------------------------------------------
# Linear growth
# --------------------------------------------------------------------------


@pytest.mark.parametrize("replications", [1, 7, 40])
def test_time_and_summary_memory_grow_linearly_with_replications(traena: Scenario, replications: int) -> None:
    one = estimate(with_run(traena, replications=replications))
    two = estimate(with_run(traena, replications=2 * replications))
    assert two.person_years == 2 * one.person_years
    # The runs' time doubles (7 runs or more keep both cores busy); the start-up does not grow.
    assert two.run_seconds == pytest.approx(2 * one.run_seconds)
    assert two.fixed_seconds == one.fixed_seconds
    # Summarising grows with the result rows; the workers' memory does not depend on the number of runs.
    assert two.summary_bytes - COMMAND_BYTES == 2 * (one.summary_bytes - COMMAND_BYTES)
    assert two.worker_bytes == one.worker_bytes


def test_time_and_memory_grow_linearly_with_population(traena: Scenario) -> None:
    sizes = [200_000, 300_000, 400_000, 500_000]
    results = [estimate(traena, residents=n) for n in sizes]
    assert [r.person_years for r in results] == [n * 26 * 140 for n in sizes]
    # Linear in residents with a fixed cost per run-year (a + F / n per person-year): equal steps for equal steps.
    steps = [b.run_seconds - a.run_seconds for a, b in itertools.pairwise(results)]
    assert steps == pytest.approx([steps[0]] * len(steps))
    assert all(step > 0 for step in steps)
    # Each worker holds the whole municipality.
    assert [r.worker_bytes for r in results] == [BYTES_PER_RESIDENT * n for n in sizes]
    assert results[-1].peak_memory_bytes - results[0].peak_memory_bytes == 2 * BYTES_PER_RESIDENT * 300_000


def test_a_small_municipality_still_costs_a_worker_process(traena: Scenario) -> None:
    assert estimate(traena, residents=442).worker_bytes == WORKER_FLOOR_BYTES


def test_runs_are_spread_over_the_cores_but_never_more_workers_than_runs(traena: Scenario) -> None:
    one, two, many = (estimate(traena, cores=c) for c in (1, 2, 1000))
    assert (one.workers, two.workers, many.workers) == (1, 2, 140)
    assert one.run_seconds == pytest.approx(2 * two.run_seconds)
    single = estimate(lone_run(traena))
    assert single.runs == 1 and single.workers == 1
    with pytest.raises(ValueError, match="cores"):
        estimate(traena, cores=0)


# --------------------------------------------------------------------------
# The figures behind it
# --------------------------------------------------------------------------


def test_the_cost_passes_through_both_measured_municipalities_and_falls_with_size() -> None:
    for residents, cost in (SMALL_MUNICIPALITY, LARGE_MUNICIPALITY):
        assert model_seconds_per_person_year(residents) == pytest.approx(cost)
    costs = [model_seconds_per_person_year(n) for n in (442, 2_000, 50_000, 214_565, 718_000)]
    assert costs == sorted(costs, reverse=True)
    assert LARGE_MUNICIPALITY[1] * 0.99 < costs[-1] < LARGE_MUNICIPALITY[1]


def test_the_constants_are_the_stored_benchmark_figures() -> None:
    figures = {f["name"]: f for f in json.loads(BENCHMARK.read_text(encoding="utf-8"))["figures"]}
    small = figures["cost per person-year / trivial Mesa agent-step"]["detail"]
    large = figures["cost per person-year, kommune 5001 / Træna"]["detail"]
    memory = figures["peak memory, kommune 5001 run"]["detail"]
    for (residents, cost), detail in ((SMALL_MUNICIPALITY, small), (LARGE_MUNICIPALITY, large)):
        assert residents == detail["residents"]
        assert cost == pytest.approx(detail["seconds_per_person_year"], rel=0.01)
    assert memory["bytes_per_resident"] == pytest.approx(BYTES_PER_RESIDENT, rel=0.01)


def test_every_constant_names_its_source() -> None:
    """Each module constant is preceded by a comment naming where its number comes from."""
    source = Path(estimate_module.__file__).read_text(encoding="utf-8")
    lines = source.splitlines()
    constants = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id.isupper()
    ]
    assert len(constants) == 10
    for node in constants:
        comment: list[str] = []
        row = node.lineno - 2
        while row >= 0 and lines[row].startswith("#:"):
            comment.insert(0, lines[row])
            row -= 1
        text = " ".join(comment)
        assert any(where in text for where in ("benchmarks/results/", "README", "issue 14")), node.target.id


# --------------------------------------------------------------------------
# Thresholds and messages
# --------------------------------------------------------------------------


def test_more_than_an_hour_is_warned_about_with_what_to_reduce(traena: Scenario) -> None:
    quick = estimate(traena, residents=442)
    assert not quick.too_long and quick.warnings() == []
    slow = estimate(traena, residents=700_000)
    assert slow.seconds > LONG_SECONDS and slow.too_long
    (warning,) = slow.warnings()
    assert warning.startswith("warning: the runs may take about ")
    for what in ("--replications", "--horizon", "--strategy", "--workers", "Dask", "--scheduler"):
        assert what in warning, what


def test_more_than_half_the_memory_is_warned_about(traena: Scenario) -> None:
    result = estimate(traena, residents=442, memory=2 * GB)
    assert result.peak_memory_bytes == 2 * WORKER_FLOOR_BYTES + COMMAND_BYTES + ensemble_memory_bytes(
        result_rows(7, 20, 27)
    )
    assert result.peak_memory_bytes > 1 * GB and result.too_large
    (warning,) = result.warnings()
    assert "more than half of this machine's 2.0 GB" in warning and "--workers" in warning
    assert not estimate(traena, residents=442, memory=4 * GB).too_large
    assert not estimate(traena, residents=442, memory=None).too_large  # unknown memory: no guess


def test_the_message_rounds_and_says_about(traena: Scenario) -> None:
    message = estimate(traena).message()
    assert message.startswith("estimate: 140 runs, about ") and " on 2 cores, peak memory about " in message
    assert estimate(traena, cores=1).message().count("on 1 core,") == 1
    assert estimate(lone_run(traena)).message().startswith("estimate: 1 run, ")


@pytest.mark.parametrize(
    ("seconds", "english", "bokmal"),
    [
        (3, "about 3 s", "omtrent 3 s"),
        (61, "about 1 min", "omtrent 1 min"),
        (59 * 60 + 50, "about 1 h", "omtrent 1 t"),
        (2 * 3600 + 11 * 60, "about 2 h 10 min", "omtrent 2 t 10 min"),
        (30 * 3600, "about 30 h", "omtrent 30 t"),
        (3 * 86_400, "about 3 days", "omtrent 3 døgn"),
    ],
)
def test_durations_in_both_languages(seconds: float, english: str, bokmal: str) -> None:
    assert duration_message(seconds) == english
    assert duration_message(seconds).render("nb", strict=True) == bokmal
