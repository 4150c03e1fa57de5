"""The municipality's own demography, estimated from SSB 07459 up to the base year, on the real data."""

from __future__ import annotations

import numpy as np
import pytest

from resilience.data import age_totals, population_series
from resilience.model import Parameters
from resilience.model import local_demography as ld
from resilience.model.local_demography import (
    AGE_GROUPS,
    LocalDemography,
    cohort_residual,
    estimate_local_demography,
    national_death_probability,
)


@pytest.mark.parametrize(("code", "year"), [("1835", 2013), ("1834", 2010), ("1804", 2018), ("0301", 2022)])
def test_cohort_residual_is_the_observed_change_minus_births_and_deaths(code, year):
    """Net migration (the residual) = change in residents − newborns + expected deaths, to the person."""
    q = national_death_probability(Parameters())
    before, after = age_totals(year)[code], age_totals(year + 1)[code]
    net, exposed = cohort_residual(before, after, q)
    change = int(population_series(code)[year + 1]) - int(population_series(code)[year])
    newborns = int(after[0])
    deaths = float((before * q).sum())
    assert net.sum() == pytest.approx(change - newborns + deaths, abs=1e-6)
    assert net[0] == 0.0 and exposed[0] == 0.0
    assert (exposed[1:] >= 0).all()


def test_the_open_age_group_keeps_its_survivors():
    net, _ = cohort_residual(np.array([0, 4, 10]), np.array([0, 0, 12]), np.array([0.0, 0.5, 0.5]))
    # 4 × 0.5 reach the open group and 10 × 0.5 stay in it: 7 expected, 12 counted.
    assert net.tolist() == [0.0, 0.0, 5.0]


def test_estimates_read_no_year_after_the_base_year(monkeypatch):
    """The backtest's premise: an estimate for a base year never reads a later year's counts."""
    read: list[int] = []

    def recording(year: int) -> dict[str, np.ndarray]:
        read.append(year)
        return age_totals(year)

    ld._window.cache_clear()
    ld._estimate.cache_clear()
    monkeypatch.setattr(ld, "age_totals", recording)
    try:
        estimate = estimate_local_demography("1834", 2014)
    finally:
        ld._window.cache_clear()
        ld._estimate.cache_clear()
    assert read and max(read) == 2014 and min(read) == 2009
    assert estimate.period == (2009, 2014)


def test_large_municipalities_keep_their_own_estimates_and_small_ones_lean_on_their_class():
    bodo = estimate_local_demography("1804", 2014)  # ≈ 50 000 residents
    utsira = estimate_local_demography("1151", 2014)  # ≈ 200
    assert all(0.0 <= w <= 1.0 for w in (*bodo.own_weight, *utsira.own_weight))
    assert np.mean(bodo.own_weight) > 0.6 > 0.2 > np.mean(utsira.own_weight)
    assert bodo.fertility_weight > utsira.fertility_weight
    # A volatile small municipality's level is far less certain than a large one's.
    assert utsira.level_sd > bodo.level_sd >= 0.002


def test_a_large_municipality_reproduces_its_own_newborns():
    """With its own weight ≈ 1, the fertility factor gives back the newborns it was estimated from."""
    params = Parameters()
    window = ld._window(2014, params)
    assert window is not None
    i = window.codes.index("0301")
    estimate = estimate_local_demography("0301", 2014)
    assert estimate.fertility_weight > 0.99
    assert estimate.fertility_factor * window.expected_births[i] == pytest.approx(window.newborns[i], rel=0.01)


def test_young_adults_leave_remote_municipalities_and_move_to_cities():
    group_20_24 = next(i for i, (first, _) in enumerate(AGE_GROUPS) if first == 20)
    assert estimate_local_demography("1835", 2014).net_migration[group_20_24] < -0.02  # Træna
    assert estimate_local_demography("0301", 2014).net_migration[group_20_24] > 0.05  # Oslo


def test_without_an_earlier_year_or_under_a_new_code_the_national_schedules_are_used():
    assert estimate_local_demography("1835", 2005) == LocalDemography.national()
    # Indre Fosen (5054) exists from 2018: a window 2013–2018 under that code does not.
    assert estimate_local_demography("5054", 2018) == LocalDemography.national()


def test_docstring_examples():
    import doctest

    from resilience.data import population

    for module in (ld, population):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__
