"""Drawing the scenario's uncertain parameters, once per replication (shared by every strategy)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np

from resilience.config import Choice, Distribution, Normal, Triangular, Uniform
from resilience.experiments.seeds import uncertainty_sequence

__all__ = ["draw_uncertainties"]


def _draw(distribution: Distribution, rng: np.random.Generator) -> float:
    match distribution:
        case Uniform():
            return float(rng.uniform(distribution.low, distribution.high))
        case Triangular():
            return float(rng.triangular(distribution.low, distribution.mode, distribution.high))
        case Normal():
            low = -np.inf if distribution.low is None else distribution.low
            high = np.inf if distribution.high is None else distribution.high
            # Rejection keeps the normal's shape inside the bounds (the config layer checks mean ∈ [low, high]).
            for _ in range(10_000):
                value = float(rng.normal(distribution.mean, distribution.sd))
                if low <= value <= high:
                    return value
            return float(np.clip(distribution.mean, low, high))
        case Choice():
            values = [float(v) for v in distribution.values]
            weights = None
            if distribution.weights is not None:
                w = np.asarray(distribution.weights, dtype=float)
                weights = w / w.sum()
            return values[int(rng.choice(len(values), p=weights))]
    raise TypeError(f"unknown distribution {distribution!r}")


def draw_uncertainties(uncertainties: Mapping[str, Distribution], root_seed: int, replication: int) -> dict[str, float]:
    """One value per uncertain parameter for ``replication``.

    Each parameter has its own random stream (keyed by its name), so adding or removing one uncertainty does
    not change the values drawn for the others.

    >>> from resilience.config import Uniform
    >>> draw = draw_uncertainties({"local_multiplier": Uniform(distribution="uniform", low=0, high=1)}, 1, 0)
    >>> 0 <= draw["local_multiplier"] <= 1
    True
    """
    sequence = uncertainty_sequence(root_seed, replication)
    return {
        name: _draw(
            uncertainties[name],
            np.random.default_rng(
                np.random.SeedSequence(sequence.entropy, spawn_key=(*sequence.spawn_key, zlib.crc32(name.encode())))
            ),
        )
        for name in sorted(uncertainties)
    }
