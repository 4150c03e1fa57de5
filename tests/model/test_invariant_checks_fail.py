"""The invariant checks themselves catch broken states (a check that cannot fail would prove nothing)."""

from __future__ import annotations

import pytest

from resilience.model import MunicipalityModel
from resilience.model.state import Status
from resilience.testing import InvariantError, check_model_invariants
from tests.conftest import traena_variant


@pytest.fixture
def model() -> MunicipalityModel:
    m = MunicipalityModel(traena_variant(horizon=2030), seed=2)
    m.step()
    check_model_invariants(m)
    return m


def test_detects_employment_at_a_closed_firm(model):
    firm = model.firm_named("Fiskeoppdrett")
    firm.open = False
    firm.nonresident_workers = 0
    with pytest.raises(InvariantError, match="closed firm"):
        check_model_invariants(model)


def test_detects_two_households_in_one_dwelling(model):
    households = model.households
    present = [r for r in range(households.n) if households.present[r]]
    households.dwelling[present[1]] = households.dwelling[present[0]]
    with pytest.raises(InvariantError, match="dwelling"):
        check_model_invariants(model)


def test_detects_a_negative_age(model):
    model.persons.age[model.persons.resident_rows()[0]] = -1
    with pytest.raises(InvariantError, match="negative age"):
        check_model_invariants(model)


def test_detects_a_resident_outside_any_household(model):
    row = int(model.persons.resident_rows()[0])
    household = model.household_agents[int(model.persons.household[row])]
    household.members.remove(row)
    with pytest.raises(InvariantError):
        check_model_invariants(model)


def test_detects_tie_counts_out_of_step_with_the_network(model):
    row = int(model.persons.resident_rows()[0])
    model.persons.ties[row] += 1
    with pytest.raises(InvariantError, match="tie counts"):
        check_model_invariants(model)


def test_detects_a_departed_person_still_in_the_network(model):
    row = int(model.persons.resident_rows()[-1])
    model.persons.present[row] = False
    model.persons.status[row] = Status.RETIRED
    with pytest.raises(InvariantError):
        check_model_invariants(model)


def test_detects_a_tie_recorded_at_one_end_only(model):
    from bisect import insort

    residents = model.persons.resident_rows().tolist()
    a = residents[0]
    b = next(r for r in residents[1:] if not model.network.has_tie(a, r))
    insort(model.network._adj[a], b << 3)  # a one-sided "tie", with the tie count kept in step
    model.network._csr = None
    model.persons.ties[a] += 1
    with pytest.raises(InvariantError, match="symmetric"):
        check_model_invariants(model)


def test_detects_more_workers_than_jobs(model):
    firm = next(f for f in model.firms if f.open and model.employees()[f.index] > 0)
    firm.target_jobs = float(model.employees()[firm.index] - 1)
    with pytest.raises(InvariantError, match="more workers than jobs"):
        check_model_invariants(model)


def test_detects_non_resident_workers_beyond_the_jobs(model):
    firm = next(f for f in model.firms if f.open)
    firm.nonresident_workers = round(firm.target_jobs) + 1
    with pytest.raises(InvariantError, match="more workers than jobs"):
        check_model_invariants(model)


def test_detects_an_employer_for_someone_not_employed(model):
    pt = model.persons
    row = int(next(r for r in pt.resident_rows() if pt.status[r] == Status.EMPLOYED))
    pt.status[row] = Status.UNEMPLOYED
    with pytest.raises(InvariantError, match="employer and labour status"):
        check_model_invariants(model)


def test_detects_an_employed_person_without_employer(model):
    pt = model.persons
    row = int(next(r for r in pt.resident_rows() if pt.status[r] == Status.EMPLOYED))
    pt.employer[row] = -1
    with pytest.raises(InvariantError, match="employer and labour status"):
        check_model_invariants(model)


def test_detects_a_dwelling_occupied_by_a_departed_household(model):
    from resilience.testing import check_dwellings

    dwellings, households = model.dwellings, model.households
    gone = [r for r in range(households.n) if not households.present[r]]
    vacant = [r for r in range(dwellings.n) if dwellings.occupant[r] < 0]
    if not gone:  # no household has left yet: mark one as departed, keeping its dwelling
        gone = [next(r for r in range(households.n) if households.present[r])]
        households.present[gone[0]] = False
    else:
        dwellings.occupant[vacant[0]] = gone[0]
    with pytest.raises(InvariantError, match="household that is gone"):
        check_dwellings(model)
    with pytest.raises(InvariantError):
        check_model_invariants(model)


def test_detects_one_household_in_two_dwellings(model):
    from resilience.testing import check_dwellings

    dwellings, households = model.dwellings, model.households
    vacant = next(r for r in range(dwellings.n) if dwellings.occupant[r] < 0)
    dwellings.occupant[vacant] = next(r for r in range(households.n) if households.present[r])
    with pytest.raises(InvariantError, match="two dwellings"):
        check_dwellings(model)
    with pytest.raises(InvariantError):
        check_model_invariants(model)
