"""The starting scenario of `resilience init`: valid for every municipality, real population, marked estimates."""

from __future__ import annotations

import re

import numpy as np
import pytest
from ruamel.yaml import YAML

from resilience import starting
from resilience.config import parse_scenario
from resilience.data import (
    N_AGES,
    Population,
    UnknownMunicipalityError,
    YearNotAvailableError,
    municipalities,
    municipality_population,
)
from resilience.starting import (
    CORNERSTONE,
    estimate,
    normalise_kommune,
    starting_scenario,
    write_starting_scenario,
    yaml_quote,
)
from resilience.workflow import check_scenario
from resilience.workflow import starting_scenario as reexported

CODES_2024 = municipalities(2024)["kommunenummer"].tolist()
POPULATION_LINE = re.compile(r"^# The population is real: (\d+) residents on 1 January (\d{4})", re.MULTILINE)


def _checked(text: str, filename: str):
    scenario = parse_scenario(text, filename=filename)
    problems = check_scenario(scenario)
    assert not problems, "\n".join(map(str, problems))
    return scenario


def test_every_2024_code_gets_a_valid_scenario_with_its_real_population():
    assert len(CODES_2024) > 300
    for code in CODES_2024:
        text = starting_scenario(code)
        scenario = _checked(text, f"{code}.yaml")
        population = municipality_population(code, 2024)
        assert scenario.municipality.kommunenummer == code
        assert scenario.municipality.name == population.name
        assert scenario.municipality.base_year == 2024
        found = POPULATION_LINE.search(text)
        assert found, code
        assert (int(found.group(1)), int(found.group(2))) == (population.total, 2024), code
        cornerstones = [e for e in scenario.employers if e.cornerstone]
        assert [e.name for e in cornerstones] == [CORNERSTONE], code
        assert cornerstones[0].jobs > 0, code
        assert [(s.type, s.employer, s.year) for s in scenario.shocks] == [("closure", CORNERSTONE, 2026)]
        cornerstone_line = next(line for line in text.splitlines() if CORNERSTONE in line and "- name:" in line)
        assert "ESTIMATE — replace with the real firm" in cornerstone_line
        assert sum(e.jobs for e in scenario.employers) == round(population.total * 0.5), code
        assert scenario.run.horizon == 2049 and scenario.run.replications == 20 and scenario.run.seed == 1


def test_the_scenario_has_the_documented_content():
    scenario = _checked(starting_scenario("1835"), "traena.yaml")
    assert scenario.language == "nb"
    assert scenario.municipality.island is False
    assert scenario.municipality.dwellings is not None and scenario.municipality.dwellings.vacant == 10
    assert 0 <= (scenario.municipality.commuting_share or 0) <= 1
    assert {e.sector.value for e in scenario.employers} == {"other_basic", "local_services", "public"}
    assert set(scenario.uncertainties) >= {"local_multiplier"}
    multiplier = scenario.uncertainties["local_multiplier"].model_dump()
    assert (multiplier["distribution"], multiplier["low"], multiplier["high"]) == ("uniform", 0.0, 1.0)
    levers = {name: [i.lever for i in items] for name, items in scenario.strategies.items()}
    assert levers == {
        "baseline": [],
        "development": ["business_development"],
        "new_employer": ["new_employer"],
        "housing": ["build_housing", "try_an_island"],
        "combined": ["business_development", "new_employer", "build_housing", "try_an_island", "knowledge_sharing"],
    }
    development = scenario.strategies["development"][0]
    assert development.lever_parameters()["budget_nok_per_year"] == 2_000_000 and development.years == 6
    text = starting_scenario("1835")
    assert "SSB: average household size ≈ 2.2" in text
    assert "SSB: ≈ 2.9 million employed" in text
    assert "island: false" in text and "set true for an island municipality" in text
    assert "Moretti & Thulin 2013" in text  # the local multiplier's source


def test_large_municipalities_get_levers_in_proportion():
    small, oslo = estimate(442), estimate(700_000)
    assert small.new_employer_jobs == 10  # at least 10
    assert oslo.new_employer_jobs == round(0.02 * oslo.jobs)
    assert oslo.vacant_dwellings == round(0.05 * round(700_000 / 2.2))
    assert oslo.development_budget_nok > small.development_budget_nok == 2_000_000
    assert oslo.build_dwellings > 100 * small.build_dwellings / 10
    assert oslo.cornerstone <= 3_000 < oslo.other_basic
    scenario = _checked(starting_scenario("0301"), "oslo.yaml")
    new_employer = scenario.strategies["new_employer"][0].lever_parameters()
    jobs = sum(e.jobs for e in scenario.employers)
    assert new_employer["jobs"] == round(0.02 * jobs)


@pytest.mark.parametrize("typed", ["1835", "K-1835", " 1835 ", "k1835", "K 1835"])
def test_codes_are_normalised(typed):
    assert normalise_kommune(typed) == "1835"
    assert starting_scenario(typed) == starting_scenario("1835")


def test_historical_code_with_a_year_it_existed():
    text = starting_scenario("0101", 2015)
    scenario = _checked(text, "halden2015.yaml")
    assert (scenario.municipality.kommunenummer, scenario.municipality.base_year) == ("0101", 2015)
    assert POPULATION_LINE.search(text).group(1) == str(municipality_population("0101", 2015).total)
    assert "estimated from the" in text  # 2015 has totals by age only: the split by sex is said to be estimated
    assert scenario.run.horizon == 2040 and scenario.shocks[0].year == 2017


def test_year_defaults_to_the_codes_last_year():
    assert parse_scenario(starting_scenario("0101")).municipality.base_year == 2019


def test_renumbered_code_names_the_current_one():
    with pytest.raises(YearNotAvailableError, match="3101"):
        starting_scenario("0101", 2024)


def test_unknown_code_and_year():
    with pytest.raises(UnknownMunicipalityError, match="nearest codes"):
        starting_scenario("9999")
    with pytest.raises(YearNotAvailableError, match="2005–2024"):
        starting_scenario("1835", 2030)


NASTY = [
    "Porsanger - Porsángu - Porsanki",
    "Aarborte - Hattfjelldal",
    'O\'Brien: "quoted" #hash & *star',
    "Øvre-Ål \\ back\tslash\nnew line",
    "- leading dash: [flow] {map} | > % @ `",
    "\u2028line separator\x85next line\ufeffbom",
]


@pytest.mark.parametrize("name", NASTY)
def test_any_name_round_trips(monkeypatch, name):
    zeros = np.zeros(N_AGES, dtype=np.int64)
    ones = np.ones(N_AGES, dtype=np.int64)

    def fake(code: str, year: int) -> Population:
        return Population(code, name, year, males=ones, females=zeros, sex_observed=True)

    monkeypatch.setattr(starting, "municipality_population", fake)
    text = starting_scenario("1835", 2024)
    scenario = parse_scenario(text)
    assert scenario.municipality.name == name.strip()
    assert scenario.name == f"{name}: the largest employer closes".strip()
    assert YAML(typ="safe").load(text)["municipality"]["name"] == name
    assert POPULATION_LINE.search(text).group(1) == str(N_AGES)


@pytest.mark.parametrize("value", ["plain", "æøå ÆØÅ", 'a"b\\c', "tab\there", "emoji 🐟", "\x00\x7f\x9f"])
def test_yaml_quote_reads_back(value):
    assert YAML(typ="safe").load(f"key: {yaml_quote(value)}\n")["key"] == value


def test_write_refuses_to_overwrite(tmp_path):
    path = tmp_path / "s.yaml"
    write_starting_scenario(path, "first\n")
    with pytest.raises(FileExistsError, match="exists"):
        write_starting_scenario(path, "second\n")
    assert path.read_text(encoding="utf-8") == "first\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]  # no temporary file left behind


def test_workflow_still_exports_the_writer():
    assert reexported is starting_scenario
