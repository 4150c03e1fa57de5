"""Demography: deaths, births, ageing, entry into the labour market, young adults leaving home.

Hazards are drawn for every resident at once; Python runs only for those an event happens to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from resilience.model.parameters import MAX_AGE
from resilience.model.state import Sex, Status

if TYPE_CHECKING:
    from resilience.model.model import MunicipalityModel

__all__ = ["step"]


def step(model: MunicipalityModel) -> None:
    """One demographic year: deaths and births at 1 January ages, then everyone alive gets a year older."""
    rng = model.streams["demography"]
    pt = model.persons
    residents = pt.resident_rows()
    age = np.minimum(pt.age[residents], MAX_AGE)
    sex = pt.sex[residents]

    # Both draws come from the same year-start population so their order does not bias either.
    u_death = rng.random(residents.size)
    u_birth = rng.random(residents.size)
    dies = u_death < model.death_probability[sex, age]
    mothers = residents[(sex == Sex.FEMALE) & ~dies & (u_birth < model.birth_probability[age])]

    if model.default_removal:
        model.remove_persons(residents[dies], emigrated=False)
    else:
        for row in residents[dies].tolist():
            agent = model.person_agents[row]
            assert agent is not None
            agent.die()

    # Newborns join their mothers' households, all at once, each tied to every member (twins included).
    if mothers.size:
        households = pt.household[mothers].astype(np.int64)
        boy = rng.random(mothers.size) < model.params.share_boys_at_birth
        babies = model.add_persons(
            np.zeros(mothers.size, dtype=np.int64),
            np.where(boy, Sex.MALE, Sex.FEMALE),
            households,
            born_here=True,
            with_parents=np.ones(mothers.size, dtype=bool),
        )
        agents = model.household_agents
        members = [agents[h].members for h in households.tolist()]
        model.network.tie_many(
            np.repeat(babies, [len(m) for m in members]),
            np.fromiter((r for m in members for r in m), dtype=np.int64),
            "household",
        )
    model.flows["births"] += int(mothers.size)

    # Ageing (newborns are 0 on 1 January of next year, so they are not aged).
    lives = ~dies
    survivors = residents[lives]
    new_age = np.minimum(age[lives] + 1, MAX_AGE)
    pt.age[survivors] = new_age
    _enter_labour_market(model, survivors, new_age)
    _leave_home(model, survivors, new_age)


def _enter_labour_market(model: MunicipalityModel, rows: np.ndarray, age: np.ndarray) -> None:
    """Residents ``rows`` (of ``age``) turning 16 become students; at 20 they join the labour force or not."""
    pt = model.persons
    status = pt.status[rows]
    pt.status[rows[(age == 16) & (status == Status.CHILD)]] = Status.STUDENT
    entering = rows[(age == 20) & (status == Status.STUDENT)]  # none of them was changed just above
    joins = model.streams["demography"].random(entering.size) < model.params.participation_rate
    pt.status[entering[joins]] = Status.UNEMPLOYED
    pt.status[entering[~joins]] = Status.OUT_OF_LABOUR_FORCE


def _leave_home(model: MunicipalityModel, residents: np.ndarray, age: np.ndarray) -> None:
    """Residents 18–34 living with parents form their own household here, if a dwelling is vacant.

    ``residents`` (of ``age``) are this year's survivors: the newborns, the only other residents, are too young.
    """
    rng = model.streams["demography"]
    pt = model.persons
    candidates = residents[pt.with_parents[residents] & (age >= 18) & (age <= 34)]
    leaving = candidates[rng.random(candidates.size) < model.params.leave_home_hazard]
    if leaving.size == 0:
        return
    vacant = model.dwellings.vacant_available().size
    for row in leaving.tolist():
        # Each move takes one vacant dwelling; recount only when the count says they may have run out.
        if vacant <= 0 and (vacant := model.dwellings.vacant_available().size) == 0:
            break
        vacant -= 1
        agent = model.person_agents[row]
        assert agent is not None
        agent.leave_home()
