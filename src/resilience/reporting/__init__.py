"""Reporting: plotly figures and the self-contained HTML report (no Mesa here)."""

from resilience.reporting.report import (
    FigureOut,
    LeverUse,
    ReportContext,
    ScenarioDetails,
    Setting,
    Uncertainty,
    build_figures,
    format_number,
    population_figure,
    render_report,
)

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
