"""One replication: one strategy, one seed, one draw of the uncertain parameters → one model run."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from resilience.config import Scenario
from resilience.levers import Lever, build_interventions
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
    """Run one replication and return its yearly rows, led by ``strategy``, ``replication`` and ``seed``.

    Drawn values named ``lever.setting`` go to the strategy's levers; the others are model parameters.
    """
    base = Parameters().replace(**{k: float(v) for k, v in scenario.parameters.items()})
    model_draws = {name: value for name, value in task.drawn.items() if "." not in name}
    parameters = base.replace(**model_draws) if model_draws else base
    if task.strategy == NO_SHOCK:
        scenario = scenario.model_copy(update={"shocks": []})
        interventions: list[Lever] = []
    else:
        interventions = build_interventions(scenario, task.strategy, task.drawn)
    model = MunicipalityModel(
        scenario,
        np.random.SeedSequence(task.seed),
        parameters=parameters,
        horizon=horizon,
        interventions=interventions,
    )
    frame = model.run()
    frame.insert(0, "seed", np.int64(task.seed))
    frame.insert(0, "replication", task.replication)
    frame.insert(0, "strategy", task.strategy)
    return frame
