"""Scenario configuration: reading, checking and writing scenario files.

Planners describe a scenario in a YAML file (``schema_version: 1``). This
package reads it safely, checks it, and reports *every* problem at once, one
line each, as ``FILE:LINE: field.path: message``::

    from resilience.config import ScenarioError, load_scenario

    try:
        scenario = load_scenario("scenarios/traena.yaml")
    except ScenarioError as error:
        print(error)               # English; error.render("nb") in bokmål
        raise SystemExit(1)

It is the bottom layer of the package: it imports nothing else from
``resilience``. Later layers report their own problems with file and line
through :func:`scenario_problem`.
"""

from ._dump import dump_scenario
from ._errors import (
    Document,
    Location,
    Problem,
    ScenarioError,
    did_you_mean,
    format_path,
    one_line,
    sort_problems,
    validation_issues,
)
from ._estimate import EnsembleEstimate, duration_message, ensemble_runs, estimate_ensemble
from ._jsonschema import SCHEMA_ID, scenario_json_schema
from ._limits import BYTES_PER_ROW, ensemble_memory_bytes, machine_memory_bytes, memory_message
from ._load import load_scenario, parse_scenario, scenario_problem
from ._messages import LANGUAGES, Language, Message, MissingTranslationError, join_messages
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
    "BYTES_PER_ROW",
    "LANGUAGES",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Choice",
    "Closure",
    "Distribution",
    "Document",
    "Dwellings",
    "Employer",
    "EnsembleEstimate",
    "Intervention",
    "Language",
    "Layoff",
    "Location",
    "Message",
    "MissingTranslationError",
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
    "duration_message",
    "ensemble_memory_bytes",
    "ensemble_runs",
    "estimate_ensemble",
    "format_path",
    "join_messages",
    "load_scenario",
    "machine_memory_bytes",
    "memory_message",
    "one_line",
    "parse_scenario",
    "scenario_json_schema",
    "scenario_problem",
    "sort_problems",
    "validation_issues",
]
