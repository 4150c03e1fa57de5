"""resilience — what happens to a small municipality when its cornerstone company closes.

An agent-based model (Mesa) of one Norwegian municipality, person by person and year by year, with
intervention strategies compared over many random replications. This module is the public Python API: the
names in :data:`__all__` are stable; everything else (modules whose names start with ``_``, and anything not
listed here or in a subpackage's ``__all__``) may change without notice.

    >>> import resilience as rs
    >>> scenario = rs.load_scenario("scenarios/traena.yaml")                        # doctest: +SKIP
    >>> rows = rs.run_ensemble(scenario, rs.plan_runs(scenario, replications=8), workers=2)  # doctest: +SKIP
    >>> rs.summarise(rows)                                                          # doctest: +SKIP
    >>> rs.run_scenario(scenario, "results/traena", workers=2)                       # doctest: +SKIP
    >>> rs.write_report("results/traena", lang="nb")                                 # doctest: +SKIP

The workflow, step by step:

- **scenario** — :func:`load_scenario` (a YAML file; :class:`ScenarioError` lists every problem with its line),
  :func:`parse_scenario` (YAML text), :func:`check_scenario` (the checks that need the data and the lever
  registry);
- **model** — :class:`MunicipalityModel` (one run; subclass :class:`Person`, :class:`Household`,
  :class:`Firm`, add yearly processes at :data:`PROCESS_NAMES`), :class:`Parameters`;
- **runs** — :func:`plan_runs`, :func:`run_replication` (one), :func:`run_ensemble` (many, on any
  ``concurrent.futures.Executor``; :func:`open_executor` for processes or Dask), :func:`run_scenario` (to a
  results directory, as ``resilience run`` does);
- **results** — :func:`read_timeseries` (a results directory's ``timeseries.parquet``), :func:`summarise`
  and :func:`compare` (quantiles, paired differences against ``baseline``);
- **figures** — :data:`FIGURES` and :func:`build_figures` (the report's figures), :func:`population_figure`,
  :func:`observed_vs_simulated_figure`; :func:`write_report` (the HTML report);
- **levers** — :class:`Lever`, :func:`register_lever`, :func:`effect`, :func:`lever_catalogue`;
- **grounding** — :func:`calibrate`, :func:`run_hindcast`, :func:`run_validation`.

Names are imported on first use, so ``import resilience`` stays quick (the command line imports only what a
command needs).
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from resilience.analysis import compare, summarise
    from resilience.calibration import calibrate
    from resilience.config import Scenario, ScenarioError, load_scenario, parse_scenario
    from resilience.experiments import (
        RunTask,
        open_executor,
        plan_runs,
        read_timeseries,
        run_ensemble,
        run_replication,
    )
    from resilience.hindcast import run_hindcast
    from resilience.levers import Lever, effect, lever_catalogue, register_lever
    from resilience.model import (
        COLUMNS,
        PROCESS_NAMES,
        Firm,
        Household,
        MunicipalityModel,
        Parameters,
        Person,
    )
    from resilience.reporting import FIGURES, build_figures, observed_vs_simulated_figure, population_figure
    from resilience.validation import run_validation
    from resilience.workflow import check_scenario, run_scenario, write_report

__all__ = [
    "COLUMNS",
    "FIGURES",
    "PROCESS_NAMES",
    "Firm",
    "Household",
    "Lever",
    "MunicipalityModel",
    "Parameters",
    "Person",
    "RunTask",
    "Scenario",
    "ScenarioError",
    "__version__",
    "build_figures",
    "calibrate",
    "check_scenario",
    "compare",
    "effect",
    "lever_catalogue",
    "load_scenario",
    "observed_vs_simulated_figure",
    "open_executor",
    "parse_scenario",
    "plan_runs",
    "population_figure",
    "read_timeseries",
    "register_lever",
    "run_ensemble",
    "run_hindcast",
    "run_replication",
    "run_scenario",
    "run_validation",
    "summarise",
    "write_report",
]

#: Where each public name lives (imported on first access).
_HOME: dict[str, str] = {
    "COLUMNS": "resilience.model",
    "FIGURES": "resilience.reporting",
    "PROCESS_NAMES": "resilience.model",
    "Firm": "resilience.model",
    "Household": "resilience.model",
    "Lever": "resilience.levers",
    "MunicipalityModel": "resilience.model",
    "Parameters": "resilience.model",
    "Person": "resilience.model",
    "RunTask": "resilience.experiments",
    "Scenario": "resilience.config",
    "ScenarioError": "resilience.config",
    "build_figures": "resilience.reporting",
    "calibrate": "resilience.calibration",
    "check_scenario": "resilience.workflow",
    "compare": "resilience.analysis",
    "effect": "resilience.levers",
    "lever_catalogue": "resilience.levers",
    "load_scenario": "resilience.config",
    "observed_vs_simulated_figure": "resilience.reporting",
    "open_executor": "resilience.experiments",
    "parse_scenario": "resilience.config",
    "plan_runs": "resilience.experiments",
    "population_figure": "resilience.reporting",
    "read_timeseries": "resilience.experiments",
    "register_lever": "resilience.levers",
    "run_ensemble": "resilience.experiments",
    "run_hindcast": "resilience.hindcast",
    "run_replication": "resilience.experiments",
    "run_scenario": "resilience.workflow",
    "run_validation": "resilience.validation",
    "summarise": "resilience.analysis",
    "write_report": "resilience.workflow",
}

try:
    __version__: str = version("resilience")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'resilience' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
