"""A self-contained HTML report: plotly.js embedded once, no network needed to open it.

Every text comes from the message catalogues (:mod:`resilience.reporting.messages`); every number is formatted
for the report's language with Babel; everything that comes from a scenario file is escaped (Jinja2
autoescape). The same results give the same bytes: figure ids are fixed and nothing reads the clock.

>>> html = render_report(timeseries, summary, context, details)     # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader
from plotly.offline import get_plotlyjs

from resilience.analysis import REFERENCE, fan
from resilience.reporting.context import ReportContext
from resilience.reporting.messages import message

__all__ = [
    "FigureOut",
    "LeverUse",
    "ReportContext",
    "ScenarioDetails",
    "Setting",
    "Uncertainty",
    "build_figures",
    "format_number",
    "population_figure",
    "render_report",
]

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _label(strategy: str, lang: str) -> str:
    """A strategy's readable title: the catalogue's for baseline and the reference, else its name in words."""
    if strategy in ("baseline", REFERENCE):
        return message(lang, "baseline" if strategy == "baseline" else "no_shock")
    words = strategy.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def fan_figure(
    timeseries: pd.DataFrame, column: str, context: ReportContext, y_title: str, *, history: bool = False
) -> go.Figure:
    """Median line and 90 % band across replications, per strategy; optionally SSB's observed series."""
    lang = context.lang
    figure = go.Figure()
    if history and not context.history.empty:
        figure.add_trace(
            go.Scatter(
                x=list(context.history.index),
                y=list(context.history.values),
                name=message(lang, "observed"),
                mode="lines+markers",
                line={"color": "black", "width": 2},
            )
        )
    quantiles = fan(timeseries, column)
    for i, (strategy, group) in enumerate(quantiles.groupby("strategy", sort=False)):
        # The no-shock reference is drawn in grey: what would have happened, not a choice.
        colour = "#7f7f7f" if strategy == REFERENCE else _PALETTE[i % len(_PALETTE)]
        label = _label(str(strategy), lang)
        figure.add_trace(
            go.Scatter(
                x=group["year"],
                y=group["q95"],
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
                legendgroup=label,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=group["year"],
                y=group["q05"],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=_rgba(colour, 0.18),
                legendgroup=label,
                name=f"{label}: {message(lang, 'band')}",
                hoverinfo="skip",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=group["year"],
                y=group["q50"],
                mode="lines",
                legendgroup=label,
                line={"color": colour, "width": 3},
                name=f"{label}: {message(lang, 'median')}",
            )
        )
    for year in context.shock_years:
        figure.add_vline(
            x=year,
            line_dash="dash",
            line_color="#555",
            annotation_text=message(lang, "shock"),
            annotation_position="top left",
        )
    figure.update_layout(
        template="plotly_white",
        height=460,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        xaxis_title=message(lang, "year"),
        yaxis_title=y_title,
        font={"size": 15},
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def population_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    """SSB's real population since 2005, then each strategy's fan."""
    return fan_figure(timeseries, "population", context, message(context.lang, "persons"), history=True)


# ----------------------------------------------------------------------------------------------------------
# What the report says about the scenario's assumptions (filled in by the workflow, which sees the levers and
# the model; the reporting layer does not import them)
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One lever setting or model parameter: the value(s) used, its plausible range and its source."""

    name: str
    values: tuple[object, ...]
    low: float | None = None
    high: float | None = None
    source: str = ""
    description: str = ""
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

_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
#: Bokmål groups thousands with a thin space; Babel's nb_NO gives a no-break space, so it is replaced by the
#: narrow no-break space (a thin space that never breaks a number across lines).
_NARROW_NBSP = "\u202f"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def format_number(value: object, lang: str, digits: int | None = 0) -> str:
    """``value`` formatted for ``lang``: grouped thousands, ``digits`` decimals (None: up to 4 significant).

    >>> format_number(1234567.5, "nb", 1)
    '1\\u202f234\\u202f567,5'
    >>> format_number(1234567.5, "en", 1)
    '1,234,567.5'
    >>> format_number(0.00125, "en", None)
    '0.00125'
    """
    if _missing(value):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(getattr(value, "value", value))
    number = float(value)
    if digits is None:
        if number == int(number):
            digits = 0
        else:
            magnitude = math.floor(math.log10(abs(number)))
            digits = max(0, 3 - magnitude)
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
    else:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(number, format=pattern, locale=_LOCALES[lang])
    return text.replace("\xa0", _NARROW_NBSP) if lang == "nb" else text


def _fmt(value: object, lang: str, digits: int = 0) -> str:
    return format_number(value, lang, digits)


def _percent(share: object, lang: str) -> str:
    return "–" if _missing(share) else f"{format_number(100 * float(share), lang)} %"  # type: ignore[arg-type]


def _nok(value: object, lang: str) -> str:
    return "–" if _missing(value) else message(lang, "nok_amount", amount=format_number(value, lang))


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


def _jobs_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    return fan_figure(timeseries, "jobs", context, message(context.lang, "jobs"))


_FALLBACK_FIGURES: tuple[tuple[str, str, str, Callable[[pd.DataFrame, ReportContext], go.Figure]], ...] = (
    ("population", "population_title", "population_caption", population_figure),
    ("jobs", "jobs_title", "jobs_caption", _jobs_figure),
)


def _figure_specs() -> list[tuple[str, str, str, Callable[[pd.DataFrame, ReportContext], go.Figure]]]:
    """The report's figures: :data:`resilience.reporting.figures.FIGURES` when there is one."""
    try:
        from resilience.reporting.figures import FIGURES
    except ImportError:
        return list(_FALLBACK_FIGURES)
    return [(spec.id, spec.title_key, spec.caption_key, spec.build) for spec in FIGURES]


def build_figures(timeseries: pd.DataFrame, context: ReportContext) -> list[FigureOut]:
    """Every figure of the report, built, with its element id (``fig-…``), title and caption."""
    lang = context.lang
    built = []
    for fig_id, title_key, caption_key, build in _figure_specs():
        element_id = fig_id if fig_id.startswith("fig-") else f"fig-{fig_id}"
        built.append(
            FigureOut(element_id, message(lang, title_key), message(lang, caption_key), build(timeseries, context))
        )
    return built


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
        if _missing(share):
            recovery = "–"
        elif _missing(years):
            recovery = _percent(share, lang)
        else:
            recovery = message(lang, "recovery_value", share=_percent(share, lang), years=format_number(years, lang, 1))
        resistance = r.get("resistance_population_median")
        rows.append(
            {
                "title": _label(strategy, lang),
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


def _setting_rows(settings: Sequence[Setting], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "value": " / ".join(format_number(v, lang, None) for v in s.values) or "–",
            "range": _range(s.low, s.high, lang),
            "unit": s.unit,
            "source": s.source or s.description or message(lang, "no_source"),
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
                "strategies": ", ".join(_label(s, lang) for s in lever.strategies),
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
