"""The models used directly from Python (as later layers and tests do)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from resilience.config import Choice, Dwellings, Normal, Scenario, Sector, Triangular, Uniform


def raw(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "Træna",
        "municipality": {"kommunenummer": "1835", "base_year": 2024},
        "employers": [{"name": "Fisk", "sector": "fish_processing", "jobs": 80, "cornerstone": True}],
        "run": {"horizon": 2050},
    }
    data.update(changes)
    return data


def test_sector_values() -> None:
    assert [s.value for s in Sector] == [
        "fish_processing",
        "aquaculture",
        "fishing",
        "tourism",
        "manufacturing",
        "energy",
        "other_basic",
        "local_services",
        "public",
    ]


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (Uniform, {"distribution": "uniform", "low": 1, "high": 1}, "low (1.0) must be less than high (1.0)"),
        (
            Triangular,
            {"distribution": "triangular", "low": 0, "mode": 2, "high": 1},
            "mode: must lie between low (0.0) and high (1.0), got 2.0",
        ),
        (
            Normal,
            {"distribution": "normal", "mean": 0, "sd": 1, "low": 0.5},
            "mean: must not be below low (0.5), got 0.0",
        ),
        (Choice, {"distribution": "choice", "values": [1, 2], "weights": [0, 0]}, "must not all be zero"),
        (Dwellings, {"vacant": 5, "total": 4}, "cannot be more than the total"),
    ],
)
def test_models_check_their_own_rules(model: type[Any], data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        model.model_validate(data)


def test_valid_distributions() -> None:
    assert Triangular(distribution="triangular", low=1, mode=1, high=2).mode == 1
    assert Normal(distribution="normal", mean=1, sd=0.1).low is None
    assert Choice(distribution="choice", values=[True, False]).values == [True, False]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"run": {"horizon": 2024}}, "run.horizon: must be after the base year 2024"),
        (
            {"shocks": [{"type": "closure", "employer": "Fisc", "year": 2030}]},
            "shocks[0].employer: no employer named 'Fisc'; did you mean 'Fisk'?",
        ),
        (
            {"shocks": [{"type": "closure", "employer": "Fisk", "year": 2051}]},
            "shocks[0].year: year 2051 is after the last simulated year 2050",
        ),
        (
            {"employers": [{"name": n, "sector": "public", "jobs": 1} for n in ("A", "a")]},
            "employers[1].name: duplicate employer name 'a'; first used on employers[0].name",
        ),
        ({"strategies": {"baseline": [{"lever": "x"}]}}, "strategies.baseline: the baseline strategy"),
    ],
)
def test_scenario_checks_cross_field_rules_when_built_directly(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(raw(**changes))
    assert message in str(info.value)


def test_names_are_stripped() -> None:
    s = Scenario.model_validate(raw(name="  Træna  "))
    assert s.name == "Træna"


def test_equality_ignores_where_the_scenario_came_from() -> None:
    from resilience.config import dump_scenario, parse_scenario

    a = Scenario.model_validate(raw())
    b = parse_scenario(dump_scenario(a), "b.yaml")
    assert a == b and b.source_file == "b.yaml"
    assert a != Scenario.model_validate(raw(name="Other"))
    assert a != "not a scenario"
