"""The real population of every Norwegian municipality, 1 January 2005–2024, by single year of age and sex.

The numbers come from SSB table 07459 and ship with the package as a compact parquet file built by
``scripts/build_population_dataset.py`` (see :mod:`resilience.data.build` for its layout). The file is read
once per process and checked against its SHA-256 first (:mod:`resilience.data.integrity`: a truncated or
corrupted file raises :class:`~resilience.data.integrity.DataIntegrityError`). ``$RESILIENCE_DATA_DIR`` points
the functions here at another directory with the same files and its own ``checksums.json``.

Municipality codes (``kommunenummer``) are the 4-digit strings SSB used *in that year*: the reforms of 2020
and 2024 renumbered many municipalities (Halden 0101 → 3001 → 3101), while others, such as Træna (1835), kept
their code throughout.

For 2005–2019 SSB's export only has totals by age. :func:`municipality_population` then splits each age into
males and females with the municipality's own sex ratio at that age in the nearest year that has counts by sex
(2020), or with the national ratio where the municipality has no such year or nobody of that age; the result
says so with ``sex_observed=False``.

Usage::

    >>> from resilience.data import municipality_population, population_series
    >>> traena = municipality_population("1835", 2024)
    >>> traena.total, int(traena.males.sum()), int(traena.females.sum())
    (442, 237, 205)
    >>> int(population_series("1835")[2013])
    506

Attribution is required when showing these numbers: use :data:`SSB_ATTRIBUTION` and :data:`SSB_LICENCE`.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import ArrayLike, NDArray

from resilience.data.build import MUNICIPALITIES_FILE, POPULATION_FILE
from resilience.data.integrity import data_dir, verified_bytes
from resilience.data.ssb07459 import MAX_AGE

__all__ = [
    "N_AGES",
    "SSB_ATTRIBUTION",
    "SSB_LICENCE",
    "Population",
    "UnknownMunicipalityError",
    "YearNotAvailableError",
    "age_totals",
    "available_years",
    "municipalities",
    "municipality_population",
    "national_male_share",
    "population_series",
    "population_table",
    "split_by_share",
]

#: Length of the age arrays: ages 0..104 and the open group 105+.
N_AGES: Final = MAX_AGE + 1

#: How to credit the source, by language.
SSB_ATTRIBUTION: Final[Mapping[str, str]] = MappingProxyType(
    {
        "nb": "Kilde: Statistisk sentralbyrå (SSB), tabell 07459",
        "en": "Source: Statistics Norway (SSB), table 07459",
    }
)
#: SSB publishes its statistics under Creative Commons Attribution 4.0.
SSB_LICENCE: Final = (
    "SSB table 07459 is licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); "
    "credit the source with SSB_ATTRIBUTION wherever the numbers are shown."
)

_SHOWN_SUGGESTIONS: Final = 5


class UnknownMunicipalityError(LookupError):
    """A ``kommunenummer`` that is not in the dataset for any year.

    Attributes:
        kommunenummer: the value that was looked up.
        nearest: known codes closest to it, with their names.
    """

    def __init__(self, kommunenummer: object, message: str, nearest: Sequence[str] = ()) -> None:
        self.kommunenummer = kommunenummer
        self.nearest = tuple(nearest)
        super().__init__(message)


class YearNotAvailableError(LookupError):
    """A year for which the dataset (or this municipality) has no population.

    Attributes:
        year: the year that was asked for.
        kommunenummer: the municipality, or None when the whole dataset lacks the year.
        available: the years that do exist (for this municipality, if one was named).
    """

    def __init__(self, year: int, message: str, available: Sequence[int], kommunenummer: str | None = None) -> None:
        self.year = year
        self.kommunenummer = kommunenummer
        self.available = tuple(available)
        super().__init__(message)


@dataclass(frozen=True, eq=False)
class Population:
    """Persons of one municipality on 1 January of one year, by sex and single year of age.

    ``males[a]`` and ``females[a]`` are the persons aged ``a`` (105 = 105 or older); the arrays are read-only
    ``int64`` of length :data:`N_AGES`. ``sex_observed`` is False when SSB gave only totals for that year and
    the split into sexes was estimated (see :func:`municipality_population`); the totals by age are exact
    either way.

    >>> ones, zeros = np.ones(106, dtype=np.int64), np.zeros(106, dtype=np.int64)
    >>> pop = Population("1835", "Træna", 2024, males=ones, females=zeros, sex_observed=True)
    >>> pop.total, int(pop.by_age[0])
    (106, 1)
    """

    kommunenummer: str
    name: str
    year: int
    males: NDArray[np.int64] = field(repr=False)
    females: NDArray[np.int64] = field(repr=False)
    sex_observed: bool

    def __post_init__(self) -> None:
        for sex in ("males", "females"):
            values = np.array(getattr(self, sex), dtype=np.int64, copy=True)
            if values.shape != (N_AGES,):
                raise ValueError(f"{sex} must have shape ({N_AGES},), got {values.shape}")
            if (values < 0).any():
                raise ValueError(f"{sex} must not be negative")
            values.flags.writeable = False  # frozen means frozen: callers cannot edit the shared numbers
            object.__setattr__(self, sex, values)

    @property
    def total(self) -> int:
        """All persons."""
        return int(self.males.sum() + self.females.sum())

    @property
    def by_age(self) -> NDArray[np.int64]:
        """Persons by age, both sexes (a new array)."""
        return self.males + self.females

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return (
            (self.kommunenummer, self.name, self.year, self.sex_observed)
            == (other.kommunenummer, other.name, other.year, other.sex_observed)
            and np.array_equal(self.males, other.males)
            and np.array_equal(self.females, other.females)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking arrays: equal objects, no hash

    def __repr__(self) -> str:
        observed = "" if self.sex_observed else ", sex estimated"
        return (
            f"Population({self.kommunenummer} {self.name}, {self.year}: {self.total} persons, "
            f"{int(self.males.sum())} male, {int(self.females.sum())} female{observed})"
        )


def split_by_share(totals: ArrayLike, male_share: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Split integer ``totals`` into males and females by ``male_share`` without losing or inventing anyone.

    Each age gets ``floor(total * share)`` males first. The units left over (one at each age whose product is
    not whole) go to the males at the ages with the largest remainders, as many as the sum of the remainders
    rounds to (ties to the lower age); the rest are females. So ``males + females == totals`` exactly at every
    age, each count is within one of its exact share, and the male sum is the exact male sum rounded.

    >>> males, females = split_by_share([3, 3, 1], [0.5, 0.5, 0.5])  # 1.5 + 1.5 + 0.5 = 3.5 males
    >>> males.tolist(), females.tolist()
    ([2, 2, 0], [1, 1, 1])
    """
    total = np.asarray(totals, dtype=np.int64)
    share = np.asarray(male_share, dtype=np.float64)
    if total.shape != share.shape or total.ndim != 1:
        raise ValueError(f"totals and male_share must be 1-d of equal length, got {total.shape} and {share.shape}")
    if (total < 0).any():
        raise ValueError("totals must not be negative")
    if not np.isfinite(share).all() or (share < 0).any() or (share > 1).any():
        raise ValueError("male_share must lie in [0, 1]")
    exact = total * share
    males = np.clip(np.floor(exact).astype(np.int64), 0, total)
    remainder = exact - males
    open_ages = np.flatnonzero((remainder > 0) & (males < total))
    # floor(x + 0.5): round half up, independent of numpy's banker's rounding.
    units = min(int(np.floor(remainder[open_ages].sum() + 0.5)), open_ages.size)
    ranked = open_ages[np.argsort(-remainder[open_ages], kind="stable")]
    males[ranked[:units]] += 1
    return males, total - males


def municipality_population(kommunenummer: str, year: int) -> Population:
    """The population of municipality ``kommunenummer`` (code as used that year) on 1 January ``year``.

    For 2020 onwards males and females are SSB's counts. For 2005–2019 SSB gives only totals by age; they are
    split with the municipality's own male share at each age in the nearest year that has counts by sex, or
    the national male share at that age (same year) where the municipality has no such year or nobody of that
    age; :func:`split_by_share` rounds so that the totals by age stay exact. Such results have
    ``sex_observed=False``.

    >>> municipality_population("1835", 2013).total
    506
    >>> municipality_population("1835", 2013).sex_observed
    False

    Raises:
        UnknownMunicipalityError: the code is not in the dataset for any year.
        YearNotAvailableError: the dataset, or this code, has no population for ``year``.
    """
    # A year with counts by sex (2020 on) is read from this municipality's rows alone: a run needs one
    # municipality, and indexing the whole table costs a second and most of the memory of a small run.
    own = _code_counts(kommunenummer) if isinstance(kommunenummer, str) else {}
    males, females = own.get((year, "male")), own.get((year, "female"))
    if males is not None or females is not None:
        zeros = np.zeros(N_AGES, dtype=np.int64)
        name = _municipality_names()[str(kommunenummer)]
        return Population(str(kommunenummer), name, year, _or(males, zeros), _or(females, zeros), sex_observed=True)
    # Otherwise the whole table: it knows the codes and years (for the errors) and the national shares.
    store = _store()
    code = _known_code(kommunenummer)
    _check_year(code, year)
    totals = store.counts.get((code, year, "total"), np.zeros(N_AGES, dtype=np.int64))
    split_males, split_females = split_by_share(totals, _male_share(code, year))
    return Population(code, store.names[code], year, split_males, split_females, sex_observed=False)


def population_series(kommunenummer: str) -> pd.Series:
    """Total population of a municipality on 1 January of every year that has its code.

    >>> series = population_series("1835")
    >>> series.index.name, int(series[2005]), int(series[2024])
    ('year', 444, 442)

    Raises:
        UnknownMunicipalityError: the code is not in the dataset.
    """
    store = _store()
    code = _known_code(kommunenummer)
    years = store.years_by_code[code]
    values = [int(store.totals[(code, year)]) for year in years]
    return pd.Series(values, index=pd.Index(years, name="year"), name=code, dtype="int64")


def age_totals(year: int) -> dict[str, NDArray[np.int64]]:
    """Residents of every municipality on 1 January ``year`` by single-year age (both sexes), by code.

    The codes are those in force that year. The arrays are read-only views of the dataset.

    >>> totals = age_totals(2014)
    >>> int(totals["1835"].sum()), totals["1835"].size
    (489, 106)

    Raises:
        YearNotAvailableError: the dataset has no population for ``year``.
    """
    store = _store()
    _check_year(None, year)
    result: dict[str, NDArray[np.int64]] = {}
    for (code, counted_year, sex), values in store.counts.items():
        if counted_year != year:
            continue
        if sex == "total":
            result[code] = values
        else:
            # Years with counts by sex (2020 on) have no total rows: the sum of the two.
            result[code] = result[code] + values if code in result else values.copy()
    return dict(sorted(result.items()))


def national_male_share(year: int) -> NDArray[np.float64]:
    """The country's share of men at each single-year age, from the latest year up to ``year`` with counts by
    sex (for years before SSB's first such year, 2020, that first year: the documented exception, a national
    ratio rather than any municipality's future).

    >>> share = national_male_share(2014)
    >>> share.size, 0.49 < float(share[0]) < 0.53
    (106, True)
    """
    store = _store()
    earlier = tuple(y for y in store.sex_years if y <= year)
    reference = earlier[-1] if earlier else store.sex_years[0]
    males = store.national[(reference, "male")].astype(np.float64)
    everyone = males + store.national[(reference, "female")]
    share: NDArray[np.float64] = np.divide(males, everyone, out=np.full(N_AGES, 0.5), where=everyone > 0)
    return share


def available_years(kommunenummer: str | None = None) -> list[int]:
    """Years with population data, overall or for one code (which may cover fewer years after a reform).

    >>> available_years()[0], available_years()[-1]
    (2005, 2024)
    >>> available_years("3101")
    [2024]

    Raises:
        UnknownMunicipalityError: ``kommunenummer`` is given but not in the dataset.
    """
    store = _store()
    if kommunenummer is None:
        return list(store.years)
    return list(store.years_by_code[_known_code(kommunenummer)])


def municipalities(year: int | None = None) -> pd.DataFrame:
    """Codes with their canonical name and the first and last year with population, optionally for one year.

    >>> table = municipalities(2024)
    >>> len(table), table.set_index("kommunenummer").loc["1835", "name"]
    (357, 'Træna')

    Raises:
        YearNotAvailableError: ``year`` is given but not in the dataset.
    """
    store = _store()
    table = store.municipalities
    if year is not None:
        _check_year(None, year)
        table = table[[year in store.years_by_code[code] for code in table["kommunenummer"]]]
    return table.reset_index(drop=True).copy()


def population_table() -> pd.DataFrame:
    """The bundled dataset itself, long format (a copy; see :mod:`resilience.data.build` for the layout).

    >>> population_table().columns.tolist()
    ['kommunenummer', 'year', 'sex', 'age', 'persons']
    """
    return _load_population_table().copy()


# --- loading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Store:
    """The dataset indexed for lookups: one age array per code, year and sex."""

    counts: dict[tuple[str, int, str], NDArray[np.int64]]
    totals: dict[tuple[str, int], int]
    years: tuple[int, ...]
    sex_years: tuple[int, ...]
    years_by_code: dict[str, tuple[int, ...]]
    sex_years_by_code: dict[str, tuple[int, ...]]
    names: dict[str, str]
    municipalities: pd.DataFrame
    national: dict[tuple[int, str], NDArray[np.int64]]


# Every loader is cached per data directory (``$RESILIENCE_DATA_DIR`` or the package's own), so pointing the
# variable elsewhere never serves the numbers of another directory; the public functions look it up per call.


@functools.cache
def _population_bytes(directory: Path) -> bytes:
    """The population parquet's bytes, checked against the manifest: read and verified once per process."""
    return verified_bytes(POPULATION_FILE, directory)


def _load_population_table() -> pd.DataFrame:
    return _population_frame(data_dir())


@functools.cache
def _population_frame(directory: Path) -> pd.DataFrame:
    """The parquet as a pandas frame, once per process."""
    frame: pd.DataFrame = pq.read_table(pa.BufferReader(_population_bytes(directory))).to_pandas()
    return frame


def _population_arrow() -> pa.Table:
    return _population_arrow_in(data_dir())


@functools.cache
def _population_arrow_in(directory: Path) -> pa.Table:
    """The parquet as an Arrow table (no pandas conversion), once per process."""
    return pq.ParquetFile(pa.BufferReader(_population_bytes(directory))).read()


def _decoded(column: pa.ChunkedArray) -> tuple[list[str], NDArray[np.int64]]:
    """A dictionary-encoded string column as (its values, each row's index into them)."""
    combined = column.combine_chunks()
    if not pa.types.is_dictionary(combined.type):
        combined = combined.dictionary_encode()
    indices: NDArray[np.int64] = combined.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return [str(value) for value in combined.dictionary.to_pylist()], indices


def _code_counts(code: str) -> dict[tuple[int, str], NDArray[np.int64]]:
    """One municipality's counts by (year, sex), as :func:`_store` has them; empty for an unknown code."""
    return _code_counts_in(data_dir(), code)


@functools.cache
def _code_counts_in(directory: Path, code: str) -> dict[tuple[int, str], NDArray[np.int64]]:
    table = _population_arrow_in(directory)
    codes, code_index = _decoded(table.column("kommunenummer"))
    if code not in codes:
        return {}
    rows = code_index == codes.index(code)
    sexes, sex_index = _decoded(table.column("sex"))
    years = table.column("year").to_numpy()[rows].astype(np.int64)
    sex_of = sex_index[rows]
    ages = table.column("age").to_numpy()[rows].astype(np.int64)
    persons = table.column("persons").to_numpy()[rows].astype(np.int64)
    counts: dict[tuple[int, str], NDArray[np.int64]] = {}
    for year, sex in sorted(set(zip(years.tolist(), sex_of.tolist(), strict=True))):
        at = (years == year) & (sex_of == sex)
        values = np.zeros(N_AGES, dtype=np.int64)
        values[ages[at]] = persons[at]
        values.flags.writeable = False
        counts[(year, sexes[sex])] = values
    return counts


def _municipality_names() -> dict[str, str]:
    return _municipality_names_in(data_dir())


@functools.cache
def _municipality_names_in(directory: Path) -> dict[str, str]:
    names = _load_municipalities_in(directory)
    return dict(zip(names["kommunenummer"], names["name"], strict=True))


@functools.cache
def _load_municipalities_in(directory: Path) -> pd.DataFrame:
    """Read the names file (checked against the manifest) once per process."""
    document = json.loads(verified_bytes(MUNICIPALITIES_FILE, directory).decode("utf-8"))
    frame = pd.DataFrame.from_records(
        document["municipalities"], columns=["kommunenummer", "name", "first_year", "last_year"]
    )
    return frame.astype({"kommunenummer": "str", "name": "str", "first_year": "int64", "last_year": "int64"})


def _store() -> _Store:
    return _store_in(data_dir())


@functools.cache
def _store_in(directory: Path) -> _Store:
    """Index the dataset once: a dict lookup per request instead of a query on a million rows."""
    table = _population_frame(directory)
    codes = table["kommunenummer"].astype("str").to_numpy()
    years = table["year"].to_numpy(dtype=np.int64)
    sexes = table["sex"].astype("str").to_numpy()
    ages = table["age"].to_numpy(dtype=np.int64)
    persons = table["persons"].to_numpy(dtype=np.int64)

    keys = pd.MultiIndex.from_arrays([codes, years, sexes])
    group, unique_keys = pd.factorize(keys)
    matrix = np.zeros((len(unique_keys), N_AGES), dtype=np.int64)
    matrix[group, ages] = persons
    matrix.flags.writeable = False
    counts: dict[tuple[str, int, str], NDArray[np.int64]] = {
        (str(code), int(year), str(sex)): matrix[row] for row, (code, year, sex) in enumerate(unique_keys)
    }

    totals: dict[tuple[str, int], int] = {}
    years_by_code: dict[str, set[int]] = {}
    sex_years_by_code: dict[str, set[int]] = {}
    national: dict[tuple[int, str], NDArray[np.int64]] = {}
    for (code, year, sex), values in counts.items():
        totals[(code, year)] = totals.get((code, year), 0) + int(values.sum())
        years_by_code.setdefault(code, set()).add(year)
        if sex != "total":
            sex_years_by_code.setdefault(code, set()).add(year)
            national[(year, sex)] = national.get((year, sex), np.zeros(N_AGES, dtype=np.int64)) + values

    return _Store(
        counts=counts,
        totals=totals,
        years=tuple(sorted({year for _, year in totals})),
        sex_years=tuple(sorted({year for year, _ in national})),
        years_by_code={code: tuple(sorted(found)) for code, found in years_by_code.items()},
        sex_years_by_code={code: tuple(sorted(found)) for code, found in sex_years_by_code.items()},
        names=_municipality_names_in(directory),
        municipalities=_load_municipalities_in(directory),
        national=national,
    )


# --- helpers ------------------------------------------------------------------------------------------------


def _or(values: NDArray[np.int64] | None, default: NDArray[np.int64]) -> NDArray[np.int64]:
    return default if values is None else values


def _nearest(years: Sequence[int], year: int) -> int:
    """The element of sorted ``years`` closest to ``year``; ties go to the earlier year."""
    return min(years, key=lambda candidate: (abs(candidate - year), candidate))


def _male_share(code: str, year: int) -> NDArray[np.float64]:
    """Male share by age to split a total-only year: the municipality's own, else the national one."""
    store = _store()
    own_years = store.sex_years_by_code.get(code, ())
    reference = _nearest(own_years or store.sex_years, year)
    national_males = store.national[(reference, "male")].astype(np.float64)
    national_all = national_males + store.national[(reference, "female")]
    # An age nobody in the country has (not the case in 2020, but possible in principle) is split evenly.
    share: NDArray[np.float64] = np.divide(
        national_males, national_all, out=np.full(N_AGES, 0.5), where=national_all > 0
    )
    if own_years:
        zeros = np.zeros(N_AGES, dtype=np.int64)
        own_males = _or(store.counts.get((code, reference, "male")), zeros).astype(np.float64)
        own_all = own_males + _or(store.counts.get((code, reference, "female")), zeros)
        # Ages with nobody in the municipality keep the national share.
        share = np.divide(own_males, own_all, out=share, where=own_all > 0)
    return share


def _known_code(kommunenummer: object) -> str:
    """Return ``kommunenummer`` if the dataset has it, else raise with the nearest known codes."""
    store = _store()
    if isinstance(kommunenummer, str) and kommunenummer in store.years_by_code:
        return kommunenummer
    known = sorted(store.years_by_code)
    first, last = store.years[0], store.years[-1]
    if (
        isinstance(kommunenummer, str)
        and len(kommunenummer) == 4
        and kommunenummer.isascii()
        and kommunenummer.isdigit()
    ):
        position = bisect.bisect_left(known, kommunenummer)
        nearby = known[max(0, position - 2) : position + 3]
        nearby = sorted(nearby, key=lambda code: (abs(int(code) - int(kommunenummer)), code))[:_SHOWN_SUGGESTIONS]
        listed = ", ".join(f"{code} {store.names[code]}" for code in nearby)
        message = (
            f"unknown kommunenummer {kommunenummer!r}: SSB table 07459 has no such municipality in "
            f"{first}–{last}; nearest codes: {listed}. See municipalities() for all codes."
        )
        raise UnknownMunicipalityError(kommunenummer, message, nearby)
    hint = ""
    if isinstance(kommunenummer, int) and not isinstance(kommunenummer, bool) and 0 <= kommunenummer <= 9999:
        hint = f" (did you mean '{kommunenummer:04d}'?)"
    message = (
        f"unknown kommunenummer {kommunenummer!r}: codes are 4-digit strings with a leading zero, "
        f"such as '0301' (Oslo) or '1835' (Træna){hint}. See municipalities() for all codes."
    )
    raise UnknownMunicipalityError(kommunenummer, message)


def _check_year(code: str | None, year: int) -> None:
    """Raise :class:`YearNotAvailableError` unless the dataset (or ``code``) has ``year``."""
    store = _store()
    if year not in store.years:
        raise YearNotAvailableError(
            year,
            f"no SSB 07459 population for {year!r}: available years are {store.years[0]}–{store.years[-1]}",
            store.years,
        )
    if code is None:
        return
    own = store.years_by_code[code]
    if year in own:
        return
    name = store.names[code]
    span = _spans(own)
    if year > own[-1]:
        reason = f"the code was last used in {own[-1]}"
    elif year < own[0]:
        reason = f"the code was first used in {own[0]}"
    else:
        reason = "the code was not in use that year"
    successors = [
        other for other in store.years_by_code if store.names[other] == name and year in store.years_by_code[other]
    ]
    also = f"; in {year} {name} has code {', '.join(sorted(successors))}" if successors else ""
    message = f"{code} {name} has no population for {year}: {reason} (available: {span}){also}"
    raise YearNotAvailableError(year, message, own, code)


def _spans(years: Sequence[int]) -> str:
    """``[2005, 2006, 2007, 2010]`` → ``"2005–2007, 2010"``."""
    parts: list[str] = []
    start = previous = years[0]
    for year in [*years[1:], None]:
        if year is not None and year == previous + 1:
            previous = year
            continue
        parts.append(str(start) if start == previous else f"{start}–{previous}")
        if year is not None:
            start = previous = year
    return ", ".join(parts)
