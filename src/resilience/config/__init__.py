"""Scenario configuration: reading, checking and writing scenario files.

Planners describe a scenario in a YAML file (``schema_version: 1``). This
package reads it safely, checks it, and reports *every* problem at once, one
line each, as ``FILE:LINE: field.path: message``::

    from resilience.config import ScenarioError, load_scenario

    try:
        scenario = load_scenario("scenarios/traena.yaml")
    except ScenarioError as error:
        print(error)
        raise SystemExit(1)

It is the bottom layer of the package: it imports nothing else from
``resilience``. Later layers report their own problems with file and line
through :func:`scenario_problem`.
"""

from ._dump import dump_scenario
from ._errors import Location, Problem, ScenarioError, did_you_mean, format_path
from ._jsonschema import SCHEMA_ID, scenario_json_schema
from ._load import load_scenario, parse_scenario, scenario_problem
from ._schema import (
    SCHEMA_VERSION,
    Choice,
    Closure,
    Distribution,
    Dwellings,
    Employer,
    Intervention,
    Layoff,
    Municipality,
    Normal,
    RunSettings,
    Scenario,
    Sector,
    Shock,
    Triangular,
    Uniform,
)
from ._yaml import SourceMap

__all__ = [
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Choice",
    "Closure",
    "Distribution",
    "Dwellings",
    "Employer",
    "Intervention",
    "Layoff",
    "Location",
    "Municipality",
    "Normal",
    "Problem",
    "RunSettings",
    "Scenario",
    "ScenarioError",
    "Sector",
    "Shock",
    "SourceMap",
    "Triangular",
    "Uniform",
    "did_you_mean",
    "dump_scenario",
    "format_path",
    "load_scenario",
    "parse_scenario",
    "scenario_json_schema",
    "scenario_problem",
]
