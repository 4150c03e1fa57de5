"""The explorer's pure core: which sliders a strategy has, and a what-if run with common random numbers.

No Solara here, so it is testable without a browser. A what-if is one strategy and baseline, each run
``replications`` times under the same seeds (replication r of both has one seed), with every uncertain
parameter fixed at the slider's value instead of drawn, and the strategy's lever settings replaced by the
sliders' values. The same sliders give the same numbers, so moving a slider and back gives the same picture.

    >>> from resilience.workflow import load_checked                          # doctest: +SKIP
    >>> scenario = load_checked("scenarios/traena.yaml")                      # doctest: +SKIP
    >>> sliders = strategy_sliders(scenario, "tenk_traena")                  # doctest: +SKIP
    >>> result = run_what_if(scenario, "tenk_traena", replications=4)        # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
from pydantic.fields import FieldInfo

from resilience.analysis import BASELINE, paired_quantiles
from resilience.config import Choice, Distribution, Intervention, Normal, Scenario, Triangular, Uniform
from resilience.data import SSB_ATTRIBUTION, population_series
from resilience.experiments import NO_SHOCK, RunTask, SequentialExecutor, plan_runs, run_ensemble
from resilience.levers import default_start, get_lever
from resilience.reporting import ReportContext, population_figure
from resilience.reporting.figures import difference_figure

__all__ = [
    "DEFAULT_REPLICATIONS",
    "MAX_REPLICATIONS",
    "Slider",
    "WhatIf",
    "default_values",
    "explore_strategies",
    "figures",
    "lever_sliders",
    "plan_what_if",
    "run_sliders",
    "run_what_if",
    "scenario_with_levers",
    "strategy_sliders",
    "uncertainty_sliders",
]

#: Replications of a what-if unless the user moves the slider: a few seconds on a laptop.
DEFAULT_REPLICATIONS = 8
MAX_REPLICATIONS = 40
#: Settings that are not a slider: who pays (three shares that must sum to 1).
_SKIPPED = frozenset({"municipality_share", "county_share", "state_share"})

Kind = Literal["lever", "uncertainty", "run"]


@dataclass(frozen=True)
class Slider:
    """One slider: what it sets (``key``), its range, step and starting value.

    ``key`` is ``lever:<i>:<setting>`` (setting of the strategy's i-th intervention), ``uncertainty:<name>``
    (an uncertain parameter fixed at this value) or ``run:horizon`` / ``run:replications``. ``options`` is set
    when only listed values are allowed (an uncertainty with a ``choice`` distribution).
    """

    key: str
    kind: Kind
    name: str
    low: float
    high: float
    step: float
    value: float
    integer: bool = False
    lever: str | None = None
    options: tuple[float, ...] | None = None


def _nice_step(low: float, high: float) -> float:
    span = high - low
    if span <= 0:
        return 1.0
    return float(10 ** math.floor(math.log10(span / 100)))


def _bounds(field: FieldInfo) -> tuple[float | None, float | None]:
    ge = le = None
    for item in field.metadata:
        ge = getattr(item, "ge", ge)
        le = getattr(item, "le", le)
    return ge, le


def _is_integer(field: FieldInfo) -> bool:
    return field.annotation is int or str(field.annotation) in ("int | None", "typing.Optional[int]")


def _setting_range(
    scenario: Scenario, setting: str, field: FieldInfo, value: float, integer: bool
) -> tuple[float, float]:
    """The slider's range of a lever setting (see :func:`lever_sliders`)."""
    ge, le = _bounds(field)
    extra: dict[str, Any] = dict(field.json_schema_extra) if isinstance(field.json_schema_extra, dict) else {}
    if setting == "start":
        return float(scenario.municipality.base_year), float(scenario.run.horizon - 1)
    if "x-range" in extra:
        low, high = (float(v) for v in extra["x-range"])
    elif setting == "years":
        low, high = 1.0, max(10.0, 2.0 * value)
    else:
        low = 0.0 if ge is None else float(ge)
        high = 2.0 * value if value > 0 else (10.0 if integer else 1.0)
    low, high = min(low, value), max(high, value)
    if le is not None:
        high = min(high, float(le))
    if ge is not None:
        low = max(low, float(ge))
    return low, high


def explore_strategies(scenario: Scenario) -> list[str]:
    """The strategies to choose from: every strategy but baseline (or baseline alone if there is no other)."""
    names = [name for name in scenario.strategies if name != BASELINE]
    return names or [BASELINE]


def lever_sliders(scenario: Scenario, strategy: str) -> list[Slider]:
    """One slider per numeric setting of each intervention of ``strategy``.

    Ranges: a setting's plausible range (``x-range`` of the lever's settings, as in ``resilience levers``);
    ``start`` from the base year to the year before the horizon; ``years`` from 1 to twice the value (at least
    10); any other number from its lower bound (0) to twice the scenario's value. Every range is widened to
    hold the scenario's value and kept within the setting's hard bounds. Not sliders: who pays (three shares
    that must add up to 1), text and choices (an employer's name, a sector), and a setting the scenario lists
    under ``uncertainties`` without setting it in the intervention (its uncertainty slider sets it).
    """
    sliders: list[Slider] = []
    for index, intervention in enumerate(scenario.strategies[strategy]):
        cls = get_lever(intervention.lever)
        explicit = {**intervention.lever_parameters()}
        if intervention.years is not None:
            explicit["years"] = intervention.years
        if intervention.start is not None:
            explicit["start"] = intervention.start
        defaults = cls.Settings()
        for setting, field in cls.Settings.model_fields.items():
            if setting in _SKIPPED:
                continue
            if f"{cls.name}.{setting}" in scenario.uncertainties and setting not in explicit:
                continue
            value = explicit.get(setting, getattr(defaults, setting))
            if setting == "start" and value is None:
                value = default_start(scenario)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            integer = _is_integer(field)
            low, high = _setting_range(scenario, setting, field, float(value), integer)
            sliders.append(
                Slider(
                    key=f"lever:{index}:{setting}",
                    kind="lever",
                    name=setting,
                    low=low,
                    high=high,
                    step=1.0 if integer else _nice_step(low, high),
                    value=float(value),
                    integer=integer,
                    lever=cls.name,
                )
            )
    return sliders


def _uncertainty_slider(name: str, distribution: Distribution) -> Slider:
    key = f"uncertainty:{name}"
    match distribution:
        case Uniform():
            low, high, value = float(distribution.low), float(distribution.high), None
        case Triangular():
            low, high = float(distribution.low), float(distribution.high)
            value = float(distribution.mode)
        case Normal():
            mean, sd = float(distribution.mean), float(distribution.sd)
            low = mean - 3 * sd if distribution.low is None else float(distribution.low)
            high = mean + 3 * sd if distribution.high is None else float(distribution.high)
            value = mean
        case Choice():
            options = tuple(sorted({float(v) for v in distribution.values}))
            weights = distribution.weights or [1.0] * len(distribution.values)
            likeliest = float(distribution.values[max(range(len(weights)), key=lambda i: float(weights[i]))])
            return Slider(key, "uncertainty", name, options[0], options[-1], 0.0, likeliest, options=options)
    centre = (low + high) / 2 if value is None else value
    return Slider(key, "uncertainty", name, low, high, _nice_step(low, high), centre)


def uncertainty_sliders(scenario: Scenario) -> list[Slider]:
    """One slider per uncertain parameter, within its distribution's bounds (a normal without bounds: mean
    ± 3 sd), starting at its centre (uniform: the middle; triangular: the mode; normal: the mean; choice: the
    likeliest value)."""
    return [_uncertainty_slider(name, scenario.uncertainties[name]) for name in sorted(scenario.uncertainties)]


def run_sliders(scenario: Scenario) -> list[Slider]:
    """The horizon (from two years after the base year to the scenario's horizon) and the replications."""
    first = scenario.municipality.base_year + 2
    last = max(first, scenario.run.horizon)
    return [
        Slider("run:horizon", "run", "horizon", float(first), float(last), 1.0, float(last), integer=True),
        Slider(
            "run:replications",
            "run",
            "replications",
            1.0,
            float(MAX_REPLICATIONS),
            1.0,
            float(DEFAULT_REPLICATIONS),
            integer=True,
        ),
    ]


def strategy_sliders(scenario: Scenario, strategy: str) -> list[Slider]:
    """Every slider of ``strategy``: its levers' settings, then the uncertainties, then horizon and replications."""
    return [*lever_sliders(scenario, strategy), *uncertainty_sliders(scenario), *run_sliders(scenario)]


def default_values(sliders: list[Slider]) -> dict[str, float]:
    """Every slider's starting value, by key."""
    return {slider.key: slider.value for slider in sliders}


def scenario_with_levers(scenario: Scenario, strategy: str, values: Mapping[str, float]) -> Scenario:
    """``scenario`` with the settings of ``strategy``'s interventions replaced by the ``lever:<i>:<setting>``
    values (the others are kept); integer settings are rounded."""
    interventions = list(scenario.strategies[strategy])
    changes: dict[int, dict[str, Any]] = {}
    for key, value in values.items():
        kind, _, rest = key.partition(":")
        if kind != "lever":
            continue
        index_text, _, setting = rest.partition(":")
        index = int(index_text)
        field = get_lever(interventions[index].lever).Settings.model_fields[setting]
        changes.setdefault(index, {})[setting] = round(value) if _is_integer(field) else float(value)
    if not changes:
        return scenario
    for index, update in changes.items():
        data = interventions[index].model_dump()
        data.update(update)
        interventions[index] = Intervention.model_validate(data)
    strategies = {**scenario.strategies, strategy: interventions}
    return scenario.model_copy(update={"strategies": strategies})


def _fixed_uncertainties(values: Mapping[str, float]) -> dict[str, float]:
    prefix = "uncertainty:"
    return {key[len(prefix) :]: float(v) for key, v in values.items() if key.startswith(prefix)}


@dataclass(frozen=True)
class WhatIf:
    """A what-if's yearly rows (baseline and the strategy, every replication) and what it was run with."""

    strategy: str
    timeseries: pd.DataFrame
    horizon: int
    replications: int

    def medians(self) -> dict[str, float]:
        """Median population at the horizon of baseline and of the strategy."""
        last = self.timeseries[self.timeseries["year"] == self.horizon]
        return {str(name): float(group["population"].median()) for name, group in last.groupby("strategy")}

    def paired(self) -> dict[str, float]:
        """The strategy minus baseline in residents at the horizon (same replication): median, 5 % and 95 %
        quantiles, and the probability of more residents than baseline."""
        table = paired_quantiles(self.timeseries, "population", self.horizon).set_index("strategy")
        if self.strategy == BASELINE or self.strategy not in table.index:
            return {"median": 0.0, "q05": 0.0, "q95": 0.0, "p_better": math.nan}
        row: Any = table.loc[self.strategy]
        return {
            "median": float(row["diff_q50"]),
            "q05": float(row["diff_q05"]),
            "q95": float(row["diff_q95"]),
            "p_better": float(row["p_better"]),
        }


def plan_what_if(
    scenario: Scenario, strategy: str, replications: int, uncertainties: Mapping[str, float] | None = None
) -> list[RunTask]:
    """Baseline and ``strategy``, ``replications`` each under the scenario's seeds (common random numbers),
    with the uncertain parameters named in ``uncertainties`` fixed (the others drawn as in the scenario)."""
    fixed = dict(uncertainties or {})
    tasks = plan_runs(scenario, replications=replications, strategies=[strategy])
    return [
        RunTask(task.strategy, task.replication, task.seed, {**task.drawn, **fixed})
        for task in tasks
        if task.strategy != NO_SHOCK
    ]


def run_what_if(
    scenario: Scenario,
    strategy: str,
    values: Mapping[str, float] | None = None,
    *,
    executor: Executor | None = None,
) -> WhatIf:
    """Run baseline and ``strategy`` with the sliders' ``values`` (by key; missing keys keep the sliders'
    starting values) on ``executor`` (default: one by one in this process)."""
    values = {**default_values(strategy_sliders(scenario, strategy)), **(values or {})}
    horizon = round(values["run:horizon"])
    replications = round(values["run:replications"])
    changed = scenario_with_levers(scenario, strategy, values)
    tasks = plan_what_if(changed, strategy, replications, _fixed_uncertainties(values))
    if executor is None:
        executor = SequentialExecutor()
    frame = run_ensemble(changed, tasks, executor=executor, horizon=horizon)
    return WhatIf(strategy, frame, horizon, replications)


def _context(scenario: Scenario, lang: str, replications: int) -> ReportContext:
    try:
        history = population_series(scenario.municipality.kommunenummer)
        history = history[history.index <= scenario.municipality.base_year]
    except Exception:  # a code without SSB data: no observed line, the fans still show
        history = pd.Series(dtype=float)
    return ReportContext(
        municipality=scenario.municipality.name or scenario.municipality.kommunenummer,
        scenario_name=scenario.name,
        scenario_hash="",
        version="",
        seed=scenario.run.seed,
        replications=replications,
        created="",
        attribution=SSB_ATTRIBUTION[lang],
        lang=lang,
        shock_years=sorted({shock.year for shock in scenario.shocks}),
        history=history,
    )


def figures(scenario: Scenario, result: WhatIf, lang: str) -> dict[str, go.Figure]:
    """The population fan (median, 50 % and 90 % bands) of the strategy against baseline, and the paired
    difference at the horizon, built by the report's own figure builders in ``lang``."""
    context = _context(scenario, lang, result.replications)
    population = population_figure(result.timeseries, context)
    # The workshop looks at the years ahead: SSB's history from ten years before the base year.
    population.update_xaxes(range=[scenario.municipality.base_year - 10, result.horizon + 0.5])
    out = {"population": population}
    if result.strategy != BASELINE:
        out["difference"] = difference_figure(result.timeseries, context)
    return out
