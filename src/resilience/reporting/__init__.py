"""Reporting: plotly figures and the self-contained HTML report (no Mesa here)."""

from resilience.reporting.report import ReportContext, population_figure, render_report

__all__ = ["ReportContext", "population_figure", "render_report"]
