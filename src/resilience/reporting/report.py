"""A self-contained HTML report: plotly.js embedded once, no network needed to open it.

>>> html = render_report(timeseries, summary, context)     # doctest: +SKIP
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from resilience.analysis import REFERENCE, fan
from resilience.reporting.context import ReportContext
from resilience.reporting.messages import message

__all__ = ["ReportContext", "population_figure", "render_report"]

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _label(strategy: str, lang: str) -> str:
    if strategy in ("baseline", REFERENCE):
        return message(lang, "baseline" if strategy == "baseline" else "no_shock")
    return strategy


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


def _fmt(value: float, lang: str, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale="nb_NO" if lang == "nb" else "en_GB")


def render_report(timeseries: pd.DataFrame, summary: pd.DataFrame, context: ReportContext) -> str:
    """The report as one HTML string."""
    lang = context.lang
    figures = []
    for fig_id, title, caption, figure in (
        ("fig-population", "population_title", "population_caption", population_figure(timeseries, context)),
        (
            "fig-jobs",
            "jobs_title",
            "jobs_caption",
            fan_figure(timeseries, "jobs", context, message(lang, "jobs")),
        ),
    ):
        html = figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=fig_id,
            config={"displaylogo": False, "responsive": True},
        )
        figures.append({"title": message(lang, title), "caption": message(lang, caption), "html": html})
    header = [
        message(lang, k)
        for k in (
            "strategy",
            "population_median",
            "population_range",
            "jobs_median",
            "pupils_median",
            "p_better",
        )
    ]
    rows = []
    for _, r in summary.iterrows():
        rows.append(
            [
                _label(str(r["strategy"]), lang),
                _fmt(r["population_median"], lang),
                f"{_fmt(r['population_p05'], lang)} – {_fmt(r['population_p95'], lang)}",
                _fmt(r["jobs_median"], lang),
                _fmt(r["pupils_median"], lang),
                "–"
                if math.isnan(r["p_more_residents_than_baseline"])
                else f"{_fmt(100 * r['p_more_residents_than_baseline'], lang)} %",
            ]
        )
    env = Environment(loader=PackageLoader("resilience.reporting", "templates"), autoescape=select_autoescape())
    template = env.get_template("report.html.j2")
    horizon = int(timeseries["year"].max())
    return template.render(
        lang=lang,
        title=message(lang, "title", name=context.municipality),
        subtitle=message(lang, "subtitle", replications=context.replications),
        summary_title=message(lang, "summary", horizon=horizon),
        summary_header=header,
        summary_rows=rows,
        how_to_read=message(lang, "how_to_read"),
        figures=figures,
        provenance_title=message(lang, "provenance"),
        provenance=[
            (message(lang, "scenario"), context.scenario_name),
            (message(lang, "scenario_hash"), context.scenario_hash),
            (message(lang, "version"), context.version),
            (message(lang, "seed"), context.seed),
            (message(lang, "replications"), context.replications),
            (message(lang, "created"), context.created),
        ],
        attribution=context.attribution,
        plotly_js=get_plotlyjs(),
    )
