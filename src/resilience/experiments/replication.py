"""One replication: one strategy, one seed, one draw of the uncertain parameters → one model run."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from resilience.config import Scenario
from resilience.levers import Lever, build_interventions
from resilience.model.parameters import Parameters

if TYPE_CHECKING:
    from resilience.model import Firm, Household, MunicipalityModel, Person, YearlyProcess

__all__ = ["NO_SHOCK", "RunTask", "run_replication"]

#: The reference run: the scenario without its shocks (and without interventions), same seeds.
NO_SHOCK = "no_shock"


@dataclass(frozen=True)
class RunTask:
    """One model run: a strategy, a replication number, its seed and its drawn parameter values.

    >>> RunTask("baseline", 0, 12345, {"local_multiplier": 0.4})
    RunTask(strategy='baseline', replication=0, seed=12345, drawn={'local_multiplier': 0.4})
    """

    strategy: str
    replication: int
    seed: int
    drawn: dict[str, float] = field(default_factory=dict)


def run_replication(
    scenario: Scenario,
    task: RunTask,
    *,
    horizon: int | None = None,
    person_class: type[Person] | None = None,
    household_class: type[Household] | None = None,
    firm_class: type[Firm] | None = None,
    extra_processes: Mapping[str, Sequence[YearlyProcess]] | None = None,
    reporters: Mapping[str, Callable[[MunicipalityModel], float]] | None = None,
) -> pd.DataFrame:
    """Run one replication and return its yearly rows, led by ``strategy``, ``replication`` and ``seed``.

    Drawn values named ``lever.setting`` go to the strategy's levers; the others are model parameters.
    The keyword arguments are the model's extension points: agent subclasses, yearly processes at named
    points of the schedule (``PROCESS_NAMES``) and reporters (extra output columns, one value a year); an agent
    class left at None is the default one.
    For an ensemble, bind them with :func:`functools.partial` and pass it as ``run=`` to
    :func:`~resilience.experiments.run_ensemble` (process pools need the classes and functions importable
    from a module; the sequential and Dask executors also take ones defined in a notebook):

    >>> from functools import partial
    >>> run = partial(run_replication, reporters={"pupils_share": lambda m: 0.0})
    >>> run_ensemble(scenario, plan_runs(scenario, replications=4), run=run)   # doctest: +SKIP
    """
    # The model (and Mesa) is imported where a run happens: a process that only plans and collects runs (the
    # parent of a process pool) never loads it.
    from resilience.model import Firm, Household, MunicipalityModel, Person

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
        person_class=person_class or Person,
        household_class=household_class or Household,
        firm_class=firm_class or Firm,
        extra_processes=extra_processes,
    )
    model.reporters.update(reporters or {})
    frame = model.run()
    frame.insert(0, "seed", np.int64(task.seed))
    frame.insert(0, "replication", task.replication)
    frame.insert(0, "strategy", task.strategy)
    return frame
