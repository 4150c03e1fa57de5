"""An uncertain lever setting: whole-number settings take the nearest whole number of a draw, and a
distribution that can draw a value the setting refuses is reported before anything runs (it would make
every run fail)."""

from __future__ import annotations

import pytest

from resilience.config import parse_scenario
from resilience.experiments import plan_runs, run_replication
from resilience.levers import build_interventions
from resilience.workflow import check_scenario

BASE = """schema_version: 1
name: t
municipality: {{kommunenummer: "1835", base_year: 2024}}
employers:
  - {{name: A, sector: fish_processing, jobs: 30, cornerstone: true}}
shocks: [{{type: closure, employer: A, year: 2025}}]
uncertainties:
  {name}: {distribution}
strategies:
  s: [{{lever: {lever}}}]
run: {{horizon: 2026, replications: 3, seed: 1}}
"""


def scenario(name: str, distribution: str):
    return parse_scenario(BASE.format(name=name, distribution=distribution, lever=name.split(".")[0]), "u.yaml")


def test_a_whole_number_setting_takes_the_nearest_whole_number_of_a_draw():
    s = scenario("retraining.places_per_year", "{distribution: uniform, low: 5, high: 20}")
    assert check_scenario(s) == []
    for task in plan_runs(s):
        assert task.strategy != "s" or task.drawn["retraining.places_per_year"] % 1 != 0  # a fraction was drawn
        if task.strategy == "s":
            (lever,) = build_interventions(s, "s", task.drawn)
            assert lever.settings.places_per_year == round(task.drawn["retraining.places_per_year"])
        assert len(run_replication(s, task)) == 3


@pytest.mark.parametrize(
    ("name", "distribution", "expected"),
    [
        ("attractiveness.attractiveness_gain", "{distribution: uniform, low: 0, high: 2}", "can draw 2"),
        ("attractiveness.attractiveness_gain", "{distribution: triangular, low: -1, mode: 0, high: 1}", "draw -1"),
        ("attractiveness.attractiveness_gain", "{distribution: normal, mean: 0.1, sd: 0.05}", "'low' bound"),
        ("attractiveness.attractiveness_gain", "{distribution: normal, mean: 0.1, sd: 0.05, low: 0}", "'high' bound"),
        ("retraining.places_per_year", "{distribution: choice, values: [5, -3]}", "can draw -3"),
        ("attractiveness.measure", "{distribution: choice, values: [1, 2]}", "not a number"),
    ],
)
def test_a_distribution_the_setting_refuses_is_a_problem_with_its_line(name, distribution, expected):
    problems = [str(p) for p in check_scenario(scenario(name, distribution))]
    assert len(problems) == 1 and problems[0].startswith("u.yaml:8: uncertainties") and name in problems[0]
    assert expected in problems[0]


@pytest.mark.parametrize(
    ("name", "distribution"),
    [
        ("attractiveness.attractiveness_gain", "{distribution: uniform, low: 0, high: 1}"),
        ("attractiveness.attractiveness_gain", "{distribution: normal, mean: 0.1, sd: 0.05, low: 0, high: 0.2}"),
        ("retraining.places_per_year", "{distribution: choice, values: [5, 10]}"),
        ("retraining.places_per_year", "{distribution: uniform, low: -0.4, high: 20}"),  # rounds to 0 at worst
    ],
)
def test_a_distribution_within_the_setting_is_accepted(name, distribution):
    assert check_scenario(scenario(name, distribution)) == []
