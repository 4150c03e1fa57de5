"""The intervention library: levers a municipality (with county and state) can pull.

Each lever is a small class with a documented mechanism inside the model, effect sizes with a default, a range
and a source, a start year, a duration and a yearly cost split between payers. Levers are looked up by name in
a registry that other packages extend through the ``resilience.levers`` entry-point group.

    >>> from resilience.levers import get_lever, lever_names
    >>> "business_development" in lever_names()
    True
    >>> get_lever("attractiveness").Settings().attractiveness_gain
    0.02
"""

from resilience.levers._base import Lever, LeverSettings, effect, payer_share
from resilience.levers._build import (
    build_interventions,
    default_start,
    intervention_problems,
    lever_name_problems,
    lever_parameter_names,
)
from resilience.levers._catalogue import LeverSetting, lever_catalogue
from resilience.levers._registry import ENTRY_POINT_GROUP, LeverRegistryError, get_lever, lever_names, register_lever
from resilience.levers.cooperation import KnowledgeSharing
from resilience.levers.development import BusinessDevelopment
from resilience.levers.employers import CornerstoneRescue, NewEmployer, PublicJobRelocation
from resilience.levers.housing import BuildHousing, TryAnIsland
from resilience.levers.labour import Retraining, YoungFisherFund
from resilience.levers.place import Attractiveness, CommutingLink, RemoteWorkHub

__all__ = [
    "ENTRY_POINT_GROUP",
    "Attractiveness",
    "BuildHousing",
    "BusinessDevelopment",
    "CommutingLink",
    "CornerstoneRescue",
    "KnowledgeSharing",
    "Lever",
    "LeverRegistryError",
    "LeverSetting",
    "LeverSettings",
    "NewEmployer",
    "PublicJobRelocation",
    "RemoteWorkHub",
    "Retraining",
    "TryAnIsland",
    "YoungFisherFund",
    "build_interventions",
    "default_start",
    "effect",
    "get_lever",
    "intervention_problems",
    "lever_catalogue",
    "lever_name_problems",
    "lever_names",
    "lever_parameter_names",
    "payer_share",
    "register_lever",
]
