"""The bundled population dataset: that it is what the raw exports say, and the API on top of it."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import resilience.data as data
from resilience.data import (
    N_AGES,
    SSB_ATTRIBUTION,
    SSB_LICENCE,
    Population,
    UnknownMunicipalityError,
    YearNotAvailableError,
    available_years,
    municipalities,
    municipality_population,
    population_series,
    population_table,
    split_by_share,
)
from resilience.data.build import (
    MUNICIPALITIES_FILE,
    POPULATION_FILE,
    municipalities_json,
    population_parquet_bytes,
    tables_from_raw,
    write_dataset,
)
from resilience.data.integrity import MANIFEST_FILE

TRAENA = "1835"


@pytest.fixture(scope="module")
def built(raw_all: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the build script would write today from the raw exports."""
    return tables_from_raw(raw_all)


def _bundled_bytes(name: str) -> bytes:
    return resources.files("resilience.data").joinpath(name).read_bytes()


def _raw_totals(raw_all: pd.DataFrame, code: str, year: int) -> np.ndarray:
    rows = raw_all[(raw_all["kommunenummer"] == code) & (raw_all["year"] == year) & (raw_all["sex"] == "total")]
    return rows.sort_values("age")["persons"].to_numpy()


# --- the shipped files cannot drift from the raw data -------------------------------------------------------


def _assert_same_table(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Column by column on the underlying arrays (assert_frame_equal is slow on a million categoricals)."""
    assert list(actual.columns) == list(expected.columns)
    assert list(actual.dtypes) == list(expected.dtypes)
    assert len(actual) == len(expected)
    for column in expected.columns:
        left, right = actual[column], expected[column]
        if isinstance(right.dtype, pd.CategoricalDtype):
            assert list(left.cat.categories) == list(right.cat.categories), column
            left, right = left.cat.codes, right.cat.codes
        assert np.array_equal(left.to_numpy(), right.to_numpy()), column


def test_bundled_population_equals_a_fresh_build(built: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    population, _ = built
    _assert_same_table(population_table(), population)


def test_bundled_names_equal_a_fresh_build(built: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, names = built
    assert _bundled_bytes(MUNICIPALITIES_FILE) == municipalities_json(names)
    pd.testing.assert_frame_equal(municipalities(), names)


def test_build_is_byte_reproducible(built: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    population, _ = built
    first = population_parquet_bytes(population)
    assert first == population_parquet_bytes(population.copy())
    assert first == _bundled_bytes(POPULATION_FILE)


def test_write_dataset_is_atomic_and_reproducible(
    raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    # Reuse the already built tables: the point here is the writing, not the reading.
    monkeypatch.setattr("resilience.data.build.build_tables", lambda _: built)
    written = write_dataset(raw_dir, tmp_path)
    # The data files and their checksum manifest, each the same bytes as shipped (no temporary file left).
    shipped = sorted([POPULATION_FILE, MUNICIPALITIES_FILE, MANIFEST_FILE])
    assert sorted(path.name for path in tmp_path.iterdir()) == shipped == sorted(written)
    for name, path in written.items():
        assert path.read_bytes() == _bundled_bytes(name)


def test_bundled_parquet_is_compact() -> None:
    content = _bundled_bytes(POPULATION_FILE)
    assert len(content) < 3_000_000
    with resources.files("resilience.data").joinpath(POPULATION_FILE).open("rb") as handle:
        parquet = pq.ParquetFile(handle)
        assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
        assert set(parquet.metadata.metadata) == {b"ARROW:schema"}  # no pandas metadata, no timestamps
    table = population_table()
    assert dict(table.dtypes.astype(str)) == {
        "kommunenummer": "category",
        "year": "int16",
        "sex": "category",
        "age": "int16",
        "persons": "int32",
    }
    assert (table["persons"] > 0).all()


def test_names_file_carries_the_attribution() -> None:
    document = json.loads(_bundled_bytes(MUNICIPALITIES_FILE))
    assert document["attribution"] == SSB_ATTRIBUTION["nb"]
    assert "CC BY 4.0" in document["licence"]


# --- Population ---------------------------------------------------------------------------------------------


def test_traena_2024_by_sex() -> None:
    traena = municipality_population(TRAENA, 2024)
    assert (traena.kommunenummer, traena.name, traena.year) == (TRAENA, "Træna", 2024)
    assert traena.total == 442
    assert int(traena.males.sum()) == 237
    assert int(traena.females.sum()) == 205
    assert traena.sex_observed


def test_traena_series_matches_the_checked_totals() -> None:
    series = population_series(TRAENA)
    assert series.index.name == "year"
    assert list(series.index) == list(range(2005, 2025))
    assert series.dtype == np.int64
    checked = {2005: 444, 2009: 455, 2010: 489, 2013: 506, 2014: 489, 2016: 478}
    checked |= {2020: 435, 2021: 442, 2022: 450, 2023: 444, 2024: 442}
    for year, total in checked.items():
        assert series[year] == total
        assert municipality_population(TRAENA, year).total == total


@pytest.mark.parametrize("year", [2005, 2013, 2019, 2020, 2024])
def test_population_invariants_for_every_municipality(raw_all: pd.DataFrame, year: int) -> None:
    table = municipalities(year)
    assert len(table) > 300
    rows = raw_all[(raw_all["year"] == year) & (raw_all["sex"] == "total")]
    raw_totals = rows.pivot(index="kommunenummer", columns="age", values="persons")
    for code in table["kommunenummer"]:
        pop = municipality_population(code, year)
        for values in (pop.males, pop.females, pop.by_age):
            assert values.shape == (N_AGES,)
            assert values.dtype == np.int64
            assert (values >= 0).all()
        assert np.array_equal(pop.males + pop.females, pop.by_age)
        assert pop.total == int(pop.by_age.sum())
        assert pop.sex_observed == (year >= 2020)
        assert np.array_equal(pop.by_age, raw_totals.loc[code].to_numpy()), code


def test_sex_split_2013_uses_the_own_2020_shares(raw_all: pd.DataFrame) -> None:
    traena = municipality_population(TRAENA, 2013)
    assert traena.total == 506
    assert not traena.sex_observed
    totals = _raw_totals(raw_all, TRAENA, 2013)
    assert np.array_equal(traena.by_age, totals)

    def counts(code: str | None, sex: str) -> np.ndarray:
        rows = raw_all[(raw_all["year"] == 2020) & (raw_all["sex"] == sex)]
        if code is not None:
            rows = rows[rows["kommunenummer"] == code]
        return rows.groupby("age")["persons"].sum().reindex(range(N_AGES), fill_value=0).to_numpy()

    own_m, own_f = counts(TRAENA, "male"), counts(TRAENA, "female")
    nat_m, nat_f = counts(None, "male"), counts(None, "female")
    share = np.where(own_m + own_f > 0, own_m / np.maximum(own_m + own_f, 1), nat_m / (nat_m + nat_f))
    exact = totals * share
    assert np.all(np.abs(traena.males - exact) < 1)
    assert abs(int(traena.males.sum()) - exact.sum()) <= 0.5
    expected_males, expected_females = split_by_share(totals, share)
    assert np.array_equal(traena.males, expected_males)
    assert np.array_equal(traena.females, expected_females)


def test_sex_split_falls_back_to_national_shares(raw_all: pd.DataFrame) -> None:
    # Halden's 0101 code ended in 2019, so it never had counts by sex: the national 2020 shares apply.
    halden = municipality_population("0101", 2013)
    totals = _raw_totals(raw_all, "0101", 2013)
    assert np.array_equal(halden.by_age, totals)
    by_sex = raw_all[(raw_all["year"] == 2020) & (raw_all["sex"] != "total")]
    national = by_sex.pivot_table(index="age", columns="sex", values="persons", aggfunc="sum")
    share = (national["male"] / (national["male"] + national["female"])).to_numpy()
    assert np.array_equal(halden.males, split_by_share(totals, share)[0])


def test_population_is_frozen_and_validated() -> None:
    pop = municipality_population(TRAENA, 2024)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pop.year = 2000  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        pop.males[0] = 1
    assert pop == municipality_population(TRAENA, 2024)
    assert pop != municipality_population(TRAENA, 2023)
    assert "Træna" in repr(pop) and "442 persons" in repr(pop)
    zeros = np.zeros(N_AGES, dtype=np.int64)
    with pytest.raises(ValueError, match="shape"):
        Population("1835", "Træna", 2024, np.zeros(105, dtype=np.int64), zeros, True)
    with pytest.raises(ValueError, match="negative"):
        Population("1835", "Træna", 2024, zeros - 1, zeros, True)


# --- listing ------------------------------------------------------------------------------------------------


def test_available_years_and_municipalities() -> None:
    assert available_years() == list(range(2005, 2025))
    assert available_years(TRAENA) == list(range(2005, 2025))
    assert available_years("0101") == list(range(2005, 2020))
    assert available_years("3001") == list(range(2020, 2024))
    assert available_years("3101") == [2024]
    assert len(municipalities(2024)) == 357
    assert len(municipalities(2020)) == 356
    assert len(municipalities(2005)) >= 420
    table = municipalities()
    assert list(table.columns) == ["kommunenummer", "name", "first_year", "last_year"]
    assert table["kommunenummer"].is_unique
    traena = table.set_index("kommunenummer").loc[TRAENA]
    assert (traena["name"], traena["first_year"], traena["last_year"]) == ("Træna", 2005, 2024)


# --- errors -------------------------------------------------------------------------------------------------


def test_unknown_code_names_the_value_and_the_nearest_codes() -> None:
    with pytest.raises(UnknownMunicipalityError) as caught:
        municipality_population("1899", 2024)
    message = str(caught.value)
    assert "'1899'" in message
    assert "nearest codes" in message
    assert caught.value.nearest and all(code in message for code in caught.value.nearest)
    assert isinstance(caught.value, LookupError)


@pytest.mark.parametrize("bad", [1835, "K-1835", "835", "Træna", ""])
def test_malformed_code_explains_the_format(bad: object) -> None:
    with pytest.raises(UnknownMunicipalityError, match="4-digit strings") as caught:
        municipality_population(bad, 2024)  # type: ignore[arg-type]
    assert repr(bad) in str(caught.value)
    if bad == 1835:
        assert "did you mean '1835'" in str(caught.value)


def test_unknown_code_in_every_lookup() -> None:
    for lookup in (population_series, available_years):
        with pytest.raises(UnknownMunicipalityError):
            lookup("9999")


def test_code_used_only_in_earlier_years_says_its_last_year() -> None:
    with pytest.raises(YearNotAvailableError) as caught:
        municipality_population("0101", 2024)
    message = str(caught.value)
    assert "0101 Halden" in message
    assert "last used in 2019" in message
    assert "3101" in message  # the code Halden has in 2024
    assert caught.value.available == tuple(range(2005, 2020))
    assert caught.value.kommunenummer == "0101"


def test_code_used_only_in_later_years_says_its_first_year() -> None:
    with pytest.raises(YearNotAvailableError, match=r"first used in 2024.*0101"):
        municipality_population("3101", 2019)


def test_year_outside_the_dataset() -> None:
    for call in (lambda: municipality_population(TRAENA, 2030), lambda: municipalities(1999)):
        with pytest.raises(YearNotAvailableError, match="2005–2024") as caught:
            call()
        assert caught.value.available == tuple(range(2005, 2025))


# --- attribution and exports --------------------------------------------------------------------------------


def test_attribution_and_licence() -> None:
    assert dict(SSB_ATTRIBUTION) == {
        "nb": "Kilde: Statistisk sentralbyrå (SSB), tabell 07459",
        "en": "Source: Statistics Norway (SSB), table 07459",
    }
    assert "CC BY 4.0" in SSB_LICENCE


def test_public_names_are_exported() -> None:
    assert sorted(data.__all__) == sorted(set(data.__all__))
    for name in data.__all__:
        assert hasattr(data, name), name


# --- the largest-remainder split ----------------------------------------------------------------------------


def test_split_by_share_example_and_validation() -> None:
    males, females = split_by_share([10, 0, 7], [0.5, 0.3, 1.0])
    assert males.tolist() == [5, 0, 7]
    assert females.tolist() == [5, 0, 0]
    with pytest.raises(ValueError):
        split_by_share([1, 2], [0.5])
    with pytest.raises(ValueError):
        split_by_share([-1], [0.5])
    with pytest.raises(ValueError):
        split_by_share([1], [1.5])


@given(
    st.lists(
        st.tuples(st.integers(0, 20_000), st.floats(0, 1, allow_nan=False)),
        min_size=1,
        max_size=N_AGES,
    )
)
def test_split_by_share_is_exact_and_non_negative(cells: list[tuple[int, float]]) -> None:
    totals = np.array([total for total, _ in cells], dtype=np.int64)
    share = np.array([value for _, value in cells], dtype=np.float64)
    males, females = split_by_share(totals, share)
    assert males.dtype == np.int64 and females.dtype == np.int64
    assert np.array_equal(males + females, totals)
    assert (males >= 0).all() and (females >= 0).all()
    exact = totals * share
    assert np.all(np.abs(males - exact) < 1 + 1e-9)
    assert abs(int(males.sum()) - exact.sum()) <= 0.5 + 1e-6
    # Deterministic: the same input gives the same split.
    again = split_by_share(totals, share)
    assert np.array_equal(again[0], males)
