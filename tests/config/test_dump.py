"""Writing scenarios back as YAML, and reading them again."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resilience.config import Scenario, Sector, dump_scenario, load_scenario, parse_scenario

FULL = Path(__file__).parent / "data" / "traena_full.yaml"


def test_full_scenario_round_trips() -> None:
    s = load_scenario(FULL)
    text = dump_scenario(s)
    assert parse_scenario(text) == s
    assert dump_scenario(parse_scenario(text)) == text


def test_dump_fills_defaults_in_schema_order_and_keeps_unicode() -> None:
    s = parse_scenario(
        'schema_version: 1\nname: Træna\nmunicipality: {kommunenummer: "0301", base_year: 2024}\nrun: {horizon: 2050}\n'
    )
    text = dump_scenario(s)
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert keys == [
        "schema_version",
        "name",
        "description",
        "language",
        "municipality",
        "employers",
        "shocks",
        "uncertainties",
        "parameters",
        "strategies",
        "run",
    ]
    assert "name: Træna\n" in text
    assert '  kommunenummer: "0301"\n' in text
    assert "  replications: 20\n" in text and "  seed: 1\n" in text
    assert "strategies:\n  baseline: []\n" in text


def test_dump_with_an_extra_section() -> None:
    s = load_scenario(FULL)
    text = dump_scenario(s, {"resolved": {"package_version": "0.1.0", "seeds": [11, 12], "path": Path("x")}})
    assert text.endswith("resolved:\n  package_version: 0.1.0\n  seeds:\n    - 11\n    - 12\n  path: x\n")
    with pytest.raises(ValueError, match="replace"):
        dump_scenario(s, {"run": {}})
    with pytest.raises(TypeError, match="cannot write"):
        dump_scenario(s, {"resolved": {"x": object()}})


# --------------------------------------------------------------------------
# Property test: any valid scenario survives dump -> parse unchanged
# --------------------------------------------------------------------------

# Text a planner might type, including YAML's special characters and words.
tricky = st.sampled_from(
    [
        "yes",
        "no",
        "null",
        "~",
        "true",
        "0301",
        "1e3",
        "- x",
        "a: b",
        "#",
        "'",
        '"',
        "*a",
        "&a",
        "!x",
        "<<",
        "%",
    ]
)
text = st.one_of(
    tricky,
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\t\n"),
        max_size=20,
    ),
)
name = text.filter(lambda s: s.strip() != "").map(str.strip)
strategy_name = st.from_regex(r"\A[a-zA-Z0-9_æøåÆØÅ][a-zA-Z0-9_æøåÆØÅ\-]{0,12}\Z")
parameter_name = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_.]{0,12}\Z")
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
number = st.one_of(finite, st.integers(-(10**12), 10**12))
parameter_value = st.one_of(st.booleans(), number)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), finite, text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(parameter_name, inner, max_size=3)),
    max_leaves=6,
)


@st.composite
def distributions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["uniform", "triangular", "normal", "choice"]))
    if kind == "choice":
        values = draw(st.lists(parameter_value, min_size=1, max_size=4))
        out: dict[str, Any] = {"distribution": kind, "values": values}
        if draw(st.booleans()):
            weights = draw(st.lists(st.floats(0, 10), min_size=len(values), max_size=len(values)))
            out["weights"] = [w + 0.5 for w in weights]
        return out
    low, high = sorted(draw(st.lists(finite, min_size=2, max_size=2, unique=True)))
    if kind == "uniform":
        return {"distribution": kind, "low": low, "high": high}
    mid = draw(st.floats(low, high))
    if kind == "triangular":
        return {"distribution": kind, "low": low, "mode": mid, "high": high}
    out = {"distribution": kind, "mean": mid, "sd": draw(st.floats(0.001, 100))}
    if draw(st.booleans()):
        out.update(low=low, high=high)
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    base_year = draw(st.integers(1900, 2100))
    horizon = draw(st.integers(base_year + 1, 2200))
    employer_names = draw(st.lists(name, max_size=4, unique_by=str.casefold))
    employers = [
        {
            "name": n,
            "sector": draw(st.sampled_from(list(Sector))).value,
            "jobs": draw(st.integers(0, 1_000_000)),
            "cornerstone": draw(st.booleans()),
            **({"description": draw(text)} if draw(st.booleans()) else {}),
        }
        for n in employer_names
    ]
    shocks = []
    if employer_names:
        for _ in range(draw(st.integers(0, 3))):
            shock: dict[str, Any] = {
                "type": draw(st.sampled_from(["closure", "layoff"])),
                "employer": draw(st.sampled_from(employer_names)),
                "year": draw(st.integers(base_year, horizon)),
            }
            if shock["type"] == "layoff":
                shock["jobs"] = draw(st.integers(1, 1000))
            shocks.append(shock)
    intervention = st.builds(
        lambda lever, start, years, extra: {
            "lever": lever,
            **({"start": start} if start is not None else {}),
            **({"years": years} if years is not None else {}),
            **extra,
        },
        name,
        st.none() | st.integers(1900, 2200),
        st.none() | st.integers(1, 50),
        st.dictionaries(parameter_name.filter(lambda k: k not in ("lever", "start", "years")), json_value, max_size=3),
    )
    raw: dict[str, Any] = {
        "schema_version": 1,
        "name": draw(name),
        "language": draw(st.sampled_from(["nb", "en"])),
        "municipality": {
            "kommunenummer": draw(st.from_regex(r"\A[0-9]{4}\Z")),
            "base_year": base_year,
            "island": draw(st.booleans()),
        },
        "employers": employers,
        "shocks": shocks,
        "uncertainties": draw(st.dictionaries(parameter_name, distributions(), max_size=3)),
        "parameters": draw(st.dictionaries(parameter_name, parameter_value, max_size=3)),
        "strategies": draw(
            st.dictionaries(
                strategy_name.filter(lambda s: s != "baseline"),
                st.lists(intervention, max_size=2),
                max_size=3,
            )
        ),
        "run": {
            "horizon": horizon,
            "replications": draw(st.integers(1, 100_000)),
            "seed": draw(st.integers(0, 2**63)),
        },
    }
    if draw(st.booleans()):
        raw["description"] = draw(text)
    if draw(st.booleans()):
        raw["municipality"]["name"] = draw(name)
    if draw(st.booleans()):
        vacant = draw(st.integers(0, 10_000))
        raw["municipality"]["dwellings"] = {"vacant": vacant, "total": vacant + draw(st.integers(0, 10_000))}
    if draw(st.booleans()):
        raw["municipality"]["commuting_share"] = draw(st.floats(0, 1))
    return Scenario.model_validate(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_valid_scenario_round_trips(scenario: Scenario) -> None:
    text = dump_scenario(scenario)
    # Any memory, however large: the refusal of ensembles too large for this machine is tested in test_limits.
    again = parse_scenario(text, "dumped.yaml", memory_bytes=10**18)
    assert again == scenario
    assert dump_scenario(again) == text


def test_printable_ascii_names_round_trip() -> None:
    for ch in string.punctuation:
        s = Scenario.model_validate(
            {
                "schema_version": 1,
                "name": f"{ch}x{ch}",
                "municipality": {"kommunenummer": "1835", "base_year": 2024},
                "run": {"horizon": 2050},
            }
        )
        assert parse_scenario(dump_scenario(s)) == s
