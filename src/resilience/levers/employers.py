"""Employers: recruiting a new employer, relocating public jobs, rescuing the cornerstone firm."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from resilience.config import Sector
from resilience.levers._base import Lever, LeverSettings, effect, payer_share
from resilience.levers._registry import register_lever

if TYPE_CHECKING:
    from resilience.model import Firm, MunicipalityModel

__all__ = ["CornerstoneRescue", "NewEmployer", "PublicJobRelocation"]


class NewEmployerSettings(LeverSettings):
    years: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Years the municipality supports the establishment.",
        json_schema_extra={"x-description-nb": "År kommunen støtter etableringen."},
    )
    employer: str = Field(
        default="New employer",
        min_length=1,
        description="Name of the new employer.",
        json_schema_extra={"x-description-nb": "Navnet på den nye arbeidsgiveren."},
    )
    sector: Sector = Field(
        default=Sector.AQUACULTURE,
        description="Its sector (basic sectors drive the multiplier).",
        json_schema_extra={"x-description-nb": "Bransjen (jobber i basisnæringene gir lokal multiplikator)."},
    )
    jobs: int = Field(
        default=19,
        ge=1,
        le=100_000,
        description="Jobs in stage 1 (Gaia Salmon post-smolt plant: 18–20 FTE).",
        json_schema_extra={"x-description-nb": "Jobber i trinn 1 (Gaia Salmons postsmoltanlegg: 18–20 årsverk)."},
    )
    stage2_jobs: int = Field(
        default=0,
        ge=0,
        le=100_000,
        description="Jobs after stage 2, 0 for none (Gaia Salmon: up to 50 FTE).",
        json_schema_extra={
            "x-description-nb": "Jobber etter trinn 2, 0 hvis det ikke kommer noe trinn 2 (Gaia "
            "Salmon: inntil 50 årsverk)."
        },
    )
    stage2_after_years: int = Field(
        default=4,
        ge=1,
        le=50,
        description="Years from the start until stage 2.",
        json_schema_extra={"x-description-nb": "År fra start til trinn 2."},
    )
    ramp_up_years: int = Field(
        default=2,
        ge=1,
        le=20,
        description="Years to reach stage-1 jobs.",
        json_schema_extra={"x-description-nb": "År det tar å nå antall jobber i trinn 1."},
    )
    outside_share: float = effect(
        0.5,
        0.2,
        0.8,
        "Assumption: a specialised new plant recruits many of its staff from outside (Statsforvalteren i Nordland "
        "2024 on Gaia Salmon; no published share)",
        "Share of its vacancies recruited from outside before local job-seekers are considered.",
        "Andel av de ledige stillingene som rekrutteres utenfra før lokale arbeidssøkere vurderes.",
        ge=0,
        le=1,
    )
    probability: float = effect(
        0.7,
        0.4,
        1.0,
        "Assumption: announced establishments in remote places are often delayed or cancelled; not estimated",
        "Chance that the employer comes at all (drawn once per replication, alike in every strategy).",
        "Sjansen for at arbeidsgiveren kommer i det hele tatt (trekkes én gang per kjøring, likt i alle strategier).",
        ge=0,
        le=1,
    )
    support_nok_per_year: float = Field(
        default=1_000_000,
        ge=0,
        le=1e10,
        description="Municipal support (site, infrastructure) per year, NOK.",
        json_schema_extra={"x-description-nb": "Kommunal støtte (tomt, infrastruktur) per år, kroner."},
    )


@register_lever
class NewEmployer(Lever):
    """Recruit a new employer.

    Mechanism: with probability ``probability`` the employer opens in the start year and grows to ``jobs`` over
    ``ramp_up_years``, then to ``stage2_jobs`` after ``stage2_after_years``. ``outside_share`` of its vacancies
    are recruited from outside (bringing households, if dwellings are vacant); residents fill the rest first.
    Its jobs are basic jobs, so the local multiplier adds local-service jobs. Support is paid only if it comes.
    """

    name = "new_employer"
    titles: ClassVar[dict[str, str]] = {"nb": "Ny arbeidsgiver", "en": "New employer"}
    Settings = NewEmployerSettings
    settings: NewEmployerSettings

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.firm: Firm | None = None
        self.decided = False

    def apply(self, model: MunicipalityModel) -> None:
        super().apply(model)
        s = self.settings
        if self.firm is None or not self.firm.open:
            return
        grown = model.year - self.start + 1
        target = s.jobs * min(1.0, grown / s.ramp_up_years)
        if s.stage2_jobs and model.year >= self.start + s.stage2_after_years:
            target = max(target, float(s.stage2_jobs))
        self.firm.target_jobs = max(self.firm.target_jobs, target)

    def begin(self, model: MunicipalityModel) -> None:
        from resilience.model.firms import create_firm

        s = self.settings
        self.decided = True
        if model.lever_rng(self.key).random() >= s.probability:
            return
        self.firm = create_firm(model, s.employer, str(s.sector), 0)
        self.firm.responsive = False
        self.firm.outside_hiring_share = s.outside_share

    def annual_cost(self, year: int) -> float:
        return self.settings.support_nok_per_year if self.firm is not None else 0.0


class PublicJobRelocationSettings(LeverSettings):
    years: int = Field(
        default=1,
        ge=1,
        le=100,
        description="Years over which the relocation is paid.",
        json_schema_extra={"x-description-nb": "År flyttingen betales over."},
    )
    jobs: int = Field(
        default=10,
        ge=1,
        le=100_000,
        description="State jobs moved to the municipality.",
        json_schema_extra={"x-description-nb": "Statlige arbeidsplasser som flyttes til kommunen."},
    )
    outside_share: float = effect(
        0.5,
        0.2,
        0.8,
        "Assumption: relocated state jobs are partly filled by staff who move with them",
        "Share of the vacancies recruited from outside before local job-seekers are considered.",
        "Andel av de ledige stillingene som rekrutteres utenfra før lokale arbeidssøkere vurderes.",
        ge=0,
        le=1,
    )
    cost_per_job_nok: float = Field(
        default=500_000,
        ge=0,
        le=1e9,
        description="One-off relocation cost per job, NOK (assumption).",
        json_schema_extra={"x-description-nb": "Engangskostnad for å flytte hver arbeidsplass, kroner (forutsetning)."},
    )
    municipality_share: float = payer_share("municipality", 0.0)
    state_share: float = payer_share(
        "state", 1.0, "The state pays for moving its jobs.", "Staten betaler for å flytte sine egne arbeidsplasser."
    )


@register_lever
class PublicJobRelocation(Lever):
    """Relocate public (state) jobs to the municipality.

    Mechanism: a public employer with ``jobs`` jobs opens in the start year and stays (it does not follow the
    local demography like municipal services); ``outside_share`` of its vacancies are recruited from outside.
    """

    name = "public_job_relocation"
    titles: ClassVar[dict[str, str]] = {"nb": "Utflytting av statlige arbeidsplasser", "en": "Relocation of state jobs"}
    Settings = PublicJobRelocationSettings
    settings: PublicJobRelocationSettings

    def begin(self, model: MunicipalityModel) -> None:
        from resilience.model.firms import create_firm

        firm = create_firm(model, "Relocated state jobs", "public", self.settings.jobs)
        firm.responsive = False
        firm.outside_hiring_share = self.settings.outside_share

    def annual_cost(self, year: int) -> float:
        return self.settings.jobs * self.settings.cost_per_job_nok / self.settings.years


class CornerstoneRescueSettings(LeverSettings):
    years: int = Field(
        default=1,
        ge=1,
        le=100,
        description="Years over which the municipality pays.",
        json_schema_extra={"x-description-nb": "År kommunen betaler over."},
    )
    employer: str | None = Field(
        default=None,
        description="The firm to rescue (default: the cornerstone firm).",
        json_schema_extra={"x-description-nb": "Bedriften som skal reddes (standard: hjørnesteinsbedriften)."},
    )
    keep_share: float = effect(
        0.35,
        0.2,
        0.5,
        "2014: the whitefish plant (25–30 of ≈ 80 jobs) went to local owners (NRK, HNN) — EVIDENCE §1",
        "Share of the firm's jobs kept by the rescue.",
        "Andel av bedriftens jobber som beholdes ved redningen.",
        ge=0,
        le=1,
    )
    success_probability: float = effect(
        0.7,
        0.4,
        0.9,
        "Assumption: a local takeover needs owners, raw material and a market; not estimated",
        "Chance that the rescue happens when the closure comes (drawn once per replication).",
        "Sjansen for at redningen lykkes når nedleggelsen kommer (trekkes én gang per kjøring).",
        ge=0,
        le=1,
    )
    failure_hazard: float = effect(
        0.1,
        0.05,
        0.3,
        "2020–21: the rescued whitefish firm's successor stopped buying fish and laid off all staff (NRK) — "
        "EVIDENCE §1",
        "Yearly chance that the rescued firm closes after all.",
        "Årlig sjanse for at den reddede bedriften likevel legges ned.",
        ge=0,
        le=1,
    )
    cost_nok: float = Field(
        default=3_000_000,
        ge=0,
        le=1e10,
        description="Municipal money put in (2020–21: NOK 1.5 million loan + 1.5 million equity, NRK).",
        json_schema_extra={
            "x-description-nb": "Penger kommunen skyter inn (2020–21: 1,5 millioner kroner i lån + "
            "1,5 millioner i egenkapital, NRK)."
        },
    )


@register_lever
class CornerstoneRescue(Lever):
    """Rescue or partial takeover of the cornerstone firm.

    Mechanism: when a shock would close the firm (in or after the start year), with probability
    ``success_probability`` it is taken over instead and keeps ``keep_share`` of its jobs (the others are laid
    off); afterwards it closes with ``failure_hazard`` a year. The municipality's money is paid in the first
    ``years`` from the start.
    """

    name = "cornerstone_rescue"
    titles: ClassVar[dict[str, str]] = {
        "nb": "Redning av hjørnesteinsbedriften",
        "en": "Rescue of the cornerstone firm",
    }
    Settings = CornerstoneRescueSettings
    settings: CornerstoneRescueSettings

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.rescued: Firm | None = None
        self.rescue_year = 0

    def _target(self, model: MunicipalityModel) -> Firm | None:
        if self.settings.employer is not None:
            return model.firm_named(self.settings.employer)
        cornerstones = [f for f in model.firms if f.cornerstone]
        return cornerstones[0] if cornerstones else None

    def on_closure(self, model: MunicipalityModel, firm: Firm) -> bool:
        if model.year < self.start or self.rescued is not None or firm is not self._target(model):
            return False
        if model.lever_rng(self.key).random() >= self.settings.success_probability:
            return False
        self.rescued = firm
        self.rescue_year = model.year
        firm.reduce(round(firm.target_jobs * (1.0 - self.settings.keep_share)))
        return True

    def apply(self, model: MunicipalityModel) -> None:
        super().apply(model)
        firm = self.rescued
        if (
            firm is not None
            and firm.open
            and model.year > self.rescue_year
            and model.lever_rng(f"{self.key}:{model.year}").random() < self.settings.failure_hazard
        ):
            firm.close()

    def annual_cost(self, year: int) -> float:
        return self.settings.cost_nok / self.settings.years
