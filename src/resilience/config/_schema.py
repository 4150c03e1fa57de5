"""The scenario file format (schema_version 1) as pydantic models.

Every model forbids unknown keys (except :class:`Intervention`, whose extra
keys are the lever's own parameters) and is frozen. Every field has a
description: it becomes the JSON Schema that editors use for completion and
hover help (see :func:`resilience.config.scenario_json_schema`).

Numbers, booleans and texts are strict: ``jobs: "80"`` or ``island: 1`` are
reported rather than silently converted.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, NoReturn, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._checks import BASE_YEAR_RANGE, YEAR_RANGE, distribution_issues, dwellings_issues, scenario_issues
from ._errors import Location, TagLabel, did_you_mean, format_path, show_value
from ._messages import Message
from ._yaml import SourceMap

__all__ = [
    "SCHEMA_VERSION",
    "SKIP_CROSS_CHECKS",
    "Choice",
    "Closure",
    "Distribution",
    "Dwellings",
    "Employer",
    "Intervention",
    "Layoff",
    "Municipality",
    "Normal",
    "RunSettings",
    "Scenario",
    "Sector",
    "Shock",
    "Triangular",
    "Uniform",
]

SCHEMA_VERSION: Final = 1

#: The hard upper bound of run.replications, whatever the memory (fewer when the results would not fit).
MAX_REPLICATIONS: Final = 100_000

#: Validation-context key: when true, the cross-field rules are not run by the
#: models, because the loader runs them itself on the raw data.
SKIP_CROSS_CHECKS: Final = "resilience.config.skip_cross_checks"

STRATEGY_NAME_RE: Final = re.compile(r"\w[\w-]*")
# For editors (ECMAScript regex, where \w is ASCII only): ASCII plus Latin letters such as æ ø å.
STRATEGY_NAME_JSON_PATTERN: Final = "^[A-Za-z0-9_\u00c0-\u024f][A-Za-z0-9_\u00c0-\u024f-]*$"
PARAMETER_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
PARAMETER_NAME_JSON_PATTERN: Final = "^[A-Za-z_][A-Za-z0-9_.]*$"


def _fail(kind: str, message: str) -> NoReturn:
    raise PydanticCustomError(f"scenario_{kind}", "{detail}", {"detail": message})


def _skip_checks(info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, dict) and bool(context.get(SKIP_CROSS_CHECKS))


def _raise_issues(issues: list[tuple[Location, str]]) -> None:
    if issues:
        text = "; ".join(f"{format_path(loc)}: {msg}" if loc else msg for loc, msg in issues)
        _fail("checks", text)


# --------------------------------------------------------------------------
# Field types
# --------------------------------------------------------------------------

#: A non-empty text; surrounding spaces are removed.
Name = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
Count = Annotated[StrictInt, Field(ge=0)]
Year = Annotated[StrictInt, Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])]
Number = StrictFloat  # accepts integers too


def _check_kommunenummer(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < 1000:
            message = Message(
                'must be written in quotes, e.g. "{code}" (without quotes the leading zero is lost)',
                code=f"{value:04d}",
            )
        else:
            message = Message(
                'must be written in quotes, e.g. "{code}"', code=f"{value:04d}" if 1000 <= value <= 9999 else "0301"
            )
        _fail("kommunenummer_unquoted", message)
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}", value):
        _fail("kommunenummer", Message("must be exactly 4 digits, e.g. \"0301\", got '{value}'", value=value))
    return value


def _check_parameter_value(value: object) -> object:
    if isinstance(value, bool | int | float):
        return value
    _fail("number", Message("expected a number or true/false, got {value}", value=show_value(value)))


def _check_strategy_name(value: object) -> object:
    if isinstance(value, str) and not STRATEGY_NAME_RE.fullmatch(value):
        if not value:
            _fail("name", Message("a strategy name must not be empty"))
        _fail(
            "name",
            Message(
                "'{value}' is not a valid strategy name: use only letters, digits, '_' and '-' "
                "(no spaces), e.g. development_project",
                value=value,
            ),
        )
    return value


def _check_parameter_name(value: object) -> object:
    if isinstance(value, str) and not PARAMETER_NAME_RE.fullmatch(value):
        if not value:
            _fail("name", Message("a parameter name must not be empty"))
        _fail(
            "name",
            Message(
                "'{value}' is not a valid parameter name: use only letters a-z, digits, '_' and '.', "
                "starting with a letter or '_' (no spaces)",
                value=value,
            ),
        )
    return value


def _check_schema_version(value: object) -> object:
    if value == SCHEMA_VERSION and type(value) is int:
        return value
    shown = value if not isinstance(value, str) else f"'{value}'"
    _fail(
        "schema_version",
        Message(
            "unsupported schema_version {value}; this version of resilience reads schema_version {version}",
            value=shown,
            version=SCHEMA_VERSION,
        ),
    )


ParameterValue = Annotated[StrictBool | StrictInt | StrictFloat, BeforeValidator(_check_parameter_value)]
StrategyName = Annotated[str, BeforeValidator(_check_strategy_name)]
ParameterName = Annotated[str, BeforeValidator(_check_parameter_name)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------
# Municipality and employers
# --------------------------------------------------------------------------


class Dwellings(_Model):
    """The housing stock, as far as the model needs it."""

    vacant: Count = Field(
        description=("Vacant dwellings available for newcomers and for new households formed in the municipality.")
    )
    total: Count | None = Field(default=None, description="Total number of dwellings (optional).")

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Self:
        if not _skip_checks(info):
            _raise_issues(dwellings_issues(self.model_dump()))
        return self


class Municipality(_Model):
    """The municipality being modelled."""

    kommunenummer: Annotated[
        StrictStr,
        StringConstraints(pattern=r"^[0-9]{4}$"),
        BeforeValidator(_check_kommunenummer),
    ] = Field(
        description='Official 4-digit municipality number, written in quotes, e.g. "1835" or "0301".',
        examples=["1835", "0301"],
    )
    name: Name | None = Field(default=None, description="Name of the municipality, e.g. Træna.")
    base_year: Annotated[StrictInt, Field(ge=BASE_YEAR_RANGE[0], le=BASE_YEAR_RANGE[1])] = Field(
        description="The year the population and employment data describe; the simulation starts here."
    )
    dwellings: Dwellings | None = Field(default=None, description="Housing stock (optional).")
    island: StrictBool = Field(
        default=False,
        description="True if the municipality has no road connection: commuting out is limited.",
    )
    commuting_share: Annotated[Number, Field(ge=0, le=1)] | None = Field(
        default=None,
        description="Share (0 to 1) of employed residents who can hold a job outside the municipality.",
    )


class Sector(StrEnum):
    """Industry sector of an employer."""

    FISH_PROCESSING = "fish_processing"
    AQUACULTURE = "aquaculture"
    FISHING = "fishing"
    TOURISM = "tourism"
    MANUFACTURING = "manufacturing"
    ENERGY = "energy"
    OTHER_BASIC = "other_basic"
    LOCAL_SERVICES = "local_services"
    PUBLIC = "public"


class Employer(_Model):
    """A workplace (or a group of workplaces) in the municipality."""

    name: Name = Field(description="Unique name of the employer (shocks refer to it).")
    sector: Sector = Field(description="Industry sector; basic sectors bring income from outside.")
    jobs: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = Field(description="Number of jobs (0 to 1000000).")
    cornerstone: StrictBool = Field(
        default=False, description="True for a cornerstone company (the municipality depends on it)."
    )
    description: StrictStr | None = Field(default=None, description="Free text about the employer.")


# --------------------------------------------------------------------------
# Shocks
# --------------------------------------------------------------------------


class Closure(_Model):
    """An employer closes: all its jobs are lost."""

    type: Literal["closure"] = Field(description="Shock type: closure of an employer.")
    employer: Name = Field(description="Name of the employer that closes (as written under employers).")
    year: Year = Field(description="Year of the closure (from the base year up to the run horizon).")


class Layoff(_Model):
    """An employer lays off part of its workforce."""

    type: Literal["layoff"] = Field(description="Shock type: layoff of part of an employer's jobs.")
    employer: Name = Field(description="Name of the employer (as written under employers).")
    year: Year = Field(description="Year of the layoff (from the base year up to the run horizon).")
    jobs: Annotated[StrictInt, Field(ge=1)] = Field(description="Number of jobs lost (at least 1).")


Shock = Annotated[Closure | Layoff, Field(discriminator="type"), TagLabel("shock type")]


# --------------------------------------------------------------------------
# Uncertainties
# --------------------------------------------------------------------------


class _DistributionModel(_Model):
    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Self:
        if not _skip_checks(info):
            _raise_issues(distribution_issues(self.model_dump()))
        return self


class Uniform(_DistributionModel):
    """Every value between low and high is equally likely."""

    distribution: Literal["uniform"] = Field(description="Uniform distribution between low and high.")
    low: Number = Field(description="Smallest value (must be less than high).")
    high: Number = Field(description="Largest value.")


class Triangular(_DistributionModel):
    """Values between low and high, most likely near mode."""

    distribution: Literal["triangular"] = Field(description="Triangular distribution.")
    low: Number = Field(description="Smallest value (must be less than high).")
    mode: Number = Field(description="Most likely value, between low and high.")
    high: Number = Field(description="Largest value.")


class Normal(_DistributionModel):
    """Normal (bell curve) distribution, optionally cut off at low and high."""

    distribution: Literal["normal"] = Field(description="Normal distribution.")
    mean: Number = Field(description="Mean (centre) value; must lie between low and high when they are given.")
    sd: Annotated[Number, Field(gt=0)] = Field(description="Standard deviation (greater than 0).")
    low: Number | None = Field(default=None, description="Optional lower bound: draws below it are not used.")
    high: Number | None = Field(default=None, description="Optional upper bound: draws above it are not used.")


class Choice(_DistributionModel):
    """One of a list of values, optionally with weights."""

    distribution: Literal["choice"] = Field(description="Choice among listed values.")
    values: list[ParameterValue] = Field(min_length=1, description="The possible values (at least one).")
    weights: list[Annotated[Number, Field(ge=0)]] | None = Field(
        default=None,
        description=("Optional weights, one per value, not negative and not all zero (equal weights if left out)."),
    )


Distribution = Annotated[
    Uniform | Triangular | Normal | Choice, Field(discriminator="distribution"), TagLabel("distribution")
]


# --------------------------------------------------------------------------
# Strategies and run settings
# --------------------------------------------------------------------------


class Intervention(BaseModel):
    """One intervention of a strategy: a policy lever with its settings.

    Keys other than ``lever``, ``start`` and ``years`` are the lever's own
    parameters (see :meth:`lever_parameters`); the model layer checks them.
    """

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)

    lever: Name = Field(description="Name of the policy lever, e.g. business_development.")
    start: Year | None = Field(default=None, description="First year the intervention is active.")
    years: Annotated[StrictInt, Field(ge=1)] | None = Field(
        default=None, description="Number of years the intervention lasts (at least 1)."
    )

    def lever_parameters(self) -> dict[str, Any]:
        """The lever's own settings: every key besides lever, start and years."""
        return dict(self.model_extra or {})


class RunSettings(_Model):
    """How the simulation is run."""

    horizon: Year = Field(description="Last simulated year (after the base year, at most 2200).")
    replications: Annotated[StrictInt, Field(ge=1, le=MAX_REPLICATIONS)] = Field(
        default=20, description="Number of replications (model runs with different random draws)."
    )
    seed: Annotated[StrictInt, Field(ge=0)] = Field(default=1, description="Random seed (0 or more).")


# --------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------


def _only_baseline() -> dict[str, list[Intervention]]:
    return {"baseline": []}


class Scenario(_Model):
    """A scenario: a municipality, its employers, what happens to them, and the strategies to compare."""

    schema_version: Annotated[Literal[1], BeforeValidator(_check_schema_version)] = Field(
        description="Version of the scenario file format; must be 1."
    )
    name: Name = Field(description="Title of the scenario.")
    description: StrictStr | None = Field(default=None, description="Free text describing the scenario.")
    language: Literal["nb", "en"] = Field(
        default="nb", description="Language of the report: nb (Norwegian Bokmål) or en (English)."
    )
    municipality: Municipality = Field(
        description="The municipality: its number (kommunenummer), base year, housing and geography."
    )
    employers: list[Employer] = Field(default_factory=list, description="Employers in the municipality.")
    shocks: list[Shock] = Field(
        default_factory=list, description="Events that hit employers, e.g. a closure or a layoff."
    )
    uncertainties: dict[ParameterName, Distribution] = Field(
        default_factory=dict,
        description="Model parameters that are uncertain: parameter name -> distribution to draw from.",
        json_schema_extra={"propertyNames": {"pattern": PARAMETER_NAME_JSON_PATTERN}},
    )
    parameters: dict[ParameterName, ParameterValue] = Field(
        default_factory=dict,
        description="Fixed values that override the model's default parameters: parameter name -> number.",
        json_schema_extra={"propertyNames": {"pattern": PARAMETER_NAME_JSON_PATTERN}},
    )
    strategies: dict[StrategyName, list[Intervention]] = Field(
        default_factory=_only_baseline,
        description=(
            "Strategies to compare: strategy name -> list of interventions. "
            "'baseline' (no interventions) is always included."
        ),
        json_schema_extra={"propertyNames": {"pattern": STRATEGY_NAME_JSON_PATTERN}},
    )
    run: RunSettings = Field(description="Simulation settings.")

    _source_map: SourceMap | None = PrivateAttr(default=None)
    _source_file: str | None = PrivateAttr(default=None)

    @field_validator("strategies")
    @classmethod
    def _baseline_first(cls, value: dict[str, list[Intervention]]) -> dict[str, list[Intervention]]:
        rest = {name: items for name, items in value.items() if name != "baseline"}
        return {"baseline": value.get("baseline", []), **rest}

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Self:
        if not _skip_checks(info):
            _raise_issues(scenario_issues(self.model_dump(), nested=False))
        return self

    def __eq__(self, other: object) -> bool:
        # Equal content is equal, whatever file (and lines) it was read from.
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # holds lists and dicts

    def employer(self, name: str) -> Employer:
        """The employer called ``name``; ``KeyError`` (with a hint) if there is none."""
        for employer in self.employers:
            if employer.name == name:
                return employer
        hint = did_you_mean(name, [e.name for e in self.employers])
        raise KeyError(f"no employer named '{name}'" + (f"; {hint}" if hint else ""))

    def cornerstones(self) -> list[Employer]:
        """The employers marked ``cornerstone: true``, in file order."""
        return [e for e in self.employers if e.cornerstone]

    def source_line(self, path: Location) -> int | None:
        """Line (1-based) where ``path`` was written, or its nearest written parent.

        ``None`` if the scenario was not read from a file.
        """
        return self._source_map.line(path) if self._source_map is not None else None

    @property
    def source_file(self) -> str | None:
        """Name of the file the scenario was read from (as given to the loader)."""
        return self._source_file
