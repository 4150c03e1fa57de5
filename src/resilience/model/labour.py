"""The labour market: demand, layoffs and hiring (residents first), and exits from the labour force."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from resilience.model.firms import sector_code
from resilience.model.parameters import MAX_AGE
from resilience.model.sampling import weighted_sample
from resilience.model.state import OUTSIDE_EMPLOYER, Status

if TYPE_CHECKING:
    from resilience.model.model import MunicipalityModel

__all__ = ["LabourReference", "exits", "layoffs_and_hiring", "update_demand"]

#: Years after a layoff during which a person counts as displaced (raised migration and disability).
DISPLACEMENT_YEARS = 5


@dataclass(frozen=True)
class LabourReference:
    """Base-year quantities that labour demand is measured against."""

    basic_jobs: float
    children: int
    elderly: int
    population: int

    @classmethod
    def measure(cls, model: MunicipalityModel) -> LabourReference:
        ages = model.persons.age[model.persons.resident_rows()]
        return cls(
            basic_jobs=basic_jobs(model),
            children=int(np.count_nonzero((ages >= 1) & (ages <= 15))),
            elderly=int(np.count_nonzero(ages >= 80)),
            population=int(ages.size),
        )


def basic_jobs(model: MunicipalityModel) -> float:
    """Target jobs of open basic-sector firms (the exporting base of the local economy)."""
    return float(sum(f.target_jobs for f in model.firms if f.open and f.is_basic))


def update_demand(model: MunicipalityModel) -> None:
    """Move local-service and public firms' targets part of the way towards what the economy supports.

    Local services: initial jobs + ``local_multiplier`` × change in basic jobs since the base year.
    Public: initial jobs scaled by children 1–15, residents 80+ and population, in their shares.
    """
    p = model.params
    ref = model.reference
    ages = model.persons.age[model.persons.resident_rows()]
    children = int(np.count_nonzero((ages >= 1) & (ages <= 15)))
    elderly = int(np.count_nonzero(ages >= 80))
    other_share = 1.0 - p.public_jobs_child_share - p.public_jobs_elderly_share
    public_factor = (
        p.public_jobs_child_share * (children / ref.children if ref.children else 1.0)
        + p.public_jobs_elderly_share * (elderly / ref.elderly if ref.elderly else 1.0)
        + other_share * (ages.size / ref.population if ref.population else 1.0)
    )
    local = [f for f in model.firms if f.open and f.responsive and f.sector == "local_services"]
    local_initial = sum(f.initial_jobs for f in local)
    local_target = max(0.0, local_initial + p.local_multiplier * (basic_jobs(model) - ref.basic_jobs))
    for firm in model.firms:
        if not (firm.open and firm.responsive):
            continue
        if firm.sector == "public":
            desired = firm.initial_jobs * public_factor
        elif firm.sector == "local_services":
            desired = local_target * firm.initial_jobs / local_initial if local_initial else 0.0
        else:
            continue
        firm.target_jobs += p.labour_demand_adjustment * (desired - firm.target_jobs)


def _staff_by_firm(model: MunicipalityModel) -> list[NDArray[np.int64]]:
    pt = model.persons
    residents = pt.resident_rows()
    employer = pt.employer[residents]
    working = residents[employer >= 0]
    order = np.argsort(pt.employer[working], kind="stable")
    working = working[order]
    bounds = np.searchsorted(pt.employer[working], np.arange(len(model.firms) + 1))
    return [working[bounds[i] : bounds[i + 1]] for i in range(len(model.firms))]


def _seekers(model: MunicipalityModel) -> NDArray[np.int64]:
    """Residents looking for a job (unemployed, 16–66), ascending."""
    pt = model.persons
    residents = pt.resident_rows()
    age = pt.age[residents]
    seekers: NDArray[np.int64] = residents[(pt.status[residents] == Status.UNEMPLOYED) & (age >= 16) & (age <= 66)]
    return seekers


def _knows_staff(
    model: MunicipalityModel, ties: tuple[NDArray[np.int64], NDArray[np.int64]], size: int, staff: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Which of ``size`` seekers have a tie to one of ``staff``, given the seekers' ``ties``
    (:meth:`~resilience.model.network.SocialNetwork.neighbours_of`)."""
    owner, neighbour = ties
    on_staff = np.zeros(model.persons.n, dtype=bool)
    on_staff[staff] = True
    known: NDArray[np.bool_] = np.bincount(owner[on_staff[neighbour]], minlength=size) > 0
    return known


def layoffs_and_hiring(model: MunicipalityModel) -> None:
    """Each open firm moves its workforce to its target.

    Too many workers: non-resident workers go first, then residents at random (displaced).
    Too few: job-seeking residents are hired first (same sector and a tie to the staff make a seeker more
    likely to be chosen); then, off an island, commuters take ``commuting_share`` of what is left; then each
    remaining vacancy is filled from outside with probability ``recruitment_success``, the recruit moving in
    with a household if a dwelling is vacant. A firm's ``outside_hiring_share`` of vacancies goes straight to
    recruitment from outside. Finally, off an island, each resident still looking finds a job within
    commuting reach with probability ``commuting_share``.
    """
    from resilience.model.migration import recruit_households

    rng = model.streams["labour"]
    p = model.params
    pt = model.persons
    staff = _staff_by_firm(model)
    # Who looks for work, with their ties read once; ``looking`` marks those not hired since. The ties stay
    # exact until the pool is recomputed: during hiring, ties are only made to the newly hired (no longer
    # looking) and to newcomers (who are on no other firm's staff), and newcomers or layoffs start a new pool.
    pool: NDArray[np.int64] | None = None  # None: to be recomputed (layoffs and newcomers change who looks)
    pool_ties = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    looking = np.empty(0, dtype=bool)
    for firm in list(model.firms):
        if not firm.open:
            continue
        desired = round(firm.target_jobs)
        current = staff[firm.index].size + firm.nonresident_workers
        if current > desired:
            model.lay_off(firm, current - desired)
            pool = None
            continue
        vacancies = desired - current
        if vacancies == 0:
            continue
        if pool is None:
            pool = _seekers(model)
            pool_ties = model.network.neighbours_of(pool)
            looking = np.ones(pool.size, dtype=bool)
        colleagues = staff[firm.index]
        reserved = int(rng.binomial(vacancies, firm.outside_hiring_share)) if firm.outside_hiring_share else 0
        vacancies -= reserved
        positions = looking.nonzero()[0]
        if positions.size and vacancies:
            seekers = pool[positions]
            # Same sector, or retrained to switch sector (Hane-Weijman, Eriksson & Henning 2018).
            fits = (pt.sector[seekers] == sector_code(firm.sector)) | pt.retrained[seekers]
            weight = np.where(fits, p.same_sector_hiring_weight, 1.0)
            if colleagues.size:
                known = _knows_staff(model, pool_ties, pool.size, colleagues)[positions]
                weight *= np.where(known, p.tie_hiring_weight, 1.0)
            take = min(vacancies, seekers.size)
            picked = weighted_sample(rng, weight, take)
            chosen = seekers[picked]
            model.hire_many(firm, chosen, colleagues)
            colleagues = np.concatenate([colleagues, chosen])
            looking[positions[picked]] = False
            vacancies -= take
        if vacancies and not model.island and model.commuting_share > 0:
            commuters = int(rng.binomial(vacancies, model.commuting_share))
            firm.nonresident_workers += commuters
            vacancies -= commuters
        vacancies += reserved
        recruits = int(rng.binomial(vacancies, p.recruitment_success)) if vacancies else 0
        if recruits:
            heads = recruit_households(model, firm, recruits, colleagues)
            if heads.size:
                pool = None
                colleagues = np.concatenate([colleagues, heads])
        staff[firm.index] = colleagues

    # With a fixed link, some of those still looking find a job within commuting reach.
    if not model.island and model.commuting_share > 0:
        seekers = _seekers(model)
        found = seekers[rng.random(seekers.size) < model.commuting_share]
        pt.employer[found] = OUTSIDE_EMPLOYER
        pt.status[found] = Status.EMPLOYED


@functools.lru_cache(maxsize=16)
def _exit_hazards(retirement: float, late_retirement: float, disability: float) -> tuple[NDArray[np.float64], ...]:
    """Retirement and disability hazards by single-year age (see :func:`exits`)."""
    ages = np.arange(MAX_AGE + 1)
    retire = np.select([ages >= 72, ages >= 67, ages >= 62], [1.0, late_retirement, retirement], 0.0)
    disable = np.where((ages >= 40) & (ages <= 66), disability, 0.0)
    retire.flags.writeable = disable.flags.writeable = False  # shared by every call with these values
    return retire, disable


def exits(model: MunicipalityModel) -> None:
    """Retirement (62–66 at ``retirement_hazard``, 67–71 at ``late_retirement_hazard``, all at 72) and
    disability (40–66).

    Displaced unemployed persons retire ``displaced_retirement_factor`` times as readily, and the disability
    hazard of displaced persons is raised by ``displacement_disability_factor`` (Rege, Telle & Votruba 2009).
    """
    rng = model.streams["labour"]
    p = model.params
    pt = model.persons
    residents = pt.resident_rows()
    status = pt.status[residents]
    age = pt.age[residents]
    participant = (status == Status.EMPLOYED) | (status == Status.UNEMPLOYED)
    displaced = (model.year - pt.displaced_year[residents]) < DISPLACEMENT_YEARS
    retire_by_age, disable_by_age = _exit_hazards(p.retirement_hazard, p.late_retirement_hazard, p.disability_hazard)
    age = np.minimum(age, MAX_AGE)
    retire = retire_by_age[age]
    retire = np.where(
        displaced & (status == Status.UNEMPLOYED), np.minimum(1.0, p.displaced_retirement_factor * retire), retire
    )
    disable = disable_by_age[age] * np.where(displaced, p.displacement_disability_factor, 1.0)
    u = rng.random(residents.size)
    retiring = participant & (u < retire)
    disabled = participant & ~retiring & (u < retire + disable)
    for row in residents[retiring].tolist():
        agent = model.person_agents[row]
        assert agent is not None
        agent.retire()
    for row in residents[disabled].tolist():
        agent = model.person_agents[row]
        assert agent is not None
        agent.become_disabled()
    model.flows["retired"] += int(np.count_nonzero(retiring))
    model.flows["disabled"] += int(np.count_nonzero(disabled))
    # Out of the labour force at 67 is retirement by another name.
    olf = residents[((status == Status.OUT_OF_LABOUR_FORCE) | (status == Status.DISABLED)) & (age >= 67)]
    pt.status[olf] = Status.RETIRED
