"""Uncertain parameters: drawn per replication from their stated distributions, reproducibly."""

from __future__ import annotations

import numpy as np
import pytest

from resilience.config import Choice, Normal, Triangular, Uniform
from resilience.experiments import draw_uncertainties

DISTRIBUTIONS = {
    "u": Uniform(distribution="uniform", low=0.2, high=0.4),
    "t": Triangular(distribution="triangular", low=1.0, mode=1.3, high=1.6),
    "n": Normal(distribution="normal", mean=1.0, sd=0.5, low=0.8, high=1.1),
    "c": Choice(distribution="choice", values=[0.5, 1.0, 2.0], weights=[0, 1, 3]),
}


@pytest.fixture(scope="module")
def draws() -> dict[str, np.ndarray]:
    rows = [draw_uncertainties(DISTRIBUTIONS, root_seed=3, replication=r) for r in range(2000)]
    return {name: np.array([row[name] for row in rows]) for name in DISTRIBUTIONS}


def test_values_stay_in_their_distributions(draws):
    assert ((draws["u"] >= 0.2) & (draws["u"] <= 0.4)).all()
    assert ((draws["t"] >= 1.0) & (draws["t"] <= 1.6)).all()
    assert ((draws["n"] >= 0.8) & (draws["n"] <= 1.1)).all()  # a normal with bounds is truncated, not clipped
    assert set(np.unique(draws["c"])) == {1.0, 2.0}  # weight 0 is never drawn


def test_shapes_are_those_stated(draws):
    assert abs(draws["u"].mean() - 0.3) < 0.01
    assert abs(draws["t"].mean() - (1.0 + 1.3 + 1.6) / 3) < 0.01
    assert abs((draws["c"] == 2.0).mean() - 0.75) < 0.03
    # Truncation keeps the normal shape: no pile-up at the bounds.
    assert (draws["n"] == 0.8).sum() == 0 and (draws["n"] == 1.1).sum() == 0


def test_draws_are_reproducible_and_differ_between_replications():
    a = draw_uncertainties(DISTRIBUTIONS, root_seed=3, replication=7)
    assert a == draw_uncertainties(DISTRIBUTIONS, root_seed=3, replication=7)
    assert a != draw_uncertainties(DISTRIBUTIONS, root_seed=3, replication=8)
    assert a != draw_uncertainties(DISTRIBUTIONS, root_seed=4, replication=7)


def test_adding_an_uncertainty_does_not_change_the_others():
    fewer = {k: v for k, v in DISTRIBUTIONS.items() if k != "c"}
    for replication in range(5):
        full = draw_uncertainties(DISTRIBUTIONS, 3, replication)
        part = draw_uncertainties(fewer, 3, replication)
        assert {k: full[k] for k in part} == part
