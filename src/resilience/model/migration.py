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

from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from resilience.model.labour import DISPLACEMENT_YEARS
from resilience.model.parameters import MAX_AGE, MOVE_RATES_2004
from resilience.model.state import OUTSIDE_EMPLOYER, Sex, Status

if TYPE_CHECKING:
    from resilience.model.agents import Firm
    from resilience.model.model import MunicipalityModel

__all__ = ["in_migration", "move_in", "normalising_factor", "out_migration"]

MAX_TIES_COUNTED = 10


def _modifiers(model: MunicipalityModel, residents: NDArray[np.int64]) -> NDArray[np.float64]:
    p = model.params
    pt = model.persons
    hh = pt.household[residents]
    sizes = np.bincount(hh, minlength=model.households.n)[hh]
    outside_ties = np.clip(pt.ties[residents] - (sizes - 1), 0, MAX_TIES_COUNTED)
    factor = np.exp(-p.tie_retention * outside_ties)
    factor = np.where(model.households.owner[hh], factor * p.owner_migration_factor, factor)
    status = pt.status[residents]
    displaced = (model.year - pt.displaced_year[residents]) < DISPLACEMENT_YEARS
    # Those in work or in education/retraining are not counted as hit by unemployment or displacement.
    hit = (status == Status.UNEMPLOYED) | (displaced & (status != Status.EMPLOYED) & (status != Status.STUDENT))
    factor = np.where(hit, factor * p.displaced_migration_factor, factor)
    factor = factor * (1.0 + p.friend_left_factor * pt.friends_left[residents])
    return np.asarray(factor, dtype=np.float64)


def _age_sex_rate(model: MunicipalityModel, residents: NDArray[np.int64]) -> NDArray[np.float64]:
    pt = model.persons
    age = np.minimum(pt.age[residents].astype(np.int64), MAX_AGE)
    rate = model.move_probability[age]
    young = (age >= 15) & (age <= 29)
    women = young & (pt.sex[residents] == Sex.FEMALE)
    f = model.params.young_women_move_factor
    # Men get the factor that keeps the mean of the two sexes unchanged: (f + m) / 2 = 1.
    rate = np.where(women, rate * f, np.where(young, rate * (2.0 - f), rate))
    return np.asarray(rate, dtype=np.float64)


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
    hazard = _age_sex_rate(model, residents) * _modifiers(model, residents)
    hazard = np.minimum(hazard / (model.migration_norm * model.attractiveness), 0.95)
    pt.friends_left[residents] = 0

    u_person = rng.random(residents.size)
    alone = pt.with_parents[residents] & (pt.age[residents] >= 16)
    hh = pt.household[residents].astype(np.int64)
    adult = ~pt.with_parents[residents]
    weight = np.where(adult, 1.0, 0.0)
    # Households of only children (their parents died) fall back to all members.
    n_adults = np.bincount(hh, weights=weight, minlength=model.households.n)
    weight = np.where(n_adults[hh] > 0, weight, 1.0)
    household_hazard = np.bincount(hh, weights=weight * hazard, minlength=model.households.n) / np.maximum(
        np.bincount(hh, weights=weight, minlength=model.households.n), 1e-12
    )
    present_households = np.flatnonzero(model.households.present[: model.households.n])
    u_household = rng.random(present_households.size)
    leaving_households = present_households[u_household < household_hazard[present_households]]

    for row in residents[alone & (u_person < hazard)].tolist():
        if pt.present[row]:
            agent = model.person_agents[row]
            assert agent is not None
            agent.emigrate()
    for hh_row in leaving_households.tolist():
        household = model.household_agents[hh_row]
        if household is not None:
            household.emigrate()


def _in_mover_ages(model: MunicipalityModel, size: int) -> NDArray[np.int64]:
    # Heads of in-moving households are 20–64, distributed like the national age profile of moves.
    rng = model.streams["in_migration"]
    group_rates = np.asarray(MOVE_RATES_2004[4:13], dtype=float)
    groups = rng.choice(group_rates.size, size=size, p=group_rates / group_rates.sum())
    return np.asarray(20 + 5 * groups + rng.integers(0, 5, size=size), dtype=np.int64)


def move_in(
    model: MunicipalityModel,
    *,
    kind: Literal["job", "return", "amenity", "remote"],
    firm: Firm | None = None,
    colleagues: NDArray[np.int64] | None = None,
    head_age: int | None = None,
    composition: Literal["single", "couple", "family"] | None = None,
) -> int | None:
    """A household moves in if a dwelling is vacant; returns the row of its head (None if no dwelling).

    The household is one person, a couple or a couple with children (``in_migrant_*_share``, unless
    ``composition`` says which). The head of a
    job-led household is hired by ``firm``; the head of a remote-worker household keeps a job elsewhere.
    """
    from resilience.model.initialisation import make_friends

    dwelling = model.take_vacant_dwelling()
    if dwelling is None:
        return None
    rng = model.streams["in_migration"]
    p = model.params
    if head_age is None:
        head_age = int(_in_mover_ages(model, 1)[0])
    head_sex = int(rng.integers(0, 2))
    ages = [head_age]
    sexes = [head_sex]
    u = rng.random()
    if composition is not None:
        u = {"single": 0.0, "couple": p.in_migrant_single_share, "family": 1.0}[composition]
    if u >= p.in_migrant_single_share:
        ages.append(int(np.clip(head_age + rng.integers(-4, 5), 18, 90)))
        sexes.append(1 - head_sex)
        if u >= 1.0 - p.in_migrant_family_share and head_age >= 22:
            for _ in range(int(rng.integers(1, 3))):
                ages.append(int(rng.integers(0, min(head_age - 20, 17) + 1)))
                sexes.append(int(rng.integers(0, 2)))
    ages_arr = np.array(ages, dtype=np.int64)
    status = np.where(
        ages_arr < 16,
        Status.CHILD,
        np.where(ages_arr < 20, Status.STUDENT, np.where(ages_arr >= 67, Status.RETIRED, Status.UNEMPLOYED)),
    )
    with_parents = np.zeros(ages_arr.size, dtype=bool)
    with_parents[2:] = True
    owner = bool(rng.random() < p.home_ownership_rate / 2)  # newcomers rent more often than settled households
    hh = model.add_household(dwelling, owner=owner)
    rows = model.add_persons(
        ages_arr, np.array(sexes), hh, born_here=(kind == "return"), status=status, with_parents=with_parents
    )
    model.network.tie_all(rows.tolist(), "household")
    head = int(rows[0])
    if kind == "job" and firm is not None:
        model.hire(firm, head, colleagues if colleagues is not None else np.empty(0, dtype=np.int64))
    elif kind == "remote":
        model.persons.employer[head] = OUTSIDE_EMPLOYER
        model.persons.status[head] = Status.EMPLOYED
    make_friends(model, rows)
    model.flows["in_migrants"] += int(rows.size)
    key = {"job": "job_migrants", "return": "return_migrants", "remote": "remote_migrants"}.get(kind)
    if key:
        model.flows[key] += int(rows.size)
    return head


def in_migration(model: MunicipalityModel) -> None:
    """Return migrants, amenity-led households and remote workers move in while dwellings are vacant.

    (Job-led moves happen during hiring.) The diaspora of emigrants born here shrinks by ageing out of the
    25–54 window at ``diaspora_ageing`` a year and grows with every native who emigrates.
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
    kinds: tuple[Literal["return", "amenity", "remote"], ...] = ("return", "amenity", "remote")
    # Arrivals come in a random order, so that when dwellings run out no kind is always last in the queue.
    arrivals = rng.permutation(np.repeat(np.arange(3), [returners, amenity, remote]))
    for kind in (kinds[int(i)] for i in arrivals):
        head_age = int(rng.integers(25, 55)) if kind == "return" else None
        if move_in(model, kind=kind, head_age=head_age) is None:
            break
