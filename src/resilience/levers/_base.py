"""The base of every lever: its settings, when it is active, what it costs and who pays.

A lever is a small class: a pydantic ``Settings`` model (each effect with a default, a range and a source), and
``start_year``/``act``/``end``/``on_closure`` methods that change the model. The model calls
:meth:`Lever.apply` once a year; the base class books the cost and calls :meth:`Lever.act` while the lever is
active (``start <= year < start + years``), :meth:`Lever.begin` in the first year and :meth:`Lever.end` in the
first year after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from resilience.model import Firm, MunicipalityModel

__all__ = ["Lever", "LeverSettings", "effect", "payer_share"]


def effect(
    default: float, low: float, high: float, source: str, description: str, description_nb: str, **kwargs: Any
) -> Any:
    """A pydantic Field for an effect size: its default, its plausible range, its source and its descriptions.

    The range goes into the JSON Schema (``x-range``) and the documentation; values outside it are allowed
    but must stay within the field's hard bounds (``ge``/``le``) when given. ``description_nb`` is the
    description in Norwegian bokmål (``x-description-nb``), for the report in that language.

    >>> class Settings(LeverSettings):                                     # doctest: +SKIP
    ...     jobs_per_million_nok: float = effect(
    ...         2.1, 0.0, 4.0, "Oxford Research 2017 — EVIDENCE §4",
    ...         "New jobs per NOK million a year.", "Nye jobber per million kroner i året.", ge=0)
    """
    return Field(
        default=default,
        description=f"{description} Source: {source}",
        json_schema_extra={"x-range": [low, high], "x-source": source, "x-description-nb": description_nb},
        **kwargs,
    )


_PAYER_TEXTS = {
    "municipality": ("Share of the cost the municipality pays.", "Andel av kostnaden kommunen betaler."),
    "county": ("Share of the cost the county pays.", "Andel av kostnaden fylkeskommunen betaler."),
    "state": ("Share of the cost the state pays.", "Andel av kostnaden staten betaler."),
}


def payer_share(
    payer: Literal["municipality", "county", "state"], default: float, why: str | None = None, why_nb: str | None = None
) -> Any:
    """A pydantic Field for the share of a lever's cost that ``payer`` ("municipality", "county", "state") pays;
    ``why``/``why_nb`` replace the standard description when a lever's default has a reason."""
    description, description_nb = _PAYER_TEXTS[payer]
    return Field(
        default=default,
        ge=0,
        le=1,
        description=why or description,
        json_schema_extra={"x-description-nb": why_nb or description_nb},
    )


class LeverSettings(BaseModel):
    """Settings every lever has: when it starts, how long it lasts, and who pays."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: int | None = Field(
        default=None,
        description="First year the lever acts (default: the first shock year, or the base year).",
        json_schema_extra={
            "x-description-nb": "Første år virkemiddelet virker (standard: det første året med "
            "sjokk, ellers basisåret)."
        },
    )
    years: int = Field(
        default=6,
        ge=1,
        le=100,
        description="How many years the lever acts.",
        json_schema_extra={"x-description-nb": "Hvor mange år virkemiddelet virker."},
    )
    municipality_share: float = payer_share("municipality", 1.0)
    county_share: float = payer_share("county", 0.0)
    state_share: float = payer_share("state", 0.0)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> LeverSettings:
        total = self.municipality_share + self.county_share + self.state_share
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"municipality_share + county_share + state_share must be 1, got {total:g} "
                f"({self.municipality_share:g} + {self.county_share:g} + {self.state_share:g})"
            )
        return self


class Lever:
    """Base class of interventions. Subclasses set ``name``, ``Settings``, ``titles`` and the effect methods.

    ``cost_factor`` (< 1 when the strategy shares knowledge with other municipalities) scales every cost.
    A new lever, usable from YAML as ``- {lever: ferry, start: 2027}`` once registered:

    >>> class FerrySettings(LeverSettings):                                # doctest: +SKIP
    ...     attractiveness_gain: float = effect(0.02, 0.0, 0.05, "assumption", "Relative rise.", "Relativ økning.")
    >>> @register_lever                                                     # doctest: +SKIP
    ... class Ferry(Lever):
    ...     name = "ferry"
    ...     titles = {"nb": "Raskere ferje", "en": "Faster ferry"}
    ...     Settings = FerrySettings
    ...     def act(self, model) -> None:
    ...         model.attractiveness *= 1.0 + self.settings.attractiveness_gain
    """

    name: ClassVar[str] = ""
    titles: ClassVar[dict[str, str]] = {"nb": "", "en": ""}
    Settings: ClassVar[type[LeverSettings]] = LeverSettings

    def __init__(self, settings: LeverSettings, *, start: int, position: int = 0, cost_factor: float = 1.0) -> None:
        self.settings = settings
        self.start = start
        self.years = settings.years
        self.position = position
        self.cost_factor = cost_factor

    # -- the Intervention protocol ----------------------------------------------------------------
    def apply(self, model: MunicipalityModel) -> None:
        """Called by the model once a year at the ``events`` point."""
        year = model.year
        if year == self.start + self.years:
            self.end(model)
        if not self.active(year):
            return
        if year == self.start:
            self.begin(model)
        self.act(model)
        cost = self.annual_cost(year) * self.cost_factor
        if cost:
            model.book_cost(cost, self.payers())

    def on_closure(self, model: MunicipalityModel, firm: Firm) -> bool:
        """Take over a closure of ``firm`` (only rescue levers do)."""
        return False

    # -- for subclasses -----------------------------------------------------------------------------
    def active(self, year: int) -> bool:
        """Whether the lever acts in ``year``."""
        return self.start <= year < self.start + self.years

    def begin(self, model: MunicipalityModel) -> None:
        """First active year, before :meth:`act`."""

    def act(self, model: MunicipalityModel) -> None:
        """Every active year."""

    def end(self, model: MunicipalityModel) -> None:
        """The first year after the lever stopped."""

    def annual_cost(self, year: int) -> float:
        """Cost in NOK of ``year`` (only asked for active years), before ``cost_factor``.

        By default the setting ``cost_nok_per_year`` if the lever has one, else nothing.
        """
        return float(getattr(self.settings, "cost_nok_per_year", 0.0))

    def payers(self) -> dict[str, float]:
        """Who pays which share of the cost."""
        s = self.settings
        return {"municipality": s.municipality_share, "county": s.county_share, "state": s.state_share}

    @property
    def key(self) -> str:
        """Stable identity within a strategy, for this lever's random stream."""
        return f"{self.name}#{self.position}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(start={self.start}, years={self.years}, {self.settings!r})"
