"""Seeds: every random number of an ensemble flows from the scenario's root seed through SeedSequence.

Replication *r* gets the same seed under every strategy (common random numbers), so differences between
strategies are not noise. The uncertain parameters of replication *r* come from a separate stream, so they
too are the same for every strategy.

    >>> replication_seeds(1, 3) == replication_seeds(1, 3)
    True
    >>> len(set(replication_seeds(1, 100)))
    100
"""

from __future__ import annotations

import numpy as np

__all__ = ["replication_seeds", "uncertainty_sequence"]

# Spawn keys that separate the model streams from the uncertainty draws of the same root seed.
_MODEL_KEY = 0
_UNCERTAINTY_KEY = 1


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """One 63-bit integer seed per replication, derived from ``root_seed``.

    The integer is recorded in the outputs; ``numpy.random.SeedSequence(seed)`` recreates the stream.
    """
    root = np.random.SeedSequence(root_seed, spawn_key=(_MODEL_KEY,))
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in root.spawn(replications)]


def uncertainty_sequence(root_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence for replication ``replication``'s draw of the uncertain parameters."""
    return np.random.SeedSequence(root_seed, spawn_key=(_UNCERTAINTY_KEY, replication))
