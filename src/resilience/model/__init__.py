"""The agent-based model: the only package that imports Mesa.

Usage::

    from resilience.model import MunicipalityModel, Parameters
    model = MunicipalityModel(scenario, seed=1, parameters=Parameters(local_multiplier=0.3))
    frame = model.run()
"""

from resilience.model.agents import Firm, Household, Person
from resilience.model.model import PROCESS_NAMES, MunicipalityModel, YearlyProcess
from resilience.model.outputs import COLUMNS
from resilience.model.parameters import Parameters, ParameterSpec, UnknownParameterError
from resilience.model.state import Sex, Status

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
