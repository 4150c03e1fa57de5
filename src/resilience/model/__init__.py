"""The agent-based model: the only package that imports Mesa.

Usage::

    from resilience.model import MunicipalityModel, Parameters
    model = MunicipalityModel(scenario, seed=1, parameters=Parameters(local_multiplier=0.3))
    frame = model.run()
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from resilience.model.outputs import COLUMNS
from resilience.model.parameters import Parameters, ParameterSpec, UnknownParameterError
from resilience.model.state import Sex, Status

if TYPE_CHECKING:
    from resilience.model.agents import Firm, Household, Person
    from resilience.model.model import PROCESS_NAMES, MunicipalityModel, YearlyProcess

#: Names whose modules import Mesa: loaded on first use, so that parameters, outputs and states can be read
#: (by a process that only plans runs, say) without importing Mesa.
_LAZY = {
    "Firm": "resilience.model.agents",
    "Household": "resilience.model.agents",
    "Person": "resilience.model.agents",
    "PROCESS_NAMES": "resilience.model.model",
    "MunicipalityModel": "resilience.model.model",
    "YearlyProcess": "resilience.model.model",
}


def __getattr__(name: str) -> Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module 'resilience.model' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "COLUMNS",
    "PROCESS_NAMES",
    "Firm",
    "Household",
    "MunicipalityModel",
    "ParameterSpec",
    "Parameters",
    "Person",
    "Sex",
    "Status",
    "UnknownParameterError",
    "YearlyProcess",
]
