"""Every model parameter, with its default, its plausible range and its source.

The defaults come from ``shared/EVIDENCE.md`` (cited by section) or from named public statistics. Where the
evidence conflicts, or where no published number exists and the value is our assumption, the parameter has a
range wide enough to be honest about it; the scenario's ``uncertainties`` section can draw it per replication.

Usage::

    >>> from resilience.model.parameters import Parameters
    >>> p = Parameters()
    >>> p.local_multiplier
    0.5
    >>> Parameters.spec("local_multiplier").low, Parameters.spec("local_multiplier").high
    (0.0, 1.0)
    >>> p.replace(local_multiplier=0.2).local_multiplier
    0.2
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ASFR_SHAPE_1996_2000",
    "MOVE_RATES_2004",
    "ParameterSpec",
    "Parameters",
    "UnknownParameterError",
]

#: Births per 1 000 women by five-year age group 15–19 … 45–49 (1996–2000 average), SSB via EVIDENCE §2.
#: Only the *shape* is used; it is rescaled to the parameter ``total_fertility_rate``.
ASFR_SHAPE_1996_2000: tuple[float, ...] = (12.4, 70.6, 130.9, 107.8, 43.5, 6.9, 0.2)

#: Moves between municipalities per 1 000 mean population by age group (2004), SSB via EVIDENCE §2.
#: Groups 0–4, 5–9, …, 65–69, 70+.
MOVE_RATES_2004: tuple[float, ...] = (60, 31, 22, 48, 121, 123, 70, 41, 30, 24, 19, 15, 14, 11, 5)

#: National mean of the same statistic ("all ages 41"), EVIDENCE §2.
MOVE_RATE_ALL_AGES_2004 = 41.0


class UnknownParameterError(KeyError):
    """A parameter name that the model does not have."""


@dataclass(frozen=True)
class ParameterSpec:
    """What is known about one parameter: default, range, unit, source and description (English and bokmål)."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    source: str
    description: str
    description_nb: str = ""  # the description in Norwegian bokmål, for the report in that language


def _p(default: float, low: float, high: float, unit: str, source: str, description: str, description_nb: str) -> Any:
    # A dataclass field whose metadata carries the evidence; `Parameters.specs()` turns it into ParameterSpec.
    return field(
        default=default,
        metadata={
            "low": low,
            "high": high,
            "unit": unit,
            "source": source,
            "description": description,
            "description_nb": description_nb,
        },
    )


@dataclass(frozen=True)
class Parameters:
    """All behavioural parameters of the model (one frozen value object per replication).

    >>> p = Parameters().replace(out_migration_scale=1.2)
    >>> p.out_migration_scale
    1.2
    >>> Parameters.spec("local_multiplier").low, Parameters.spec("local_multiplier").high
    (0.0, 1.0)
    """

    # --- demography --------------------------------------------------------------------------------
    total_fertility_rate: float = _p(
        1.44,
        1.40,
        1.44,
        "children per woman",
        "SSB: TFR 1.40 (2023), 1.44 (2024) — EVIDENCE §2",
        "Period total fertility; the 1996–2000 age shape is rescaled to it.",
        "Samlet fruktbarhet i perioden; aldersmønsteret fra 1996–2000 skaleres til dette nivået.",
    )
    life_expectancy_male: float = _p(
        81.4,
        81.0,
        82.0,
        "years",
        "SSB life expectancy at birth 2023, men 81.4 — EVIDENCE §2",
        "Male life expectancy at birth that the Gompertz–Makeham mortality schedule is fitted to.",
        "Forventet levealder ved fødsel for menn, som dødelighetskurven (Gompertz–Makeham) tilpasses til.",
    )
    life_expectancy_female: float = _p(
        84.6,
        84.2,
        85.0,
        "years",
        "SSB life expectancy at birth 2023, women 84.6 — EVIDENCE §2",
        "Female life expectancy at birth that the Gompertz–Makeham mortality schedule is fitted to.",
        "Forventet levealder ved fødsel for kvinner, som dødelighetskurven (Gompertz–Makeham) tilpasses til.",
    )
    gompertz_slope: float = _p(
        0.10,
        0.09,
        0.11,
        "per year of age",
        "Assumption: mortality doubling time ≈ 7 years, typical of Gompertz fits to Nordic life tables; "
        "EVIDENCE §2 accepts a Gompertz–Makeham fit",
        "Rate at which the death hazard rises with age.",
        "Hvor raskt risikoen for å dø øker med alderen.",
    )
    makeham_constant: float = _p(
        0.0002,
        0.0001,
        0.0004,
        "per year",
        "Assumption: age-independent background mortality of Gompertz–Makeham fits to low-mortality countries",
        "Age-independent part of the death hazard.",
        "Den delen av dødsrisikoen som ikke avhenger av alder.",
    )
    share_boys_at_birth: float = _p(
        0.513,
        0.51,
        0.515,
        "share",
        "SSB birth statistics: ≈ 105 boys per 100 girls",
        "Probability that a newborn is a boy.",
        "Sannsynligheten for at et nyfødt barn er en gutt.",
    )
    leave_home_hazard: float = _p(
        0.12,
        0.08,
        0.20,
        "per year",
        "Assumption: most Norwegians leave the parental home around age 20 (SSB household statistics)",
        "Yearly chance that a resident aged 18–34 living with parents forms a household of their own locally "
        "(needs a vacant dwelling).",
        "Årlig sjanse for at en innbygger på 18–34 år som bor hjemme, flytter i egen bolig i kommunen (krever "
        "en ledig bolig).",
    )
    young_adults_at_home_share: float = _p(
        0.4,
        0.3,
        0.6,
        "share of residents aged 18–24",
        "Eurostat/SSB: Norwegians leave home early (around 20); roughly 3–6 in 10 of those aged 18–24 still live "
        "with their parents",
        "Share of initial residents aged 18–24 placed in their parents' household rather than their own.",
        "Andel av innbyggerne på 18–24 år som ved start bor hjemme hos foreldrene i stedet for i egen husholdning.",
    )
    single_parent_share: float = _p(
        0.15,
        0.10,
        0.25,
        "share of children",
        "SSB family statistics: about 1 in 5 children live with one parent (lower in rural areas)",
        "Share of initial children placed with a single mother rather than a couple.",
        "Andel av barna ved start som bor med en enslig mor i stedet for med et par.",
    )
    share_adults_in_couples: float = _p(
        0.60,
        0.55,
        0.65,
        "share",
        "SSB household statistics: about 6 in 10 adults live in a couple",
        "Share of women aged 20–79 placed in a couple when the initial households are built.",
        "Andel av kvinnene på 20–79 år som bor i par når husholdningene ved start bygges opp.",
    )
    # --- labour market -----------------------------------------------------------------------------
    participation_rate: float = _p(
        0.80,
        0.75,
        0.85,
        "share",
        "SSB Labour Force Survey (AKU): ≈ 80 % of people aged 20–66 are in the labour force",
        "Share of residents 20–66 who take part in the labour market (initially and when entering at 20).",
        "Andel av innbyggerne på 20–66 år som er i arbeidsstyrken (ved start og når de fyller 20).",
    )
    local_multiplier: float = _p(
        0.5,
        0.0,
        1.0,
        "local jobs per basic-sector job",
        "Moretti & Thulin 2013 (Sweden ≈ 0.5); van Dijk 2014 (1.02); Moretti 2010 (1.6, US); "
        "EVIDENCE §3: for a remote Nordic micro-municipality uncertain in 0–1",
        "Local-service jobs gained or lost per basic (exporting) job gained or lost.",
        "Lokal multiplikator: hvor mange lokale servicejobber som kommer til eller forsvinner for hver jobb i "
        "basisnæringene (som selger varer og tjenester ut av kommunen).",
    )
    labour_demand_adjustment: float = _p(
        0.4,
        0.25,
        0.6,
        "share of the gap per year",
        "Gathmann, Helm & Schönberg 2020: spillovers of mass layoffs build up over ≈ 4 years — EVIDENCE §3",
        "Share of the gap between target and actual local-service/public jobs closed each year.",
        "Hvor stor del av avstanden mellom ønsket og faktisk antall lokale service- og offentlige jobber som "
        "lukkes hvert år.",
    )
    public_jobs_child_share: float = _p(
        0.40,
        0.30,
        0.50,
        "share",
        "Assumption from KOSTRA expenditure shares (kindergarten + primary school ≈ 35–45 % of municipal "
        "gross operating expenditure)",
        "Share of public jobs that scale with the number of children aged 1–15.",
        "Andel av de offentlige jobbene som følger antall barn på 1–15 år (barnehage og skole).",
    )
    public_jobs_elderly_share: float = _p(
        0.35,
        0.25,
        0.45,
        "share",
        "Assumption from KOSTRA expenditure shares (health and care ≈ 30–40 %)",
        "Share of public jobs that scale with the number of residents aged 80 and over.",
        "Andel av de offentlige jobbene som følger antall innbyggere på 80 år og eldre (helse og omsorg).",
    )
    same_sector_hiring_weight: float = _p(
        3.0,
        1.5,
        5.0,
        "relative weight",
        "Hane-Weijman, Eriksson & Henning 2018: re-employment mostly in the same or a related industry — "
        "EVIDENCE §3 (weight is an assumption)",
        "How much more likely a vacancy goes to a job-seeker from the same sector.",
        "Hvor mye mer sannsynlig det er at en ledig stilling går til en arbeidssøker fra samme bransje.",
    )
    tie_hiring_weight: float = _p(
        2.0,
        1.0,
        4.0,
        "relative weight",
        "Assumption: jobs are heard of through ties (MODEL.md); weight not estimated",
        "How much more likely a vacancy goes to a job-seeker with a tie to someone working there.",
        "Hvor mye mer sannsynlig det er at en ledig stilling går til en arbeidssøker som kjenner noen som jobber der.",
    )
    recruitment_success: float = _p(
        0.5,
        0.3,
        0.8,
        "share of vacancies per year",
        "Assumption: remote employers fill only part of their vacancies from outside each year (NIBR 2014:1, "
        "weak housing supply) — EVIDENCE §4",
        "Chance that a vacancy not filled locally is filled by recruiting a household from outside "
        "(needs a vacant dwelling).",
        "Sjansen for at en stilling som ikke fylles lokalt, fylles ved å rekruttere en husholdning utenfra "
        "(krever en ledig bolig).",
    )
    late_retirement_hazard: float = _p(
        0.5,
        0.3,
        0.7,
        "per year",
        "Assumption: few Norwegians work past 67 (NAV: the old-age pension can be taken from 62, most take it by "
        "67); everyone is retired at 72",
        "Yearly chance that a labour-force participant aged 67–71 retires.",
        "Årlig sjanse for at en person i arbeidsstyrken på 67–71 år går av med pensjon.",
    )
    displaced_retirement_factor: float = _p(
        2.0,
        1.5,
        3.0,
        "relative risk",
        "EVIDENCE §3 (Decressin & Fatás 1995; Beyer & Smets 2015): in the first years participation absorbs "
        "most of a shock — older displaced workers leave the labour force; size assumed",
        "Retirement hazard multiplier for unemployed workers displaced within the last 5 years.",
        "Hvor mye høyere sjansen for å gå av med pensjon er for arbeidsledige som har mistet jobben de siste 5 årene.",
    )
    retirement_hazard: float = _p(
        0.15,
        0.10,
        0.25,
        "per year",
        "Assumption: average retirement age in Norway ≈ 65 (NAV/SSB); hazard at 62–66, then 0.5 at 67–71, all by 72",
        "Yearly chance that a participant aged 62–66 retires.",
        "Årlig sjanse for at en person i arbeidsstyrken på 62–66 år går av med pensjon.",
    )
    disability_hazard: float = _p(
        0.006,
        0.004,
        0.008,
        "per year",
        "Assumption: new disability pensions ≈ 0.5–0.7 % of people 40–66 a year (NAV statistics)",
        "Yearly chance that a participant aged 40–66 leaves the labour force on disability.",
        "Årlig sjanse for at en person i arbeidsstyrken på 40–66 år går ut av arbeidslivet på uføretrygd.",
    )
    displacement_disability_factor: float = _p(
        1.279,
        1.24,
        1.279,
        "relative risk",
        "Rege, Telle & Votruba 2009: +24 % (plants shrinking > 60 %), +27.9 % (closures) — EVIDENCE §3",
        "Disability hazard multiplier for workers displaced within the last 5 years.",
        "Hvor mye høyere sjansen for å bli uføretrygdet er for arbeidstakere som har mistet jobben de siste 5 årene.",
    )
    # --- migration -------------------------------------------------------------------------------
    out_migration_scale: float = _p(
        1.34,
        1.0,
        1.6,
        "× national age profile",
        "Træna ≈ 55 out-migrants per 1 000 a year (SSB 2010) vs the national 41 — EVIDENCE §1–2",
        "Scales the national age profile of moves to a small remote municipality's gross out-migration.",
        "Skalerer landets aldersmønster for flytting opp til utflyttingen fra en liten, perifer kommune.",
    )
    young_women_move_factor: float = _p(
        1.105,
        1.0,
        1.2,
        "relative",
        "Women 20–24 move more than men: 157 vs 127 per 1 000 (2011) — EVIDENCE §2",
        "Out-migration multiplier for women 15–29 (men get the factor that keeps the mean unchanged).",
        "Hvor mye oftere kvinner på 15–29 år flytter ut (menn får en faktor som holder gjennomsnittet uendret).",
    )
    displaced_migration_factor: float = _p(
        1.8,
        1.3,
        1.8,
        "relative risk",
        "Maczulskij & Böckerman 2019 (Finland): +80 %; Huttunen, Møen & Salvanes 2018 (Norway): raised, "
        "but family ties reduce it — EVIDENCE §3",
        "Out-migration multiplier for unemployed or recently displaced adults.",
        "Hvor mye oftere arbeidsledige eller voksne som nylig har mistet jobben, flytter ut.",
    )
    tie_retention: float = _p(
        0.08,
        0.03,
        0.15,
        "per tie",
        "Huttunen, Møen & Salvanes 2018: family ties strongly reduce mobility — EVIDENCE §3 (size assumed)",
        "Out-migration hazard is multiplied by exp(−tie_retention × ties outside the household), ties ≤ 10.",
        "Nære relasjoner holder folk igjen: risikoen for utflytting ganges med exp(−tie_retention × "
        "relasjoner utenfor husholdningen), høyst 10 relasjoner.",
    )
    friend_left_factor: float = _p(
        0.25,
        0.0,
        0.5,
        "per tie that left",
        "Assumption: migration contagion through networks (MODEL.md); not estimated for Norway",
        "Out-migration hazard rises by this share for each tie who left the municipality last year.",
        "Risikoen for utflytting øker med denne andelen for hver venn eller slektning som flyttet ut av "
        "kommunen i fjor.",
    )
    owner_migration_factor: float = _p(
        0.6,
        0.5,
        0.8,
        "relative risk",
        "Assumption: owners move less than renters; rural Norway has low turnover and few rentals "
        "(NIBR 2014:1) — EVIDENCE §4",
        "Out-migration multiplier for households that own their dwelling.",
        "Hvor mye sjeldnere husholdninger som eier boligen sin, flytter ut.",
    )
    home_ownership_rate: float = _p(
        0.80,
        0.75,
        0.85,
        "share of households",
        "SSB housing statistics: ≈ 8 in 10 Norwegians live in a dwelling their household owns",
        "Share of initial households (head 30+) that own their dwelling; half that for younger heads.",
        "Andel av husholdningene ved start (eldste voksne 30 år eller mer) som eier boligen; halvparten så "
        "mange blant yngre.",
    )
    return_migration_rate: float = _p(
        0.015,
        0.005,
        0.03,
        "per year per emigrant born here",
        "EVIDENCE §2: few who leave the least central municipalities move back (35 % live in their "
        "childhood municipality at 35)",
        "Yearly chance that an emigrant born here (aged 25–54) moves back, if a dwelling is free.",
        "Årlig sjanse for at en utflyttet person født her (25–54 år) flytter tilbake, hvis det finnes en ledig bolig.",
    )
    diaspora_per_resident: float = _p(
        0.25,
        0.15,
        0.4,
        "emigrants born here aged 25–54, per resident",
        "Assumption from EVIDENCE §2 retention (35 % stay in the least central municipalities): a small "
        "remote municipality has many natives elsewhere; about half of them are of returning age",
        "Initial number of emigrants born here and of returning age (25–54), per resident; every native who "
        "emigrates joins them.",
        "Antall utflyttede født her i alder for tilbakeflytting (25–54 år) per innbygger ved start; alle som "
        "er født her og flytter ut, kommer i tillegg.",
    )
    amenity_in_migration_rate: float = _p(
        14.0,
        8.0,
        20.0,
        "households per 1 000 residents per year",
        "Calibrated: with the other defaults, makes the no-shock model drift like Træna 2016–2024 "
        "(−1 %/yr, SSB 07459) with gross in-migration ≈ 55 per 1 000 (EVIDENCE §1)",
        "Households moving in for family, amenity or other non-job reasons (job-led moves are separate).",
        "Husholdninger som flytter inn på grunn av familie, trivsel eller andre grunner enn jobb (tilflytting "
        "for jobb regnes for seg).",
    )
    remote_worker_in_rate: float = _p(
        0.5,
        0.0,
        2.0,
        "households per 1 000 residents per year",
        "Nordregio 2022:3 (hybrid work persists; some rural municipalities declined slower) — EVIDENCE §4; "
        "size assumed",
        "Households moving in that keep a job elsewhere (remote workers).",
        "Husholdninger som flytter inn og beholder jobben et annet sted (fjernarbeidere).",
    )
    vacated_dwelling_available: float = _p(
        0.7,
        0.5,
        0.9,
        "share",
        "NIBR 2014:1: empty but unavailable dwellings are common in rural Norway — EVIDENCE §4 (size assumed)",
        "Share of dwellings left by emigrating or dying-out households that become available to others.",
        "Andel av boligene som blir tomme ved utflytting eller dødsfall, som blir tilgjengelige for andre.",
    )
    in_migrant_single_share: float = _p(
        0.55,
        0.45,
        0.65,
        "share of in-migrating households",
        "Assumption: most movers are young adults moving alone (EVIDENCE §2 age profile peaks at 20–29)",
        "Share of in-migrating households that are one person.",
        "Andel av tilflyttende husholdninger som består av én person.",
    )
    in_migrant_family_share: float = _p(
        0.25,
        0.15,
        0.35,
        "share of in-migrating households",
        "Assumption consistent with EVIDENCE §2: moves at ages 0–9 (60 and 31 per 1 000) imply families move",
        "Share of in-migrating households that are a couple with children (the rest are couples).",
        "Andel av tilflyttende husholdninger som er par med barn (resten er par uten barn).",
    )
    share_adults_born_here: float = _p(
        0.5,
        0.35,
        0.65,
        "share of adults",
        "Assumption from EVIDENCE §2: 35 % of people in the least central municipalities still live in their "
        "childhood municipality at 35; natives are a larger share of those who stayed",
        "Share of initial adult residents born in the municipality (children: 0.85); born-here emigrants "
        "are the pool of potential return migrants.",
        "Andel av de voksne innbyggerne ved start som er født i kommunen (barn: 0,85); utflyttede født her er "
        "dem som kan flytte tilbake.",
    )
    share_children_born_here: float = _p(
        0.85,
        0.7,
        0.95,
        "share of children",
        "Assumption: most children of a small municipality were born to its residents (EVIDENCE §2 moves at "
        "ages 0–9 are 31–60 per 1 000 a year)",
        "Share of initial residents living with parents who were born in the municipality.",
        "Andel av innbyggerne ved start som bor hos foreldrene og er født i kommunen.",
    )
    diaspora_ageing: float = _p(
        0.033,
        0.02,
        0.05,
        "per year",
        "Assumption: emigrants stay of returning age (25–54) for about 30 years",
        "Yearly share of the diaspora that ages out of returning age.",
        "Årlig andel av de utflyttede født her som blir for gamle til å regnes som mulige tilbakeflyttere.",
    )
    initial_vacant_share: float = _p(
        0.05,
        0.02,
        0.10,
        "vacant available dwellings per household",
        "Assumption: few available vacant dwellings in rural Norway (NIBR 2014:1) — EVIDENCE §4; "
        "replace with the municipality's own count (scenario municipality.dwellings.vacant)",
        "Vacant dwellings available for newcomers at the start, when the scenario does not give them.",
        "Ledige boliger tilgjengelige for tilflyttere ved start, når scenarioet ikke oppgir antallet.",
    )
    initial_unemployment_rate: float = _p(
        0.02,
        0.01,
        0.04,
        "share of the labour force",
        "NAV registered unemployment in Nordland ≈ 2 % (2023–2024)",
        "Share of labour-force participants without a job at the start.",
        "Andel av arbeidsstyrken som er uten jobb ved start.",
    )
    friends_per_person: float = _p(
        3.0,
        1.0,
        6.0,
        "ties",
        "Assumption: a few close local friends per person (MODEL.md social network); not estimated",
        "Mean number of friendship ties created for each resident aged 10+ at the start and on arrival.",
        "Gjennomsnittlig antall vennskap for hver innbygger fra 10 år, ved start og ved tilflytting.",
    )
    coworker_ties: float = _p(
        2.0,
        0.0,
        4.0,
        "ties",
        "Assumption (MODEL.md: workplace ties); not estimated",
        "Ties a worker forms with colleagues at the start and when hired.",
        "Antall relasjoner en arbeidstaker får til kolleger ved start og ved ansettelse.",
    )
    dwelling_release_rate: float = _p(
        0.15,
        0.05,
        0.3,
        "per year",
        "Assumption: inherited or empty homes come back to the market after some years (NIBR 2014:1 describes "
        "the opposite friction; size assumed)",
        "Yearly chance that an unavailable vacant dwelling becomes available to newcomers.",
        "Årlig sjanse for at en tom bolig som ikke er tilgjengelig (f.eks. arvet eller brukt som "
        "fritidsbolig), kommer ut på markedet for tilflyttere.",
    )
    # --- firms -------------------------------------------------------------------------------------
    new_firm_rate: float = _p(
        2.0,
        1.0,
        4.0,
        "firms per 1 000 residents 20–66 per year",
        "Assumption: SSB enterprise demography — new enterprises with employees are a small fraction of all start-ups",
        "Yearly rate at which residents start a firm with employees.",
        "Hvor mange bedrifter med ansatte innbyggerne starter per år.",
    )
    new_firm_tourism_share: float = _p(
        0.3,
        0.1,
        0.5,
        "share of new firms",
        "Assumption: Tenk Træna's new jobs were in sea-based industry, tourism, culture and place development "
        "(EVIDENCE §1); the rest of new firms serve residents",
        "Share of new firms in tourism (exporting); the rest are local services.",
        "Andel av nye bedrifter som er innen reiseliv (selger ut av kommunen); resten er lokal service.",
    )
    new_firm_exit_hazard: float = _p(
        0.15,
        0.10,
        0.25,
        "per year",
        "SSB enterprise demography: roughly a third of new enterprises survive five years",
        "Yearly chance that a firm started during the simulation closes.",
        "Årlig sjanse for at en bedrift startet i løpet av simuleringen legges ned.",
    )
    # --- municipal budget (NOK per year) -----------------------------------------------------------
    tax_per_employed_nok: float = _p(
        70_000.0,
        60_000.0,
        80_000.0,
        "NOK per employed resident",
        "SSB: average earnings ≈ NOK 650 000 (2023) × municipal tax rate ≈ 11 %",
        "Municipal income tax from each employed resident.",
        "Kommunal inntektsskatt fra hver sysselsatt innbygger.",
    )
    grant_per_resident_nok: float = _p(
        60_000.0,
        50_000.0,
        80_000.0,
        "NOK per resident",
        "Assumption: per-capita block grant with small-municipality supplement (KMD Grønt hefte)",
        "General block grant per resident, the same for every age (the age-weighted cost key is not modelled; "
        "children and the old show up in the costs instead).",
        "Rammetilskudd fra staten per innbygger, likt for alle aldre (kostnadsnøkkelens aldersvekter er ikke "
        "modellert; barn og eldre slår ut i kostnadene i stedet).",
    )

    cost_per_child_1_5_nok: float = _p(
        220_000.0,
        180_000.0,
        260_000.0,
        "NOK per child aged 1–5",
        "KOSTRA (SSB): municipal kindergarten expenditure per child, order of magnitude; replace with the "
        "municipality's own KOSTRA figure",
        "Variable service cost per child aged 1–5 (kindergarten).",
        "Hva kommunen betaler for barnehage per barn på 1–5 år (varierende kostnad).",
    )
    cost_per_pupil_nok: float = _p(
        180_000.0,
        140_000.0,
        300_000.0,
        "NOK per pupil aged 6–15",
        "KOSTRA (SSB): primary-school expenditure per pupil, higher in small schools; order of magnitude",
        "Variable service cost per pupil (aged 6–15).",
        "Hva kommunen betaler for grunnskole per elev på 6–15 år (varierende kostnad).",
    )
    cost_per_resident_80_plus_nok: float = _p(
        300_000.0,
        200_000.0,
        400_000.0,
        "NOK per resident 80+",
        "KOSTRA (SSB): health and care expenditure per resident 80+, order of magnitude",
        "Variable care cost per resident aged 80 and over.",
        "Hva kommunen betaler for helse og omsorg per innbygger på 80 år og eldre (varierende kostnad).",
    )

    _specs_cache: ClassVar[dict[str, ParameterSpec] | None] = None

    @classmethod
    def specs(cls) -> dict[str, ParameterSpec]:
        """Every parameter's :class:`ParameterSpec`, in declaration order."""
        if cls._specs_cache is None:
            cls._specs_cache = {
                f.name: ParameterSpec(
                    name=f.name,
                    default=float(f.default),  # type: ignore[arg-type]
                    low=float(f.metadata["low"]),
                    high=float(f.metadata["high"]),
                    unit=str(f.metadata["unit"]),
                    source=str(f.metadata["source"]),
                    description=str(f.metadata["description"]),
                    description_nb=str(f.metadata["description_nb"]),
                )
                for f in dataclasses.fields(cls)
            }
        return cls._specs_cache

    @classmethod
    def spec(cls, name: str) -> ParameterSpec:
        """The spec of one parameter; raises :class:`UnknownParameterError` for an unknown name."""
        try:
            return cls.specs()[name]
        except KeyError:
            raise UnknownParameterError(name) from None

    @classmethod
    def names(cls) -> list[str]:
        """All parameter names, in declaration order."""
        return list(cls.specs())

    def replace(self, **changes: float) -> Parameters:
        """A copy with some values changed; unknown names raise :class:`UnknownParameterError`."""
        unknown = [k for k in changes if k not in self.specs()]
        if unknown:
            raise UnknownParameterError(", ".join(unknown))
        return dataclasses.replace(self, **{k: float(v) for k, v in changes.items()})

    def as_dict(self) -> dict[str, float]:
        """Name → value, in declaration order."""
        return {name: float(getattr(self, name)) for name in self.specs()}


# --------------------------------------------------------------------------------------------------
# Schedules derived from the parameters (pure functions, vectorised over single-year ages 0..105).
# --------------------------------------------------------------------------------------------------

MAX_AGE = 105
AGES: NDArray[np.int64] = np.arange(MAX_AGE + 1)


def fertility_by_age(tfr: float) -> NDArray[np.float64]:
    """Yearly birth probability for a woman of each single-year age, summing to ``tfr`` over 15–49."""
    shape = np.zeros(MAX_AGE + 1)
    for group, rate in enumerate(ASFR_SHAPE_1996_2000):
        shape[15 + 5 * group : 20 + 5 * group] = rate
    return shape * (tfr / shape.sum())


def _life_expectancy(hazard: NDArray[np.float64]) -> float:
    # Period life expectancy from yearly hazards, deaths assumed mid-year; the open top group lives 1/h.
    survival = np.exp(-np.cumsum(hazard))
    lx = np.concatenate(([1.0], survival[:-1]))
    person_years = (lx + survival) / 2
    person_years[-1] = lx[-1] / max(hazard[-1], 1e-9)
    return float(person_years.sum())


def mortality_by_age(life_expectancy: float, slope: float, makeham: float) -> NDArray[np.float64]:
    """Yearly death probability at each single-year age from a Gompertz–Makeham hazard.

    The Gompertz level is solved (bisection) so that the schedule's life expectancy at birth equals
    ``life_expectancy``; infant mortality gets the same level as age 1 plus a small first-year excess.
    Solved once per process for each set of arguments (a pure function); each call returns a fresh copy.
    """
    return _mortality_by_age(float(life_expectancy), float(slope), float(makeham)).copy()


@functools.lru_cache(maxsize=256)
def _mortality_by_age(life_expectancy: float, slope: float, makeham: float) -> NDArray[np.float64]:
    lo, hi = -20.0, -2.0
    for _ in range(80):
        mid = (lo + hi) / 2
        hazard = makeham + np.exp(mid + slope * AGES)
        if _life_expectancy(hazard) > life_expectancy:
            lo = mid
        else:
            hi = mid
    hazard = makeham + np.exp((lo + hi) / 2 + slope * AGES)
    hazard[0] += 0.002  # Norway's infant mortality ≈ 2 per 1 000 (SSB)
    result = np.asarray(1.0 - np.exp(-hazard), dtype=np.float64)
    result.flags.writeable = False  # shared by the cache
    return result


def move_rate_by_age(scale: float) -> NDArray[np.float64]:
    """Yearly out-migration probability at each single-year age (national 2004 profile × ``scale``)."""
    rates = np.empty(MAX_AGE + 1)
    for group, rate in enumerate(MOVE_RATES_2004):
        rates[5 * group :] = rate
    return np.minimum(rates * scale / 1000.0, 0.95)
