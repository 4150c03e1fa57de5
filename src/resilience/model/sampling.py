"""Random draws shared by several processes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["weighted_sample"]


def weighted_sample(rng: np.random.Generator, weight: NDArray[np.float64], size: int) -> NDArray[np.int64]:
    """``size`` distinct positions of ``weight``, ascending, drawn one after another with probability
    proportional to ``weight`` among those not yet drawn (all positions if ``size`` ≥ their number).

    Efraimidis & Spirakis (2006): give each position an exponential key of rate ``weight`` and keep the
    ``size`` smallest; one draw per position, where ``Generator.choice(p=…, replace=False)`` loops.

    >>> weighted_sample(np.random.default_rng(1), np.array([1.0, 5.0, 1.0, 5.0]), 2)   # doctest: +SKIP
    array([1, 3])
    """
    keys = rng.exponential(size=weight.size) / weight
    if size >= weight.size:
        return np.arange(weight.size, dtype=np.int64)
    return np.sort(np.argpartition(keys, size - 1)[:size]).astype(np.int64)
