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
    age = pt.age[residents].astype(np.int64)
    sex = pt.sex[residents].astype(np.int64)

    # Both draws come from the same year-start population so their order does not bias either.
    u_death = rng.random(residents.size)
    u_birth = rng.random(residents.size)
    dies = u_death < model.death_probability[sex, np.minimum(age, MAX_AGE)]
    mothers = residents[(sex == Sex.FEMALE) & ~dies & (u_birth < model.birth_probability[np.minimum(age, MAX_AGE)])]

    for row in residents[dies].tolist():
        agent = model.person_agents[row]
        assert agent is not None
        agent.die()

    for mother in mothers.tolist():
        household = int(pt.household[mother])
        boy = rng.random() < model.params.share_boys_at_birth
        rows = model.add_persons(
            np.array([0]),
            np.array([Sex.MALE if boy else Sex.FEMALE]),
            household,
            born_here=True,
            with_parents=np.array([True]),
        )
        hh = model.household_agents[household]
        assert hh is not None
        for member in hh.members:
            model.network.tie(int(rows[0]), member, "household")
    model.flows["births"] += int(mothers.size)

    # Ageing (newborns are 0 on 1 January of next year, so they are not aged).
    survivors = residents[~dies]
    pt.age[survivors] = np.minimum(pt.age[survivors] + 1, MAX_AGE)
    _enter_labour_market(model, survivors)
    _leave_home(model)


def _enter_labour_market(model: MunicipalityModel, rows: np.ndarray) -> None:
    pt = model.persons
    age = pt.age[rows]
    status = pt.status[rows]
    pt.status[rows[(age == 16) & (status == Status.CHILD)]] = Status.STUDENT
    entering = rows[(age == 20) & (pt.status[rows] == Status.STUDENT)]
    joins = model.streams["demography"].random(entering.size) < model.params.participation_rate
    pt.status[entering[joins]] = Status.UNEMPLOYED
    pt.status[entering[~joins]] = Status.OUT_OF_LABOUR_FORCE


def _leave_home(model: MunicipalityModel) -> None:
    """Residents 18–34 living with parents form their own household here, if a dwelling is vacant."""
    rng = model.streams["demography"]
    pt = model.persons
    residents = pt.resident_rows()
    age = pt.age[residents]
    candidates = residents[pt.with_parents[residents] & (age >= 18) & (age <= 34)]
    leaving = candidates[rng.random(candidates.size) < model.params.leave_home_hazard]
    for row in leaving.tolist():
        if model.dwellings.vacant_available().size == 0:
            break
        agent = model.person_agents[row]
        assert agent is not None
        agent.leave_home()
