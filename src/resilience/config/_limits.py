"""Whether this machine can hold a scenario's results: an ensemble too large is refused before it runs.

Runs are written to disk as they finish, so running does not grow with the
number of runs; summarising does: ``timeseries.parquet`` is read whole, one
row per strategy × replication × simulated year, and the summary and the
paired comparison are computed from it in memory::

    >>> need = ensemble_memory_bytes(result_rows(strategies=7, replications=100_000, years=27))
    >>> round(need / 1e9, 1)
    54.4
"""

from __future__ import annotations

import os
from typing import Final

from ._messages import Amount, Message

__all__ = [
    "BYTES_PER_ROW",
    "IN_MEMORY_COPIES",
    "ensemble_memory_bytes",
    "machine_memory_bytes",
    "memory_message",
    "result_rows",
]

#: Bytes one row of ``timeseries.parquet`` takes as a pandas frame (deep memory use). Measured on the
#: Træna scenario (88 columns: 87 numbers of 8 bytes and the strategy's name): 713 bytes per row;
#: ``tests/config/test_limits.py`` measures it again on a real run.
BYTES_PER_ROW: Final = 720

#: Peak memory of summarising, in frames of :data:`BYTES_PER_ROW`: reading holds the Arrow table and the
#: pandas frame at once (2.6 frames), and the groupbys of the summary and the comparison copy columns on
#: top (measured: 2846 bytes per row, 4.0 frames, for 378 000 Træna rows; ``tests/config/test_limits.py``
#: measures it again).
IN_MEMORY_COPIES: Final = 4


def result_rows(strategies: int, replications: int, years: int) -> int:
    """Rows of ``timeseries.parquet``: one per strategy (with the no-shock reference) × replication × year."""
    return strategies * replications * years


def ensemble_memory_bytes(rows: int) -> int:
    """Estimated peak memory (bytes) of summarising ``rows`` result rows."""
    return rows * BYTES_PER_ROW * IN_MEMORY_COPIES


def machine_memory_bytes() -> int | None:
    """This machine's physical memory in bytes, or None where the system does not say."""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return pages * page_size if pages > 0 and page_size > 0 else None


def _gigabytes(size: float) -> Amount:
    return Amount(size / 1e9, digits=1)


def memory_message(strategies: int, replications: int, years: int, memory_bytes: int) -> Message | None:
    """Why an ensemble does not fit in ``memory_bytes``, with the estimate; None when it fits.

    >>> message = memory_message(7, 100_000, 27, memory_bytes=8_000_000_000)
    >>> for part in message.split("; "):
    ...     print(part)
    7 strategies × 100000 replications × 27 years are 18900000 rows of results: summarising them needs about 54.4 GB ...
    use at most 14697 replications
    >>> memory_message(7, 20, 27, memory_bytes=8_000_000_000) is None
    True
    """
    rows = result_rows(strategies, replications, years)
    need = ensemble_memory_bytes(rows)
    if need <= memory_bytes:
        return None
    fitting = memory_bytes // ensemble_memory_bytes(result_rows(strategies, 1, years))
    return Message(
        "{strategies} strategies × {replications} replications × {years} years are {rows} rows of results: "
        "summarising them needs about {need} GB of memory, more than this machine's {memory} GB; "
        "use at most {fitting} replications",
        strategies=strategies,
        replications=replications,
        years=years,
        rows=rows,
        need=_gigabytes(need),
        memory=_gigabytes(memory_bytes),
        fitting=fitting,
    )
