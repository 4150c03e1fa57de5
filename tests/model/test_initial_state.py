"""The model starts from SSB's real population, at real single-year ages and sexes."""

from __future__ import annotations

import numpy as np

from resilience.data import municipality_population
from resilience.model import MunicipalityModel, Status
from resilience.testing import check_model_invariants
from tests.conftest import traena_variant


def test_traena_2024_starts_with_real_population(traena):
    model = MunicipalityModel(traena, seed=3)
    pt = model.persons
    residents = pt.resident_rows()
    assert residents.size == 442
    assert int((pt.sex[residents] == 0).sum()) == 237
    assert int((pt.sex[residents] == 1).sum()) == 205
    real = municipality_population("1835", 2024)
    males = np.bincount(pt.age[residents][pt.sex[residents] == 0], minlength=106)
    females = np.bincount(pt.age[residents][pt.sex[residents] == 1], minlength=106)
    np.testing.assert_array_equal(males, real.males)
    np.testing.assert_array_equal(females, real.females)
    check_model_invariants(model)


def test_traena_2013_starts_with_506():
    model = MunicipalityModel(traena_variant(shock=False, base_year=2013, horizon=2016), seed=1)
    assert model.population == 506


def test_initial_labour_market_is_plausible(traena):
    model = MunicipalityModel(traena, seed=5)
    pt = model.persons
    residents = pt.resident_rows()
    status = pt.status[residents]
    employed = int((status == Status.EMPLOYED).sum())
    jobs = sum(f.initial_jobs for f in model.firms)
    # Every job is held by a resident or a non-resident worker; most residents of working age work.
    assert employed + sum(f.nonresident_workers for f in model.firms) == jobs
    working_age = int(((pt.age[residents] >= 20) & (pt.age[residents] <= 66)).sum())
    assert 0.6 < employed / working_age < 0.9
    assert (pt.status[residents][pt.age[residents] < 16] == Status.CHILD).all()
    cornerstone = model.firm_named("Fiskeindustri")
    assert cornerstone.cornerstone and cornerstone.open


def test_households_hold_children_with_adults(traena):
    model = MunicipalityModel(traena, seed=9)
    pt = model.persons
    for household in model.household_agents:
        if household is None:
            continue
        ages = pt.age[household.members]
        if (ages < 16).any():
            assert (ages >= 18).any(), "a child lives without an adult at the start"


def test_pyramid_columns_hold_the_real_base_year_population(traena):
    from resilience.model.outputs import PYRAMID_GROUPS, pyramid_column

    frame = MunicipalityModel(traena, seed=1, horizon=2026).run()
    real = municipality_population("1835", 2024)
    first = frame.iloc[0]
    for i, start in enumerate(PYRAMID_GROUPS):
        end = None if i == len(PYRAMID_GROUPS) - 1 else start + 5
        assert first[pyramid_column("m", start)] == real.males[start:end].sum()
        assert first[pyramid_column("f", start)] == real.females[start:end].sum()
    columns = [c for c in frame.columns if c.startswith("pyramid_")]
    assert (frame[columns].sum(axis=1) == frame["population"]).all()
