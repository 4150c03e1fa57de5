"""From a scenario's strategy to lever objects, and the checks that tell a planner what is wrong."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import annotated_types as at
from pydantic import ValidationError

from resilience.config import (
    Choice,
    Distribution,
    Intervention,
    Message,
    Scenario,
    did_you_mean,
    join_messages,
    validation_issues,
)
from resilience.levers._base import Lever
from resilience.levers._registry import LeverRegistryError, get_lever, lever_names

__all__ = [
    "build_interventions",
    "default_start",
    "intervention_problems",
    "lever_name_problems",
    "lever_parameter_names",
]

_KNOWLEDGE_SHARING = "knowledge_sharing"
Location = tuple[str | int, ...]


def default_start(scenario: Scenario) -> int:
    """Where a lever starts when the scenario does not say: the first shock year, else the base year."""
    years = [shock.year for shock in scenario.shocks]
    return min(years) if years else scenario.municipality.base_year


def lever_parameter_names(lever: str) -> list[str]:
    """The settings a lever takes (what may follow ``lever.`` in an uncertainty name)."""
    return list(get_lever(lever).Settings.model_fields)


def _settings_values(intervention: Intervention, drawn: Mapping[str, float]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    prefix = f"{intervention.lever}."
    fields = get_lever(intervention.lever).Settings.model_fields
    for name, value in drawn.items():
        # An uncertain lever parameter replaces the default, not a value the strategy wrote explicitly.
        if name.startswith(prefix) and name[len(prefix) :] in fields:
            setting = name[len(prefix) :]
            # Draws are real numbers; a whole-number setting (places, families, jobs) takes the nearest one.
            values[setting] = round(value) if fields[setting].annotation is int else value
    values.update(intervention.lever_parameters())
    if intervention.years is not None:
        values["years"] = intervention.years
    if intervention.start is not None:
        values["start"] = intervention.start
    return values


def build_interventions(scenario: Scenario, strategy: str, drawn: Mapping[str, float] | None = None) -> list[Lever]:
    """The lever objects of ``strategy`` (empty for baseline), with this replication's ``drawn`` values.

    >>> from resilience.config import load_scenario                        # doctest: +SKIP
    >>> build_interventions(load_scenario("scenarios/traena.yaml"), "tenk_traena")   # doctest: +SKIP
    [BusinessDevelopment(start=2026, years=6, ...)]
    """
    drawn = drawn or {}
    levers: list[Lever] = []
    seen: dict[str, int] = {}
    for intervention in scenario.strategies[strategy]:
        cls = get_lever(intervention.lever)
        settings = cls.Settings.model_validate(_settings_values(intervention, drawn))
        position = seen.get(cls.name, 0)
        seen[cls.name] = position + 1
        start = settings.start if settings.start is not None else default_start(scenario)
        levers.append(cls(settings, start=start, position=position))
    sharing = [lever for lever in levers if lever.name == _KNOWLEDGE_SHARING]
    if sharing:
        reduction = max(float(getattr(lever.settings, "cost_reduction", 0.0)) for lever in sharing)
        for lever in levers:
            if lever.name != _KNOWLEDGE_SHARING:
                lever.cost_factor = 1.0 - reduction
    return levers


def _unknown_lever(lever: str, known: list[str]) -> str:
    hint = did_you_mean(lever, known) or Message("the levers are: {names}", names=", ".join(known))
    return join_messages(Message("unknown lever '{lever}'", lever=lever), hint)


def _not_a_setting(key: str, lever: str, fields: list[str]) -> str:
    message = Message("'{key}' is not a setting of lever {lever}", key=key, lever=lever)
    return join_messages(message, did_you_mean(key, fields))


def lever_name_problems(strategies: object) -> list[tuple[Location, str]]:
    """Unknown lever names in the ``strategies`` section of a scenario document that the schema refused for
    other reasons (so that a misspelt lever is reported together with those, not after they are fixed).

    >>> lever_name_problems({"baseline": [], "dev": [{"lever": "busines_development"}]})[0][0]
    ('strategies', 'dev', 0, 'lever')
    """
    problems: list[tuple[Location, str]] = []
    if not isinstance(strategies, Mapping):
        return problems
    known = lever_names()
    for name, interventions in strategies.items():
        if not isinstance(interventions, list):
            continue
        for index, item in enumerate(interventions):
            lever = item.get("lever") if isinstance(item, Mapping) else None
            if isinstance(lever, str) and lever not in known:
                problems.append((("strategies", name, index, "lever"), _unknown_lever(lever, known)))
    return problems


def intervention_problems(scenario: Scenario) -> list[tuple[Location, str]]:
    """Every problem with the strategies' interventions and with uncertain lever parameters, as
    (location in the scenario, message) pairs — all of them, not just the first."""
    problems: list[tuple[Location, str]] = []
    known = lever_names()
    horizon = scenario.run.horizon
    base = scenario.municipality.base_year
    for strategy, interventions in scenario.strategies.items():
        for i, intervention in enumerate(interventions):
            where: Location = ("strategies", strategy, i)
            try:
                cls = get_lever(intervention.lever)
            except LeverRegistryError:
                problems.append(((*where, "lever"), _unknown_lever(intervention.lever, known)))
                continue
            fields = list(cls.Settings.model_fields)
            try:
                cls.Settings.model_validate(_settings_values(intervention, {}))
            except ValidationError as error:
                # The schema's plain messages (English and bokmål), not pydantic's; an unknown key is
                # named as a setting of the lever.
                extra = {tuple(d["loc"]) for d in error.errors() if d["type"] == "extra_forbidden"}
                for loc, message in validation_issues(error, cls.Settings):
                    if loc in extra:
                        message = _not_a_setting(str(loc[0]), cls.name, fields)
                    problems.append(((*where, *loc), message))
            if intervention.start is not None and not base <= intervention.start <= horizon:
                message = Message(
                    "start {start} is outside the simulated years {base}–{horizon}",
                    start=intervention.start,
                    base=base,
                    horizon=horizon,
                )
                problems.append(((*where, "start"), message))
    for name in scenario.uncertainties:
        if "." not in name:
            continue
        lever, _, parameter = name.partition(".")
        try:
            fields = lever_parameter_names(lever)
        except LeverRegistryError:
            problems.append((("uncertainties", name), _unknown_lever(lever, known)))
            continue
        if parameter not in fields:
            problems.append((("uncertainties", name), _not_a_setting(parameter, lever, fields)))
            continue
        problem = _draw_problem(lever, parameter, scenario.uncertainties[name])
        if problem:
            problems.append((("uncertainties", name), problem))
    return problems


def _draw_problem(lever: str, parameter: str, distribution: Distribution) -> Message | None:
    """Why some draw of ``distribution`` would be refused by the lever's setting (every run would fail), if so.

    >>> from resilience.config import Uniform
    >>> print(_draw_problem("attractiveness", "attractiveness_gain", Uniform(distribution="uniform", low=0, high=2)))
    attractiveness.attractiveness_gain must lie between 0 and 1, but this distribution can draw 2
    """
    setting = f"{lever}.{parameter}"
    field = get_lever(lever).Settings.model_fields[parameter]
    if field.annotation not in (int, float):
        return Message("{setting} is not a number, so it cannot be drawn from a distribution", setting=setting)
    if isinstance(distribution, Choice):
        extremes = [float(v) for v in distribution.values]
    else:
        low = getattr(distribution, "low", None)
        high = getattr(distribution, "high", None)
        extremes = [-math.inf if low is None else float(low), math.inf if high is None else float(high)]
    if field.annotation is int:
        extremes = [float(round(v)) if math.isfinite(v) else v for v in extremes]
    lowest = highest = None
    for item in field.metadata:
        if isinstance(item, at.Ge | at.Gt):
            lowest = float(item.ge if isinstance(item, at.Ge) else item.gt)  # type: ignore[arg-type]
        elif isinstance(item, at.Le | at.Lt):
            highest = float(item.le if isinstance(item, at.Le) else item.lt)  # type: ignore[arg-type]
    outside = [v for v in extremes if (lowest is not None and v < lowest) or (highest is not None and v > highest)]
    if not outside:
        return None
    if lowest is not None and highest is not None:
        span = Message("between {low} and {high}", low=f"{lowest:g}", high=f"{highest:g}")
    elif lowest is not None:
        span = Message("at least {low}", low=f"{lowest:g}")
    else:
        span = Message("at most {high}", high=f"{highest:g}")
    reach = outside[0]
    if not math.isfinite(reach):
        return Message(
            "{setting} must lie {span}: give this distribution a '{bound}' bound within that range",
            setting=setting,
            span=span,
            bound="low" if reach < 0 else "high",
        )
    return Message(
        "{setting} must lie {span}, but this distribution can draw {value}",
        setting=setting,
        span=span,
        value=f"{reach:g}",
    )
