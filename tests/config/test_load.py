"""Loading valid scenarios: values, defaults, lines, and safe YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from resilience.config import (
    Choice,
    Closure,
    Intervention,
    Layoff,
    Normal,
    Problem,
    Scenario,
    ScenarioError,
    Sector,
    Triangular,
    Uniform,
    load_scenario,
    parse_scenario,
    scenario_problem,
)

DATA = Path(__file__).parent / "data"
FULL = DATA / "traena_full.yaml"

MINIMAL = """\
schema_version: 1
name: Oslo
municipality:
  kommunenummer: "0301"
  base_year: 2024
run:
  horizon: 2050
"""


@pytest.fixture(scope="module")
def full() -> Scenario:
    return load_scenario(FULL)


def test_full_scenario_values(full: Scenario) -> None:
    assert full.name == "Træna: the fish-processing plant closes"
    assert full.description is not None and full.description.startswith("Fiskeindustrien på Træna")
    assert full.municipality.kommunenummer == "1835"
    assert full.municipality.island is True
    assert full.municipality.dwellings is not None and full.municipality.dwellings.vacant == 12
    assert [e.name for e in full.employers] == [
        "Fiskeindustri",
        "Havbruk AS",
        "Træna kommune",
        "Butikk og kafé",
    ]
    assert full.employers[0].sector is Sector.FISH_PROCESSING
    assert isinstance(full.shocks[0], Layoff) and full.shocks[0].jobs == 40
    assert isinstance(full.shocks[1], Closure)
    kinds = {name: type(d) for name, d in full.uncertainties.items()}
    assert kinds == {
        "local_multiplier": Uniform,
        "out_migration_scale": Triangular,
        "fertility_scale": Normal,
        "housing_scale": Choice,
    }
    assert full.parameters == {"retirement_age": 67, "out_migration_rate": 0.035, "housing_constraint": True}
    assert type(full.parameters["retirement_age"]) is int
    assert type(full.parameters["housing_constraint"]) is bool
    assert full.run.horizon == 2050 and full.run.replications == 100 and full.run.seed == 42


def test_strategies_keep_lever_parameters_and_get_baseline_first(full: Scenario) -> None:
    assert list(full.strategies) == ["baseline", "development_project", "bolig_og_næring"]
    assert full.strategies["baseline"] == []
    dev = full.strategies["development_project"][0]
    assert isinstance(dev, Intervention)
    assert (dev.lever, dev.start, dev.years) == ("business_development", 2026, 6)
    assert dev.lever_parameters() == {"budget_nok_per_year": 2000000}
    second = full.strategies["bolig_og_næring"][1]
    assert second.lever_parameters()["target_sectors"] == ["tourism", "aquaculture"]


def test_employer_lookup_and_cornerstones(full: Scenario) -> None:
    assert full.employer("Havbruk AS").jobs == 25
    assert [e.name for e in full.cornerstones()] == ["Fiskeindustri"]
    with pytest.raises(KeyError, match="did you mean 'Fiskeindustri'"):
        full.employer("Fiskeindustry")


def test_defaults_are_filled() -> None:
    s = parse_scenario(MINIMAL)
    assert s.language == "nb"
    assert s.description is None
    assert s.employers == [] and s.shocks == [] and s.uncertainties == {} and s.parameters == {}
    assert s.strategies == {"baseline": []}
    assert s.municipality.island is False
    assert s.municipality.dwellings is None and s.municipality.commuting_share is None
    assert (s.run.replications, s.run.seed) == (20, 1)


def test_kommunenummer_keeps_its_leading_zero() -> None:
    assert parse_scenario(MINIMAL).municipality.kommunenummer == "0301"


def test_baseline_is_inserted_first_and_a_written_empty_baseline_is_kept() -> None:
    text = MINIMAL + "strategies:\n  a: []\n  baseline: []\n  b: [{lever: x}]\n"
    assert list(parse_scenario(text).strategies) == ["baseline", "a", "b"]
    text = MINIMAL + "strategies:\n  a: [{lever: x}]\n"
    assert list(parse_scenario(text).strategies) == ["baseline", "a"]


def test_source_lines_and_file(full: Scenario) -> None:
    lines = FULL.read_text(encoding="utf-8").splitlines()
    assert full.source_file == str(FULL)
    line = full.source_line(("strategies", "development_project", 0, "lever"))
    assert line is not None and "lever: business_development" in lines[line - 1]
    line = full.source_line(("employers", 2, "jobs"))
    assert line is not None and lines[line - 1].strip() == "jobs: 60"
    # a key that was not written falls back to its nearest written parent
    assert full.source_line(("employers", 1, "cornerstone")) == full.source_line(("employers", 1))
    assert full.source_line(("run",)) == full.source_line(("run", "nonexistent", 3))


def test_scenario_problem_for_later_layers(full: Scenario) -> None:
    path = ("strategies", "development_project", 0, "budget_nok_per_year")
    problem = scenario_problem(full, path, "must be positive")
    assert isinstance(problem, Problem)
    assert problem.file == str(FULL)
    assert problem.line == full.source_line(path)
    assert str(problem) == (
        f"{FULL}:{problem.line}: strategies.development_project[0].budget_nok_per_year: must be positive"
    )


def test_scenario_built_in_python_has_no_lines() -> None:
    s = Scenario.model_validate(
        {
            "schema_version": 1,
            "name": "x",
            "municipality": {"kommunenummer": "1835", "base_year": 2024},
            "run": {"horizon": 2030},
        }
    )
    assert s.source_file is None and s.source_line(("run",)) is None
    assert str(scenario_problem(s, ("run", "horizon"), "too short")) == "<scenario>: run.horizon: too short"


def test_loaded_scenario_is_frozen(full: Scenario) -> None:
    with pytest.raises(ValueError, match="frozen"):
        full.name = "other"
    with pytest.raises(ValueError, match="frozen"):
        full.run.horizon = 2060


def test_parse_accepts_bytes_str_and_a_bom() -> None:
    assert parse_scenario(MINIMAL.encode()) == parse_scenario(MINIMAL)
    assert parse_scenario(b"\xef\xbb\xbf" + MINIMAL.encode()) == parse_scenario(MINIMAL)
    assert parse_scenario(MINIMAL.replace("\n", "\r\n")) == parse_scenario(MINIMAL)


def test_anchors_aliases_and_merge_keys_work() -> None:
    text = MINIMAL + (
        "strategies:\n"
        "  a:\n"
        "    - &dev {lever: business_development, start: 2026, years: 6}\n"
        "  b:\n"
        "    - *dev\n"
        "    - <<: *dev\n"
        "      years: 3\n"
    )
    s = parse_scenario(text)
    assert s.strategies["b"][0] == s.strategies["a"][0]
    assert (s.strategies["b"][1].start, s.strategies["b"][1].years) == (2026, 3)


def test_dates_and_yaml_1_1_booleans_stay_text() -> None:
    text = MINIMAL.replace("name: Oslo", "name: 2024-05-01") + "description: yes\n"
    s = parse_scenario(text)
    assert (s.name, s.description) == ("2024-05-01", "yes")


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert str(info.value) == f"{missing}: (root): cannot read the file: No such file or directory"


def test_load_scenario_reports_the_path_as_given(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text(MINIMAL.replace("horizon: 2050", "horizon: 2020"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    assert (
        str(info.value) == f"{bad}:7: run.horizon: must be after the base year 2024 (municipality.base_year), got 2020"
    )


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
        "!!python/object/apply:subprocess.call",
    ],
)
def test_python_tags_are_rejected_and_never_executed(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    payload = f'[["touch", "{marker}"]]' if "subprocess" in tag else f'["touch {marker}"]'
    text = MINIMAL + f"description: {tag} {payload}\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "evil.yaml")
    assert not marker.exists()
    [problem] = info.value.problems
    assert problem.line == 8 and problem.path == "description"
    assert "is not allowed" in problem.message


def test_huge_alias_expansion_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(ScenarioError, match="more than 100000 values"):
        parse_scenario("\n".join(lines) + "\n")


def test_a_value_containing_itself_is_refused() -> None:
    with pytest.raises(ScenarioError, match="contains itself"):
        parse_scenario(MINIMAL + "parameters: &p {x: *p}\n")


def test_tabs_inside_block_text_are_allowed() -> None:
    text = MINIMAL + "description: |\n  line one\n  \tindented with a tab inside the text\n"
    assert "\tindented" in (parse_scenario(text).description or "")
