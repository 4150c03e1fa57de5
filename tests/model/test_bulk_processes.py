"""The vectorised construction and in-migration: what each bulk step must guarantee."""

from __future__ import annotations

import numpy as np
import pytest

from resilience.model import Household, MunicipalityModel, Person, Sex, Status
from resilience.model.initialisation import _choose_others, _couples, household_pairs, make_friends
from resilience.model.migration import in_migration, move_in
from resilience.testing import check_model_invariants


def test_household_pairs_are_every_pair_within_each_household():
    starts = np.array([10, 11, 14, 16], dtype=np.int64)
    sizes = np.array([1, 3, 2, 4], dtype=np.int64)
    a, b = household_pairs(starts, sizes)
    got = sorted(zip(a.tolist(), b.tolist(), strict=True))
    expected = sorted(
        (s + i, s + j)
        for s, n in zip(starts.tolist(), sizes.tolist(), strict=True)
        for i in range(n)
        for j in range(i + 1, n)
    )
    assert got == expected


@pytest.mark.parametrize(("size", "k"), [(2, 1), (3, 2), (9, 2), (65, 2), (500, 3)])
def test_choose_others_draws_distinct_others(size, k):
    others = _choose_others(np.random.default_rng(1), size, k)
    assert others.shape == (size, k)
    assert (others != np.arange(size)[:, None]).all()
    assert all(len(set(row)) == k for row in others.tolist())
    assert others.min() >= 0 and others.max() < size


def test_couples_pair_women_with_free_men_in_the_age_window():
    rng = np.random.default_rng(4)
    ages = rng.integers(0, 95, size=3000)
    female = rng.random(3000) < 0.5
    wives, husbands = _couples(rng, ages, female, 0.6)
    assert np.unique(husbands).size == husbands.size  # a man is taken once
    assert female[wives].all() and not female[husbands].any()
    gap = ages[husbands] - ages[wives]
    assert ((gap >= -8) & (gap <= 12)).all()
    assert (ages[wives] >= 20).all() and (ages[wives] < 80).all() and (ages[husbands] >= 18).all()
    eligible = int((female & (ages >= 20) & (ages < 80)).sum())
    assert 0.5 * eligible < wives.size <= 0.65 * eligible


def test_initial_households_have_heads_first_and_children_with_a_parent_old_enough(traena):
    model = MunicipalityModel(traena, seed=11)
    pt = model.persons
    for household in model.household_agents:
        assert household is not None
        members = np.asarray(household.members)
        assert (np.diff(members) == 1).all()  # created together, in household order
        children = members[pt.with_parents[members]]
        adults = members[~pt.with_parents[members]]
        if children.size:
            assert adults.size and int(pt.age[adults].max()) >= int(pt.age[children].max()) + 18
    check_model_invariants(model)


def test_make_friends_ties_only_residents_of_about_the_same_age(traena):
    model = MunicipalityModel(traena, seed=2)
    pt = model.persons
    before = pt.ties.copy()
    rows = pt.resident_rows()[:50]
    make_friends(model, rows)
    gained = rows[pt.ties[rows] > before[rows]]
    assert gained.size > 0
    for row in gained.tolist():
        friends = [f for f in model.network.neighbours(row) if model.network.kind(row, f) == "friend"]
        assert friends
        assert all(abs(int(pt.age[f]) - int(pt.age[row])) <= 5 for f in friends)


def test_in_migration_stops_when_the_dwellings_run_out(traena):
    model = MunicipalityModel(traena, seed=5)
    model.diaspora = 5000.0  # many return migrants want to come
    vacant = model.dwellings.vacant_available().size
    assert vacant > 0
    households = int(model.households.present[: model.households.n].sum())
    in_migration(model)
    assert model.dwellings.vacant_available().size == 0
    assert int(model.households.present[: model.households.n].sum()) == households + vacant
    assert model.flows["in_migrants"] >= vacant
    assert model.flows["return_migrants"] + model.flows["remote_migrants"] <= model.flows["in_migrants"]
    check_model_invariants(model)


def test_in_migrant_households_are_heads_partners_and_children(traena):
    model = MunicipalityModel(traena, seed=6)
    model.add_dwellings(400)
    model.diaspora = 2000.0
    first = model.persons.n
    in_migration(model)
    pt = model.persons
    heads = []
    for hh_row in np.unique(pt.household[first : pt.n]).tolist():
        household = model.household_agents[hh_row]
        assert household is not None
        members = household.members
        heads.append(members[0])
        assert not pt.with_parents[members[:2]].any()
        if len(members) >= 2:
            assert pt.sex[members[0]] != pt.sex[members[1]]
            assert abs(int(pt.age[members[0]]) - int(pt.age[members[1]])) <= 4 or int(pt.age[members[1]]) in (18, 90)
        for child in members[2:]:
            assert pt.with_parents[child] and pt.status[child] in (Status.CHILD, Status.STUDENT)
            assert int(pt.age[child]) <= int(pt.age[members[0]]) - 20
    heads_arr = np.asarray(heads)
    returning = heads_arr[pt.born_here[heads_arr]]
    assert ((pt.age[returning] >= 25) & (pt.age[returning] < 55)).all()
    assert model.flows["in_migrants"] == pt.n - first
    check_model_invariants(model)


def test_move_in_keeps_its_single_household_signature(traena):
    model = MunicipalityModel(traena, seed=7)
    model.add_dwellings(1)
    head = move_in(model, kind="amenity", composition="family", head_age=40)
    assert head is not None
    household = model.household_agents[int(model.persons.household[head])]
    assert household is not None and household.members[0] == head and 3 <= household.size <= 4
    assert model.persons.sex[household.members[1]] == 1 - model.persons.sex[head]
    firm = model.firms[0]
    firm.target_jobs += 1  # a vacancy for the recruit: the plant is fully staffed at the start
    model.add_dwellings(1)
    recruit = move_in(model, kind="job", firm=firm, colleagues=np.array([0, 1, 2], dtype=np.int64))
    assert recruit is not None and model.persons.employer[recruit] == firm.index
    assert model.flows["job_migrants"] >= 1
    while model.take_vacant_dwelling() is not None:
        move_in(model, kind="remote")
    assert move_in(model, kind="remote") is None
    check_model_invariants(model)


def test_births_join_the_mother_and_are_tied_to_every_member(traena):
    model = MunicipalityModel(traena, seed=8)
    first = model.persons.n
    model.step()
    pt = model.persons
    babies = np.arange(first, pt.n)[pt.age[first : pt.n] == 0]
    babies = babies[pt.present[babies]]
    for baby in babies.tolist():
        household = model.household_agents[int(pt.household[baby])]
        assert household is not None
        others = set(household.members) - {baby}
        assert others <= set(model.network.neighbours(baby))
        assert pt.sex[baby] in (Sex.MALE, Sex.FEMALE)


def test_same_seed_same_run_after_bulk_changes(traena):
    a = MunicipalityModel(traena, seed=13, horizon=2030).run()
    b = MunicipalityModel(traena, seed=13, horizon=2030).run()
    assert a.to_csv().encode() == b.to_csv().encode()


def test_first_vacant_available_is_the_lowest_vacancy(traena):
    model = MunicipalityModel(traena, seed=1)
    model.add_dwellings(5000)
    dwellings = model.dwellings
    for _ in range(3):
        vacant = dwellings.vacant_available()
        assert model.take_vacant_dwelling() == int(vacant[0])
        dwellings.occupant[: int(vacant[0]) + 1500] = np.where(
            dwellings.occupant[: int(vacant[0]) + 1500] < 0, 10**6, dwellings.occupant[: int(vacant[0]) + 1500]
        )
    dwellings.available[:] = False
    assert model.take_vacant_dwelling() is None


class _SamePerson(Person):
    """Overrides the events in name only: every death and move goes through the agents one by one."""

    def die(self) -> None:
        super().die()

    def emigrate(self) -> None:
        super().emigrate()


class _SameHousehold(Household):
    def emigrate(self) -> None:
        super().emigrate()


def _state(model: MunicipalityModel) -> tuple[object, ...]:
    pt, hh = model.persons, model.households
    indptr, indices = model.network.adjacency()
    return (
        model.results().to_csv(),
        tuple(getattr(pt, c)[: pt.n].tobytes() for c in ("present", "household", "employer")),
        # Of those who left, neither count is read again (one by one, they can differ by the order of leaving).
        pt.ties[pt.resident_rows()].tobytes(),
        pt.friends_left[pt.resident_rows()].tobytes(),
        hh.present[: hh.n].tobytes(),
        model.dwellings.available[: model.dwellings.n].tobytes(),
        indptr.tobytes(),
        indices.tobytes(),
        [None if h is None else list(h.members) for h in model.household_agents],
        model.diaspora,
        len(model.agents),
    )


def test_bulk_deaths_and_moves_equal_the_agents_one_by_one(traena):
    """Deaths and emigration run in bulk only while the agents' event methods are the defaults; the bulk path
    leaves exactly the state the one-by-one path does (network, households, dwellings, diaspora, Mesa agents)."""
    bulk = MunicipalityModel(traena, seed=21, horizon=2034)
    one_by_one = MunicipalityModel(
        traena, seed=21, horizon=2034, person_class=_SamePerson, household_class=_SameHousehold
    )
    assert bulk.default_removal and not one_by_one.default_removal
    bulk.run()
    one_by_one.run()
    assert _state(bulk) == _state(one_by_one)
    check_model_invariants(bulk)


def test_an_override_of_emigrate_is_honoured(traena):
    class Stayer(Household):
        def emigrate(self) -> None:  # nobody in a household ever leaves together
            pass

    rows = MunicipalityModel(traena, seed=5, horizon=2030, household_class=Stayer).run()
    default = MunicipalityModel(traena, seed=5, horizon=2030).run()
    assert rows["out_migrants"].sum() < default["out_migrants"].sum()


def test_hire_many_is_hire_one_by_one(traena):
    a = MunicipalityModel(traena, seed=2)
    b = MunicipalityModel(traena, seed=2)
    firm_a, firm_b = a.firms[1], b.firms[1]
    staff = np.flatnonzero(a.persons.employer[: a.persons.n] == firm_a.index)
    seekers = np.flatnonzero(a.persons.present[: a.persons.n] & (a.persons.employer[: a.persons.n] < 0))[:5]
    a.hire_many(firm_a, seekers, staff)
    for row in seekers.tolist():
        b.hire(firm_b, row, staff)
    assert a.network.adjacency()[1].tobytes() == b.network.adjacency()[1].tobytes()
    assert (a.persons.employer == b.persons.employer).all() and a.flows["hired"] == b.flows["hired"] == 5
