"""One replication: one strategy, one seed, one draw of the uncertain parameters → one model run."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from resilience.config import Scenario
from resilience.model import MunicipalityModel, Parameters

__all__ = ["NO_SHOCK", "RunTask", "run_replication"]

#: The reference run: the scenario without its shocks (and without interventions), same seeds.
NO_SHOCK = "no_shock"


@dataclass(frozen=True)
class RunTask:
    """One model run: a strategy, a replication number, its seed and its drawn parameter values."""

    strategy: str
    replication: int
    seed: int
    drawn: dict[str, float] = field(default_factory=dict)


def run_replication(scenario: Scenario, task: RunTask, *, horizon: int | None = None) -> pd.DataFrame:
    """Run one replication and return its yearly rows, led by ``strategy``, ``replication`` and ``seed``."""
    base = Parameters().replace(**{k: float(v) for k, v in scenario.parameters.items()})
    parameters = base.replace(**task.drawn) if task.drawn else base
    if task.strategy == NO_SHOCK:
        scenario = scenario.model_copy(update={"shocks": []})
    model = MunicipalityModel(scenario, np.random.SeedSequence(task.seed), parameters=parameters, horizon=horizon)
    frame = model.run()
    frame.insert(0, "seed", np.int64(task.seed))
    frame.insert(0, "replication", task.replication)
    frame.insert(0, "strategy", task.strategy)
    return frame
