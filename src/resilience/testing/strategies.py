"""Hypothesis strategies for valid scenarios, built from the pydantic models of ``resilience.config``, the
lever registry and the model's parameter specifications.

Bounds come from the models themselves (``Ge``/``Le`` of each field, the ``x-range`` of each lever setting,
the range of each model parameter), so a change of the schema changes what is generated. Only where the
models allow far more than an example can afford are the values capped, and each cap is named here: small
municipalities (fewer than 700 residents in every year of the bundled data), at most 60 jobs per employer,
a horizon of one to three years, and integer lever settings without a plausible range capped at 12 (a new
employer of 100 000 jobs is valid, but would recruit a town per example).

Hypothesis is needed (``pip install 'resilience[testing]'``; the development environment has it). For a
researcher's own extension, the same scenarios with the invariant checks of :mod:`resilience.testing`::

    from hypothesis import given
    from resilience.model import MunicipalityModel
    from resilience.testing import check_model_invariants
    from resilience.testing.strategies import scenarios

    @given(scenario=scenarios())
    def test_my_extension_keeps_the_invariants(scenario):
        model = MunicipalityModel(scenario, seed=1, person_class=MyPerson)
        while model.running:
            model.step()
            check_model_invariants(model)
"""

from __future__ import annotations

import enum
import types
import typing
from functools import cache
from typing import Any

import annotated_types as at

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - the development environment has hypothesis
    raise ImportError(
        "resilience.testing.strategies needs hypothesis: pip install 'resilience[testing]' (or uv add hypothesis)"
    ) from error
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from resilience.config import (
    Choice,
    Closure,
    Dwellings,
    Employer,
    Intervention,
    Layoff,
    Municipality,
    Normal,
    RunSettings,
    Scenario,
    Sector,
    Triangular,
    Uniform,
)
from resilience.levers import get_lever, lever_names
from resilience.model import Parameters

#: Caps that keep one example cheap (see the module docstring).
MAX_RESIDENTS = 700
MAX_JOBS = 60
MAX_HORIZON_YEARS = 3
MAX_UNRANGED_INT = 12
#: Settings every lever has; drawn separately (the cost shares must sum to 1).
COMMON_SETTINGS = ("start", "years", "municipality_share", "county_share", "state_share")
#: Reserved by the runner for the reference run without shocks.
RESERVED_STRATEGIES = ("baseline", "no_shock")


# --------------------------------------------------------------------------------------------------
# Bounds read from the models
# --------------------------------------------------------------------------------------------------


def _metadata(annotation: Any, metadata: list[Any]) -> list[Any]:
    """Every constraint of a field, including those inside ``Annotated[...] | None``."""
    found = list(metadata)
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.extend(item.metadata)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        found.extend(_metadata(typing.get_args(annotation)[0], list(annotation.__metadata__)))
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found.extend(_metadata(arg, []))
    return found


def bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    """``(low, high)`` of a numeric field from its ``Ge``/``Gt``/``Le``/``Lt`` constraints (None: unbounded).

    >>> bounds(Employer, "jobs")
    (0, 1000000)
    """
    field = model.model_fields[name]
    low: Any = None
    high: Any = None
    for item in _metadata(field.annotation, list(field.metadata)):
        if isinstance(item, at.Ge | at.Gt):
            low = item.ge if isinstance(item, at.Ge) else item.gt
        elif isinstance(item, at.Le | at.Lt):
            high = item.le if isinstance(item, at.Le) else item.lt
    return low, high


def plausible_range(model: type[BaseModel], name: str) -> tuple[float, float] | None:
    """A lever setting's documented plausible range (``x-range``), if it has one."""
    extra = model.model_fields[name].json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("x-range"), list):
        low, high = typing.cast(list[float], extra["x-range"])
        return float(low), float(high)
    return None


def integers(model: type[BaseModel], name: str, *, cap: int | None = None) -> st.SearchStrategy[int]:
    """Integers within the field's bounds (from 0 if it has none), at most ``cap`` above the lower bound."""
    lo, hi = bounds(model, name)
    lo = int(lo if lo is not None else 0)
    hi = int(hi) if hi is not None else lo + (cap or 1000)
    if cap is not None:
        hi = min(hi, lo + cap)
    return st.integers(lo, hi)


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


# --------------------------------------------------------------------------------------------------
# Municipality, employers, shocks
# --------------------------------------------------------------------------------------------------


@cache
def small_municipalities() -> tuple[tuple[str, tuple[int, ...]], ...]:
    """(kommunenummer, years with data) of the municipalities with fewer than MAX_RESIDENTS in every year."""
    from resilience.data import population_table

    table = population_table()
    totals = table[table["sex"] == "total"].groupby(["kommunenummer", "year"])["persons"].sum()
    out = []
    for kommune, series in totals.groupby(level=0):
        if series.max() < MAX_RESIDENTS:
            out.append((str(kommune), tuple(int(y) for y in series.index.get_level_values(1))))
    return tuple(sorted(out))


#: Names as a planner (or a mischief-maker) might write them: letters of any script, digits, punctuation,
#: markup and quotes; no control characters (YAML refuses them) and never empty after stripping.
names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn")), min_size=1, max_size=16
).filter(lambda s: s.strip() != "")


@st.composite
def municipalities(draw: st.DrawFn) -> Municipality:
    kommune, years = draw(st.sampled_from(small_municipalities()))
    vacant_low, _ = bounds(Dwellings, "vacant")
    dwellings = draw(
        st.none()
        | st.builds(
            Dwellings,
            vacant=st.integers(int(vacant_low or 0), 30),
            total=st.none(),
        )
    )
    share_low, share_high = bounds(Municipality, "commuting_share")
    return draw(
        st.builds(
            Municipality,
            kommunenummer=st.just(kommune),
            name=st.none() | names,
            base_year=st.sampled_from(years),
            dwellings=st.just(dwellings),
            island=st.booleans(),
            commuting_share=st.none() | _floats(share_low or 0.0, share_high or 1.0),
        )
    )


@st.composite
def employer_lists(draw: st.DrawFn) -> list[Employer]:
    """One to five employers with distinct names (case-insensitively, as the schema demands); one cornerstone."""
    chosen = draw(st.lists(names.map(str.strip), min_size=1, max_size=5, unique_by=lambda s: s.casefold()))
    cornerstone = draw(st.integers(0, len(chosen) - 1))
    return [
        draw(
            st.builds(
                Employer,
                name=st.just(name),
                sector=st.sampled_from(Sector),
                jobs=integers(Employer, "jobs", cap=MAX_JOBS),
                cornerstone=st.just(index == cornerstone),
                description=st.none() | st.text(max_size=40),
            )
        )
        for index, name in enumerate(chosen)
    ]


def shocks(employers: list[Employer], base_year: int, horizon: int) -> st.SearchStrategy[list[Closure | Layoff]]:
    """Closures and layoffs of named employers, in simulated years."""
    employer = st.sampled_from([e.name for e in employers])
    year = st.integers(base_year, horizon)
    closure = st.builds(Closure, type=st.just("closure"), employer=employer, year=year)
    layoff = st.builds(
        Layoff, type=st.just("layoff"), employer=employer, year=year, jobs=integers(Layoff, "jobs", cap=MAX_JOBS)
    )
    return st.lists(closure | layoff, max_size=3)


# --------------------------------------------------------------------------------------------------
# Strategies from the lever registry
# --------------------------------------------------------------------------------------------------


def setting_values(lever: str, setting: str, employers: list[Employer]) -> st.SearchStrategy[Any] | None:
    """Valid values of one lever setting, from its pydantic field (None: not drawn, the default stays)."""
    settings_model = get_lever(lever).Settings
    field = settings_model.model_fields[setting]
    annotation = field.annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    kind = args[0]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from([member.value for member in kind])
    if kind is bool:
        return st.booleans()
    if kind is str:
        if lever == "cornerstone_rescue":  # must name one of the scenario's employers (or none: the cornerstone)
            return st.none() | st.sampled_from([e.name for e in employers])
        taken = {e.name.casefold() for e in employers}
        return names.map(str.strip).filter(lambda s: s.casefold() not in taken)
    plausible = plausible_range(settings_model, setting)
    low, high = bounds(settings_model, setting)
    if kind is int:
        if plausible is not None:
            return st.integers(int(plausible[0]), int(plausible[1]))
        return integers(settings_model, setting, cap=MAX_UNRANGED_INT)
    if kind is float:
        if plausible is not None:
            return _floats(*plausible)
        return _floats(float(low or 0.0), float(min(high if high is not None else 1e7, 1e7)))
    return None


@st.composite
def interventions(draw: st.DrawFn, employers: list[Employer], base_year: int, horizon: int) -> Intervention:
    lever = draw(st.sampled_from(lever_names()))
    settings_model = get_lever(lever).Settings
    values: dict[str, Any] = {}
    for setting in settings_model.model_fields:
        if setting in COMMON_SETTINGS:
            continue
        strategy = setting_values(lever, setting, employers)
        if strategy is not None and draw(st.booleans()):
            values[setting] = draw(strategy)
    if draw(st.booleans()):
        municipality = draw(_floats(0.0, 1.0))
        county = draw(_floats(0.0, 1.0 - municipality))
        values |= {
            "municipality_share": municipality,
            "county_share": county,
            "state_share": max(0.0, 1.0 - municipality - county),
        }
    years_low, years_high = bounds(settings_model, "years")
    return Intervention(
        lever=lever,
        start=draw(st.none() | st.integers(base_year, horizon)),
        years=draw(st.none() | st.integers(int(years_low or 1), min(int(years_high or 10), 10))),
        **values,
    )


strategy_names = st.from_regex(r"\A[a-zæøå_][a-zæøå0-9_-]{0,12}\Z").filter(lambda s: s not in RESERVED_STRATEGIES)


# --------------------------------------------------------------------------------------------------
# Uncertainties and parameters within the documented ranges
# --------------------------------------------------------------------------------------------------


@cache
def uncertain_names() -> dict[str, tuple[float, float]]:
    """Every name an uncertainty may take, with the range to draw within: model parameters and the numeric
    settings of levers that have a plausible range (a whole-number setting takes the nearest whole number)."""
    out = {name: (spec.low, spec.high) for name, spec in Parameters.specs().items()}
    for lever in lever_names():
        settings_model = get_lever(lever).Settings
        for setting, field in settings_model.model_fields.items():
            plausible = plausible_range(settings_model, setting)
            if plausible is not None and field.annotation in (int, float):
                out[f"{lever}.{setting}"] = plausible
    return out


@st.composite
def distributions(draw: st.DrawFn, low: float, high: float) -> Uniform | Triangular | Normal | Choice:
    """A distribution whose every draw lies in [low, high]."""
    a, b = sorted(draw(st.lists(_floats(low, high), min_size=2, max_size=2, unique=True)))
    kind = draw(st.sampled_from(["uniform", "triangular", "normal", "choice"]))
    if kind == "uniform":
        return Uniform(distribution="uniform", low=a, high=b)
    if kind == "triangular":
        return Triangular(distribution="triangular", low=a, mode=draw(_floats(a, b)), high=b)
    if kind == "normal":
        sd_low, _ = bounds(Normal, "sd")
        sd = draw(_floats(max(float(sd_low or 0.0), (b - a) / 100), max(b - a, 1e-6)).filter(lambda v: v > 0))
        return Normal(distribution="normal", mean=draw(_floats(a, b)), sd=sd, low=a, high=b)
    values = draw(st.lists(_floats(low, high), min_size=1, max_size=4))
    weights = draw(st.none() | st.lists(_floats(0.0, 1.0), min_size=len(values), max_size=len(values)))
    if weights is not None and sum(weights) <= 0:
        weights = None
    return Choice(distribution="choice", values=values, weights=weights)


# --------------------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A valid scenario of a small municipality that runs for one to three years.

    It passes the schema (it is built through the pydantic models) and the checks of
    ``resilience.workflow.check_scenario`` (the property tests assert that too).
    """
    municipality = draw(municipalities())
    base = municipality.base_year
    run = draw(
        st.builds(
            RunSettings,
            horizon=st.integers(base + 1, base + MAX_HORIZON_YEARS),
            replications=integers(RunSettings, "replications", cap=1),
            seed=st.integers(0, 2**32 - 1),
        )
    )
    employers = draw(employer_lists())
    strategies: dict[str, list[Intervention]] = {"baseline": []}
    for name in draw(st.lists(strategy_names, min_size=1, max_size=3, unique=True)):
        strategies[name] = draw(st.lists(interventions(employers, base, run.horizon), min_size=1, max_size=3))
    ranges = uncertain_names()
    uncertain = draw(st.lists(st.sampled_from(sorted(ranges)), max_size=3, unique=True))
    fixed = draw(st.lists(st.sampled_from(sorted(Parameters.specs())), max_size=3, unique=True))
    specs = Parameters.specs()
    return Scenario(
        schema_version=1,
        name=draw(names),
        description=draw(st.none() | st.text(max_size=60)),
        language=draw(st.sampled_from(["nb", "en"])),
        municipality=municipality,
        employers=employers,
        shocks=draw(shocks(employers, base, run.horizon)),
        uncertainties={name: draw(distributions(*ranges[name])) for name in uncertain},
        parameters={name: draw(_floats(specs[name].low, specs[name].high)) for name in fixed},
        strategies=strategies,
        run=run,
    )
