"""The workshop explorer: a local web page with sliders for a strategy's levers and the scenario's
uncertainties, and live figures of the strategy against doing nothing (``resilience explore SCENARIO``).

The top layer, like the command line and :mod:`resilience.workflow`: it imports any layer below and none
imports it. The page itself (:mod:`resilience.explore.app`) needs Solara (the ``explore`` extra); the core
(sliders and what-if runs) does not.
"""

from resilience.explore._assets import AssetsError, asset_packages, assets_dir, fetch_assets, missing_assets
from resilience.explore._core import (
    DEFAULT_REPLICATIONS,
    MAX_REPLICATIONS,
    Slider,
    WhatIf,
    default_values,
    explore_strategies,
    figures,
    lever_sliders,
    plan_what_if,
    run_sliders,
    run_what_if,
    scenario_with_levers,
    strategy_sliders,
    uncertainty_sliders,
)
from resilience.explore._messages import EXPLORE_MESSAGES, text

__all__ = [
    "DEFAULT_REPLICATIONS",
    "EXPLORE_MESSAGES",
    "MAX_REPLICATIONS",
    "AssetsError",
    "Slider",
    "WhatIf",
    "asset_packages",
    "assets_dir",
    "default_values",
    "explore_strategies",
    "fetch_assets",
    "figures",
    "lever_sliders",
    "missing_assets",
    "plan_what_if",
    "run_sliders",
    "run_what_if",
    "scenario_with_levers",
    "strategy_sliders",
    "text",
    "uncertainty_sliders",
]
