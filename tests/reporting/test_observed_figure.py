"""Observed against simulated (hindcast and calibration fit): one builder, both languages, from the catalogue."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from resilience import calibration, hindcast
from resilience.calibration import FIT_HTML, GROUPS, CalibrationResult, write_calibration
from resilience.config import Uniform
from resilience.data import population_series
from resilience.reporting import figures as figures_module
from resilience.reporting import observed_vs_simulated_figure, standalone_html
from resilience.reporting.figure_messages import FIGURE_MESSAGES
from resilience.reporting.figures import FIT_COLUMNS, group_label
from resilience.reporting.messages import message
from resilience.reporting.numbers import THOUSANDS_SEPARATOR
from resilience.workflow import load_checked

LANGS = ("nb", "en")
ROOT = Path(__file__).resolve().parents[2]
HINDCAST = ROOT / "scenarios" / "traena_hindcast.yaml"

#: Words of the English figure texts that must never show in a bokmål figure.
ENGLISH = {
    "observed",
    "simulated",
    "year",
    "january",
    "residents",
    "population",
    "all",
    "ages",
    "band",
    "outcomes",
    "of",
    "to",
    "and",
    "the",
    "with",
    "calibration",
    "accepted",
    "parameter",
    "sets",
    "rejection",
    "interventions",
}
#: The catalogue keys of the figure's legend and axis texts.
TEXT_KEYS = ("fig_fit_observed", "fig_fit_median", "fig_fit_band", "fig_fit_year", "fig_fit_residents")


def _fit_table(groups: tuple[str, ...] | None = GROUPS) -> pd.DataFrame:
    """A long fit table (years 2010–2014) with distinct numbers per group; no ``group`` column if None."""
    years = np.arange(2010, 2015)
    frames = []
    for i, group in enumerate(groups or ("total",)):
        base = 1000.0 * (i + 1) + 234.5
        frame = pd.DataFrame(
            {
                "year": years,
                "observed": (base - 10 * (years - 2010)).astype(int),
                "median": base - 8.25 * (years - 2010),
                "p05": base - 40.5 - 12 * (years - 2010),
                "p95": base + 40.5 - 4 * (years - 2010),
            }
        )
        if groups is not None:
            frame.insert(1, "group", group)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _traces(figure: go.Figure, **meta: object) -> list[go.Scatter]:
    return [t for t in figure.data if isinstance(t.meta, dict) and all(t.meta.get(k) == v for k, v in meta.items())]


def _axis_titles(figure: go.Figure) -> list[str]:
    layout = figure.layout
    axes = [getattr(layout, name) for name in dir(layout) if re.fullmatch(r"[xy]axis\d*", name)]
    return [axis.title.text for axis in axes if axis is not None and axis.title.text]


def _visible_texts(figure: go.Figure) -> list[str]:
    """Legend names, axis titles, panel titles and the figure title."""
    legend = [t.name for t in figure.data if t.showlegend is not False]
    panels = [a.text for a in figure.layout.annotations]
    return [*legend, *_axis_titles(figure), *panels, figure.layout.title.text]


def _shown(text: str, html: str) -> bool:
    """Whether ``text`` is in the figure's JSON inside ``html`` (plotly writes non-ASCII as ``\\uXXXX``)."""
    return json.dumps(text)[1:-1] in html


def _words(texts: list[str]) -> set[str]:
    return {w.lower() for text in texts for w in re.findall(r"[^\W\d_]+", re.sub(r"<[^>]+>", " ", text))}


@pytest.mark.parametrize("lang", LANGS)
def test_legend_and_axis_texts_come_from_the_catalogue(lang):
    figure = observed_vs_simulated_figure(_fit_table(None), language=lang)
    catalogue = FIGURE_MESSAGES[lang]
    legend = {t.name for t in figure.data if t.showlegend is not False}
    assert legend == {catalogue[k] for k in ("fig_fit_observed", "fig_fit_median", "fig_fit_band")}
    assert figure.layout.xaxis.title.text == catalogue["fig_fit_year"]
    assert figure.layout.yaxis.title.text == catalogue["fig_fit_residents"]
    assert figure.layout.title.text == catalogue["fig_fit_title"]
    assert figure.layout.template.layout.paper_bgcolor == "white"  # plotly_white, like the report's figures
    assert figure.layout.separators == (f",{THOUSANDS_SEPARATOR}" if lang == "nb" else ".,")
    assert "fig_" not in figure.to_json()


def test_the_two_languages_differ_and_are_not_empty():
    for key in (*TEXT_KEYS, "fig_fit_title", *(f"fig_group_{g}" for g in GROUPS)):
        nb, en = message("nb", key), message("en", key)
        assert nb.strip() and en.strip() and nb != en, key
    nb = observed_vs_simulated_figure(_fit_table(), language="nb")
    en = observed_vs_simulated_figure(_fit_table(), language="en")
    assert not set(_visible_texts(nb)) & set(_visible_texts(en))
    assert message("en", "fig_fit_observed") == "observed (SSB 07459)"
    assert message("nb", "fig_fit_observed") == "observert (SSB 07459)"
    assert message("en", "fig_fit_year") == "year (1 January)" and message("nb", "fig_fit_year") == "år (1. januar)"


@pytest.mark.parametrize("lang", LANGS)
def test_one_panel_per_group_in_order_of_appearance(lang):
    groups = ("age_67_plus", "total", "age_0_15")  # not the catalogue's order
    figure = observed_vs_simulated_figure(_fit_table(groups), language=lang)
    assert [a.text for a in figure.layout.annotations] == [group_label(g, lang) for g in groups]
    for group in groups:
        roles = [t.meta["role"] for t in _traces(figure, group=group)]
        assert roles == ["p95", "p05", "median", "observed"]
        assert len({t.xaxis for t in _traces(figure, group=group)}) == 1
    assert len({t.xaxis for t in figure.data}) == len(groups)
    # Each trace kind in the legend once, not once per panel.
    assert sum(t.showlegend is not False for t in figure.data) == 3
    # Every panel's year axis and every row's first axis carry the titles.
    assert message(lang, "fig_fit_year") in _axis_titles(figure)
    assert message(lang, "fig_fit_residents") in _axis_titles(figure)


def test_four_groups_make_a_two_by_two_grid_and_no_group_one_panel():
    figure = observed_vs_simulated_figure(_fit_table(), language="en")
    assert len({t.xaxis for t in figure.data}) == 4
    assert [a.text for a in figure.layout.annotations] == ["all ages", "ages 0–15", "ages 16–66", "ages 67+"]
    single = observed_vs_simulated_figure(_fit_table(None), language="en")
    assert {t.xaxis for t in single.data} == {None}  # plotly's default axes: one panel
    assert len(single.data) == 4 and not single.layout.annotations


def test_a_group_missing_from_the_catalogue_keeps_its_name():
    assert group_label("harbour", "nb") == "harbour"
    figure = observed_vs_simulated_figure(_fit_table(("harbour",)), language="nb")
    assert [a.text for a in figure.layout.annotations] == ["harbour"]


def test_band_and_lines_hold_the_tables_values():
    fit = _fit_table()
    figure = observed_vs_simulated_figure(fit, language="nb")
    for group in GROUPS:
        rows = fit[fit["group"] == group]
        for role, column in (("p05", "p05"), ("p95", "p95"), ("median", "median"), ("observed", "observed")):
            (trace,) = _traces(figure, group=group, role=role)
            np.testing.assert_allclose(trace.y, rows[column].to_numpy(dtype=float))
            assert list(trace.x) == rows["year"].tolist()
        (low,) = _traces(figure, group=group, role="p05")
        assert low.fill == "tonexty"  # fills up to the p95 line drawn just before it
        (observed,) = _traces(figure, group=group, role="observed")
        assert observed.mode == "lines+markers" and observed.line.color == "#000000"


def test_unsorted_years_are_drawn_in_order():
    fit = _fit_table(None).iloc[::-1]
    figure = observed_vs_simulated_figure(fit, language="en")
    (median,) = _traces(figure, role="median")
    assert list(median.x) == sorted(fit["year"])


def test_no_english_leaks_into_the_bokmal_figure():
    figure = observed_vs_simulated_figure(_fit_table(), language="nb")
    assert not _words(_visible_texts(figure)) & ENGLISH
    hover = [text for t in figure.data if t.hovertext is not None for text in t.hovertext]
    assert hover and not _words(hover) & ENGLISH
    # The English figure does use those words (the list is not vacuous).
    assert _words(_visible_texts(observed_vs_simulated_figure(_fit_table(), language="en"))) & ENGLISH


def test_hover_numbers_follow_the_language():
    fit = _fit_table(None)
    nb = observed_vs_simulated_figure(fit, language="nb")
    en = observed_vs_simulated_figure(fit, language="en")
    (nb_median,) = _traces(nb, role="median")
    (en_median,) = _traces(en, role="median")
    # 2011: median 1226.25 → 1 226 / 1,226; p05 1182 and p95 1271.
    assert f"1{THOUSANDS_SEPARATOR}226" in nb_median.hovertext[1] and "1,226" in en_median.hovertext[1]
    assert "1,226" not in nb_median.hovertext[1]
    assert f"1{THOUSANDS_SEPARATOR}182 til 1{THOUSANDS_SEPARATOR}271" in nb_median.hovertext[1]
    assert "1,182 to 1,271" in en_median.hovertext[1]


def test_a_missing_column_is_an_error():
    with pytest.raises(ValueError, match="p95"):
        observed_vs_simulated_figure(_fit_table(None).drop(columns="p95"), language="en")
    assert FIT_COLUMNS == ("year", "observed", "median", "p05", "p95")


def test_title_and_subtitle():
    figure = observed_vs_simulated_figure(_fit_table(None), language="en", title="Træna", subtitle="small print")
    assert figure.layout.title.text == "Træna<br><sup>small print</sup>"


def test_standalone_html_is_offline_with_a_language_and_a_fixed_id():
    figure = observed_vs_simulated_figure(_fit_table(), language="nb")
    html = standalone_html(figure, language="nb", div_id="fit")
    assert html.lstrip().lower().startswith("<!doctype html>") and '<html lang="nb">' in html
    assert "<script src=" not in html and html.count("Plotly.newPlot") == 1
    assert 'id="fit"' in html
    assert standalone_html(figure, language="nb", div_id="fit") == html


def test_the_docstring_example_runs():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    (test,) = finder.find(figures_module.observed_vs_simulated_figure, globs=vars(figures_module))
    result = runner.run(test)
    assert result.attempted > 0 and result.failed == 0


# --- the two users ----------------------------------------------------------------------------------------


def _calibration_result() -> CalibrationResult:
    samples = pd.DataFrame(
        {"out_migration_scale": [0.9, 1.1, 1.3], "distance": [0.01, 0.02, 0.05], "accepted": [True, True, False]},
        index=pd.RangeIndex(3, name="sample"),
    )
    posterior = pd.DataFrame(
        {"prior_low": [0.5], "prior_high": [1.5], "median": [1.0], "mean": [1.0], "sd": [0.1], "p05": [0.91]},
        index=["out_migration_scale"],
    ).assign(p95=1.09)
    return CalibrationResult(
        scenario_name="test",
        kommunenummer="1835",
        history=(2010, 2014),
        priors={"out_migration_scale": Uniform(distribution="uniform", low=0.5, high=1.5)},
        samples=samples,
        posterior=posterior,
        fit=_fit_table(),
        epsilon=0.02,
        replications=2,
        acceptance=0.5,
        seed=1,
    )


def test_calibration_fit_html_is_in_the_requested_language(tmp_path):
    result = _calibration_result()
    nb = (write_calibration(result, tmp_path / "nb", language="nb") / FIT_HTML).read_text(encoding="utf-8")
    en = (write_calibration(result, tmp_path / "en") / FIT_HTML).read_text(encoding="utf-8")  # English by default
    assert '<html lang="nb">' in nb and '<html lang="en">' in en
    for html in (nb, en):
        assert "<script src=" not in html and html.count("Plotly.newPlot") == 1
    for text in ("Kalibrering 2010–2014", "alle aldre", "ABC-forkastning, 2 av 3 parametersett"):
        assert _shown(text, nb) and not _shown(text, en), text
    for text in ("Calibration 2010–2014", "all ages", "ABC rejection, 2 of 3 parameter sets"):
        assert _shown(text, en) and not _shown(text, nb), text
    assert _shown("out_migration_scale = 1 (0,91–1,09)", nb) and _shown("out_migration_scale = 1 (0.91–1.09)", en)


def test_calibration_figure_is_the_shared_builder(monkeypatch):
    calls: list[str] = []

    def spy(fit: pd.DataFrame, **kwargs: object) -> go.Figure:
        calls.append(str(kwargs["language"]))
        return observed_vs_simulated_figure(fit, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("resilience.reporting.observed_vs_simulated_figure", spy)
    calibration._figure_html(_calibration_result(), "nb")
    assert calls == ["nb"]


@pytest.mark.parametrize("lang", LANGS)
def test_hindcast_html_is_in_the_scenarios_language(tmp_path, monkeypatch, lang):
    """run_hindcast's figure, with the model run replaced by a small made-up ensemble of ``actual``."""
    scenario = load_checked(HINDCAST).model_copy(update={"language": lang})
    years = list(range(2013, 2017))
    real = population_series("1835")
    timeseries = pd.DataFrame(
        [
            {"strategy": hindcast.ACTUAL, "replication": r, "year": y, "population": int(real.loc[y]) + r - 1}
            for r in range(3)
            for y in years
        ]
    )
    out = tmp_path / "results"
    out.mkdir()
    monkeypatch.setattr(hindcast, "load_checked", lambda path: scenario)
    monkeypatch.setattr(hindcast, "run_scenario", lambda *args, **kwargs: out)
    monkeypatch.setattr(hindcast, "read_timeseries", lambda path: timeseries)
    result = hindcast.run_hindcast(HINDCAST, out)
    html = result.html.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and "<script src=" not in html and html.count("Plotly.newPlot") == 1
    name = scenario.municipality.name or scenario.municipality.kommunenummer
    title = message(lang, "fig_hindcast_title", name=name)
    assert _shown(title, html) and _shown(message(lang, "fig_fit_observed"), html)
    other = "en" if lang == "nb" else "nb"
    assert not _shown(message(other, "fig_fit_observed"), html)
    assert not _shown(message(other, "fig_hindcast_title", name=name), html)
