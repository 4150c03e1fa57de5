"""Build the initial state from the real population: households, dwellings, jobs and ties.

SSB's table gives persons by single-year age and sex only; households, the labour market and the network are
synthesised from it with the parameters' shares, reproducibly from the ``init`` random stream. Every step is
drawn for all persons at once (numpy); only the pairing of couples walks through the women, on plain counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from resilience.data import Population
from resilience.model.state import Sex, Status

if TYPE_CHECKING:
    from resilience.model.model import MunicipalityModel

__all__ = ["build_initial_state", "friend_pairs", "household_pairs", "make_friends"]

#: Age windows (relative to the woman) in which a partner is sought: first the close one, then the wider one.
_PARTNER_WINDOWS = ((-3, 7), (-8, 12))


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


def _couples(
    rng: np.random.Generator, ages: NDArray[np.int64], female: NDArray[np.bool_], share: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Women 20–79 (in random order, each with probability ``share``) take a free man of about their age.

    The man is uniform among the free men in the first window that has any: men of one age are exchangeable,
    so an age is drawn in proportion to its free men, then the next man of that age in a random order.
    """
    women = rng.permutation(np.flatnonzero(female & (ages >= 20) & (ages < 80)))
    women = women[rng.random(women.size) < share]
    u = rng.random(women.size)
    men = rng.permutation(np.flatnonzero(~female & (ages >= 18)))
    men = men[np.argsort(ages[men], kind="stable")]
    top = int(ages.max()) + 1 if ages.size else 1
    free = np.bincount(ages[men], minlength=top).tolist()
    next_of_age = np.concatenate(([0], np.cumsum(free)[:-1])).tolist()
    men_list = men.tolist()
    wives: list[int] = []
    husbands: list[int] = []
    for w, w_age, x in zip(women.tolist(), ages[women].tolist(), u.tolist(), strict=True):
        for low, high in _PARTNER_WINDOWS:
            lo, hi = max(w_age + low, 0), min(w_age + high, top - 1)
            total = sum(free[lo : hi + 1])
            if total == 0:
                continue
            k = int(x * total)
            age = lo
            while k >= free[age]:
                k -= free[age]
                age += 1
            free[age] -= 1
            husbands.append(men_list[next_of_age[age]])
            next_of_age[age] += 1
            wives.append(w)
            break
    return np.array(wives, dtype=np.int64), np.array(husbands, dtype=np.int64)


def _in_range(
    rng: np.random.Generator, sorted_ages: NDArray[np.int64], low: NDArray[np.int64], high: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each query, the bounds [lo, hi) of ``sorted_ages`` within [low, high] and a uniform index in them."""
    lo = np.searchsorted(sorted_ages, low, side="left")
    hi = np.searchsorted(sorted_ages, high, side="right")
    pick = lo + (rng.random(low.size) * (hi - lo)).astype(np.int64)
    return hi - lo, np.minimum(pick, max(sorted_ages.size - 1, 0))


def _households(
    model: MunicipalityModel, ages: NDArray[np.int64], sexes: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """Group persons (indices into ``ages``) into households.

    Returns the persons in household order (each household's head first, then a partner, then children in
    the order they joined), the start of each household in that order, and who lives with parents.
    """
    rng = model.streams["init"]
    p = model.params
    n = ages.size
    female = sexes == Sex.FEMALE
    unit_of = np.full(n, -1, dtype=np.int64)
    rank = np.zeros(n, dtype=np.int64)  # position within the household
    with_parents = np.zeros(n, dtype=bool)

    # Couples: women 20–79 find a partner among free men of about their age (men ≈ 2 years older).
    wives, husbands = _couples(rng, ages, female, p.share_adults_in_couples)
    unit_of[wives] = np.arange(wives.size)
    unit_of[husbands] = np.arange(wives.size)
    rank[husbands] = 1

    # Some young adults 18–24 still live with their parents (decided before they could head a home).
    stays = (unit_of < 0) & (ages >= 18) & (ages <= 24) & (rng.random(n) < p.young_adults_at_home_share)
    singles = np.flatnonzero((unit_of < 0) & (ages >= 18) & ~stays)
    unit_of[singles] = wives.size + np.arange(singles.size)
    heads = np.concatenate([wives, singles])
    couple = np.arange(heads.size) < wives.size

    # Children (and young adults who stay) join a household with a mother 18–45 years older, couples first
    # (unless single mothers are drawn), else any head at least 18 years older, else live on their own.
    children = rng.permutation(np.flatnonzero(unit_of < 0))
    child_age = ages[children]
    head_age = ages[heads]
    mother = female[heads]
    unit = np.full(children.size, -1, dtype=np.int64)
    single_mother = rng.random(children.size) < p.single_parent_share
    for pool, use in (
        (mother & couple, ~single_mother),
        (mother, np.ones(children.size, dtype=bool)),
    ):
        candidates = np.flatnonzero(pool)
        order = candidates[np.argsort(head_age[candidates], kind="stable")]
        count, pick = _in_range(rng, head_age[order], child_age + 18, child_age + 45)
        take = use & (unit < 0) & (count > 0)
        unit[take] = order[pick[take]] if order.size else unit[take]
    order = np.argsort(head_age, kind="stable")
    count, pick = _in_range(rng, head_age[order], child_age + 18, np.full(children.size, 10_000))
    take = (unit < 0) & (count > 0)
    unit[take] = order[pick[take]] if order.size else unit[take]
    with_parents[children] = unit >= 0
    alone = unit < 0
    unit[alone] = heads.size + np.arange(int(alone.sum()))
    unit_of[children] = unit
    rank[children] = 2 + np.arange(children.size)  # join order: the random order of the children

    person_order = np.lexsort((rank, unit_of))
    sizes = np.bincount(unit_of, minlength=heads.size + int(alone.sum()))
    starts = np.cumsum(sizes) - sizes
    return person_order, starts, with_parents


def household_pairs(starts: NDArray[np.int64], sizes: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every pair (a, b), a < b, of positions within the same household, households laid out contiguously.

    ``starts`` and ``sizes`` give each household's first position and its number of members.
    """
    total = int(sizes.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    size_of = np.repeat(sizes, sizes)
    position = np.arange(total, dtype=np.int64) - np.repeat(starts - starts[0], sizes)
    base = np.arange(total, dtype=np.int64) + int(starts[0])
    first = [base[position + d < size_of] for d in range(1, int(sizes.max()))]
    if not first:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(first), np.concatenate([f + d for d, f in enumerate(first, start=1)])


def _choose_others(rng: np.random.Generator, size: int, k: int) -> NDArray[np.int64]:
    """For each of ``size`` members, ``k`` distinct others (positions 0..size−1, never the member itself)."""
    if size - 1 <= 4 * k or size <= 64:
        keys = rng.random((size, size - 1))
        offsets = np.argsort(keys, axis=1)[:, :k] + 1
    else:
        offsets = rng.integers(1, size, size=(size, k))
        while True:
            s = np.sort(offsets, axis=1)
            bad = np.flatnonzero((s[:, 1:] == s[:, :-1]).any(axis=1))
            if bad.size == 0:
                break
            offsets[bad] = rng.integers(1, size, size=(bad.size, k))
    return np.asarray((np.arange(size)[:, None] + offsets) % size, dtype=np.int64)


def build_initial_state(model: MunicipalityModel, population: Population) -> None:
    """Create persons, households, dwellings, firms, jobs and ties for the base year."""
    rng = model.streams["init"]
    p = model.params
    scenario = model.config
    ages, sexes = _expand(population)
    order, starts, with_parents = _households(model, ages, sexes)
    n_units = starts.size
    sizes = np.diff(np.append(starts, ages.size))

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
    vacant = round(p.initial_vacant_share * n_units)
    if dwellings is not None and dwellings.vacant is not None:
        vacant = dwellings.vacant
    elif dwellings is not None and dwellings.total is not None:
        vacant = max(0, dwellings.total - n_units)
    homes = model.add_dwellings(n_units)
    model.add_dwellings(vacant)
    head_age = ages[order[starts]] if n_units else np.empty(0, dtype=np.int64)
    owner = rng.random(n_units) < np.where(head_age >= 30, p.home_ownership_rate, p.home_ownership_rate / 2)
    households = model.add_households(homes, owner=owner)
    rows = model.add_persons(
        ages[order],
        sexes[order],
        np.repeat(households, sizes),
        born_here=born_here[order],
        status=status[order],
        with_parents=with_parents[order],
    )
    household_ties = household_pairs(rows[starts] if n_units else starts, sizes)
    pt = model.persons
    age_of_row = pt.age[rows].astype(np.int64)
    pt.years_here[rows] = np.where(pt.born_here[rows], age_of_row, rng.integers(0, np.maximum(age_of_row - 17, 1)))
    model.diaspora = p.diaspora_per_resident * ages.size

    # Firms from the scenario; job slots are dealt out at random to the residents who look for work.
    from resilience.model.firms import create_firm, sector_code

    for employer in scenario.employers:
        create_firm(model, employer.name, str(employer.sector), employer.jobs, cornerstone=employer.cornerstone)
    residents = pt.resident_rows()
    seekers = residents[pt.status[residents] == Status.UNEMPLOYED]
    seekers = rng.permutation(seekers)
    seekers = seekers[round(p.initial_unemployment_rate * seekers.size) :]
    slots = rng.permutation(np.repeat(np.arange(len(model.firms)), [f.initial_jobs for f in model.firms]))
    filled = min(slots.size, seekers.size)
    hired, firm_of = np.sort(seekers[:filled]), slots[:filled]
    codes = np.array([sector_code(f.sector) for f in model.firms], dtype=np.int64)
    pt.employer[hired] = firm_of
    pt.status[hired] = Status.EMPLOYED
    pt.sector[hired] = codes[firm_of] if firm_of.size else pt.sector[hired]
    counts = model.employees()
    for firm in model.firms:
        firm.nonresident_workers = firm.initial_jobs - int(counts[firm.index])

    # Ties: household, then colleagues, then friends of about the same age, all made at once.
    network_rng = model.streams["network"]
    groups = [(*household_ties, "household")]
    for firm in model.firms:
        staff = np.flatnonzero(pt.present[: pt.n] & (pt.employer[: pt.n] == firm.index))
        k = min(round(p.coworker_ties), staff.size - 1)
        if k > 0:
            others = staff[_choose_others(network_rng, staff.size, k)]
            groups.append((np.repeat(staff, k), others.ravel(), "work"))
    groups.append((*friend_pairs(model, pt.resident_rows()), "friend"))
    model.network.tie_groups(groups)


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
    All of ``rows`` are served at once: a Poisson number of friends each, drawn uniformly from the age window.
    """
    model.network.tie_many(*friend_pairs(model, rows), "friend")


def friend_pairs(model: MunicipalityModel, rows: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The friendships :func:`make_friends` makes, as arrays ``(row, friend)``, without making them."""
    rng = model.streams["network"]
    pt = model.persons
    sorted_rows, sorted_ages = _friend_pool(model)
    rows = np.asarray(rows, dtype=np.int64)
    none = np.empty(0, dtype=np.int64)
    if sorted_rows.size < 2 or rows.size == 0:
        return none, none
    age = pt.age[rows].astype(np.int64)
    lo = np.searchsorted(sorted_ages, age - 5, side="left")
    hi = np.searchsorted(sorted_ages, age + 5, side="right")
    keep = (age >= 10) & (hi - lo >= 2)
    rows, lo, hi = rows[keep], lo[keep], hi[keep]
    count = rng.poisson(model.params.friends_per_person / 2, size=rows.size)
    who = np.repeat(np.arange(rows.size), count)
    if who.size == 0:
        return none, none
    others = sorted_rows[rng.integers(lo[who], hi[who])]
    present = pt.present[others]
    return rows[who][present], others[present]
