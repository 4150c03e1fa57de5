"""Migration: households and young adults moving out; job-led, return, amenity and remote in-migration.

Out-migration hazard of a resident (all residents at once)::

    h = move_rate(age) × young_women_factor × exp(−tie_retention × min(ties outside household, 10))
        × owner_factor[owns] × displaced_factor[unemployed or displaced] × (1 + friend_left_factor × ties who left)
        / attractiveness / norm

``move_rate`` is the national 2004 age profile scaled by ``out_migration_scale``; ``norm`` is the mean of the
modifiers over the base-year population, so that the modifiers redistribute moves between persons but the
base-year gross rate matches the evidence. Young adults (16+) living with their parents decide alone; every
other household moves as one, with the mean hazard of its adults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from resilience.model.initialisation import make_friends
from resilience.model.labour import DISPLACEMENT_YEARS
from resilience.model.parameters import MAX_AGE, MOVE_RATES_2004
from resilience.model.state import OUTSIDE_EMPLOYER, Sex, Status

if TYPE_CHECKING:
    from resilience.model.agents import Firm
    from resilience.model.model import MunicipalityModel

__all__ = [
    "in_migration",
    "move_in",
    "move_rates_by_sex",
    "normalising_factor",
    "out_migration",
    "recruit_households",
]

MAX_TIES_COUNTED = 10


def _modifiers(
    model: MunicipalityModel, residents: NDArray[np.int64], hh: NDArray[np.integer[Any]] | None = None
) -> NDArray[np.float64]:
    p = model.params
    pt = model.persons
    if hh is None:
        hh = pt.household[residents]
    sizes = np.bincount(hh, minlength=model.households.n)[hh]
    outside_ties = np.minimum(np.maximum(pt.ties[residents] - (sizes - 1), 0), MAX_TIES_COUNTED)
    factor = np.exp(-p.tie_retention * outside_ties)
    # Each factor multiplies in place (× 1 where it does not apply): the same numbers as choosing per person.
    factor *= np.where(model.households.owner[hh], p.owner_migration_factor, 1.0)
    status = pt.status[residents]
    displaced = (model.year - pt.displaced_year[residents]) < DISPLACEMENT_YEARS
    # Those in work or in education/retraining are not counted as hit by unemployment or displacement.
    hit = (status == Status.UNEMPLOYED) | (displaced & (status != Status.EMPLOYED) & (status != Status.STUDENT))
    factor *= np.where(hit, p.displaced_migration_factor, 1.0)
    factor *= 1.0 + p.friend_left_factor * pt.friends_left[residents]
    return factor


def move_rates_by_sex(move_probability: NDArray[np.float64], young_women_factor: float) -> NDArray[np.float64]:
    """The move rate by ``[sex, age]``: ``move_probability`` by age, times ``young_women_factor`` for women
    15–29 and ``2 − young_women_factor`` for men of those ages (so the mean of the two sexes is unchanged)."""
    ages = np.arange(move_probability.size)
    young = (ages >= 15) & (ages <= 29)
    rates = np.empty((2, move_probability.size))
    rates[Sex.MALE] = np.where(young, move_probability * (2.0 - young_women_factor), move_probability)
    rates[Sex.FEMALE] = np.where(young, move_probability * young_women_factor, move_probability)
    rates.flags.writeable = False
    return rates


def _age_sex_rate(model: MunicipalityModel, residents: NDArray[np.int64]) -> NDArray[np.float64]:
    pt = model.persons
    rate: NDArray[np.float64] = model.move_rate_by_sex[pt.sex[residents], np.minimum(pt.age[residents], MAX_AGE)]
    return rate


def normalising_factor(model: MunicipalityModel) -> float:
    """Mean of the out-migration modifiers over the base-year population (see module docstring)."""
    residents = model.persons.resident_rows()
    if residents.size == 0:
        return 1.0
    return float(_modifiers(model, residents).mean())


def out_migration(model: MunicipalityModel) -> None:
    """Young adults leave alone; households leave together."""
    rng = model.streams["migration"]
    pt = model.persons
    residents = pt.resident_rows()
    hh = pt.household[residents].astype(np.int64)
    hazard = _age_sex_rate(model, residents) * _modifiers(model, residents, hh)
    hazard = np.minimum(hazard / (model.migration_norm * model.attractiveness), 0.95)
    pt.friends_left[residents] = 0

    u_person = rng.random(residents.size)
    with_parents = pt.with_parents[residents]
    alone = with_parents & (pt.age[residents] >= 16)
    weight = np.where(with_parents, 0.0, 1.0)  # adults
    # Households of only children (their parents died) fall back to all members.
    n_adults = np.bincount(hh, weights=weight, minlength=model.households.n)
    weight = np.where(n_adults[hh] > 0, weight, 1.0)
    household_hazard = np.bincount(hh, weights=weight * hazard, minlength=model.households.n) / np.maximum(
        np.bincount(hh, weights=weight, minlength=model.households.n), 1e-12
    )
    present_households = np.flatnonzero(model.households.present[: model.households.n])
    u_household = rng.random(present_households.size)
    leaving_households = present_households[u_household < household_hazard[present_households]]

    leaving_alone = residents[alone & (u_person < hazard)]
    if model.default_removal:
        # Everyone in the order the agents' methods would remove them: those leaving alone, then each
        # leaving household's remaining members.
        leaving = set(leaving_alone.tolist())
        agents = model.household_agents
        members = [
            row
            for hh_row in leaving_households.tolist()
            if (household := agents[hh_row]) is not None
            for row in household.members
            if row not in leaving
        ]
        model.remove_persons(np.concatenate([leaving_alone, np.array(members, dtype=np.int64)]), emigrated=True)
        return
    for row in leaving_alone.tolist():
        if pt.present[row]:
            agent = model.person_agents[row]
            assert agent is not None
            agent.emigrate()
    for hh_row in leaving_households.tolist():
        household = model.household_agents[hh_row]
        if household is not None:
            household.emigrate()


#: Cumulative shares of the 5-year groups 20–24 … 60–64 among heads of in-moving households.
_HEAD_GROUP_CDF = np.cumsum(np.asarray(MOVE_RATES_2004[4:13], dtype=float)) / float(sum(MOVE_RATES_2004[4:13]))
#: Labour status of a newcomer by single-year age.
_STATUS_BY_AGE = np.select(
    [np.arange(MAX_AGE + 1) < 16, np.arange(MAX_AGE + 1) < 20, np.arange(MAX_AGE + 1) >= 67],
    [Status.CHILD, Status.STUDENT, Status.RETIRED],
    Status.UNEMPLOYED,
).astype(np.int8)
#: Whether each of the four member slots (head, partner, child, child) lives with parents.
_WITH_PARENTS_SLOT = np.array([False, False, True, True])


def _in_mover_ages(model: MunicipalityModel, size: int) -> NDArray[np.int64]:
    # Heads of in-moving households are 20–64, distributed like the national age profile of moves.
    u = model.streams["in_migration"].random((size, 2))
    groups = np.minimum(np.searchsorted(_HEAD_GROUP_CDF, u[:, 0], side="right"), _HEAD_GROUP_CDF.size - 1)
    return np.asarray(20 + 5 * groups + (u[:, 1] * 5).astype(np.int64), dtype=np.int64)


Kind = Literal["job", "return", "amenity", "remote"]


def _arrive(
    model: MunicipalityModel,
    dwellings: NDArray[np.int64],
    returning: NDArray[np.bool_],
    head_ages: NDArray[np.int64],
    composition: Literal["single", "couple", "family"] | None = None,
) -> NDArray[np.int64]:
    """Households move into ``dwellings`` (one each, vacant), all drawn at once; returns the heads' rows.

    Each household is one person, a couple or a couple with one or two children (``in_migrant_*_share``,
    unless ``composition`` says which); the partner is of the other sex and about the head's age (±4 years,
    18–90); children are 0 to min(head's age − 20, 17). ``returning`` says which households were born here.
    One draw of uniform numbers serves every choice (a fixed column per choice).
    """
    p = model.params
    m = dwellings.size
    draws = model.streams["in_migration"].random((m, 9)).tolist()
    compositions = {"single": 0.0, "couple": p.in_migrant_single_share, "family": 1.0}
    fixed = None if composition is None else compositions[composition]
    single_share, family_from = p.in_migrant_single_share, 1.0 - p.in_migrant_family_share
    owner_share = p.home_ownership_rate / 2  # newcomers rent more often than settled households
    # A few households a year: laid out in plain Python, household by household (head, partner, children).
    ages: list[int] = []
    sexes: list[int] = []
    with_parents: list[bool] = []
    sizes: list[int] = []
    owners: list[bool] = []
    for u, head_age in zip(draws, head_ages.tolist(), strict=True):
        head_sex = 1 if u[0] < 0.5 else 0
        kind_u = u[1] if fixed is None else fixed
        couple = kind_u >= single_share
        family = couple and kind_u >= family_from and head_age >= 22
        size = 1 + couple + (family * (2 if u[3] < 0.5 else 1))
        ages.append(head_age)
        sexes.append(head_sex)
        if couple:
            ages.append(min(max(head_age + int(u[2] * 9) - 4, 18), 90))
            sexes.append(1 - head_sex)
        oldest_child = min(max(head_age - 20, 0), 17) + 1
        for slot in range(2, size):
            ages.append(int(u[2 + slot] * oldest_child))
            sexes.append(1 if u[4 + slot] < 0.5 else 0)
        with_parents.extend([False, False, True, True][:size])
        sizes.append(size)
        owners.append(u[8] < owner_share)

    member_ages = np.array(ages, dtype=np.int64)
    size_arr = np.array(sizes, dtype=np.int64)
    households = model.add_households(dwellings, owner=np.array(owners, dtype=bool))
    rows = model.add_persons(
        member_ages,
        np.array(sexes, dtype=np.int64),
        np.repeat(households, size_arr),
        born_here=np.repeat(returning, size_arr),
        status=_STATUS_BY_AGE[np.minimum(member_ages, MAX_AGE)],
        with_parents=np.array(with_parents, dtype=bool),
    )
    first = int(rows[0])
    starts: list[int] = []
    a: list[int] = []
    b: list[int] = []
    for size in sizes:
        starts.append(first)
        for i in range(first, first + size):
            for j in range(i + 1, first + size):
                a.append(i)
                b.append(j)
        first += size
    if a:
        model.network.tie_many(a, b, "household")
    return np.array(starts, dtype=np.int64)


def move_in(
    model: MunicipalityModel,
    *,
    kind: Kind,
    firm: Firm | None = None,
    colleagues: NDArray[np.int64] | None = None,
    head_age: int | None = None,
    composition: Literal["single", "couple", "family"] | None = None,
) -> int | None:
    """A household moves in if a dwelling is vacant; returns the row of its head (None if no dwelling).

    The household is one person, a couple or a couple with children (``in_migrant_*_share``, unless
    ``composition`` says which). The head of a
    job-led household is hired by ``firm`` (:func:`recruit_households` with one household); the head of a
    remote-worker household keeps a job elsewhere.
    """
    if kind == "job":
        if firm is None:
            raise ValueError("a job-led household needs the firm that hires its head")
        staff = colleagues if colleagues is not None else np.empty(0, dtype=np.int64)
        recruited = recruit_households(model, firm, 1, staff)
        return int(recruited[0]) if recruited.size else None
    dwelling = model.take_vacant_dwelling()
    if dwelling is None:
        return None
    ages = _in_mover_ages(model, 1) if head_age is None else np.array([head_age], dtype=np.int64)
    heads = _arrive(model, np.array([dwelling], dtype=np.int64), np.array([kind == "return"]), ages, composition)
    head = int(heads[0])
    size = model.persons.n - head
    if kind == "remote":
        model.persons.employer[head] = OUTSIDE_EMPLOYER
        model.persons.status[head] = Status.EMPLOYED
    make_friends(model, np.arange(head, head + size, dtype=np.int64))
    model.flows["in_migrants"] += size
    key = {"return": "return_migrants", "remote": "remote_migrants"}.get(kind)
    if key:
        model.flows[key] += size
    return head


def recruit_households(
    model: MunicipalityModel, firm: Firm, count: int, colleagues: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Up to ``count`` job-led households move in (as many as there are vacant dwellings), all drawn at once;
    each head is hired by ``firm`` in turn (so later recruits are tied to earlier ones as colleagues).
    Returns the heads' rows. The same as ``count`` calls of :func:`move_in` with ``kind="job"``, in bulk."""
    vacant = model.dwellings.vacant_available()[:count]
    if vacant.size == 0:
        return np.empty(0, dtype=np.int64)
    first = model.persons.n
    heads = _arrive(model, vacant, np.zeros(vacant.size, dtype=bool), _in_mover_ages(model, vacant.size))
    # Each head is hired with the staff and the heads before it as colleagues (views: no copying per head).
    staff = np.concatenate([colleagues, heads])
    for i, head in enumerate(heads.tolist()):
        model.hire(firm, head, staff[: colleagues.size + i])
    make_friends(model, np.arange(first, model.persons.n, dtype=np.int64))
    size = model.persons.n - first
    model.flows["in_migrants"] += size
    model.flows["job_migrants"] += size
    return heads


def in_migration(model: MunicipalityModel) -> None:
    """Return migrants, amenity-led households and remote workers move in while dwellings are vacant.

    (Job-led moves happen during hiring.) The diaspora of emigrants born here shrinks by ageing out of the
    25–54 window at ``diaspora_ageing`` a year and grows with every native who emigrates.
    Arrivals come in a random order of kinds and take the vacant dwellings lowest-numbered first; those
    left when the dwellings run out do not come. All arriving households are drawn and added at once.
    """
    rng = model.streams["in_migration"]
    p = model.params
    population = model.population
    dwellings = model.dwellings
    unavailable = np.flatnonzero((dwellings.occupant[: dwellings.n] < 0) & ~dwellings.available[: dwellings.n])
    released = model.streams["housing"].random(unavailable.size) < p.dwelling_release_rate
    dwellings.available[unavailable[released]] = True
    returners = int(rng.binomial(int(model.diaspora), p.return_migration_rate))
    amenity = int(rng.poisson(p.amenity_in_migration_rate * population / 1000.0 * model.attractiveness))
    remote = int(rng.poisson(p.remote_worker_in_rate * population / 1000.0 * model.remote_work))
    model.diaspora = max(0.0, model.diaspora * (1 - p.diaspora_ageing) - returners)
    # Arrivals come in a random order, so that when dwellings run out no kind is always last in the queue.
    arrivals = rng.permutation(np.repeat(np.arange(3), [returners, amenity, remote]))
    vacant = dwellings.vacant_available()
    arrivals = arrivals[: vacant.size]
    if arrivals.size == 0:
        return
    head_ages = _in_mover_ages(model, arrivals.size)
    is_return = arrivals == 0
    head_ages[is_return] = rng.integers(25, 55, size=int(is_return.sum()))
    heads = _arrive(model, vacant[: arrivals.size], is_return, head_ages)
    remote_heads = heads[arrivals == 2]
    model.persons.employer[remote_heads] = OUTSIDE_EMPLOYER
    model.persons.status[remote_heads] = Status.EMPLOYED
    make_friends(model, np.arange(int(heads[0]), model.persons.n, dtype=np.int64))
    # Persons moving in by kind of arrival: return, amenity, remote.
    persons = np.bincount(arrivals, weights=np.diff(np.append(heads, model.persons.n)), minlength=3).astype(np.int64)
    model.flows["in_migrants"] += int(persons.sum())
    model.flows["return_migrants"] += int(persons[0])
    model.flows["remote_migrants"] += int(persons[2])
