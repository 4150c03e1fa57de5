"""Build the compact population dataset that ships with the package from the raw SSB 07459 exports.

The bundled files are derived data and must never drift from the raw exports, so the one function that builds
them, :func:`build_tables`, is used both by ``scripts/build_population_dataset.py`` (which writes them) and by
the tests (which compare them with what is shipped).

Layout of ``ssb_07459_population.parquet`` (long format, sorted by ``kommunenummer, year, sex, age``):

=================  ===============  ==========================================================================
column             type             meaning
=================  ===============  ==========================================================================
``kommunenummer``  category         4-digit code as written that year (codes changed in 2020 and 2024)
``year``           int16            1 January of this year
``sex``            category         ``"male"``/``"female"``; ``"total"`` only for years without counts by sex
``age``            int16            0..105, 105 = 105 years or older
``persons``        int32            persons, never zero (zero rows are dropped)
=================  ===============  ==========================================================================

Totals are dropped for years that have counts by sex: they are exactly males + females (the reader checks it).
``ssb_07459_municipalities.json`` holds one record per code (``kommunenummer``, canonical ``name``,
``first_year``, ``last_year`` with persons) plus the attribution.

The checksum manifest ``checksums.json`` (size and SHA-256 of both files, see
:mod:`resilience.data.integrity`) is written with them and checked before either is read.

Usage::

    >>> from resilience.data.build import build_tables, write_dataset
    >>> population, names = build_tables("data/ssb_07459")  # doctest: +SKIP
    >>> write_dataset("data/ssb_07459", "src/resilience/data")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from resilience.data.integrity import MANIFEST_FILE, replace_files
from resilience.data.ssb07459 import SEXES, read_07459_dir

__all__ = [
    "MUNICIPALITIES_FILE",
    "POPULATION_FILE",
    "build_tables",
    "municipalities_json",
    "population_parquet_bytes",
    "tables_from_raw",
    "write_dataset",
]

POPULATION_FILE: Final = "ssb_07459_population.parquet"
MUNICIPALITIES_FILE: Final = "ssb_07459_municipalities.json"

# Attribution and licence are repeated in the names file so that it is self-describing when copied elsewhere.
_SOURCE: Final = "Statistics Norway (SSB), table 07459, population 1 January by municipality, sex and age"
_ATTRIBUTION: Final = "Kilde: Statistisk sentralbyrå (SSB), tabell 07459"
_LICENCE: Final = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
_ZSTD_LEVEL: Final = 19


def build_tables(raw_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the raw exports and return ``(population, municipalities)`` exactly as they are shipped.

    ``population`` has the columns and dtypes of the bundled parquet (see the module docstring);
    ``municipalities`` has ``kommunenummer, name, first_year, last_year`` for every code with persons.

    >>> population, names = build_tables("data/ssb_07459")  # doctest: +SKIP
    >>> names.set_index("kommunenummer").loc["1835"].tolist()  # doctest: +SKIP
    ['Træna', 2005, 2024]
    """
    return tables_from_raw(read_07459_dir(raw_dir))


def tables_from_raw(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`build_tables` for a frame already read with :func:`~resilience.data.read_07459_dir`."""
    sex_years = set(raw.loc[raw["sex"] != "total", "year"])
    keep = (raw["persons"] > 0) & ~((raw["sex"] == "total") & raw["year"].isin(sex_years))
    kept = raw[keep]
    population = pd.DataFrame(
        {
            "kommunenummer": pd.Categorical(kept["kommunenummer"], categories=sorted(kept["kommunenummer"].unique())),
            "year": kept["year"].astype("int16"),
            "sex": pd.Categorical(kept["sex"], categories=list(SEXES)),
            "age": kept["age"].astype("int16"),
            "persons": kept["persons"].astype("int32"),
        }
    )
    population = population.sort_values(["kommunenummer", "year", "sex", "age"], kind="stable")
    population = population.reset_index(drop=True)

    names = raw.loc[raw["persons"] > 0, ["kommunenummer", "name", "year"]]
    municipalities = (
        names.groupby(["kommunenummer", "name"], as_index=False)
        .agg(first_year=("year", "min"), last_year=("year", "max"))
        .sort_values("kommunenummer", kind="stable")
        .reset_index(drop=True)
    )
    municipalities["kommunenummer"] = municipalities["kommunenummer"].astype("str")
    municipalities["name"] = municipalities["name"].astype("str")
    municipalities["first_year"] = municipalities["first_year"].astype("int64")
    municipalities["last_year"] = municipalities["last_year"].astype("int64")
    if municipalities["kommunenummer"].duplicated().any():  # pragma: no cover - read_07459_dir gives one name
        raise AssertionError("a municipality code has more than one canonical name")
    return population, municipalities


def population_parquet_bytes(population: pd.DataFrame) -> bytes:
    """Serialise the population table reproducibly: same table, same bytes.

    The pandas metadata (which records the pandas version) is dropped; no timestamps are written; the rows fit
    in a fixed number of row groups, so the file depends only on the data and the pyarrow version.
    """
    table = pa.Table.from_pandas(population, preserve_index=False).replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        compression_level=_ZSTD_LEVEL,
        use_dictionary=True,
        row_group_size=len(table) or None,
    )
    return bytes(sink.getvalue().to_pybytes())


def municipalities_json(municipalities: pd.DataFrame) -> bytes:
    """Serialise the names table as UTF-8 JSON with sorted, stable content."""
    columns = ("kommunenummer", "name", "first_year", "last_year")
    records: list[dict[str, Any]] = [
        {"kommunenummer": str(code), "name": str(name), "first_year": int(first), "last_year": int(last)}
        for code, name, first, last in zip(*(municipalities[column].tolist() for column in columns), strict=True)
    ]
    # One record per line: compact, yet a reform shows up as a readable diff.
    header = {"source": _SOURCE, "attribution": _ATTRIBUTION, "licence": _LICENCE}
    lines = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in header.items()]
    body = ",\n".join(f"  {json.dumps(record, ensure_ascii=False)}" for record in records)
    text = "{\n" + "\n".join(lines) + '\n "municipalities": [\n' + body + "\n ]\n}\n"
    return text.encode("utf-8")


def write_dataset(raw_dir: str | Path, out_dir: str | Path) -> dict[str, Path]:
    """Build both bundled files from ``raw_dir`` and write them, with their checksum manifest, into ``out_dir``.

    Each file is written to a temporary file in ``out_dir`` and moved over the old one with
    :func:`os.replace`, so a reader (or a crash) never sees half a file; the manifest (``checksums.json``) is
    kept true throughout (:func:`~resilience.data.integrity.replace_files`). Returns the written paths by file
    name, the manifest included.
    """
    out_dir = Path(out_dir)
    population, municipalities = build_tables(raw_dir)
    contents = {
        POPULATION_FILE: population_parquet_bytes(population),
        MUNICIPALITIES_FILE: municipalities_json(municipalities),
    }
    written = replace_files(out_dir, contents)
    return {**written, MANIFEST_FILE: out_dir / MANIFEST_FILE}
