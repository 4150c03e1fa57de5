"""The lever registry: built-in levers, and a researcher's lever from another package via entry points."""

from __future__ import annotations

import sys
import textwrap

import pytest

from resilience.levers import (
    ENTRY_POINT_GROUP,
    Lever,
    LeverRegistryError,
    _registry,
    get_lever,
    lever_catalogue,
    lever_names,
)

BUILT_IN = {
    "attractiveness",
    "build_housing",
    "business_development",
    "commuting_link",
    "cornerstone_rescue",
    "knowledge_sharing",
    "new_employer",
    "public_job_relocation",
    "remote_work_hub",
    "retraining",
    "try_an_island",
    "young_fisher_fund",
}


def test_every_required_lever_is_registered():
    assert set(lever_names()) >= BUILT_IN


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_every_lever_documents_its_mechanism_effects_and_costs(name):
    cls = get_lever(name)
    assert issubclass(cls, Lever) and cls.name == name
    assert "Mechanism" in (cls.__doc__ or ""), "the class docstring explains the mechanism"
    assert cls.titles["nb"] and cls.titles["en"]
    settings = cls.Settings()
    assert settings.years >= 1
    assert abs(settings.municipality_share + settings.county_share + settings.state_share - 1) < 1e-9
    for field_name, field in cls.Settings.model_fields.items():
        assert field.description, f"{name}.{field_name} has no description"
        extra = field.json_schema_extra
        if isinstance(extra, dict) and "x-range" in extra:
            low, high = extra["x-range"]  # type: ignore[misc]
            assert low <= getattr(settings, field_name) <= high, f"{name}.{field_name} default outside its range"
            assert extra.get("x-source"), f"{name}.{field_name} has no source"


def test_every_lever_setting_is_described_in_bokmal_and_english():
    # The report is read in bokmål or English: every setting a council sees needs both descriptions.
    rows = [r for r in lever_catalogue() if r.lever in BUILT_IN]
    assert {r.lever for r in rows} == BUILT_IN
    for row in rows:
        where = f"{row.lever}.{row.setting}"
        assert row.description.strip(), f"{where} has no English description"
        assert row.description_nb.strip(), f"{where} has no bokmål description"
        assert row.description_nb != row.description, f"{where}: the bokmål description is the English one"
        assert " Source: " not in row.description_nb


def test_unknown_lever_names_the_known_ones():
    with pytest.raises(LeverRegistryError, match="business_development"):
        get_lever("busines_development")


PLUGIN = '''
from pydantic import Field

from resilience.levers import Lever, LeverSettings


class FerrySubsidySettings(LeverSettings):
    extra_attractiveness: float = Field(default=0.1, ge=0, le=1, description="Attractiveness gain.")


class FerrySubsidy(Lever):
    """A researcher's lever. Mechanism: a cheaper ferry makes the island more attractive."""

    name = "ferry_subsidy"
    titles = {"nb": "Billigere ferje", "en": "Cheaper ferry"}
    Settings = FerrySubsidySettings

    def act(self, model):
        model.attractiveness *= 1 + self.settings.extra_attractiveness

    def annual_cost(self, year):
        return 1_000_000.0
'''


@pytest.fixture
def plugin_installed(tmp_path, monkeypatch):
    """A separate distribution on sys.path that declares a lever in the entry-point group."""
    (tmp_path / "ferry_plugin.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    dist = tmp_path / "ferry_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ferry-plugin\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nferry_subsidy = ferry_plugin:FerrySubsidy\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_registry, "_entry_points_loaded", False)
    yield
    _registry._REGISTRY.pop("ferry_subsidy", None)
    sys.modules.pop("ferry_plugin", None)


def test_a_lever_from_another_package_is_usable_from_yaml(plugin_installed, tmp_path):
    from resilience.experiments import plan_runs, run_replication
    from resilience.workflow import load_checked
    from tests.conftest import TRAENA

    assert "ferry_subsidy" in lever_names()
    text = TRAENA.read_text(encoding="utf-8").replace(
        "  baseline: []\n", "  baseline: []\n  ferry:\n    - {lever: ferry_subsidy, extra_attractiveness: 0.2}\n"
    )
    text = text.replace("horizon: 2050", "horizon: 2030")
    path = tmp_path / "ferry.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_checked(path)
    task = next(t for t in plan_runs(scenario, replications=1) if t.strategy == "ferry")
    frame = run_replication(scenario, task)
    assert frame["cost_total"].sum() == pytest.approx(1_000_000.0 * 5)  # 2026–2030: starts with the shock


def test_a_plugin_setting_typo_is_reported_with_its_line(plugin_installed, tmp_path):
    from resilience.config import ScenarioError
    from resilience.workflow import load_checked
    from tests.conftest import TRAENA

    text = TRAENA.read_text(encoding="utf-8").replace(
        "  baseline: []\n", "  baseline: []\n  ferry:\n    - {lever: ferry_subsidy, extra_attractivness: 0.2}\n"
    )
    path = tmp_path / "ferry.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_checked(path)
    (problem,) = raised.value.problems
    assert problem.path == "strategies.ferry[0].extra_attractivness"
    assert "did you mean 'extra_attractiveness'" in problem.message
    assert problem.line == text.splitlines().index("    - {lever: ferry_subsidy, extra_attractivness: 0.2}") + 1
