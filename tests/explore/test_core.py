"""The explorer's core, without a browser: the sliders of a strategy, what-if runs, common random numbers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from resilience.config import Scenario
from resilience.explore import (
    DEFAULT_REPLICATIONS,
    default_values,
    explore_strategies,
    figures,
    lever_sliders,
    run_what_if,
    scenario_with_levers,
    strategy_sliders,
    uncertainty_sliders,
)
from resilience.explore._assets import OTHER_PACKAGES, VUE2_APP, VUE3_APP
from resilience.levers import build_interventions

FAST = {"run:horizon": 2032.0, "run:replications": 3.0}


def _by_key(scenario: Scenario, strategy: str) -> dict[str, object]:
    return {s.key: s for s in strategy_sliders(scenario, strategy)}


def test_the_strategies_to_choose_are_all_but_baseline(traena):
    assert explore_strategies(traena) == [name for name in traena.strategies if name != "baseline"]


def test_a_strategy_has_a_slider_per_numeric_setting_of_each_intervention(traena):
    sliders = {s.key: s for s in lever_sliders(traena, "housing")}
    assert set(sliders) == {
        "lever:0:start",
        "lever:0:years",
        "lever:0:dwellings",
        "lever:0:cost_per_dwelling_nok",
        "lever:1:start",
        "lever:1:years",
        "lever:1:families_per_year",
        "lever:1:stay_share",
        "lever:1:support_per_family_nok",
    }
    # The scenario's values; a plausible range from the lever's catalogue; integers step by one.
    assert sliders["lever:0:dwellings"].value == 8 and sliders["lever:0:dwellings"].integer
    assert (sliders["lever:0:dwellings"].low, sliders["lever:0:dwellings"].high) == (1, 16)
    families = sliders["lever:1:families_per_year"]
    assert (families.low, families.high, families.value, families.step) == (1, 4, 2, 1)
    assert sliders["lever:0:years"].value == 2 and sliders["lever:0:start"].value == 2026
    assert (sliders["lever:0:start"].low, sliders["lever:0:start"].high) == (2024, 2049)
    # Who pays is not a slider (three shares that add up to 1).
    assert not any(key.endswith("_share") and "stay" not in key for key in sliders)


def test_a_setting_the_scenario_lists_as_uncertain_has_only_its_uncertainty_slider(traena):
    sliders = _by_key(traena, "tenk_traena")
    assert "lever:0:jobs_per_million_nok" not in sliders
    assert "lever:0:budget_nok_per_year" in sliders
    uncertain = sliders["uncertainty:business_development.jobs_per_million_nok"]
    assert (uncertain.low, uncertain.high, uncertain.value) == (0.0, 2.5, 1.25)
    assert {s.key for s in uncertainty_sliders(traena)} == {f"uncertainty:{name}" for name in traena.uncertainties}
    assert sliders["run:replications"].value == DEFAULT_REPLICATIONS
    assert sliders["run:horizon"].value == traena.run.horizon


def test_slider_values_go_into_the_strategy(traena):
    changed = scenario_with_levers(traena, "housing", {"lever:0:dwellings": 12.4, "lever:1:stay_share": 0.45})
    levers = build_interventions(changed, "housing")
    assert levers[0].settings.dwellings == 12
    assert levers[1].settings.stay_share == pytest.approx(0.45)
    assert traena.strategies["housing"][0].lever_parameters()["dwellings"] == 8  # the scenario is unchanged


def test_same_settings_give_identical_results_and_baseline_shares_the_seeds(traena):
    first = run_what_if(traena, "aquaculture", FAST)
    again = run_what_if(traena, "aquaculture", FAST)
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    frame = first.timeseries
    assert set(frame["strategy"]) == {"baseline", "aquaculture"}
    seeds = frame.groupby(["strategy", "replication"])["seed"].first().unstack("strategy")
    assert (seeds["baseline"] == seeds["aquaculture"]).all()
    assert int(frame["year"].max()) == 2032 and frame["replication"].nunique() == 3


def test_a_lever_moved_changes_the_result_but_not_baseline(traena):
    before = run_what_if(traena, "aquaculture", FAST)
    after = run_what_if(traena, "aquaculture", {**FAST, "lever:0:jobs": 38.0, "lever:0:probability": 1.0})
    strategy = lambda r: r.timeseries[r.timeseries["strategy"] == "aquaculture"]  # noqa: E731
    baseline = lambda r: r.timeseries[r.timeseries["strategy"] == "baseline"].reset_index(drop=True)  # noqa: E731
    assert not strategy(before)["jobs"].reset_index(drop=True).equals(strategy(after)["jobs"].reset_index(drop=True))
    pd.testing.assert_frame_equal(baseline(before), baseline(after))


def test_an_uncertainty_is_fixed_at_its_slider_value(traena):
    low = run_what_if(traena, "tenk_traena", {**FAST, "uncertainty:local_multiplier": 0.0})
    high = run_what_if(traena, "tenk_traena", {**FAST, "uncertainty:local_multiplier": 1.0})
    assert not low.timeseries["jobs"].equals(high.timeseries["jobs"])


def test_figures_are_the_reports_fan_and_difference_in_either_language(traena):
    result = run_what_if(traena, "tenk_traena", FAST)
    for lang in ("nb", "en"):
        built = figures(traena, result, lang)
        assert set(built) == {"population", "difference"}
        strategies = {t.meta["strategy"] for t in built["population"].data if t.meta}
        assert {"baseline", "tenk_traena"} <= strategies
    assert result.medians().keys() == {"baseline", "tenk_traena"}
    assert 0 <= result.paired()["p_better"] <= 1
    assert default_values(strategy_sliders(traena, "tenk_traena"))["run:horizon"] == 2050


def test_the_asset_versions_are_the_ones_solara_asks_for():
    pytest.importorskip("solara")
    import solara.server.server as server

    template = server.__file__.rsplit("/", 1)[0] + "/templates/solara.html.j2"
    with open(template, encoding="utf-8") as handle:
        page = handle.read()
    for name, version, _ in (VUE2_APP, VUE3_APP, OTHER_PACKAGES[0]):
        assert f"{name}@{version}/" in page
    from solara.server.settings import assets

    assert re.match(rf"/{OTHER_PACKAGES[1][0]}@{OTHER_PACKAGES[1][1]}/", assets.fontawesome_path)
