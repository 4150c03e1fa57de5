"""Reporting: plotly figures and the self-contained HTML report (no Mesa here)."""

from resilience.reporting.figures import (
    FIGURES,
    FigureSpec,
    observed_vs_simulated_figure,
    population_figure,
    standalone_html,
)
from resilience.reporting.numbers import format_number, format_percent
from resilience.reporting.report import (
    FigureOut,
    LeverUse,
    ReportContext,
    ScenarioDetails,
    Setting,
    Uncertainty,
    build_figures,
    render_report,
)

__all__ = [
    "FIGURES",
    "FigureOut",
    "FigureSpec",
    "LeverUse",
    "ReportContext",
    "ScenarioDetails",
    "Setting",
    "Uncertainty",
    "build_figures",
    "format_number",
    "format_percent",
    "observed_vs_simulated_figure",
    "population_figure",
    "render_report",
    "standalone_html",
]
