"""Weighted sampling without replacement (exponential keys) is successive sampling in proportion to weight."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from resilience.model.sampling import weighted_sample


def _inclusion(weight: list[float], size: int) -> list[float]:
    """Exact chance that each position is among ``size`` drawn one after another in proportion to weight."""
    chance = [0.0] * len(weight)
    for order in itertools.permutations(range(len(weight)), size):
        p, left = 1.0, sum(weight)
        for i in order:
            p *= weight[i] / left
            left -= weight[i]
        for i in order:
            chance[i] += p
    return chance


@pytest.mark.parametrize(("weight", "size"), [([1.0, 2.0, 3.0, 4.0], 2), ([1.0, 1.0, 6.0, 0.5, 2.5], 3)])
def test_inclusion_frequencies_are_those_of_successive_sampling(weight: list[float], size: int) -> None:
    rng = np.random.default_rng(7)
    counts = np.zeros(len(weight))
    draws = 40_000
    for _ in range(draws):
        picked = weighted_sample(rng, np.array(weight), size)
        assert picked.size == size and (np.diff(picked) > 0).all()  # distinct, ascending
        counts[picked] += 1
    assert counts / draws == pytest.approx(_inclusion(weight, size), abs=0.01)


def test_asking_for_all_or_more_gives_every_position() -> None:
    rng = np.random.default_rng(1)
    assert weighted_sample(rng, np.ones(3), 3).tolist() == [0, 1, 2]
    assert weighted_sample(rng, np.ones(3), 5).tolist() == [0, 1, 2]
