"""Labour levers: retraining displaced workers, a fund to recruit young fishers."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from resilience.levers._base import Lever, LeverSettings, effect, payer_share
from resilience.levers._registry import register_lever

if TYPE_CHECKING:
    from resilience.model import Firm, MunicipalityModel

__all__ = ["Retraining", "YoungFisherFund"]


class RetrainingSettings(LeverSettings):
    years: int = Field(
        default=4,
        ge=1,
        le=100,
        description="Years the programme takes new participants.",
        json_schema_extra={"x-description-nb": "År programmet tar inn nye deltakere."},
    )
    places_per_year: int = effect(
        10,
        5,
        20,
        "Assumption: places sized to the displaced workforce of a small plant; replace with NAV's offer",
        "Participants a year (displaced, unemployed, aged 20–60).",
        "Deltakere per år (oppsagte og arbeidsledige, 20–60 år).",
        ge=0,
        le=100_000,
    )
    cost_per_place_nok: float = Field(
        default=150_000,
        ge=0,
        le=1e9,
        description="Cost per participant, NOK (assumption: a year of AMO course).",
        json_schema_extra={"x-description-nb": "Kostnad per deltaker, kroner (forutsetning: ett år med AMO-kurs)."},
    )
    municipality_share: float = payer_share("municipality", 0.0)
    state_share: float = payer_share(
        "state", 1.0, "NAV (the state) pays labour-market courses.", "NAV (staten) betaler arbeidsmarkedskurs."
    )


@register_lever
class Retraining(Lever):
    """Retraining of displaced workers.

    Mechanism: each year up to ``places_per_year`` unemployed residents displaced within the last five years
    (aged 20–60) spend a year in training (counted as students, so unemployment no longer pushes them to
    move) and come back to the job market able to take jobs in any sector as readily as in their own
    (Hane-Weijman, Eriksson & Henning 2018: training helps workers switch industry — EVIDENCE §3).
    """

    name = "retraining"
    titles: ClassVar[dict[str, str]] = {"nb": "Omskolering av oppsagte", "en": "Retraining of displaced workers"}
    Settings = RetrainingSettings
    settings: RetrainingSettings

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.cohort = np.empty(0, dtype=np.int64)
        self.participants = 0

    def _finish_cohort(self, model: MunicipalityModel) -> None:
        from resilience.model import Status

        pt = model.persons
        back = self.cohort[pt.present[self.cohort] & (pt.status[self.cohort] == Status.STUDENT)]
        pt.status[back] = Status.UNEMPLOYED
        self.cohort = np.empty(0, dtype=np.int64)

    def act(self, model: MunicipalityModel) -> None:
        from resilience.model import Status

        self._finish_cohort(model)
        pt = model.persons
        residents = pt.resident_rows()
        age = pt.age[residents]
        displaced = (model.year - pt.displaced_year[residents]) < 5
        eligible = residents[(pt.status[residents] == Status.UNEMPLOYED) & displaced & (age >= 20) & (age <= 60)]
        take = min(self.settings.places_per_year, eligible.size)
        rng = model.lever_rng(f"{self.key}:{model.year}")
        self.cohort = np.sort(rng.choice(eligible, size=take, replace=False)) if take else self.cohort
        pt.status[self.cohort] = Status.STUDENT
        pt.retrained[self.cohort] = True
        self.participants = int(take)

    def end(self, model: MunicipalityModel) -> None:
        self._finish_cohort(model)

    def annual_cost(self, year: int) -> float:
        return self.participants * self.settings.cost_per_place_nok


class YoungFisherFundSettings(LeverSettings):
    years: int = Field(
        default=6,
        ge=1,
        le=100,
        description="Years the fund recruits.",
        json_schema_extra={"x-description-nb": "År fondet rekrutterer."},
    )
    recruits_per_year: int = effect(
        2,
        0,
        4,
        "Tenk Træna's fund to recruit young fishers (NRK) — EVIDENCE §1; numbers assumed",
        "New fishing jobs (boat or quota support for a young fisher) a year.",
        "Nye fiskerjobber per år (støtte til båt eller kvote for en ung fisker).",
        ge=0,
        le=1000,
    )
    grant_per_recruit_nok: float = Field(
        default=300_000,
        ge=0,
        le=1e9,
        description="Support per young fisher, NOK (assumption).",
        json_schema_extra={"x-description-nb": "Støtte per ung fisker, kroner (forutsetning)."},
    )


@register_lever
class YoungFisherFund(Lever):
    """A fund to recruit young fishers.

    Mechanism: each year it adds ``recruits_per_year`` fishing jobs to a young fishers' fleet, which keeps them
    after the fund ends (a boat and a quota outlive the grant). Residents looking for work are hired first,
    then young fishers are recruited from outside. Fishing is a basic sector, so the multiplier applies.
    """

    name = "young_fisher_fund"
    titles: ClassVar[dict[str, str]] = {
        "nb": "Rekrutteringsfond for unge fiskere",
        "en": "Young-fisher recruitment fund",
    }
    Settings = YoungFisherFundSettings
    settings: YoungFisherFundSettings

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fleet: Firm | None = None

    def act(self, model: MunicipalityModel) -> None:
        from resilience.model.firms import create_firm

        if self.fleet is None:
            self.fleet = create_firm(model, "Young fishers", "fishing", 0)
            self.fleet.responsive = False
        self.fleet.target_jobs += self.settings.recruits_per_year

    def annual_cost(self, year: int) -> float:
        return self.settings.recruits_per_year * self.settings.grant_per_recruit_nok
