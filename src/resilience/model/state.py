"""Column stores of persons, households and dwellings.

The yearly hazards of thousands of persons are computed on these numpy columns at once; Mesa agent objects
(:mod:`resilience.model.agents`) are thin views whose attributes read and write a row here. Rows are never
reused, so a row number identifies one person (or household, or dwelling) for the whole run and is the node
id in the social network.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["DwellingTable", "HouseholdTable", "PersonTable", "Sex", "Status"]


class Status(IntEnum):
    """Labour status of a person."""

    CHILD = 0
    STUDENT = 1
    EMPLOYED = 2
    UNEMPLOYED = 3
    OUT_OF_LABOUR_FORCE = 4  # includes disability
    RETIRED = 5
    DISABLED = 6


class Sex(IntEnum):
    """Sex as recorded by SSB."""

    MALE = 0
    FEMALE = 1


NO_ROW = -1
#: Employer value of a job outside the municipality: remote workers and out-commuters.
OUTSIDE_EMPLOYER = -2


class _Table:
    """A growable set of equally long numpy columns; ``n`` rows are in use."""

    _columns: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, capacity: int = 64) -> None:
        self.n = 0
        self._capacity = max(capacity, 16)
        for name, (dtype, fill) in self._columns.items():
            setattr(self, name, np.full(self._capacity, fill, dtype=dtype))

    def _grow(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        new_capacity = max(needed, int(self._capacity * 1.5) + 16)
        for name, (dtype, fill) in self._columns.items():
            old = getattr(self, name)
            new = np.full(new_capacity, fill, dtype=dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self._capacity = new_capacity

    def add(self, count: int) -> NDArray[np.int64]:
        """Reserve ``count`` new rows (filled with each column's default) and return their numbers."""
        self._grow(self.n + count)
        rows = np.arange(self.n, self.n + count, dtype=np.int64)
        self.n += count
        return rows

    def view(self, name: str) -> NDArray[Any]:
        """The used part of column ``name``."""
        column: NDArray[Any] = getattr(self, name)
        return column[: self.n]


class PersonTable(_Table):
    """One row per person ever resident in the run; ``present`` marks current residents."""

    _columns: ClassVar[dict[str, tuple[Any, Any]]] = {
        "present": (np.bool_, False),
        "age": (np.int16, 0),
        "sex": (np.int8, 0),
        "household": (np.int32, NO_ROW),
        "status": (np.int8, Status.CHILD),
        "employer": (np.int32, NO_ROW),
        "sector": (np.int8, -1),
        "years_here": (np.int16, 0),
        "born_here": (np.bool_, False),
        "displaced_year": (np.int16, -9999),
        "ties": (np.int16, 0),
        "friends_left": (np.int16, 0),
        "with_parents": (np.bool_, False),
        "retrained": (np.bool_, False),
    }
    present: NDArray[np.bool_]
    age: NDArray[np.int16]
    sex: NDArray[np.int8]
    household: NDArray[np.int32]
    status: NDArray[np.int8]
    employer: NDArray[np.int32]
    sector: NDArray[np.int8]
    years_here: NDArray[np.int16]
    born_here: NDArray[np.bool_]
    displaced_year: NDArray[np.int16]
    ties: NDArray[np.int16]
    friends_left: NDArray[np.int16]
    with_parents: NDArray[np.bool_]
    retrained: NDArray[np.bool_]

    def resident_rows(self) -> NDArray[np.int64]:
        """Row numbers of current residents, ascending."""
        rows: NDArray[np.int64] = self.present[: self.n].nonzero()[0]
        return rows


class HouseholdTable(_Table):
    """One row per household ever resident; ``present`` marks households living here now."""

    _columns: ClassVar[dict[str, tuple[Any, Any]]] = {
        "present": (np.bool_, False),
        "dwelling": (np.int32, NO_ROW),
        "owner": (np.bool_, False),
    }
    present: NDArray[np.bool_]
    dwelling: NDArray[np.int32]
    owner: NDArray[np.bool_]


class DwellingTable(_Table):
    """One row per dwelling; ``occupant`` is a household row or -1, ``available`` says a vacant one can be let."""

    _columns: ClassVar[dict[str, tuple[Any, Any]]] = {
        "occupant": (np.int32, NO_ROW),
        "available": (np.bool_, True),
    }
    occupant: NDArray[np.int32]
    available: NDArray[np.bool_]

    def vacant_available(self) -> NDArray[np.int64]:
        """Rows of vacant dwellings that a household can move into, ascending."""
        rows: NDArray[np.int64] = ((self.occupant[: self.n] == NO_ROW) & self.available[: self.n]).nonzero()[0]
        return rows

    def first_vacant_available(self) -> int | None:
        """The lowest-numbered vacant dwelling a household can move into, or None.

        Scans in growing chunks from the start, so the cost follows where the first vacancy is rather than
        the number of dwellings.
        """
        start, chunk = 0, 1024
        while start < self.n:
            end = min(start + chunk, self.n)
            free = (self.occupant[start:end] == NO_ROW) & self.available[start:end]
            if free.any():
                return start + int(free.argmax())
            start, chunk = end, chunk * 4
        return None
