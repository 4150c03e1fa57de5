"""The report's figures: one public function per figure, each ``(timeseries, context) -> plotly Figure``.

:data:`FIGURES` lists them in display order with a fixed HTML id and the message keys of their title and
caption (:mod:`resilience.reporting.figure_messages`). Every visible text comes from that catalogue; numbers
formatted here use Babel (decimal comma and thin-space thousands in bokmål) and the figures' ``separators``
make plotly's own ticks and hover numbers follow the language. Each strategy keeps one colour in every figure;
baseline ("do nothing") is always the first colour and the no-shock reference is grey and dashed.

Besides them, :func:`observed_vs_simulated_figure` draws SSB's observed series against a simulated median and
90 % band, in one or several panels, for the hindcast and the calibration fit; :func:`standalone_html` makes
an offline page of it.

>>> for spec in FIGURES:                                                 # doctest: +SKIP
...     html = spec.build(timeseries, context).to_html(div_id=spec.id, config=PLOTLY_CONFIG)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from resilience.analysis import (
    BASELINE,
    REFERENCE,
    base_year,
    cost_summary,
    fan,
    horizon,
    paired_difference,
    paired_quantiles,
    strategies,
)
from resilience.config import Sector
from resilience.reporting.context import ReportContext
from resilience.reporting.figure_messages import FIGURE_MESSAGES
from resilience.reporting.messages import message
from resilience.reporting.numbers import format_number, format_percent, plotly_separators

__all__ = [
    "FIGURES",
    "FIT_COLUMNS",
    "OUTCOMES",
    "PLOTLY_CONFIG",
    "FigureSpec",
    "components_figure",
    "cost_figure",
    "difference_figure",
    "format_number",
    "group_label",
    "observed_vs_simulated_figure",
    "outcomes_figure",
    "population_figure",
    "pyramid_figure",
    "sectors_figure",
    "standalone_html",
    "strategy_colours",
    "strategy_label",
]

Builder = Callable[[pd.DataFrame, ReportContext], go.Figure]

#: plotly's config for the report's figures (``Figure.to_html(config=...)``): resize with the page.
PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True}

#: Outcomes of the small multiples: column, message key of its label, divisor (NOK → NOK million), decimals.
OUTCOMES: tuple[tuple[str, str, float, int], ...] = (
    ("population", "fig_population", 1.0, 0),
    ("jobs", "fig_jobs", 1.0, 0),
    ("unemployed", "fig_unemployed", 1.0, 0),
    ("pupils", "fig_pupils", 1.0, 0),
    ("budget_balance", "fig_budget_balance", 1e6, 1),
)

# Colour-blind-safe (Okabe–Ito, then Tableau) colours; baseline always gets the first one.
_PALETTE = (
    "#D55E00",
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#8C564B",
    "#9467BD",
    "#BCBD22",
    "#17BECF",
)
_REFERENCE_COLOUR = "#7F7F7F"
_OBSERVED_COLOUR = "#000000"
_SECTOR_COLOURS = {
    "fish_processing": "#0072B2",
    "aquaculture": "#56B4E9",
    "fishing": "#009E73",
    "tourism": "#E69F00",
    "manufacturing": "#8C564B",
    "energy": "#F0E442",
    "other_basic": "#CC79A7",
    "local_services": "#999999",
    "public": "#D55E00",
}
_COMPONENTS = (
    ("births", "fig_births", 1, "#009E73"),
    ("in_migrants", "fig_in_migrants", 1, "#0072B2"),
    ("deaths", "fig_deaths", -1, "#555555"),
    ("out_migrants", "fig_out_migrants", -1, "#E69F00"),
)
_FONT_SIZE = 16


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: its HTML id, the message keys of its title and caption, and its builder."""

    id: str
    title_key: str
    caption_key: str
    build: Builder


# --- shared helpers ---------------------------------------------------------------------------------------


def _percent(share: float, lang: str) -> str:
    return format_percent(share, lang)


def strategy_label(strategy: str, lang: str) -> str:
    """What a strategy is called in the report: baseline and the reference from the catalogue, the scenario's
    own strategies by their name in words ("tenk_traena" → "Tenk traena"). Scenario text: plotly escapes it,
    the HTML template escapes it; never put it into raw HTML."""
    if strategy == BASELINE:
        return message(lang, "fig_baseline")
    if strategy == REFERENCE:
        return message(lang, "fig_no_shock")
    words = strategy.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _wrap(label: str, width: int = 14) -> str:
    """A category label broken into lines of about ``width`` characters (plotly's ``<br>``)."""
    lines: list[str] = []
    for word in label.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _order(timeseries: pd.DataFrame, *, reference: bool = True) -> list[str]:
    """Baseline, the scenario's strategies, then (when present and wanted) the no-shock reference."""
    names = strategies(timeseries)
    if reference and (timeseries["strategy"] == REFERENCE).any():
        names.append(REFERENCE)
    return names


def strategy_colours(timeseries: pd.DataFrame) -> dict[str, str]:
    """One colour per strategy, the same in every figure: baseline first colour, the reference grey."""
    colours = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(strategies(timeseries))}
    colours[REFERENCE] = _REFERENCE_COLOUR
    return colours


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(figure: go.Figure, lang: str, *, height: int, legend: bool = True, **extra: Any) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        autosize=True,
        height=height,
        margin={"l": 70, "r": 20, "t": 40, "b": 40},
        font={"size": _FONT_SIZE},
        hoverlabel={"font": {"size": _FONT_SIZE}},
        separators=plotly_separators(lang),
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        **extra,
    )
    return figure


def _float(value: Any) -> float:
    """A pandas scalar as a float (pandas-stubs type ``.loc`` cells and tuple fields loosely)."""
    return float(value)


def _int(value: Any) -> int:
    return int(value)


def _years(values: pd.Series) -> list[int]:
    return [int(y) for y in values]


def _floats(values: pd.Series | Sequence[float]) -> list[float]:
    return [float(v) for v in values]


def _fan_hover(group: pd.DataFrame, label: str, lang: str, digits: int) -> list[str]:
    return [
        message(
            lang,
            "fig_hover_fan",
            strategy=label,
            year=_int(row.year),
            **{q: format_number(_float(getattr(row, q)), lang, digits) for q in ("q05", "q25", "q50", "q75", "q95")},
            median=format_number(_float(row.q50), lang, digits),
        )
        for row in group.itertuples(index=False)
    ]


def _add_fan(
    figure: go.Figure,
    group: pd.DataFrame,
    *,
    strategy: str,
    outcome: str,
    colour: str,
    lang: str,
    digits: int,
    showlegend: bool,
    bands: bool = True,
    dashed: bool = False,
    width: float = 3,
    row: int | None = None,
    col: int | None = None,
) -> None:
    """90 % band (q05–q95), 50 % band (q25–q75) and median line of one strategy's fan."""
    label = strategy_label(strategy, lang)
    x = _years(group["year"])
    where: dict[str, int] = {} if row is None or col is None else {"row": row, "col": col}
    if bands:
        for low, high, alpha, key in (("q05", "q95", 0.15, "fig_band90"), ("q25", "q75", 0.30, "fig_band50")):
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=_floats(group[high]),
                    mode="lines",
                    line={"width": 0, "color": colour},
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup=strategy,
                    name=f"{label}: {message(lang, key)}",
                    meta={"strategy": strategy, "outcome": outcome, "role": high},
                ),
                **where,
            )
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=_floats(group[low]),
                    mode="lines",
                    line={"width": 0, "color": colour},
                    fill="tonexty",
                    fillcolor=_rgba(colour, alpha),
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup=strategy,
                    name=f"{label}: {message(lang, key)}",
                    meta={"strategy": strategy, "outcome": outcome, "role": low},
                ),
                **where,
            )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=_floats(group["q50"]),
            mode="lines",
            line={"color": colour, "width": width, "dash": "dash" if dashed else "solid"},
            name=label,
            legendgroup=strategy,
            showlegend=showlegend,
            hovertext=_fan_hover(group, label, lang, digits),
            hoverinfo="text",
            meta={"strategy": strategy, "outcome": outcome, "role": "q50"},
        ),
        **where,
    )


def _mark_shocks(figure: go.Figure, context: ReportContext, *, annotate: bool = True) -> None:
    for year in context.shock_years:
        figure.add_vline(
            x=int(year),
            line_dash="dot",
            line_color="#333333",
            line_width=2,
            annotation_text=message(context.lang, "fig_shock") if annotate else None,
            annotation_position="top left",
            annotation_font_size=_FONT_SIZE - 2,
        )


def _scaled(timeseries: pd.DataFrame, column: str, divisor: float) -> pd.DataFrame:
    frame = timeseries[["strategy", "replication", "year", column]]
    if divisor != 1.0:
        frame = frame.assign(**{column: frame[column].astype(float) / divisor})
    return frame


# --- 1. history and projection ----------------------------------------------------------------------------


def population_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    """SSB's real population, then each strategy's fan (median, 50 % and 90 % of the replications); the
    no-shock reference as a grey dashed median; the shock year marked.

    >>> population_figure(read_timeseries("results/demo/timeseries.parquet"), context).show()  # doctest: +SKIP
    """
    lang = context.lang
    figure = go.Figure()
    history = context.history
    if not history.empty:
        figure.add_trace(
            go.Scatter(
                x=[int(y) for y in history.index],
                y=[float(v) for v in history.to_numpy()],
                mode="lines+markers",
                line={"color": _OBSERVED_COLOUR, "width": 3},
                marker={"size": 6},
                name=message(lang, "fig_observed"),
                hovertext=[
                    message(lang, "fig_hover_observed", year=_int(y), value=format_number(_float(v), lang))
                    for y, v in history.items()
                ],
                hoverinfo="text",
                meta={"strategy": "observed", "outcome": "population", "role": "observed"},
            )
        )
    colours = strategy_colours(timeseries)
    quantiles = fan(timeseries, "population")
    for strategy in _order(timeseries):
        group = quantiles[quantiles["strategy"] == strategy]
        reference = strategy == REFERENCE
        _add_fan(
            figure,
            group,
            strategy=strategy,
            outcome="population",
            colour=colours[strategy],
            lang=lang,
            digits=0,
            showlegend=True,
            bands=not reference,
            dashed=reference,
        )
    _mark_shocks(figure, context)
    _layout(
        figure,
        lang,
        height=560,
        xaxis_title=message(lang, "fig_year"),
        yaxis_title=message(lang, "fig_persons"),
        hovermode="closest",
    )
    return figure


# --- 2. small multiples -----------------------------------------------------------------------------------


def outcomes_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    """Small multiples: a row per outcome (population, jobs, unemployed, pupils, budget balance in NOK
    million), a column per strategy; each panel the strategy's fan, baseline's median as a thin line and the
    no-shock reference grey and dashed."""
    lang = context.lang
    names = strategies(timeseries)
    has_reference = bool((timeseries["strategy"] == REFERENCE).any())
    colours = strategy_colours(timeseries)
    figure = make_subplots(
        rows=len(OUTCOMES),
        cols=len(names),
        shared_xaxes=True,
        shared_yaxes="rows",
        column_titles=[strategy_label(n, lang) for n in names],
        row_titles=None,
        horizontal_spacing=0.012 if len(names) > 4 else 0.03,
        vertical_spacing=0.035,
    )
    for r, (column, key, divisor, digits) in enumerate(OUTCOMES, start=1):
        quantiles = fan(_scaled(timeseries, column, divisor), column)
        for c, strategy in enumerate(names, start=1):
            if has_reference:
                _add_fan(
                    figure,
                    quantiles[quantiles["strategy"] == REFERENCE],
                    strategy=REFERENCE,
                    outcome=column,
                    colour=_REFERENCE_COLOUR,
                    lang=lang,
                    digits=digits,
                    showlegend=r == 1 and c == 1,
                    bands=False,
                    dashed=True,
                    width=2,
                    row=r,
                    col=c,
                )
            if strategy != BASELINE:
                _add_fan(
                    figure,
                    quantiles[quantiles["strategy"] == BASELINE],
                    strategy=BASELINE,
                    outcome=column,
                    colour=colours[BASELINE],
                    lang=lang,
                    digits=digits,
                    showlegend=False,
                    bands=False,
                    width=1.5,
                    row=r,
                    col=c,
                )
            _add_fan(
                figure,
                quantiles[quantiles["strategy"] == strategy],
                strategy=strategy,
                outcome=column,
                colour=colours[strategy],
                lang=lang,
                digits=digits,
                showlegend=r == 1 and c == 1 and strategy == BASELINE,
                width=3,
                row=r,
                col=c,
            )
        figure.update_yaxes(title_text=message(lang, key), title_font_size=_FONT_SIZE - 2, row=r, col=1)
    figure.update_xaxes(showticklabels=False)
    for c in range(1, len(names) + 1):
        figure.update_xaxes(showticklabels=True, nticks=3, tickangle=0, row=len(OUTCOMES), col=c)
    # One line per panel, built directly: plotly's add_vline on every subplot checks each panel for data
    # and took longer than the rest of the figure.
    axes = sorted({(trace.xaxis or "x", trace.yaxis or "y") for trace in figure.data})
    lines = [
        {
            "type": "line",
            "x0": int(year),
            "x1": int(year),
            "xref": x,
            "y0": 0,
            "y1": 1,
            "yref": f"{y} domain",
            "line": {"dash": "dot", "color": "#333333", "width": 1},
        }
        for year in context.shock_years
        for x, y in axes
    ]
    figure.update_layout(shapes=[*figure.layout.shapes, *lines])
    figure.update_annotations(font_size=_FONT_SIZE - 1)
    _layout(figure, lang, height=220 * len(OUTCOMES) + 120, hovermode="closest")
    figure.update_layout(margin={"l": 90, "r": 10, "t": 50, "b": 40}, legend={"y": -0.04})
    return figure


# --- 3. difference from baseline --------------------------------------------------------------------------


def difference_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    """Per strategy: residents at the horizon minus baseline's in the same replication (box and dots), with
    the probability of doing better than baseline written above."""
    lang = context.lang
    last = horizon(timeseries)
    colours = strategy_colours(timeseries)
    differences = paired_difference(timeseries, "population", last)
    summary = paired_quantiles(timeseries, "population", last).set_index("strategy")
    column = f"population_vs_{BASELINE}"
    figure = go.Figure()
    names = [n for n in strategies(timeseries) if n != BASELINE]
    top = float(differences[column].max()) if not differences.empty else 0.0
    for strategy in names:
        label = _wrap(strategy_label(strategy, lang))
        rows = differences[differences["strategy"] == strategy]
        values = _floats(rows[column])
        figure.add_trace(
            go.Box(
                x=[label] * len(values),
                y=values,
                name=label,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": colours[strategy], "size": 9, "opacity": 0.8},
                line={"color": colours[strategy], "width": 2},
                fillcolor=_rgba(colours[strategy], 0.2),
                hovertext=[
                    message(
                        lang,
                        "fig_hover_difference",
                        strategy=label,
                        replication=int(r),
                        value=format_number(float(v), lang, sign=True),
                    )
                    for r, v in zip(rows["replication"], values, strict=True)
                ],
                hoverinfo="text",
                showlegend=False,
                meta={"strategy": strategy, "outcome": "population", "role": "difference"},
            )
        )
        p = _float(summary.loc[strategy, "p_better"])
        figure.add_annotation(
            x=label,
            y=top,
            yshift=28,
            text=f"<b>{message(lang, 'fig_p_better', p=_percent(p, lang))}</b>",
            showarrow=False,
            font={"size": _FONT_SIZE, "color": colours[strategy]},
        )
    figure.add_hline(y=0, line_color=colours[BASELINE], line_width=2, line_dash="dash")
    _layout(
        figure,
        lang,
        height=520,
        legend=False,
        yaxis_title=f"{message(lang, 'fig_difference_axis')} ({last})",
        xaxis={"tickangle": 0, "automargin": True},
    )
    figure.update_layout(margin={"t": 60})
    return figure


# --- 4. pyramid -------------------------------------------------------------------------------------------

_GROUPS: tuple[int, ...] = tuple(range(0, 95, 5))


def _group_label(start: int) -> str:
    return f"{start}+" if start == _GROUPS[-1] else f"{start}–{start + 4}"


def _pyramid_medians(timeseries: pd.DataFrame, strategy: str, year: int) -> dict[str, list[float]]:
    """Median per sex and age group across replications, scaled so that all groups add up to the median
    population of the year (medians of parts need not add up to the median of the whole)."""
    rows = timeseries[(timeseries["strategy"] == strategy) & (timeseries["year"] == year)]
    medians = {
        sex: [float(np.median(rows[f"pyramid_{sex}_{start:02d}"].to_numpy(dtype=float))) for start in _GROUPS]
        for sex in ("m", "f")
    }
    total = sum(medians["m"]) + sum(medians["f"])
    target = float(np.median(rows["population"].to_numpy(dtype=float)))
    factor = target / total if total > 0 else 1.0
    return {sex: [v * factor for v in values] for sex, values in medians.items()}


def _dropdown(labels: Sequence[str], visible: Sequence[Sequence[bool]]) -> list[dict[str, Any]]:
    return [
        {
            "type": "dropdown",
            "direction": "down",
            "active": 0,
            "x": 0,
            "xanchor": "left",
            "y": 1.02,
            "yanchor": "bottom",
            "showactive": True,
            "font": {"size": _FONT_SIZE},
            "buttons": [
                {"label": label, "method": "restyle", "args": [{"visible": list(mask)}]}
                for label, mask in zip(labels, visible, strict=True)
            ],
        }
    ]


def _masks(names: Sequence[str], per_strategy: int, common: int) -> list[list[bool]]:
    """Visibility per dropdown entry: ``per_strategy`` traces per strategy, then ``common`` always shown."""
    return [
        [j == i for j in range(len(names)) for _ in range(per_strategy)] + [True] * common for i in range(len(names))
    ]


def pyramid_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    """Population pyramid: men left, women right, five-year groups; the base year as an outline and each
    strategy's median per group at the horizon (a dropdown picks the strategy)."""
    lang = context.lang
    first, last = base_year(timeseries), horizon(timeseries)
    names = _order(timeseries)
    colours = strategy_colours(timeseries)
    labels = [_group_label(s) for s in _GROUPS]
    figure = go.Figure()
    base = _pyramid_medians(timeseries, BASELINE, first)
    biggest = max(max(base["m"]), max(base["f"]))
    for i, strategy in enumerate(names):
        colour = colours[strategy]
        at_horizon = _pyramid_medians(timeseries, strategy, last)
        for sex, sign, key, alpha in (("m", -1, "fig_men", 0.95), ("f", 1, "fig_women", 0.55)):
            values = at_horizon[sex]
            biggest = max(biggest, *values)
            label = strategy_label(strategy, lang)
            figure.add_trace(
                go.Bar(
                    y=labels,
                    x=[sign * v for v in values],
                    orientation="h",
                    name=f"{message(lang, key, year=last)}: {label}",
                    marker={"color": _rgba(colour, alpha)},
                    hovertext=[
                        message(lang, "fig_hover_pyramid", group=g, year=last, value=format_number(v, lang, 1))
                        for g, v in zip(labels, values, strict=True)
                    ],
                    hoverinfo="text",
                    visible=i == 0,
                    meta={"strategy": strategy, "sex": sex, "year": last, "role": "horizon"},
                )
            )
    # Base year: identical for all strategies (same initial population), drawn once as an outline on top.
    for sex, sign, key in (("m", -1, "fig_men"), ("f", 1, "fig_women")):
        figure.add_trace(
            go.Bar(
                y=labels,
                x=[sign * v for v in base[sex]],
                orientation="h",
                name=message(lang, key, year=first),
                marker={"color": "rgba(0,0,0,0)", "line": {"color": "#000000", "width": 2}},
                hovertext=[
                    message(lang, "fig_hover_pyramid", group=g, year=first, value=format_number(v, lang))
                    for g, v in zip(labels, base[sex], strict=True)
                ],
                hoverinfo="text",
                meta={"strategy": BASELINE, "sex": sex, "year": first, "role": "base"},
            )
        )
    step = max(5, math.ceil(biggest / 3 / 5.0) * 5)
    ticks = [float(t) for t in range(-3 * step, 3 * step + 1, step)]
    _layout(
        figure,
        lang,
        height=620,
        barmode="overlay",
        bargap=0.08,
        xaxis={
            "title": message(lang, "fig_persons"),
            "tickvals": ticks,
            "ticktext": [format_number(abs(t), lang) for t in ticks],
            "range": [-biggest * 1.08, biggest * 1.08],
        },
        yaxis={"title": message(lang, "fig_age")},
        updatemenus=_dropdown([strategy_label(n, lang) for n in names], _masks(names, 2, 2)),
    )
    figure.update_layout(margin={"t": 70})
    return figure


# --- 5. jobs by sector ------------------------------------------------------------------------------------


def _jobs_trace(
    years: list[int],
    jobs: pd.Series,
    total: np.ndarray,
    name: str,
    lang: str,
    *,
    line: dict[str, Any],
    visible: bool,
    meta: dict[str, str],
    stackgroup: str | None = None,
) -> go.Scatter:
    """One line of the jobs-by-sector figure, with its share of all jobs in the hover text."""
    values = jobs.to_numpy(dtype=float)
    shares = np.divide(values, total, out=np.zeros_like(values), where=total > 0)
    return go.Scatter(
        x=years,
        y=[float(v) for v in values],
        mode="lines",
        stackgroup=stackgroup,
        line=line,
        name=name,
        legendgroup=meta["sector"],
        hovertext=[
            message(
                lang,
                "fig_hover_sector",
                sector=name,
                year=y,
                value=format_number(float(v), lang, 1),
                share=_percent(float(sh), lang),
            )
            for y, v, sh in zip(years, values, shares, strict=True)
        ],
        hoverinfo="text",
        visible=visible,
        meta=meta,
    )


def sectors_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    """Median jobs per sector over time as a stacked area, with the cornerstone firm's jobs as a dashed line;
    a dropdown picks the strategy."""
    lang = context.lang
    names = _order(timeseries)
    sectors = [
        s.value
        for s in Sector
        if f"jobs_{s.value}" in timeseries.columns and float(timeseries[f"jobs_{s.value}"].abs().sum()) > 0
    ]
    cornerstone = "jobs_cornerstone" in timeseries.columns
    per_strategy = len(sectors) + (1 if cornerstone else 0)
    figure = go.Figure()
    for i, strategy in enumerate(names):
        rows = timeseries[timeseries["strategy"] == strategy]
        columns = [f"jobs_{s}" for s in sectors] + (["jobs_cornerstone"] if cornerstone else [])
        medians = rows.groupby("year", sort=True)[columns].median()
        years = [int(y) for y in medians.index]
        total = medians[[f"jobs_{s}" for s in sectors]].sum(axis=1).to_numpy(dtype=float)
        for sector in sectors:
            figure.add_trace(
                _jobs_trace(
                    years,
                    medians[f"jobs_{sector}"],
                    total,
                    message(lang, f"fig_sector_{sector}"),
                    lang,
                    line={"width": 0.5, "color": _SECTOR_COLOURS.get(sector, "#777777")},
                    visible=i == 0,
                    meta={"strategy": strategy, "sector": sector, "role": "sector"},
                    stackgroup="jobs",
                )
            )
        if cornerstone:
            figure.add_trace(
                _jobs_trace(
                    years,
                    medians["jobs_cornerstone"],
                    total,
                    message(lang, "fig_cornerstone"),
                    lang,
                    line={"color": "#000000", "width": 3, "dash": "dash"},
                    visible=i == 0,
                    meta={"strategy": strategy, "sector": "cornerstone", "role": "cornerstone"},
                )
            )
    _mark_shocks(figure, context)
    _layout(
        figure,
        lang,
        height=580,
        xaxis_title=message(lang, "fig_year"),
        yaxis_title=message(lang, "fig_jobs"),
        hovermode="closest",
        updatemenus=_dropdown([strategy_label(n, lang) for n in names], _masks(names, per_strategy, 0)),
    )
    figure.update_layout(margin={"t": 70})
    return figure


# --- 6. components of change ------------------------------------------------------------------------------


def _component_means(timeseries: pd.DataFrame, strategy: str) -> tuple[dict[str, float], float]:
    """Mean over replications of each flow summed over the years base..horizon−1, and of the population
    change from the base year to the horizon (means add up: births − deaths + in − out = change)."""
    first, last = base_year(timeseries), horizon(timeseries)
    rows = timeseries[timeseries["strategy"] == strategy]
    flows = rows[rows["year"] < last].groupby("replication")[[c for c, _, _, _ in _COMPONENTS]].sum()
    means = {c: float(flows[c].mean()) for c, _, _, _ in _COMPONENTS}
    start = rows[rows["year"] == first].set_index("replication")["population"].astype(float)
    end = rows[rows["year"] == last].set_index("replication")["population"].astype(float)
    return means, float((end - start).mean())


def components_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    """Births and in-migration up, deaths and out-migration down, summed over the simulated years (mean of
    the replications, so that the bars add up), per strategy; the net population change as a diamond."""
    lang = context.lang
    names = _order(timeseries)
    labels = [_wrap(strategy_label(n, lang)) for n in names]
    results = [_component_means(timeseries, n) for n in names]
    figure = go.Figure()
    for column, key, sign, colour in _COMPONENTS:
        name = message(lang, key)
        values = [sign * means[column] for means, _ in results]
        figure.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=name,
                marker={"color": colour},
                hovertext=[
                    message(
                        lang, "fig_hover_component", strategy=label, component=name, value=format_number(v, lang, 1)
                    )
                    for label, v in zip(labels, values, strict=True)
                ],
                hoverinfo="text",
                meta={"component": column, "role": "component", "strategies": names},
            )
        )
    net = [change for _, change in results]
    figure.add_trace(
        go.Scatter(
            x=labels,
            y=net,
            mode="markers+text",
            name=message(lang, "fig_net"),
            marker={"symbol": "diamond", "size": 18, "color": "#000000", "line": {"color": "#FFFFFF", "width": 2}},
            text=[format_number(v, lang, sign=True) for v in net],
            textposition="middle right",
            textfont={"size": _FONT_SIZE},
            hovertext=[
                message(
                    lang,
                    "fig_hover_component",
                    strategy=label,
                    component=message(lang, "fig_net"),
                    value=format_number(v, lang, 1, sign=True),
                )
                for label, v in zip(labels, net, strict=True)
            ],
            hoverinfo="text",
            meta={"role": "net", "strategies": names},
        )
    )
    figure.add_hline(y=0, line_color="#000000", line_width=1)
    _layout(
        figure,
        lang,
        height=540,
        barmode="relative",
        yaxis_title=f"{message(lang, 'fig_persons')} ({base_year(timeseries)}–{horizon(timeseries)})",
        xaxis={"tickangle": 0, "automargin": True},
    )
    return figure


# --- 7. cost against residents retained -------------------------------------------------------------------


def cost_figure(timeseries: pd.DataFrame, context: ReportContext) -> go.Figure:
    """One point per strategy (not baseline, not the reference): x = mean total cost (NOK million), y = median
    paired population difference against baseline at the horizon, error bars from 5 % to 95 %."""
    lang = context.lang
    last = horizon(timeseries)
    colours = strategy_colours(timeseries)
    costs = cost_summary(timeseries).set_index("strategy")
    effects = paired_quantiles(timeseries, "population", last).set_index("strategy")
    figure = go.Figure()
    for strategy in [n for n in strategies(timeseries) if n != BASELINE]:
        label = strategy_label(strategy, lang)
        cost = _float(costs.loc[strategy, "cost_nok"]) / 1e6
        median = _float(effects.loc[strategy, "diff_q50"])
        low, high = _float(effects.loc[strategy, "diff_q05"]), _float(effects.loc[strategy, "diff_q95"])
        figure.add_trace(
            go.Scatter(
                x=[cost],
                y=[median],
                mode="markers+text",
                name=label,
                text=[label],
                textposition="top right",
                textfont={"size": _FONT_SIZE - 1, "color": colours[strategy]},
                marker={"size": 16, "color": colours[strategy], "line": {"color": "#FFFFFF", "width": 1}},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [high - median],
                    "arrayminus": [median - low],
                    "thickness": 2.5,
                    "width": 8,
                    "color": colours[strategy],
                },
                hovertext=[
                    message(
                        lang,
                        "fig_hover_cost",
                        strategy=label,
                        cost=format_number(cost, lang, 1),
                        median=format_number(median, lang, 1, sign=True),
                        q05=format_number(low, lang, 1, sign=True),
                        q95=format_number(high, lang, 1, sign=True),
                    )
                ],
                hoverinfo="text",
                meta={"strategy": strategy, "role": "cost"},
            )
        )
    figure.add_hline(y=0, line_color=colours[BASELINE], line_width=2, line_dash="dash")
    _layout(
        figure,
        lang,
        height=540,
        xaxis={"title": message(lang, "fig_cost_axis"), "rangemode": "tozero", "zeroline": True},
        yaxis_title=f"{message(lang, 'fig_difference_axis')} ({last})",
        hovermode="closest",
    )
    return figure


# --- observed against simulated (the hindcast and the calibration fit) -------------------------------------

#: The columns :func:`observed_vs_simulated_figure` needs (``group`` is optional).
FIT_COLUMNS: tuple[str, ...] = ("year", "observed", "median", "p05", "p95")
_SIMULATED_COLOUR = _PALETTE[1]


def group_label(group: str, lang: str) -> str:
    """What a series of the fit is called: ``total`` and the broad age groups from the catalogue
    (``fig_group_<group>``), any other group by its own name."""
    key = f"fig_group_{group}"
    return message(lang, key) if key in FIGURE_MESSAGES[lang] else group


def _fit_hover(rows: pd.DataFrame, panel: str | None, lang: str) -> list[str]:
    return [
        message(
            lang,
            "fig_hover_fit",
            header=f"<b>{panel}</b>, {_int(row.year)}" if panel else f"<b>{_int(row.year)}</b>",
            **{q: format_number(_float(getattr(row, q)), lang) for q in ("observed", "median", "p05", "p95")},
        )
        for row in rows.itertuples(index=False)
    ]


def observed_vs_simulated_figure(
    fit: pd.DataFrame,
    *,
    language: str,
    title: str | None = None,
    subtitle: str | None = None,
    columns: int = 2,
) -> go.Figure:
    """Observed series against a simulated median and its 90 % band (5 %–95 %): the hindcast and the
    calibration fit.

    ``fit`` is a long table with the columns :data:`FIT_COLUMNS` (year, observed, median, p05, p95) and
    optionally ``group``: one panel per group, in the order the groups first appear (``columns`` panels a
    row), or a single panel without a ``group`` column. SSB's observed series is a black line with markers,
    the median and the band are in one colour; legend, axis titles, panel titles (:func:`group_label`) and the
    default ``title`` come from the catalogue in ``language`` ('nb' or 'en'), hover numbers are formatted
    with Babel. ``subtitle`` is set in small type under the title. Raises ValueError when a column is missing.

    >>> fit = pd.DataFrame(
    ...     {"year": [2013, 2014], "observed": [506, 490], "median": [506.0, 497.5], "p05": [506.0, 480.0],
    ...      "p95": [506.0, 512.0]}
    ... )
    >>> figure = observed_vs_simulated_figure(fit, language="nb")
    >>> [trace.meta["role"] for trace in figure.data]
    ['p95', 'p05', 'median', 'observed']
    >>> figure.data[-1].name, figure.layout.xaxis.title.text, figure.layout.title.text
    ('observert (SSB 07459)', 'år (1. januar)', 'Faktisk og simulert folketall')
    >>> '<html lang="nb">' in standalone_html(figure, language="nb", div_id="hindcast")
    True
    """
    lang = language
    missing = [c for c in FIT_COLUMNS if c not in fit.columns]
    if missing:
        raise ValueError(f"the fit table has no column {', '.join(missing)}")
    grouped = "group" in fit.columns
    groups: list[str | None] = list(dict.fromkeys(str(g) for g in fit["group"])) if grouped else [None]
    cols = max(1, min(columns, len(groups)))
    rows = math.ceil(len(groups) / cols)
    panels = [group_label(g, lang) if g is not None else None for g in groups]
    if grouped:
        figure = make_subplots(
            rows=rows,
            cols=cols,
            subplot_titles=[p or "" for p in panels],
            horizontal_spacing=0.08,
            vertical_spacing=0.14 if rows > 1 else 0.0,
        )
    else:
        figure = go.Figure()
    names = {key: message(lang, key) for key in ("fig_fit_band", "fig_fit_median", "fig_fit_observed")}
    for i, (group, panel) in enumerate(zip(groups, panels, strict=True)):
        part = fit if group is None else fit[fit["group"].astype(str) == group]
        part = part.sort_values("year", kind="stable")
        x = _years(part["year"])
        hover = _fit_hover(part, panel, lang)
        where: dict[str, int] = {"row": i // cols + 1, "col": i % cols + 1} if grouped else {}
        first = i == 0
        figure.add_trace(
            go.Scatter(
                x=x,
                y=_floats(part["p95"]),
                mode="lines",
                line={"width": 0, "color": _SIMULATED_COLOUR},
                showlegend=False,
                hoverinfo="skip",
                legendgroup="band",
                name=names["fig_fit_band"],
                meta={"group": group, "role": "p95"},
            ),
            **where,
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=_floats(part["p05"]),
                mode="lines",
                line={"width": 0, "color": _SIMULATED_COLOUR},
                fill="tonexty",
                fillcolor=_rgba(_SIMULATED_COLOUR, 0.2),
                showlegend=first,
                hoverinfo="skip",
                legendgroup="band",
                name=names["fig_fit_band"],
                meta={"group": group, "role": "p05"},
            ),
            **where,
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=_floats(part["median"]),
                mode="lines",
                line={"color": _SIMULATED_COLOUR, "width": 3},
                showlegend=first,
                legendgroup="median",
                name=names["fig_fit_median"],
                hovertext=hover,
                hoverinfo="text",
                meta={"group": group, "role": "median"},
            ),
            **where,
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=_floats(part["observed"]),
                mode="lines+markers",
                line={"color": _OBSERVED_COLOUR, "width": 3},
                marker={"size": 6},
                showlegend=first,
                legendgroup="observed",
                name=names["fig_fit_observed"],
                hovertext=hover,
                hoverinfo="text",
                meta={"group": group, "role": "observed"},
            ),
            **where,
        )
    heading = title if title is not None else message(lang, "fig_fit_title")
    if subtitle:
        heading += f"<br><sup>{subtitle}</sup>"
    _layout(
        figure,
        lang,
        height=560 if not grouped else 320 * rows + 200,
        title={"text": heading, "x": 0, "xanchor": "left"},
        hovermode="closest",
    )
    figure.update_layout(margin={"t": 110 if subtitle else 80})
    # Whole years only (no "2 010,5"): every year on a short window, plotly's own step on a long one.
    span = int(fit["year"].max()) - int(fit["year"].min()) if len(fit) else 0
    figure.update_xaxes(tickformat="d", **({"dtick": 1} if span <= 10 else {}))
    if grouped:
        figure.update_annotations(font_size=_FONT_SIZE)
        figure.update_xaxes(title_text=message(lang, "fig_fit_year"), row=rows)
        figure.update_yaxes(title_text=message(lang, "fig_fit_residents"), col=1)
    else:
        figure.update_layout(xaxis_title=message(lang, "fig_fit_year"), yaxis_title=message(lang, "fig_fit_residents"))
    return figure


def standalone_html(figure: go.Figure, *, language: str, div_id: str) -> str:
    """``figure`` as a whole HTML page that works offline: plotly.js embedded (no CDN), a fixed element id
    (the same figure gives the same bytes) and ``<html lang=...>`` for screen readers and spell checkers."""
    html: str = figure.to_html(full_html=True, include_plotlyjs=True, div_id=div_id, config=PLOTLY_CONFIG)
    return html.replace("<html>", f'<html lang="{language}">', 1)


#: The report's figures in display order (fixed ids keep the HTML reproducible).
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("fig-population", "fig_population_title", "fig_population_caption", population_figure),
    FigureSpec("fig-outcomes", "fig_outcomes_title", "fig_outcomes_caption", outcomes_figure),
    FigureSpec("fig-difference", "fig_difference_title", "fig_difference_caption", difference_figure),
    FigureSpec("fig-pyramid", "fig_pyramid_title", "fig_pyramid_caption", pyramid_figure),
    FigureSpec("fig-sectors", "fig_sectors_title", "fig_sectors_caption", sectors_figure),
    FigureSpec("fig-components", "fig_components_title", "fig_components_caption", components_figure),
    FigureSpec("fig-cost", "fig_cost_title", "fig_cost_caption", cost_figure),
)
