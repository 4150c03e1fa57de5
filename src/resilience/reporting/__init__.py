"""Reporting: plotly figures and the self-contained HTML report (no Mesa here)."""

from resilience.reporting.figures import FIGURES, FigureSpec, population_figure
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
    "population_figure",
    "render_report",
]
