"""Housing levers: building dwellings; newcomer rent support ("Prøv en øy" — try an island)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from resilience.levers._base import Lever, LeverSettings, effect
from resilience.levers._registry import register_lever

if TYPE_CHECKING:
    from resilience.model import Household, MunicipalityModel

__all__ = ["BuildHousing", "TryAnIsland"]


class BuildHousingSettings(LeverSettings):
    years: int = Field(
        default=2,
        ge=1,
        le=100,
        description="Years over which the dwellings are built.",
        json_schema_extra={"x-description-nb": "År boligene bygges over."},
    )
    dwellings: int = Field(
        default=6,
        ge=1,
        le=100_000,
        description="Dwellings built in all.",
        json_schema_extra={"x-description-nb": "Antall boliger som bygges i alt."},
    )
    cost_per_dwelling_nok: float = Field(
        default=4_000_000,
        ge=0,
        le=1e10,
        description="Net cost per dwelling, NOK (assumption: ≈ 100 m² at ≈ NOK 40 000 per m²).",
        json_schema_extra={
            "x-description-nb": "Netto kostnad per bolig, kroner (forutsetning: om lag 100 m² til om "
            "lag 40 000 kroner per m²)."
        },
    )


@register_lever
class BuildHousing(Lever):
    """Build dwellings for newcomers.

    Mechanism: ``dwellings`` vacant, available dwellings are added, spread evenly over ``years``. Vacant
    dwellings are what limits in-migration, job-led recruitment and young adults leaving home (NIBR 2014:1:
    weak housing supply pushes workers to settle elsewhere — EVIDENCE §4).
    """

    name = "build_housing"
    titles: ClassVar[dict[str, str]] = {"nb": "Boligbygging", "en": "Housing construction"}
    Settings = BuildHousingSettings
    settings: BuildHousingSettings

    def _this_year(self, year: int) -> int:
        total, years = self.settings.dwellings, self.settings.years
        k = year - self.start
        return total * (k + 1) // years - total * k // years

    def act(self, model: MunicipalityModel) -> None:
        model.add_dwellings(self._this_year(model.year))

    def annual_cost(self, year: int) -> float:
        return self._this_year(year) * self.settings.cost_per_dwelling_nok


class TryAnIslandSettings(LeverSettings):
    years: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Years the programme invites families.",
        json_schema_extra={"x-description-nb": "År programmet inviterer familier."},
    )
    families_per_year: int = effect(
        2,
        1,
        4,
        "Tenk Træna's 'Prøv en øy': families try island life for 6 months in subsidised housing — EVIDENCE §1; "
        "numbers assumed",
        "Families invited each year (a dwelling is rented for them if none is vacant).",
        "Familier som inviteres hvert år (kommunen leier en bolig til dem hvis ingen står ledig).",
        ge=0,
        le=10_000,
    )
    stay_share: float = effect(
        0.3,
        0.1,
        0.5,
        "Assumption: some trial families settle; no published share",
        "Share of trial families that stay after the trial.",
        "Andel av prøvefamiliene som blir boende etter prøveperioden.",
        ge=0,
        le=1,
    )
    support_per_family_nok: float = Field(
        default=150_000,
        ge=0,
        le=1e9,
        description="Rent support and follow-up per family, NOK (assumption).",
        json_schema_extra={"x-description-nb": "Leiestøtte og oppfølging per familie, kroner (forutsetning)."},
    )


@register_lever
class TryAnIsland(Lever):
    """Newcomer rent support: "try an island" (Prøv en øy).

    Mechanism: each year ``families_per_year`` families (a couple with children) move in for a trial, into a
    vacant dwelling or one rented for them; a year later each stays with probability ``stay_share`` (and then
    lives as any other household) or leaves.
    """

    name = "try_an_island"
    titles: ClassVar[dict[str, str]] = {
        "nb": "Prøv en øy (leiestøtte for tilflyttere)",
        "en": "Try an island (newcomer rent support)",
    }
    Settings = TryAnIslandSettings
    settings: TryAnIslandSettings

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.on_trial: list[int] = []

    def _decide(self, model: MunicipalityModel) -> None:
        rng = model.lever_rng(f"{self.key}:stay:{model.year}")
        for hh_row in self.on_trial:
            household: Household | None = model.household_agents[hh_row]
            if household is not None and rng.random() >= self.settings.stay_share:
                household.emigrate()
        self.on_trial = []

    def act(self, model: MunicipalityModel) -> None:
        from resilience.model.migration import move_in

        self._decide(model)
        for _ in range(self.settings.families_per_year):
            if model.take_vacant_dwelling() is None:
                model.add_dwellings(1)
            head = move_in(model, kind="amenity", composition="family")
            if head is not None:
                self.on_trial.append(int(model.persons.household[head]))

    def end(self, model: MunicipalityModel) -> None:
        self._decide(model)

    def annual_cost(self, year: int) -> float:
        return self.settings.families_per_year * self.settings.support_per_family_nok
