"""A self-contained HTML report: plotly.js embedded once, no network needed to open it.

Every text comes from the message catalogues (:mod:`resilience.reporting.messages`); every number is formatted
for the report's language with Babel; everything that comes from a scenario file is escaped (Jinja2
autoescape). The same results give the same bytes: figure ids are fixed and nothing reads the clock.

>>> html = render_report(timeseries, summary, context, details)     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader
from plotly.offline import get_plotlyjs

from resilience.reporting.context import ReportContext
from resilience.reporting.figures import FIGURES, strategy_label
from resilience.reporting.messages import message
from resilience.reporting.numbers import format_number, format_percent, is_missing

__all__ = [
    "FigureOut",
    "LeverUse",
    "ReportContext",
    "ScenarioDetails",
    "Setting",
    "Uncertainty",
    "build_figures",
    "render_report",
]


@dataclass(frozen=True)
class Setting:
    """One lever setting or model parameter: the value(s) used, its plausible range, source and description."""

    name: str
    values: tuple[object, ...]
    low: float | None = None
    high: float | None = None
    source: str = ""
    description: str = ""  # in English
    description_nb: str = ""  # in Norwegian bokmål
    unit: str = ""
    changed: bool = False  # set by the scenario (a lever setting written, a parameter overridden or uncertain)


@dataclass(frozen=True)
class LeverUse:
    """A lever used by at least one strategy, with its settings."""

    lever: str
    titles: Mapping[str, str]
    strategies: tuple[str, ...]
    settings: tuple[Setting, ...]


@dataclass(frozen=True)
class Uncertainty:
    """An uncertain parameter: the distribution it is drawn from and where the parameter comes from."""

    name: str
    distribution: Mapping[str, Any]
    source: str = ""


@dataclass(frozen=True)
class ScenarioDetails:
    """The scenario's assumptions for the report: levers, uncertainties, model parameters, description."""

    description: str | None = None
    strategy_levers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    levers: tuple[LeverUse, ...] = ()
    uncertainties: tuple[Uncertainty, ...] = ()
    parameters: tuple[Setting, ...] = ()


# ----------------------------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------------------------


def _fmt(value: object, lang: str, digits: int = 0) -> str:
    return format_number(value, lang, digits)


def _percent(share: object, lang: str) -> str:
    return format_percent(share, lang)


def _nok(value: object, lang: str) -> str:
    return "–" if is_missing(value) else message(lang, "nok_amount", amount=format_number(value, lang))


def _range(low: float | None, high: float | None, lang: str) -> str:
    if low is None or high is None:
        return "–"
    return f"{format_number(low, lang, None)} – {format_number(high, lang, None)}"


def _distribution(spec: Mapping[str, Any], lang: str) -> str:
    kind = str(spec.get("distribution", ""))

    def num(key: str) -> str:
        return format_number(spec.get(key), lang, None)

    if kind == "uniform":
        return message(lang, "dist_uniform", low=num("low"), high=num("high"))
    if kind == "triangular":
        return message(lang, "dist_triangular", low=num("low"), mode=num("mode"), high=num("high"))
    if kind == "normal":
        text = message(lang, "dist_normal", mean=num("mean"), sd=num("sd"))
        if spec.get("low") is not None or spec.get("high") is not None:
            text += message(lang, "dist_bounds", low=num("low"), high=num("high"))
        return text
    if kind == "choice":
        values = ", ".join(format_number(v, lang, None) for v in spec.get("values", ()))
        return message(lang, "dist_choice", values=values)
    return kind


# ----------------------------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureOut:
    """A built figure with its fixed element id and its texts."""

    id: str
    title: str
    caption: str
    figure: go.Figure


def build_figures(timeseries: pd.DataFrame, context: ReportContext) -> list[FigureOut]:
    """Every figure of the report, built, with its element id (``fig-…``), title and caption.

    >>> figures = build_figures(read_timeseries("results/demo/timeseries.parquet"), context)  # doctest: +SKIP
    >>> [f.id for f in figures]                                                                # doctest: +SKIP
    """
    lang = context.lang
    return [
        FigureOut(
            spec.id, message(lang, spec.title_key), message(lang, spec.caption_key), spec.build(timeseries, context)
        )
        for spec in FIGURES
    ]


# ----------------------------------------------------------------------------------------------------------
# The report
# ----------------------------------------------------------------------------------------------------------

_SUMMARY_COLUMNS = (
    "strategy",
    "cost",
    "population_median",
    "population_range",
    "p_better",
    "cost_per_resident",
    "resistance",
    "recovery",
)


def _summary_rows(summary: pd.DataFrame, details: ScenarioDetails, lang: str) -> list[dict[str, Any]]:
    rows = []
    for _, r in summary.iterrows():
        strategy = str(r["strategy"])
        levers = details.strategy_levers.get(strategy, ())
        titles = {lever.lever: lever.titles.get(lang, lever.lever) for lever in details.levers}
        share = r.get("recovery_population_share")
        years = r.get("recovery_population_years_median")
        if is_missing(share):
            recovery = "–"
        elif is_missing(years):
            recovery = _percent(share, lang)
        else:
            recovery = message(lang, "recovery_value", share=_percent(share, lang), years=format_number(years, lang, 1))
        resistance = r.get("resistance_population_median")
        rows.append(
            {
                "title": strategy_label(strategy, lang),
                "name": strategy,
                "levers": ", ".join(titles.get(name, name) for name in levers),
                "cells": [
                    _nok(r.get("cost_nok"), lang),
                    _fmt(r.get("population_median"), lang),
                    f"{_fmt(r.get('population_p05'), lang)} – {_fmt(r.get('population_p95'), lang)}",
                    _percent(r.get("p_more_residents_than_baseline"), lang),
                    _nok(r.get("cost_per_resident_retained_nok"), lang),
                    _percent(resistance, lang),
                    recovery,
                ],
            }
        )
    return rows


def _description(setting: Setting, lang: str) -> str:
    # The description in the report's language (English if a bokmål one is missing).
    return (setting.description_nb if lang == "nb" else "") or setting.description


def _setting_rows(settings: Sequence[Setting], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "value": " / ".join(format_number(v, lang, None) for v in s.values) or "–",
            "range": _range(s.low, s.high, lang),
            "unit": s.unit,
            "description": _description(s, lang),
            "source": s.source or message(lang, "no_source"),
            "changed": s.changed,
        }
        for s in settings
    ]


def render_report(
    timeseries: pd.DataFrame,
    summary: pd.DataFrame,
    context: ReportContext,
    details: ScenarioDetails | None = None,
    *,
    figures: Sequence[FigureOut] | None = None,
) -> str:
    """The report as one HTML string (the figures are built here unless given)."""
    lang = context.lang
    details = details or ScenarioDetails()
    figures = build_figures(timeseries, context) if figures is None else figures
    figure_html = [
        {
            "id": f.id,
            "title": f.title,
            "caption": f.caption,
            "html": f.figure.to_html(
                full_html=False,
                include_plotlyjs=False,
                div_id=f.id,
                config={"displaylogo": False, "responsive": True},
            ),
        }
        for f in figures
    ]
    m = {key: message(lang, key) for key in _STATIC_KEYS}
    # Autoescape always on (select_autoescape() would leave a ``.j2`` template unescaped): scenario texts are data.
    env = Environment(loader=PackageLoader("resilience.reporting", "templates"), autoescape=True)
    template = env.get_template("report.html.j2")
    horizon = int(timeseries["year"].max())
    return template.render(
        lang=lang,
        m=m,
        title=message(lang, "title", name=context.municipality),
        subtitle=message(lang, "subtitle", replications=format_number(context.replications, lang)),
        description=details.description,
        summary_title=message(lang, "summary", horizon=horizon),
        summary_header=[message(lang, k) for k in _SUMMARY_COLUMNS],
        summary_rows=_summary_rows(summary, details, lang),
        figures=figure_html,
        levers=[
            {
                "title": lever.titles.get(lang, lever.lever),
                "name": lever.lever,
                "strategies": ", ".join(strategy_label(s, lang) for s in lever.strategies),
                "settings": _setting_rows(lever.settings, lang),
            }
            for lever in details.levers
        ],
        uncertainties=[
            {
                "name": u.name,
                "distribution": _distribution(u.distribution, lang),
                "source": u.source or message(lang, "no_source"),
            }
            for u in details.uncertainties
        ],
        parameters=_setting_rows(details.parameters, lang),
        parameters_summary=message(lang, "parameters_summary", n=len(details.parameters)),
        provenance=[
            (message(lang, "scenario"), context.scenario_name),
            (message(lang, "scenario_hash"), context.scenario_hash),
            (message(lang, "version"), context.version),
            (message(lang, "seed"), context.seed),
            (message(lang, "replications"), format_number(context.replications, lang)),
            (message(lang, "created"), context.created or message(lang, "unknown")),
        ],
        attribution=context.attribution,
        plotly_js=get_plotlyjs(),
    )


#: Catalogue texts the template uses as they are (no values to fill in).
_STATIC_KEYS = (
    "how_to_read_title",
    "how_to_read",
    "how_to_read_small",
    "assumptions",
    "levers_used",
    "no_levers",
    "used_by",
    "setting",
    "value",
    "range",
    "unit",
    "source",
    "uncertainties",
    "no_uncertainties",
    "parameter",
    "distribution",
    "model_parameters",
    "changed_note",
    "provenance",
    "figures",
    "contents",
)
