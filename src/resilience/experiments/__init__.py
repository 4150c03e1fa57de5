"""Experiments: seeds, single replications, ensembles and the results store (no Mesa here)."""

from resilience.experiments.replication import RunTask, run_replication
from resilience.experiments.runner import plan_runs, run_ensemble, sort_timeseries
from resilience.experiments.seeds import replication_seeds, uncertainty_sequence
from resilience.experiments.store import (
    REPORT,
    RESOLVED,
    SUMMARY,
    TIMESERIES,
    ResultsExistError,
    atomic_write,
    atomic_write_text,
    prepare_results_dir,
    read_timeseries,
    write_timeseries,
)
from resilience.experiments.uncertainty import draw_uncertainties

__all__ = [
    "REPORT",
    "RESOLVED",
    "SUMMARY",
    "TIMESERIES",
    "ResultsExistError",
    "RunTask",
    "atomic_write",
    "atomic_write_text",
    "draw_uncertainties",
    "plan_runs",
    "prepare_results_dir",
    "read_timeseries",
    "replication_seeds",
    "run_ensemble",
    "run_replication",
    "sort_timeseries",
    "uncertainty_sequence",
    "write_timeseries",
]
