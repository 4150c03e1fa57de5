"""The agents: Person, Household and Firm (Mesa 3.5 agents).

Persons and households keep their state in the model's column stores (:mod:`resilience.model.state`) so that
yearly hazards are computed for everyone at once; the agent objects are the handles a researcher works with.
Each event that happens to an agent goes through a method of its class (``die``, ``emigrate``, ``leave_home``,
``close`` …), so a subclass can change what an event does::

    class StubbornPerson(Person):
        def emigrate(self) -> None:
            if self.age >= 60:   # older islanders stay whatever the hazard said
                return
            super().emigrate()

    model = MunicipalityModel(scenario, person_class=StubbornPerson)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from resilience.model.firms import BASIC_SECTORS
from resilience.model.state import NO_ROW, OUTSIDE_EMPLOYER, Sex, Status

if TYPE_CHECKING:
    from resilience.model.model import MunicipalityModel

__all__ = ["Firm", "Household", "Person"]


class Person(mesa.Agent["MunicipalityModel"]):
    """A resident. Attributes are views of row ``row`` of ``model.persons``.

    >>> class CautiousPerson(Person):
    ...     def emigrate(self) -> None:   # e.g. log, or veto, before the household leaves
    ...         super().emigrate()
    >>> model = MunicipalityModel(scenario, 1, person_class=CautiousPerson)   # doctest: +SKIP
    """

    def __init__(self, model: MunicipalityModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    # -- state --------------------------------------------------------------------------------------
    @property
    def age(self) -> int:
        return int(self.model.persons.age[self.row])

    @property
    def sex(self) -> Sex:
        return Sex(int(self.model.persons.sex[self.row]))

    @property
    def status(self) -> Status:
        return Status(int(self.model.persons.status[self.row]))

    @property
    def household(self) -> Household:
        household: Household = self.model.household_agents[int(self.model.persons.household[self.row])]
        return household

    @property
    def employer(self) -> Firm | None:
        firm = int(self.model.persons.employer[self.row])
        return None if firm < 0 else self.model.firms[firm]

    @property
    def works_remotely(self) -> bool:
        return int(self.model.persons.employer[self.row]) == OUTSIDE_EMPLOYER

    @property
    def born_here(self) -> bool:
        return bool(self.model.persons.born_here[self.row])

    @property
    def years_here(self) -> int:
        return int(self.model.persons.years_here[self.row])

    @property
    def ties(self) -> int:
        """Number of social ties to other residents."""
        return int(self.model.persons.ties[self.row])

    # -- events -------------------------------------------------------------------------------------
    def die(self) -> None:
        """The person dies; the household keeps its dwelling unless it is now empty."""
        self.model.remove_person(self.row, emigrated=False)

    def emigrate(self) -> None:
        """The person moves out of the municipality alone (young adults leaving the parental home)."""
        self.model.remove_person(self.row, emigrated=True)

    def leave_home(self) -> None:
        """The person moves from the parental home to a vacant dwelling in the municipality, if there is one."""
        self.model.form_household([self.row])

    def lose_job(self) -> None:
        """Displacement: the person is laid off or the employer closes."""
        persons = self.model.persons
        persons.employer[self.row] = NO_ROW
        persons.status[self.row] = Status.UNEMPLOYED
        persons.displaced_year[self.row] = self.model.year

    def retire(self) -> None:
        """The person retires from the labour force."""
        self._leave_labour_force(Status.RETIRED)

    def become_disabled(self) -> None:
        """The person leaves the labour force on a disability pension."""
        self._leave_labour_force(Status.DISABLED)

    def _leave_labour_force(self, status: Status) -> None:
        persons = self.model.persons
        firm = int(persons.employer[self.row])
        persons.employer[self.row] = NO_ROW
        persons.status[self.row] = status
        if firm >= 0:
            self.model.firms[firm].note_departure()


class Household(mesa.Agent["MunicipalityModel"]):
    """A household: members who live together in one dwelling and migrate together.

    >>> model = MunicipalityModel(scenario, 1, household_class=MyHousehold)   # doctest: +SKIP
    >>> model.household_agents[0].members                                      # doctest: +SKIP
    """

    def __init__(self, model: MunicipalityModel, row: int) -> None:
        super().__init__(model)
        self.row = row
        self.members: list[int] = []

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def owner(self) -> bool:
        return bool(self.model.households.owner[self.row])

    @property
    def dwelling(self) -> int:
        return int(self.model.households.dwelling[self.row])

    def persons(self) -> list[Person]:
        """The member agents, in the order they joined."""
        agents = self.model.person_agents
        return [agents[r] for r in self.members]

    def emigrate(self) -> None:
        """The whole household moves out of the municipality."""
        for row in list(self.members):
            self.model.remove_person(row, emigrated=True)


class Firm(mesa.Agent["MunicipalityModel"]):
    """An employer: sector, target number of jobs, open or closed.

    ``nonresident_workers`` are jobs held by people who do not live here (commuters, weekly or seasonal
    workers); they are the first to go when the firm shrinks.

    >>> model = MunicipalityModel(scenario, 1, firm_class=MyFirm)   # doctest: +SKIP
    >>> [(f.name, f.target_jobs) for f in model.firms if f.open]   # doctest: +SKIP
    """

    def __init__(
        self,
        model: MunicipalityModel,
        index: int,
        name: str,
        sector: str,
        jobs: int,
        *,
        cornerstone: bool = False,
        founded: int | None = None,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.sector = sector
        self.target_jobs = float(jobs)
        self.initial_jobs = jobs
        self.cornerstone = cornerstone
        self.open = True
        self.founded = founded
        self.nonresident_workers = 0
        #: Whether labour demand (multiplier, demography) moves this firm's target; new small firms keep theirs.
        self.responsive = founded is None
        #: Share of vacancies recruited from outside before residents are considered (a new employer's plan).
        self.outside_hiring_share = 0.0

    @property
    def is_basic(self) -> bool:
        """Basic (exporting) firms bring money in; their jobs drive the local multiplier."""
        return self.sector in BASIC_SECTORS

    def note_departure(self) -> None:
        """A worker left the job (retired, disabled, died, moved); the vacancy is filled in the next hiring."""

    def close(self) -> None:
        """The firm closes: every job goes, every resident employee is displaced."""
        self.open = False
        self.target_jobs = 0.0
        self.nonresident_workers = 0
        self.model.lay_off(self, count=None)

    def reduce(self, jobs: int) -> None:
        """The firm lays off ``jobs`` jobs (non-resident workers first)."""
        self.target_jobs = max(0.0, self.target_jobs - jobs)
        self.model.lay_off(self, count=jobs)
