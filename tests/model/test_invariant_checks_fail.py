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
