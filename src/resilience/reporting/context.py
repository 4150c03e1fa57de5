"""What the report knows about a run besides its numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["ReportContext"]


@dataclass(frozen=True)
class ReportContext:
    """What the report says about the run besides the numbers."""

    municipality: str
    scenario_name: str
    scenario_hash: str
    version: str
    seed: int
    replications: int
    created: str
    attribution: str
    lang: str = "nb"
    shock_years: Sequence[int] = ()
    history: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
