"""The report's figures: built in both languages from a small ensemble, checked against the analysis layer."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from resilience.analysis import BASELINE, REFERENCE, base_year, fan, horizon, probability_better, strategies
from resilience.config import Intervention
from resilience.data import population_series
from resilience.experiments import plan_runs, run_ensemble
from resilience.reporting.context import ReportContext
from resilience.reporting.figure_messages import FIGURE_MESSAGES
from resilience.reporting.figures import (
    FIGURES,
    OUTCOMES,
    components_figure,
    cost_figure,
    difference_figure,
    outcomes_figure,
    population_figure,
    pyramid_figure,
    sectors_figure,
)
from resilience.reporting.messages import MESSAGES, message
from tests.conftest import traena_variant

LANGS = ("nb", "en")


@pytest.fixture(scope="module")
def timeseries() -> pd.DataFrame:
    scenario = traena_variant(horizon=2032)
    scenario = scenario.model_copy(
        update={
            "strategies": {
                "baseline": [],
                "housing": [Intervention(lever="build_housing")],
                "development": [Intervention(lever="business_development")],
            }
        }
    )
    return run_ensemble(scenario, plan_runs(scenario, replications=3, seed=3), workers=2)


def _context(lang: str) -> ReportContext:
    history = population_series("1835")
    return ReportContext(
        municipality="Træna",
        scenario_name="test",
        scenario_hash="0",
        version="0",
        seed=3,
        replications=3,
        created="2024-01-01",
        attribution="SSB",
        lang=lang,
        shock_years=(2026,),
        history=history[history.index <= 2024],
    )


def _traces(figure: go.Figure, **meta: object) -> list[object]:
    return [t for t in figure.data if isinstance(t.meta, dict) and all(t.meta.get(k) == v for k, v in meta.items())]


def _texts(figure: go.Figure) -> list[str]:
    """Every hover text of the figure."""
    out: list[str] = []
    for trace in figure.data:
        hover = trace.hovertext
        if hover is not None:
            out.extend([hover] if isinstance(hover, str) else list(hover))
    return out


def test_catalogue_has_the_same_keys_in_both_languages_and_no_clash_with_the_report():
    assert set(FIGURE_MESSAGES["nb"]) == set(FIGURE_MESSAGES["en"])
    assert all(key.startswith("fig_") for key in FIGURE_MESSAGES["nb"])
    assert not set(FIGURE_MESSAGES["nb"]) & set(MESSAGES["nb"])


def test_figure_specs_have_fixed_ids_and_titles_and_captions_in_both_languages():
    assert [spec.id for spec in FIGURES] == [
        "fig-population",
        "fig-outcomes",
        "fig-difference",
        "fig-pyramid",
        "fig-sectors",
        "fig-components",
        "fig-cost",
    ]
    for spec in FIGURES:
        for lang in LANGS:
            assert message(lang, spec.title_key)
            assert message(lang, spec.caption_key).endswith(".")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("spec", FIGURES, ids=lambda s: s.id)
def test_every_figure_builds_translated_and_reproducibly(timeseries, spec, lang):
    figure = spec.build(timeseries, _context(lang))
    assert isinstance(figure, go.Figure)
    assert figure.data
    text = figure.to_json()
    assert "fig_" not in text  # no message key left untranslated
    assert figure.layout.font.size >= 14
    assert figure.layout.legend.orientation == "h"
    assert figure.layout.separators == (",\u202f" if lang == "nb" else ".,")
    other = "en" if lang == "nb" else "nb"
    # Texts only the other language has (e.g. "Ikke gjøre noe" in English) must not leak in.
    assert message(other, "fig_baseline") not in text
    assert spec.build(timeseries, _context(lang)).to_json() == text


def test_population_figure_shows_ssb_history_and_the_fan_medians(timeseries):
    context = _context("nb")
    figure = population_figure(timeseries, context)
    (observed,) = _traces(figure, role="observed")
    assert list(observed.y) == [float(v) for v in context.history.to_numpy()]
    assert list(observed.x) == [int(y) for y in context.history.index]
    expected = fan(timeseries, "population")
    for strategy in [*strategies(timeseries), REFERENCE]:
        (median,) = _traces(figure, strategy=strategy, role="q50")
        rows = expected[expected["strategy"] == strategy]
        np.testing.assert_allclose(median.y, rows["q50"].to_numpy())
    # 50 % and 90 % bands for the strategies, none for the reference.
    for role in ("q05", "q25", "q75", "q95"):
        assert len(_traces(figure, role=role)) == len(strategies(timeseries))
        assert not _traces(figure, strategy=REFERENCE, role=role)
    assert [shape.x0 for shape in figure.layout.shapes] == [2026]
    assert figure.data[1].name == "Ikke gjøre noe: 90 % av utfallene" or any(
        t.name == "Ikke gjøre noe" for t in figure.data
    )


def test_outcomes_figure_has_a_panel_per_outcome_and_strategy_with_analysis_medians(timeseries):
    figure = outcomes_figure(timeseries, _context("en"))
    names = strategies(timeseries)
    for column, _key, divisor, _digits in OUTCOMES:
        expected = fan(timeseries, column)
        for strategy in names:
            bands = _traces(figure, strategy=strategy, outcome=column, role="q05")
            assert len(bands) == 1  # the strategy's own panel only
            medians = _traces(figure, strategy=strategy, outcome=column, role="q50")
            rows = expected[expected["strategy"] == strategy]
            for median in medians:
                np.testing.assert_allclose(np.asarray(median.y) * divisor, rows["q50"].to_numpy(), rtol=1e-9)
    # Budget balance is shown in NOK million.
    (budget,) = _traces(figure, strategy=BASELINE, outcome="budget_balance", role="q05")
    assert max(abs(v) for v in budget.y) < 1000


def test_nb_hover_text_uses_the_decimal_comma(timeseries):
    nb = _texts(outcomes_figure(timeseries, _context("nb")))
    budget = [t for t in nb if "Median: " in t]
    assert any("," in t.split("Median: ")[1].split("<br>")[0] for t in budget)
    assert not any("." in t.split("Median: ")[1].split("<br>")[0] for t in budget)
    en = _texts(outcomes_figure(timeseries, _context("en")))
    assert any("." in t.split("Median: ")[1].split("<br>")[0] for t in en if "Median: " in t)
    nb_cost = _texts(cost_figure(timeseries, _context("nb")))
    assert all("." not in t.replace("mill. kr", "") for t in nb_cost)


def test_difference_figure_shows_paired_differences_and_probability_of_doing_better(timeseries):
    figure = difference_figure(timeseries, _context("en"))
    last = horizon(timeseries)
    names = [n for n in strategies(timeseries) if n != BASELINE]
    assert [t.meta["strategy"] for t in figure.data] == names
    table = timeseries[timeseries["year"] == last].pivot(index="replication", columns="strategy", values="population")
    p = probability_better(timeseries, "population", last)
    annotations = [a.text for a in figure.layout.annotations]
    for trace, strategy in zip(figure.data, names, strict=True):
        assert sorted(trace.y) == sorted((table[strategy] - table[BASELINE]).astype(float))
        assert any(f"{round(100 * p[strategy])} % chance of more" in text for text in annotations)


def test_pyramid_bars_sum_to_the_median_population(timeseries):
    figure = pyramid_figure(timeseries, _context("nb"))
    first, last = base_year(timeseries), horizon(timeseries)
    base = _traces(figure, role="base")
    assert len(base) == 2
    population = timeseries.groupby(["strategy", "year"])["population"].median()
    assert sum(abs(v) for t in base for v in t.x) == pytest.approx(population[(BASELINE, first)], abs=0.5)
    assert all(float(v).is_integer() for t in base for v in t.x)  # the same real population in every run
    assert all(v <= 0 for v in _traces(figure, role="base", sex="m")[0].x)
    for strategy in [*strategies(timeseries), REFERENCE]:
        bars = _traces(figure, strategy=strategy, role="horizon")
        assert len(bars) == 2
        total = sum(abs(v) for t in bars for v in t.x)
        assert total == pytest.approx(population[(strategy, last)], abs=0.5)
    # The dropdown has one entry per strategy, each showing the base year and that strategy's two bars.
    (menu,) = figure.layout.updatemenus
    assert len(menu.buttons) == len(strategies(timeseries)) + 1
    assert all(sum(b.args[0]["visible"]) == 4 for b in menu.buttons)


def test_sectors_figure_stacks_sector_medians_per_strategy(timeseries):
    for lang, name in (("nb", "Fiskeindustri"), ("en", "Fish processing")):
        figure = sectors_figure(timeseries, _context(lang))
        (fish,) = _traces(figure, strategy=BASELINE, sector="fish_processing")
        assert fish.name == name
        rows = timeseries[timeseries["strategy"] == BASELINE].groupby("year")["jobs_fish_processing"].median()
        np.testing.assert_allclose(fish.y, rows.to_numpy(dtype=float))
        assert _traces(figure, strategy=BASELINE, role="cornerstone")
    visible = [t for t in figure.data if t.visible is not False]
    assert {t.meta["strategy"] for t in visible} == {BASELINE}


def test_components_add_up_to_the_population_change(timeseries):
    figure = components_figure(timeseries, _context("en"))
    components = {t.meta["component"]: np.asarray(t.y, dtype=float) for t in _traces(figure, role="component")}
    assert set(components) == {"births", "deaths", "in_migrants", "out_migrants"}
    assert (components["births"] >= 0).all() and (components["deaths"] <= 0).all()
    assert (components["in_migrants"] >= 0).all() and (components["out_migrants"] <= 0).all()
    (net,) = _traces(figure, role="net")
    np.testing.assert_allclose(sum(components.values()), np.asarray(net.y, dtype=float), atol=1e-9)
    first, last = base_year(timeseries), horizon(timeseries)
    for i, strategy in enumerate(net.meta["strategies"]):
        rows = timeseries[timeseries["strategy"] == strategy].set_index(["year", "replication"])["population"]
        change = (rows.loc[last] - rows.loc[first]).mean()
        assert net.y[i] == pytest.approx(change)


def test_cost_figure_has_one_point_per_strategy_without_baseline_and_reference(timeseries):
    figure = cost_figure(timeseries, _context("en"))
    names = [n for n in strategies(timeseries) if n != BASELINE]
    assert [t.meta["strategy"] for t in figure.data] == names
    last = horizon(timeseries)
    table = timeseries[timeseries["year"] == last].pivot(index="replication", columns="strategy", values="population")
    costs = timeseries.groupby(["strategy", "replication"])["cost_total"].sum().groupby("strategy").mean()
    for trace in figure.data:
        strategy = trace.meta["strategy"]
        diff = (table[strategy] - table[BASELINE]).to_numpy(dtype=float)
        assert len(trace.x) == 1
        assert trace.x[0] == pytest.approx(costs[strategy] / 1e6)
        assert trace.y[0] == pytest.approx(np.median(diff))
        assert trace.y[0] + trace.error_y.array[0] == pytest.approx(np.quantile(diff, 0.95))
        assert trace.y[0] - trace.error_y.arrayminus[0] == pytest.approx(np.quantile(diff, 0.05))


def test_strategy_colours_are_consistent_across_figures(timeseries):
    context = _context("en")
    population = population_figure(timeseries, context)
    cost = cost_figure(timeseries, context)
    for trace in cost.data:
        (median,) = _traces(population, strategy=trace.meta["strategy"], role="q50")
        assert trace.marker.color == median.line.color
    (reference,) = _traces(population, strategy=REFERENCE, role="q50")
    assert reference.line.dash == "dash"
    json.loads(population.to_json())
