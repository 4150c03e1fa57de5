"""Build the initial state from the real population: households, dwellings, jobs and ties.

SSB's table gives persons by single-year age and sex only; households, the labour market and the network are
synthesised from it with the parameters' shares, reproducibly from the ``init`` random stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from resilience.data import Population
from resilience.model.state import Sex, Status

if TYPE_CHECKING:
    from resilience.model.model import MunicipalityModel

__all__ = ["build_initial_state"]


def _expand(population: Population) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    ages = np.concatenate(
        [
            np.repeat(np.arange(population.males.size), population.males),
            np.repeat(np.arange(population.females.size), population.females),
        ]
    )
    sexes = np.concatenate(
        [np.full(int(population.males.sum()), Sex.MALE), np.full(int(population.females.sum()), Sex.FEMALE)]
    )
    return ages.astype(np.int64), sexes.astype(np.int64)


def _pick(rng: np.random.Generator, candidates: NDArray[np.int64]) -> int | None:
    return int(rng.choice(candidates)) if candidates.size else None


def _households(
    model: MunicipalityModel, ages: NDArray[np.int64], sexes: NDArray[np.int64]
) -> tuple[list[list[int]], NDArray[np.bool_]]:
    """Group persons (indices into ``ages``) into households; also return who lives with parents."""
    rng = model.streams["init"]
    p = model.params
    n = ages.size
    unit_of = np.full(n, -1, dtype=np.int64)
    with_parents = np.zeros(n, dtype=bool)
    units: list[list[int]] = []
    female = sexes == Sex.FEMALE

    # Couples: women 20–79 find a partner among free men of about their age (men ≈ 2 years older).
    free_man = (~female) & (ages >= 18)
    for w in rng.permutation(np.flatnonzero(female & (ages >= 20) & (ages < 80))).tolist():
        if rng.random() >= p.share_adults_in_couples:
            continue
        for low, high in ((-3, 7), (-8, 12)):
            man = _pick(rng, np.flatnonzero(free_man & (ages >= ages[w] + low) & (ages <= ages[w] + high)))
            if man is not None:
                free_man[man] = False
                unit_of[[w, man]] = len(units)
                units.append([w, man])
                break

    # Some young adults 18–24 still live with their parents (decided before they could head a home).
    stays = (unit_of < 0) & (ages >= 18) & (ages <= 24) & (rng.random(n) < p.young_adults_at_home_share)
    for a in np.flatnonzero(unit_of < 0).tolist():
        if ages[a] >= 18 and not stays[a]:
            unit_of[a] = len(units)
            units.append([a])

    # Children (and young adults who stay) join a household with a mother 20–44 years older, couples first.
    heads = np.array([u[0] for u in units], dtype=np.int64)
    couple = np.array([len(u) == 2 for u in units], dtype=bool)
    for c in rng.permutation(np.flatnonzero(unit_of < 0)).tolist():
        gap = ages[heads] - ages[c]
        mothers = female[heads] & (gap >= 18) & (gap <= 45)
        candidates = np.flatnonzero(mothers & couple)
        if candidates.size == 0 or rng.random() < p.single_parent_share:
            candidates = np.flatnonzero(mothers) if np.any(mothers) else candidates
        if candidates.size == 0:
            candidates = np.flatnonzero(gap >= 18)
        if candidates.size == 0:
            unit_of[c] = len(units)
            units.append([c])
            heads = np.append(heads, c)
            couple = np.append(couple, False)
            continue
        unit = int(rng.choice(candidates))
        units[unit].append(c)
        unit_of[c] = unit
        with_parents[c] = True
    return units, with_parents


def build_initial_state(model: MunicipalityModel, population: Population) -> None:
    """Create persons, households, dwellings, firms, jobs and ties for the base year."""
    rng = model.streams["init"]
    p = model.params
    scenario = model.config
    ages, sexes = _expand(population)
    units, with_parents = _households(model, ages, sexes)

    # Labour status by age; participants get jobs below.
    status = np.full(ages.size, Status.OUT_OF_LABOUR_FORCE, dtype=np.int64)
    status[ages < 16] = Status.CHILD
    status[(ages >= 16) & (ages < 20)] = Status.STUDENT
    status[ages >= 67] = Status.RETIRED
    working_age = (ages >= 20) & (ages < 67)
    status[working_age & (rng.random(ages.size) < p.participation_rate)] = Status.UNEMPLOYED
    born_here = np.where(
        with_parents,
        rng.random(ages.size) < p.share_children_born_here,
        rng.random(ages.size) < p.share_adults_born_here,
    )

    # Households in dwellings, plus the vacant dwellings newcomers can move into.
    dwellings = model.config.municipality.dwellings
    vacant = round(p.initial_vacant_share * len(units))
    if dwellings is not None and dwellings.vacant is not None:
        vacant = dwellings.vacant
    elif dwellings is not None and dwellings.total is not None:
        vacant = max(0, dwellings.total - len(units))
    homes = model.add_dwellings(len(units))
    model.add_dwellings(vacant)
    row_of = np.empty(ages.size, dtype=np.int64)
    for unit, home in zip(units, homes.tolist(), strict=True):
        head_age = int(ages[unit[0]])
        owner = rng.random() < (p.home_ownership_rate if head_age >= 30 else p.home_ownership_rate / 2)
        hh = model.add_household(home, owner=bool(owner))
        members = np.array(unit, dtype=np.int64)
        rows = model.add_persons(
            ages[members],
            sexes[members],
            hh,
            born_here=False,
            status=status[members],
            with_parents=with_parents[members],
        )
        row_of[members] = rows
        model.network.tie_all(rows.tolist(), "household")
    pt = model.persons
    pt.born_here[row_of] = born_here
    pt.years_here[row_of] = np.where(born_here, ages, rng.integers(0, np.maximum(ages - 17, 1)))
    model.diaspora = p.diaspora_per_resident * ages.size

    # Firms from the scenario; job slots are dealt out at random to the residents who look for work.
    from resilience.model.firms import create_firm

    for employer in scenario.employers:
        create_firm(model, employer.name, str(employer.sector), employer.jobs, cornerstone=employer.cornerstone)
    seekers = pt.resident_rows()[pt.status[pt.resident_rows()] == Status.UNEMPLOYED]
    seekers = rng.permutation(seekers)
    seekers = seekers[round(p.initial_unemployment_rate * seekers.size) :]
    slots = rng.permutation(np.repeat(np.arange(len(model.firms)), [f.initial_jobs for f in model.firms]))
    filled = min(slots.size, seekers.size)
    for row, firm_index in zip(np.sort(seekers[:filled]).tolist(), slots[:filled].tolist(), strict=True):
        firm = model.firms[firm_index]
        pt.employer[row] = firm.index
        pt.status[row] = Status.EMPLOYED
        pt.sector[row] = _sector_code(firm.sector)
    counts = model.employees()
    for firm in model.firms:
        firm.nonresident_workers = firm.initial_jobs - int(counts[firm.index])

    # Ties: colleagues, then friends of about the same age.
    network_rng = model.streams["network"]
    for firm in model.firms:
        staff = np.flatnonzero(pt.present[: pt.n] & (pt.employer[: pt.n] == firm.index))
        k = min(round(p.coworker_ties), staff.size - 1)
        for row in staff.tolist() if k > 0 else []:
            others = staff[staff != row]
            for other in network_rng.choice(others, size=k, replace=False).tolist():
                model.network.tie(row, int(other), "work")
    make_friends(model, pt.resident_rows())


def _sector_code(sector: str) -> int:
    from resilience.model.firms import sector_code

    return sector_code(sector)


def _friend_pool(model: MunicipalityModel) -> tuple[NDArray[np.int64], NDArray[np.int16]]:
    """Residents aged 10+ sorted by age (rows, ages), built once a year rather than once per newcomer."""
    if model.friend_pool is not None:
        return model.friend_pool
    pt = model.persons
    residents = pt.resident_rows()
    residents = residents[pt.age[residents] >= 10]
    order = np.argsort(pt.age[residents], kind="stable")
    sorted_rows = residents[order]
    model.friend_pool = (sorted_rows, pt.age[sorted_rows])
    return model.friend_pool


def make_friends(model: MunicipalityModel, rows: NDArray[np.int64]) -> None:
    """Give each of ``rows`` (aged 10+) about ``friends_per_person / 2`` new friends of similar age (±5 years).

    Each new tie adds one to both ends, so the mean number of friendship ties is ≈ ``friends_per_person``.
    Candidates come from the residents at the start of the year (those who have left since are skipped).
    """
    rng = model.streams["network"]
    pt = model.persons
    sorted_rows, sorted_ages = _friend_pool(model)
    if sorted_rows.size < 2:
        return
    per_person = model.params.friends_per_person / 2
    for row in rows.tolist():
        age = int(pt.age[row])
        if age < 10:
            continue
        lo = int(np.searchsorted(sorted_ages, age - 5, side="left"))
        hi = int(np.searchsorted(sorted_ages, age + 5, side="right"))
        if hi - lo < 2:
            continue
        for _ in range(int(rng.poisson(per_person))):
            other = int(sorted_rows[rng.integers(lo, hi)])
            if pt.present[other]:
                model.network.tie(row, other, "friend")
