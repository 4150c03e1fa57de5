"""The municipality model: one Mesa model, one step per year.

Each year, in this fixed order (MODEL.md):

1. scheduled events: closures and layoffs of the scenario's shocks, then interventions;
2. demography: deaths, births, ageing, young adults leaving the parental home;
3. labour demand: basic jobs from the scenario, local-service jobs through the local multiplier, public jobs
   from the numbers of children and elderly;
4. layoffs and hiring: residents first, then commuters, then recruitment from outside (which brings a
   household, if a dwelling is vacant);
5. labour-force exits: retirement, disability (raised after displacement);
6. out-migration of households and of young adults (age profile × unemployment/displacement × ties × home
   ownership × attractiveness);
7. in-migration: return migrants, amenity-led and remote workers, limited by vacant dwellings;
8. new firms (entrepreneurship) and exits of young firms;
9. the municipal budget;
10. data collection: one row per year (see :data:`resilience.model.outputs.COLUMNS`).

Usage::

    >>> from resilience.config import load_scenario
    >>> scenario = load_scenario("scenarios/traena.yaml")      # doctest: +SKIP
    >>> model = MunicipalityModel(scenario, seed=1)             # doctest: +SKIP
    >>> model.run()                                             # doctest: +SKIP
    >>> model.results().population.iloc[0]                      # doctest: +SKIP
    442
"""

from __future__ import annotations

import contextlib
import gc
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import mesa
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from resilience.config import Scenario
from resilience.data import Population, municipality_population
from resilience.model import budget, demography, firms, labour, migration
from resilience.model.agents import Firm, Household, Person
from resilience.model.initialisation import build_initial_state
from resilience.model.interventions import Intervention
from resilience.model.network import SocialNetwork
from resilience.model.outputs import COLUMNS, collect_year, demographic_stocks
from resilience.model.parameters import Parameters, fertility_by_age, mortality_by_age, move_rate_by_age
from resilience.model.state import NO_ROW, DwellingTable, HouseholdTable, PersonTable, Status

__all__ = ["PROCESS_NAMES", "MunicipalityModel", "YearlyProcess"]

#: A yearly process: a function of the model, run once a year at its place in the schedule.
YearlyProcess = Callable[["MunicipalityModel"], None]

#: The named points of the yearly schedule, in order.
PROCESS_NAMES: tuple[str, ...] = (
    "events",
    "demography",
    "labour_demand",
    "hiring",
    "labour_exits",
    "out_migration",
    "in_migration",
    "new_firms",
    "budget",
)

#: Random streams, one per process, so that a change in one process (an intervention) does not shift the
#: random numbers another process draws: common random numbers stay aligned across strategies.
_STREAMS = ("init", "demography", "labour", "migration", "in_migration", "firms", "network", "events", "housing")


def _inherits(cls: type, base: type, *names: str) -> bool:
    """Whether ``cls`` uses ``base``'s own implementation of every method in ``names`` (no override)."""
    return all(getattr(cls, name) is getattr(base, name) for name in names)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while agents are created in bulk.

    Each agent is a container object, so creating a hundred thousand of them triggers collections that rescan
    every live object (about a fifth of the cost of creating the agents); nothing created here is garbage.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class MunicipalityModel(mesa.Model):
    """One municipality, person by person, year by year.

    Args:
        scenario: a validated scenario (:func:`resilience.config.load_scenario`).
        seed: a root seed or a :class:`numpy.random.SeedSequence`; every random number of the run flows from it.
        parameters: parameter values (default: the scenario's ``parameters`` over the defaults).
        population: the initial population (default: SSB 07459 for the scenario's municipality and base year).
        person_class: the agent class of persons (a subclass of the default).
        household_class: the agent class of households (a subclass of the default).
        firm_class: the agent class of firms (a subclass of the default).
        horizon: last simulated year (default: the scenario's ``run.horizon``).
        extra_processes: more yearly processes, by the schedule point (:data:`PROCESS_NAMES`) they run after.
        interventions: the strategy's interventions (:mod:`resilience.levers` builds them from a scenario).

    >>> from resilience.config import load_scenario
    >>> model = MunicipalityModel(load_scenario("scenarios/traena.yaml"), seed=1, horizon=2030)  # doctest: +SKIP
    >>> rows = model.run()              # one row a year: resilience.model.COLUMNS   # doctest: +SKIP
    >>> rows[["year", "population", "employed"]].tail(2)                              # doctest: +SKIP
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int | np.random.SeedSequence = 0,
        *,
        parameters: Parameters | None = None,
        population: Population | None = None,
        person_class: type[Person] = Person,
        household_class: type[Household] = Household,
        firm_class: type[Firm] = Firm,
        horizon: int | None = None,
        extra_processes: Mapping[str, Sequence[YearlyProcess]] | None = None,
        interventions: Sequence[Intervention] = (),
    ) -> None:
        seed_sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self.seed_sequence = seed_sequence
        children = seed_sequence.spawn(len(_STREAMS) + 1)
        super().__init__(rng=np.random.default_rng(children[0]))
        self.streams: dict[str, np.random.Generator] = {
            name: np.random.default_rng(child) for name, child in zip(_STREAMS, children[1:], strict=True)
        }
        self.config = scenario
        if parameters is None:
            parameters = Parameters().replace(**{k: float(v) for k, v in scenario.parameters.items()})
        self.params = parameters
        self.person_class = person_class
        self.household_class = household_class
        self.firm_class = firm_class
        #: Whether deaths and emigration run in bulk (:meth:`remove_persons`): true unless a subclass overrides an
        #: event method they go through (``Person.die``/``emigrate``/``remove``, ``Household.emigrate``/``remove``,
        #: ``Firm.note_departure`` or the model's own removal methods); then every death and move goes through
        #: those methods one agent at a time, so the override is honoured.
        self.default_removal = (
            _inherits(person_class, Person, "die", "emigrate", "remove")
            and _inherits(household_class, Household, "emigrate", "remove")
            and _inherits(firm_class, Firm, "note_departure")
            and _inherits(type(self), MunicipalityModel, "remove_person", "_leave_household", "_dissolve_household")
        )
        self.base_year = scenario.municipality.base_year
        self.horizon = scenario.run.horizon if horizon is None else horizon
        self.year = self.base_year
        self.interventions: list[Intervention] = list(interventions)
        self.reset_modifiers()
        self.extra_processes: dict[str, list[YearlyProcess]] = {
            name: list(funcs) for name, funcs in (extra_processes or {}).items()
        }
        unknown = sorted(set(self.extra_processes) - set(PROCESS_NAMES))
        if unknown:
            raise ValueError(f"unknown schedule point(s) {unknown}; choose from {list(PROCESS_NAMES)}")

        # Schedules derived from the parameters, by single-year age.
        p = self.params
        self.death_probability = np.stack(
            [
                mortality_by_age(p.life_expectancy_male, p.gompertz_slope, p.makeham_constant),
                mortality_by_age(p.life_expectancy_female, p.gompertz_slope, p.makeham_constant),
            ]
        )
        self.birth_probability = fertility_by_age(p.total_fertility_rate)
        self.move_probability = move_rate_by_age(p.out_migration_scale)
        #: The same by ``[sex, age]``, with young women's and men's factors (see resilience.model.migration).
        self.move_rate_by_sex = migration.move_rates_by_sex(self.move_probability, p.young_women_move_factor)

        self.persons = PersonTable()
        self.households = HouseholdTable()
        self.dwellings = DwellingTable()
        self.person_agents: list[Person | None] = []
        self.household_agents: list[Household | None] = []
        self.firms: list[Firm] = []
        self.network = SocialNetwork(self.persons)
        #: Residents 10+ sorted by age, for drawing friends; rebuilt lazily once a year.
        self.friend_pool: tuple[NDArray[np.int64], NDArray[np.int16]] | None = None

        self.flows: dict[str, int] = {}
        self._reset_flows()
        self.diaspora = 0.0
        self.budget: dict[str, float] = {}
        #: This year's intervention costs by payer (NOK); levers add to it, the budget charges the municipality.
        self.intervention_costs: dict[str, float] = {}
        self.records: list[dict[str, Any]] = []
        self.reporters: dict[str, Callable[[MunicipalityModel], float]] = {}

        if population is None:
            population = municipality_population(scenario.municipality.kommunenummer, self.base_year)
        self.initial_population = population
        with _collector_paused():
            build_initial_state(self, population)
        self.reference = labour.LabourReference.measure(self)
        self.migration_norm = migration.normalising_factor(self)
        self.budget_fixed_cost = 0.0  # set by the budget process in the base year
        self._shocks_by_year: dict[int, list[Any]] = {}
        for shock in scenario.shocks:
            self._shocks_by_year.setdefault(shock.year, []).append(shock)

    # ----------------------------------------------------------------------------------------------
    # The schedule
    # ----------------------------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one year (1 January of ``year`` to 1 January of ``year + 1``)."""
        start = demographic_stocks(self)
        self._reset_flows()
        self.friend_pool = None
        self.intervention_costs = {}
        self._run("events", self.apply_scheduled_events)
        self._run("demography", demography.step)
        self._run("labour_demand", labour.update_demand)
        self._run("hiring", labour.layoffs_and_hiring)
        self._run("labour_exits", labour.exits)
        self._run("out_migration", migration.out_migration)
        self._run("in_migration", migration.in_migration)
        self._run("new_firms", firms.step)
        self._run("budget", budget.step)
        self.records.append(collect_year(self, start))
        self.persons.years_here[self.persons.resident_rows()] += 1
        self.year += 1
        if self.year > self.horizon:
            self.running = False

    def _run(self, name: str, process: YearlyProcess) -> None:
        process(self)
        for extra in self.extra_processes.get(name, ()):
            extra(self)

    def run(self) -> pd.DataFrame:
        """Simulate every year from the base year to the horizon and return :meth:`results`."""
        # Paused collector: a run allocates many short-lived agents and arrays but makes no garbage cycles of
        # its own, and each collection would rescan every live agent (a tenth of a small run's time).
        with _collector_paused():
            while self.running:
                self.step()
        return self.results()

    def results(self) -> pd.DataFrame:
        """One row per simulated year (see :mod:`resilience.model.outputs`)."""
        records = self.records
        keys = list(records[0]) if records else []
        if records and all(list(r) == keys for r in records):
            # Column by column: the same frame as from_records, built in about half the time.
            # The model's own columns are numbers, so numpy arrays (faster for pandas than lists); a
            # reporter's values are left for pandas to infer (strings stay objects).
            return pd.DataFrame(
                {k: np.array([r[k] for r in records]) if k in COLUMNS else [r[k] for r in records] for k in keys}
            )
        return pd.DataFrame.from_records(records)

    def reset_modifiers(self) -> None:
        """Yearly modifiers back to the scenario's values; active interventions change them again each year.

        ``attractiveness`` divides out-migration and multiplies amenity in-migration; ``entrepreneurship``
        multiplies the new-firm rate; ``remote_work`` multiplies remote-worker in-migration; ``commuting_share`` is
        the yearly chance that an unemployed resident finds a job within commuting reach and the share of
        vacancies commuters fill (islands: none); ``island`` says whether there is no fixed link.
        """
        self.island = self.config.municipality.island
        self.commuting_share = self.config.municipality.commuting_share or 0.0
        self.attractiveness = 1.0
        self.entrepreneurship = 1.0
        self.remote_work = 1.0

    def apply_scheduled_events(self, model: MunicipalityModel | None = None) -> None:
        """Interventions act on the year, then the shocks scheduled for it strike (closures, layoffs)."""
        self.reset_modifiers()
        for intervention in self.interventions:
            intervention.apply(self)
        for shock in self._shocks_by_year.get(self.year, ()):
            firm = self.firm_named(shock.employer)
            if not firm.open:
                continue
            if shock.type == "closure":
                if not any(i.on_closure(self, firm) for i in self.interventions):
                    firm.close()
            else:
                firm.reduce(int(shock.jobs))

    def lever_rng(self, key: str) -> np.random.Generator:
        """A random stream for one intervention, the same under every strategy of a replication.

        Keyed by the lever's name and position, so that e.g. whether a new employer comes is drawn alike in
        every strategy that includes it (common random numbers), without disturbing the model's own streams.
        """
        digest = zlib.crc32(key.encode("utf-8"))
        return np.random.default_rng(
            np.random.SeedSequence(self.seed_sequence.entropy, spawn_key=(*self.seed_sequence.spawn_key, 7919, digest))
        )

    def book_cost(self, amount_nok: float, shares: Mapping[str, float]) -> None:
        """Add an intervention's cost for this year, split between payers (shares sum to 1)."""
        for payer, share in shares.items():
            self.intervention_costs[payer] = self.intervention_costs.get(payer, 0.0) + amount_nok * share

    def firm_named(self, name: str) -> Firm:
        """The firm called ``name`` (case-insensitive); raises KeyError."""
        for firm in self.firms:
            if firm.name.casefold() == name.casefold():
                return firm
        raise KeyError(name)

    # ----------------------------------------------------------------------------------------------
    # Book-keeping used by the processes and the agents
    # ----------------------------------------------------------------------------------------------
    def _reset_flows(self) -> None:
        self.flows = dict.fromkeys(
            (
                "births",
                "deaths",
                "in_migrants",
                "out_migrants",
                "return_migrants",
                "job_migrants",
                "remote_migrants",
                "displaced",
                "hired",
                "retired",
                "disabled",
                "new_firms",
                "firm_exits",
            ),
            0,
        )

    @property
    def population(self) -> int:
        """Current number of residents."""
        return int(np.count_nonzero(self.persons.present[: self.persons.n]))

    def add_persons(
        self,
        ages: NDArray[np.integer[Any]],
        sexes: NDArray[np.integer[Any]],
        household: int | NDArray[np.integer[Any]],
        *,
        born_here: bool | NDArray[np.bool_],
        status: NDArray[np.integer[Any]] | None = None,
        with_parents: NDArray[np.bool_] | None = None,
    ) -> NDArray[np.int64]:
        """Create resident persons and return their rows (consecutive, in the order given).

        ``household`` is one household row for all of them or one row per person; ``born_here`` likewise.
        One agent of ``person_class`` is created per person and appended to its household's members.
        """
        rows = self.persons.add(len(ages))
        pt = self.persons
        pt.present[rows] = True
        pt.age[rows] = ages
        pt.sex[rows] = sexes
        pt.household[rows] = household
        pt.born_here[rows] = born_here
        if status is not None:
            pt.status[rows] = status
        if with_parents is not None:
            pt.with_parents[rows] = with_parents
        row_list = rows.tolist()
        person_class = self.person_class
        with _collector_paused():
            self.person_agents.extend([person_class(self, row) for row in row_list])
        if row_list:
            self.network.add_persons(row_list[0], len(row_list))
        agents = self.household_agents
        if np.ndim(household) == 0:
            hh = agents[int(household)]
            assert hh is not None
            hh.members.extend(row_list)
        else:
            for row, hh_row in zip(row_list, np.asarray(household).tolist(), strict=True):
                agents[hh_row].members.append(row)
        return rows

    def add_household(self, dwelling: int, *, owner: bool) -> int:
        """Create a household living in ``dwelling`` and return its row."""
        return int(self.add_households(np.array([dwelling], dtype=np.int64), owner=np.array([owner]))[0])

    def add_households(self, dwellings: NDArray[np.integer[Any]], *, owner: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Create one household in each of ``dwellings`` (vacant) and return their rows."""
        rows = self.households.add(len(dwellings))
        self.households.present[rows] = True
        self.households.dwelling[rows] = dwellings
        self.households.owner[rows] = owner
        self.dwellings.occupant[dwellings] = rows
        household_class = self.household_class
        with _collector_paused():
            self.household_agents.extend([household_class(self, row) for row in rows.tolist()])
        return rows

    def add_dwellings(self, count: int, *, available: bool = True) -> NDArray[np.int64]:
        """Build ``count`` vacant dwellings."""
        rows = self.dwellings.add(count)
        self.dwellings.available[rows] = available
        return rows

    def remove_person(self, row: int, *, emigrated: bool) -> None:
        """A resident dies (``emigrated=False``) or moves out; the flows are counted here, once."""
        pt = self.persons
        if not pt.present[row]:
            return
        pt.present[row] = False
        self.flows["out_migrants" if emigrated else "deaths"] += 1
        if emigrated and pt.born_here[row]:
            self.diaspora += 1.0
        firm = int(pt.employer[row])
        if firm >= 0:
            self.firms[firm].note_departure()
        pt.employer[row] = NO_ROW
        self._leave_household(row)
        self.network.remove_person(row, emigrated=emigrated)
        agent = self.person_agents[row]
        if agent is not None:
            agent.remove()
            self.person_agents[row] = None

    def remove_persons(self, rows: NDArray[np.integer[Any]], *, emigrated: bool) -> None:
        """Many residents die or move out at once: the same as :meth:`remove_person` for each of ``rows`` in
        turn (rows distinct; those no longer resident are skipped), with Python run per household, not per tie.

        Households emptied are dissolved in the order their last member leaves, one ``housing`` draw each, as
        one by one. Only valid while the agents' removal hooks are the defaults (:attr:`default_removal`).
        """
        pt = self.persons
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[pt.present[rows]]
        count = int(rows.size)
        if not count:
            return
        pt.present[rows] = False
        self.flows["out_migrants" if emigrated else "deaths"] += count
        if emigrated:
            # One at a time, as remove_person adds them: the diaspora is a float, and sums must not round apart.
            for _ in range(int(pt.born_here[rows].sum())):
                self.diaspora += 1.0
        pt.employer[rows] = NO_ROW

        # Households: group the leavers by household; those whose every member leaves are dissolved.
        rows_list = rows.tolist()
        leavers: dict[int, list[int]] = {}
        last_leaves: dict[int, int] = {}
        for position, (row, h) in enumerate(zip(rows_list, pt.household[rows].tolist(), strict=True)):
            leavers.setdefault(h, []).append(row)
            last_leaves[h] = position
        agents = self.household_agents
        emptied: list[tuple[int, int]] = []
        for h, leaving in leavers.items():
            household = agents[h]
            assert household is not None
            if len(leaving) == len(household.members):
                emptied.append((last_leaves[h], h))  # dissolved when its last member (in order) leaves
            else:
                gone = set(leaving)
                household.members[:] = [m for m in household.members if m not in gone]
        if emptied:
            emptied.sort()
            dissolved = np.array([h for _, h in emptied], dtype=np.int64)
            households, dwellings = self.households, self.dwellings
            households.present[dissolved] = False
            vacated = households.dwelling[dissolved].astype(np.int64)
            households.dwelling[dissolved] = NO_ROW
            dwellings.occupant[vacated] = NO_ROW
            draws = self.streams["housing"].random(dissolved.size)
            dwellings.available[vacated] = draws < self.params.vacated_dwelling_available
            for h in dissolved.tolist():
                household = agents[h]
                assert household is not None
                household.members.clear()
                household.remove()
                agents[h] = None

        self.network.remove_persons(rows, emigrated=emigrated)
        person_agents = self.person_agents
        for row in rows_list:
            agent = person_agents[row]
            if agent is not None:
                agent.remove()
                person_agents[row] = None

    def _leave_household(self, row: int) -> None:
        """Take person ``row`` off their household's member list; an emptied household is dissolved."""
        hh_row = int(self.persons.household[row])
        household = self.household_agents[hh_row]
        assert household is not None
        household.members.remove(row)
        if not household.members:
            self._dissolve_household(hh_row)

    def _dissolve_household(self, hh_row: int) -> None:
        households, dwellings = self.households, self.dwellings
        households.present[hh_row] = False
        dwelling = int(households.dwelling[hh_row])
        households.dwelling[hh_row] = NO_ROW
        dwellings.occupant[dwelling] = NO_ROW
        # Part of the dwellings left behind become holiday homes or are kept unused (NIBR 2014:1).
        available = self.streams["housing"].random() < self.params.vacated_dwelling_available
        dwellings.available[dwelling] = bool(available)
        agent = self.household_agents[hh_row]
        if agent is not None:
            agent.remove()
            self.household_agents[hh_row] = None

    def take_vacant_dwelling(self) -> int | None:
        """The lowest-numbered vacant available dwelling, or None."""
        return self.dwellings.first_vacant_available()

    def form_household(self, rows: Sequence[int]) -> int | None:
        """Move residents ``rows`` out of their households into a vacant dwelling here; None if none free."""
        dwelling = self.take_vacant_dwelling()
        if dwelling is None:
            return None
        pt = self.persons
        new = self.add_household(dwelling, owner=False)
        new_agent = self.household_agents[new]
        assert new_agent is not None
        for row in rows:
            self._leave_household(row)
            pt.household[row] = new
            pt.with_parents[row] = False
            new_agent.members.append(row)
        return new

    def employees(self) -> NDArray[np.int64]:
        """Resident employees per firm (array indexed by firm index)."""
        pt = self.persons
        employer = pt.employer[: pt.n]
        mask = pt.present[: pt.n] & (employer >= 0)
        return np.bincount(employer[mask], minlength=len(self.firms)).astype(np.int64)

    def lay_off(self, firm: Firm, count: int | None) -> None:
        """Lay off ``count`` workers of ``firm`` (all if None), non-resident workers first."""
        if count is None:
            firm.nonresident_workers = 0
        else:
            from_outside = min(count, firm.nonresident_workers)
            firm.nonresident_workers -= from_outside
            count -= from_outside
            if count <= 0:
                return
        pt = self.persons
        staff = np.flatnonzero(pt.present[: pt.n] & (pt.employer[: pt.n] == firm.index))
        if count is not None and count < staff.size:
            staff = np.sort(self.streams["labour"].choice(staff, size=count, replace=False))
        for row in staff.tolist():
            agent = self.person_agents[row]
            assert agent is not None
            agent.lose_job()
            self.flows["displaced"] += 1

    def hire(self, firm: Firm, row: int, colleagues: NDArray[np.int64]) -> None:
        """Resident ``row`` takes a job at ``firm`` and gets ties to a few of its ``colleagues``."""
        self.hire_many(firm, np.array([row], dtype=np.int64), colleagues)

    def hire_many(self, firm: Firm, rows: NDArray[np.int64], colleagues: NDArray[np.int64]) -> None:
        """Residents ``rows`` take jobs at ``firm``: the same as :meth:`hire` for each in turn, with the same
        ``colleagues`` (those hired together are not tied to one another)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not rows.size:
            return
        pt = self.persons
        pt.employer[rows] = firm.index
        pt.status[rows] = Status.EMPLOYED
        pt.sector[rows] = firms.sector_code(firm.sector)
        self.flows["hired"] += int(rows.size)
        n = colleagues.size
        k = min(round(self.params.coworker_ties), n)
        if k:
            # k distinct colleagues each, uniformly: the j-th is uniform among the n − j not yet chosen, and
            # steps over those already chosen in ascending order. (A few hires at a time: plain Python.)
            u = self.streams["network"].random(rows.size * k).tolist()
            picks: list[int] = []
            for i in range(rows.size):
                chosen: list[int] = []
                for j in range(k):
                    index = int(u[i * k + j] * (n - j))
                    for taken in sorted(chosen):
                        index += index >= taken
                    chosen.append(index)
                picks.extend(chosen)
            self.network.tie_many(np.repeat(rows, k), colleagues[np.array(picks, dtype=np.int64)], "work")
