"""Place levers: attractiveness, a remote-work hub, a commuting link."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from resilience.levers._base import Lever, LeverSettings, effect, payer_share
from resilience.levers._registry import register_lever

if TYPE_CHECKING:
    from resilience.model import MunicipalityModel

__all__ = ["Attractiveness", "CommutingLink", "RemoteWorkHub"]


class Measure(StrEnum):
    """Kinds of attractiveness measure (same mechanism, documented for the report)."""

    FESTIVAL_AND_CULTURE = "festival_and_culture"
    CITIZEN_CO_CREATION = "citizen_co_creation"
    PLACE_BRANDING = "place_branding"


class AttractivenessSettings(LeverSettings):
    measure: Measure = Field(
        default=Measure.FESTIVAL_AND_CULTURE,
        description="What kind of measure it is.",
        json_schema_extra={"x-description-nb": "Hva slags tiltak det er."},
    )
    attractiveness_gain: float = effect(
        0.02,
        0.0,
        0.05,
        "Vareide & Kobro 2012: the level of culture/festivals has no significant effect on net migration after "
        "controls — EVIDENCE §4; so the range starts at zero effect, the upper end is an assumption",
        "Relative rise of attractiveness (divides out-migration, multiplies amenity in-migration).",
        "Hvor mye mer attraktiv kommunen blir (relativ økning): utflyttingen deles på den, og "
        "tilflyttingen av trivselsgrunner ganges med den.",
        ge=0,
        le=1,
    )
    cost_nok_per_year: float = Field(
        default=1_000_000,
        ge=0,
        le=1e10,
        description="Cost per year, NOK.",
        json_schema_extra={"x-description-nb": "Kostnad per år, kroner."},
    )


@register_lever
class Attractiveness(Lever):
    """Attractiveness: festival and culture, citizen co-creation, place lighting and branding.

    Mechanism: while active, attractiveness is multiplied by 1 + ``attractiveness_gain``: out-migration hazards
    are divided by it and amenity-led in-migration multiplied by it. The default range includes no effect at
    all, as the evidence on culture and migration suggests.
    """

    name = "attractiveness"
    titles: ClassVar[dict[str, str]] = {
        "nb": "Attraktivitet (kultur, medskaping, stedsutvikling)",
        "en": "Attractiveness (culture, place)",
    }
    Settings = AttractivenessSettings
    settings: AttractivenessSettings

    def act(self, model: MunicipalityModel) -> None:
        model.attractiveness *= 1.0 + self.settings.attractiveness_gain


class RemoteWorkHubSettings(LeverSettings):
    remote_multiplier: float = effect(
        2.0,
        1.0,
        3.0,
        "Nordregio 2022:3 and Opinion 2022: hybrid work persists (≈ 43 % used a home office), some rural "
        "municipalities declined slower — EVIDENCE §4; size assumed",
        "Multiplier on remote-worker in-migration while the hub runs.",
        "Hvor mange ganger flere fjernarbeidere som flytter til mens senteret er i drift.",
        ge=0,
        le=20,
    )
    cost_nok_per_year: float = Field(
        default=500_000,
        ge=0,
        le=1e10,
        description="Cost per year, NOK.",
        json_schema_extra={"x-description-nb": "Kostnad per år, kroner."},
    )


@register_lever
class RemoteWorkHub(Lever):
    """A remote-work hub (co-working space, broadband, a community for remote workers).

    Mechanism: multiplies the rate at which households that keep a job elsewhere move in.
    """

    name = "remote_work_hub"
    titles: ClassVar[dict[str, str]] = {"nb": "Fjernarbeidssenter", "en": "Remote-work hub"}
    Settings = RemoteWorkHubSettings
    settings: RemoteWorkHubSettings

    def act(self, model: MunicipalityModel) -> None:
        model.remote_work *= self.settings.remote_multiplier


class CommutingLinkSettings(LeverSettings):
    years: int = Field(
        default=30,
        ge=1,
        le=200,
        description="Years the link runs (and is paid for).",
        json_schema_extra={"x-description-nb": "År forbindelsen er i drift (og betales)."},
    )
    commuting_share: float = effect(
        0.15,
        0.05,
        0.3,
        "SSB: 36 % of employed Norwegians work outside their home municipality (2019), an island almost none — "
        "EVIDENCE §3; a new link's share is assumed",
        "Yearly chance that a resident looking for work finds a job within commuting reach (and share of "
        "vacancies commuters fill).",
        "Årlig sjanse for at en innbygger som søker arbeid, finner en jobb innen pendleavstand (og "
        "andel av de ledige stillingene som fylles av pendlere).",
        ge=0,
        le=1,
    )
    cost_nok_per_year: float = Field(
        default=20_000_000,
        ge=0,
        le=1e11,
        description="Yearly cost of the link (ferry route or bridge), NOK.",
        json_schema_extra={"x-description-nb": "Årlig kostnad for forbindelsen (ferjerute eller bru), kroner."},
    )
    municipality_share: float = payer_share("municipality", 0.0)
    county_share: float = payer_share("county", 0.5, "Counties run ferry routes.", "Fylkeskommunen driver ferjerutene.")
    state_share: float = payer_share("state", 0.5)


@register_lever
class CommutingLink(Lever):
    """A commuting link (a fast ferry or a bridge) to the mainland labour market.

    Mechanism: while it runs the municipality is no longer cut off: residents looking for work find jobs
    within commuting reach and commuters fill some vacancies, both at ``commuting_share``.
    """

    name = "commuting_link"
    titles: ClassVar[dict[str, str]] = {"nb": "Pendlerforbindelse", "en": "Commuting link"}
    Settings = CommutingLinkSettings
    settings: CommutingLinkSettings

    def act(self, model: MunicipalityModel) -> None:
        model.island = False
        model.commuting_share = max(model.commuting_share, self.settings.commuting_share)
