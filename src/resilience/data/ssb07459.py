"""Reader for raw CSV exports of SSB table 07459: population by region, sex and single year of age.

StatBank has written this table in several shapes over the years, and the copies the project keeps are exactly
as exported, so the reader is deliberately tolerant about the *container* and strict about the *content*:

- encoding: strict UTF-8 (a BOM is stripped) and otherwise Latin-1, which can decode any byte sequence;
- a title line and blank lines may precede the header; the header is the first line whose first field is
  ``region``, and the delimiter (tab, semicolon or comma) is whatever follows that field;
- fields may be quoted or not, lines may end in CRLF or LF;
- layouts: ``region, age, Persons YYYY...`` (one column per year), ``region, sex, age, Persons YYYY`` and
  ``region, age, Persons YYYY Males, Persons YYYY Females``; year and sex come from the headers and the sex
  column, never from the file name;
- region labels ``"1835 Træna"`` or ``"K-1835 Træna"``; any other label (``"K-23 Continental shelf"``,
  ``"K-Rest Divided municalities and unknown"``) is an aggregate or unknown region and is skipped.

The exports may be kept compressed with xz (``Personer2024.csv.xz``, as the repository keeps them in
``data/ssb_07459/``): they are read as the same bytes.

Anything else that cannot be understood (an unknown column, a non-numeric count, an unknown age label, a
duplicated or incomplete age range) raises :class:`SSBFormatError` naming the file and line.

Usage::

    >>> from resilience.data import read_07459, read_07459_dir
    >>> df = read_07459("data/ssb_07459/Personer2024.csv.xz")  # doctest: +SKIP
    >>> df.query("kommunenummer == '1835'").persons.sum()  # doctest: +SKIP
    442
    >>> every_year = read_07459_dir("data/ssb_07459")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import lzma
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

__all__ = [
    "COLUMNS",
    "MAX_AGE",
    "SEXES",
    "SSBFormatError",
    "is_damaged_name",
    "read_07459",
    "read_07459_dir",
]

#: Columns of the frames returned by :func:`read_07459` and :func:`read_07459_dir`, in this order.
COLUMNS: Final = ("kommunenummer", "name", "year", "sex", "age", "persons")
#: The open top age group: ``"105 years or older"``.
MAX_AGE: Final = 105
#: Values of the ``sex`` column.
SEXES: Final = ("total", "male", "female")

# How many lines may precede the header (title line, blank line, ...) before we give up on the file.
_MAX_PREAMBLE_LINES: Final = 20
_HEADER_RE: Final = re.compile(r'^\ufeff?\s*"?region"?\s*([\t;,])', re.IGNORECASE)
_VALUE_COLUMN_RE: Final = re.compile(r"^persons\s+([0-9]{4})(?:\s+(males|females|both sexes))?$", re.IGNORECASE)
# "Exactly four ASCII digits then a space": Python's \d would also accept non-ASCII digits.
_REGION_RE: Final = re.compile(r"^(?:K-)?([0-9]{4}) (.*)$", re.DOTALL)
_AGE_RE: Final = re.compile(r"^([0-9]{1,3}) years?( or older)?$", re.IGNORECASE)
_COUNT_RE: Final = re.compile(r"^[0-9]+$")
# SSB marks a discontinued code with its validity, e.g. "Rindal (-2018)" or "Inderøy (-2017)"; that is
# metadata about the code, not part of the municipality's name.
_VALIDITY_SUFFIX_RE: Final = re.compile(r"\s*\((?:[0-9]{4})?-(?:[0-9]{4})?\)$")
_SEX_LABELS: Final = {
    "males": "male",
    "male": "male",
    "females": "female",
    "female": "female",
    "both sexes": "total",
    "total": "total",
}
_DAMAGE_MARKS: Final = ("?", "\ufffd")
# What identifies one count.
_KEY: Final = ["kommunenummer", "year", "sex", "age"]


class SSBFormatError(ValueError):
    """A raw SSB export that cannot be read: unknown layout, bad count, unknown age label, inconsistent data.

    The message names the file and, where one is to blame, the line number (1-based, as an editor shows it).
    """

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        where = f"{self.path.name}, line {line}" if line is not None else self.path.name
        super().__init__(f"{where}: {message}")


def is_damaged_name(name: str) -> bool:
    """Whether a municipality name lost letters to an encoding accident (``"Tr?na"``, ``"Tr\\ufffdna"``).

    >>> is_damaged_name("Tr\\ufffdna"), is_damaged_name("Træna")
    (True, False)
    """
    return any(mark in name for mark in _DAMAGE_MARKS)


@dataclass(frozen=True)
class _ValueColumn:
    """A count column of the header: which field holds the persons of which year and sex."""

    index: int
    year: int
    sex: str | None  # None: the sex is given by the row's sex column, or it is the total


@dataclass(frozen=True)
class _Layout:
    """Where region, sex, age and the counts sit in a row."""

    width: int
    region: int
    age: int
    sex: int | None
    values: tuple[_ValueColumn, ...]


def read_07459(path: str | Path) -> pd.DataFrame:
    """Read one raw 07459 export into a long frame, one row per municipality, year, sex and age.

    Columns (see :data:`COLUMNS`): ``kommunenummer`` (4-digit string as written that year, e.g. ``"0301"``),
    ``name`` (the label after the code, whitespace and validity suffix such as ``"(-2017)"`` removed; names
    damaged by an encoding accident are kept as they are), ``year``, ``sex`` (``"total"``, ``"male"`` or
    ``"female"``), ``age`` (0..105, 105 = 105 or older) and ``persons``. Rows with zero persons are kept;
    aggregate regions (Svalbard, continental shelf, unknown) are not.

    >>> df = read_07459("data/ssb_07459/norway_population_by_age_sex_2024.csv.xz")  # doctest: +SKIP
    >>> df.query("kommunenummer == '1835'").groupby("sex").persons.sum().to_dict()  # doctest: +SKIP
    {'female': 205, 'male': 237}

    Raises:
        SSBFormatError: the file cannot be understood; the message names the file, line and problem.
        OSError: the file cannot be opened.
    """
    return _read_with_lines(Path(path)).drop(columns="line")


def read_07459_dir(directory: str | Path) -> pd.DataFrame:
    """Read every ``*.csv`` (or ``*.csv.xz``) export in ``directory`` into one frame like :func:`read_07459`'s.

    The same municipality, year, sex and age may appear in several files only with the same count. Where a
    year has both totals and counts by sex, males + females must equal the total for every municipality and
    age. Each code gets one canonical name: the most recent name that was not damaged by an encoding accident
    (some exports wrote ``"Tr\\ufffdna"`` for Træna), or the most recent name if every spelling is damaged.
    The result is sorted by ``kommunenummer, year, sex, age``.

    >>> df = read_07459_dir("data/ssb_07459")  # doctest: +SKIP
    >>> sorted(df.year.unique())[:3]  # doctest: +SKIP
    [2005, 2006, 2007]

    Raises:
        FileNotFoundError: the directory does not exist or holds no ``*.csv`` or ``*.csv.xz`` file.
        SSBFormatError: a file is unreadable, two files disagree, or the sexes do not add up to the totals.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"SSB 07459 directory not found: {directory}")
    # One file per export: a plain copy beside its compressed one is the same export (the plain one is read).
    exports = {_export_name(path): path for path in sorted(directory.glob("*.csv.xz"))}
    exports.update({path.name: path for path in sorted(directory.glob("*.csv"))})
    if not exports:
        raise FileNotFoundError(f"no *.csv or *.csv.xz files in {directory}")
    frames = []
    for name, path in sorted(exports.items()):
        frame = _read_with_lines(path)
        frame["file"] = name
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    data = _drop_agreeing_duplicates(data, directory)
    _check_sexes_add_up(data, directory)
    data["name"] = data["kommunenummer"].map(_canonical_names(data))
    data = data.sort_values(["kommunenummer", "year", "sex", "age"], key=_sort_key, kind="stable")
    return data.loc[:, list(COLUMNS)].reset_index(drop=True)


# --- reading one file ---------------------------------------------------------------------------------------


def _export_name(path: Path) -> str:
    """The export's own file name: ``Personer2024.csv`` for ``Personer2024.csv.xz``."""
    return path.name.removesuffix(".xz")


def _decode(raw: bytes) -> str:
    """Strict UTF-8 without BOM, else Latin-1 (every byte is a Latin-1 character, so this cannot fail)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _find_header(path: Path, text: str) -> tuple[int, str]:
    """Return the 1-based line number of the header and its delimiter."""
    # Split on "\n" only: str.splitlines() would also split on U+0085 and U+001C, which Latin-1 text may hold.
    for number, line in enumerate(text.split("\n")[:_MAX_PREAMBLE_LINES], start=1):
        match = _HEADER_RE.match(line)
        if match:
            return number, match.group(1)
    raise SSBFormatError(
        path,
        f"unknown layout: no header line starting with a 'region' column in the first {_MAX_PREAMBLE_LINES} lines",
    )


def _parse_layout(path: Path, header: Sequence[str], line: int) -> _Layout:
    """Understand the header row, or raise naming the column that does not fit."""
    names = [field.strip().lower() for field in header]
    if names[:1] != ["region"]:
        raise SSBFormatError(path, f"unknown layout: first column is {header[0]!r}, expected 'region'", line)
    sex = names.index("sex") if "sex" in names else None
    if "age" not in names:
        raise SSBFormatError(path, f"unknown layout: no 'age' column in header {list(header)}", line)
    age = names.index("age")
    values: list[_ValueColumn] = []
    seen: set[tuple[int, str | None]] = set()
    for index, field in enumerate(header):
        if index in (0, age, sex):
            continue
        match = _VALUE_COLUMN_RE.match(field.strip())
        if match is None:
            raise SSBFormatError(path, f"unknown layout: unexpected column {field!r}", line)
        column_sex = _SEX_LABELS[match.group(2).lower()] if match.group(2) else None
        if column_sex is not None and sex is not None:
            raise SSBFormatError(path, f"unknown layout: column {field!r} has a sex but so has column 'sex'", line)
        key = (int(match.group(1)), column_sex)
        if key in seen:
            raise SSBFormatError(path, f"unknown layout: column {field!r} appears twice", line)
        seen.add(key)
        values.append(_ValueColumn(index=index, year=key[0], sex=column_sex))
    if not values:
        raise SSBFormatError(path, "unknown layout: no 'Persons YYYY' column", line)
    return _Layout(width=len(header), region=0, age=age, sex=sex, values=tuple(values))


def _parse_age(label: str) -> int | None:
    """``"0 years"`` → 0, ``"1 year"`` → 1, ``"105 years or older"`` → 105; None for anything else."""
    match = _AGE_RE.match(label.strip())
    if match is None:
        return None
    age = int(match.group(1))
    open_top = match.group(2) is not None
    if age > MAX_AGE or open_top != (age == MAX_AGE):
        return None
    return age


def _clean_name(raw: str) -> str:
    """Trim (including the no-break spaces some labels end in), collapse blanks, drop a validity suffix."""
    name = " ".join(raw.split())
    return _VALIDITY_SUFFIX_RE.sub("", name)


def _read_with_lines(path: Path) -> pd.DataFrame:
    """:func:`read_07459` plus a ``line`` column with each value's source line (for error messages)."""
    raw = path.read_bytes()
    text = _decode(lzma.decompress(raw) if path.suffix == ".xz" else raw)
    header_line, delimiter = _find_header(path, text)
    # newline="" lets the csv module handle CRLF, LF and quoted fields itself; line_num counts physical lines.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    layout: _Layout | None = None
    # One entry per municipality row; the counts of every value column are expanded afterwards.
    codes: list[str] = []
    names: list[str] = []
    row_sexes: list[str] = []
    ages: list[int] = []
    lines: list[int] = []
    counts: list[list[int]] = []
    # Labels repeat 106 times (once per age), so parse each distinct one once.
    regions: dict[str, tuple[str, str] | None] = {}
    age_labels: dict[str, int | None] = {}
    for row in reader:
        line = reader.line_num
        if line < header_line:
            continue
        if layout is None:
            row[0] = row[0].lstrip("\ufeff")
            layout = _parse_layout(path, row, line)
            counts = [[] for _ in layout.values]
            continue
        if not any(field.strip() for field in row):
            continue  # blank line, e.g. at the end of the file
        if len(row) != layout.width:
            raise SSBFormatError(path, f"expected {layout.width} fields, found {len(row)}: {row!r}", line)
        label = row[layout.region]
        if label not in regions:
            match = _REGION_RE.match(label.strip())
            regions[label] = (match.group(1), _clean_name(match.group(2))) if match else None
        region = regions[label]
        if region is None:
            continue  # aggregate or unknown region, not a municipality
        age_label = row[layout.age]
        if age_label not in age_labels:
            age_labels[age_label] = _parse_age(age_label)
        age = age_labels[age_label]
        if age is None:
            raise SSBFormatError(path, f"unknown age label {age_label!r}", line)
        row_sex = "total"
        if layout.sex is not None:
            sex_label = row[layout.sex].strip().lower()
            if sex_label not in _SEX_LABELS:
                raise SSBFormatError(path, f"unknown sex label {row[layout.sex]!r}", line)
            row_sex = _SEX_LABELS[sex_label]
        for column, column_counts in zip(layout.values, counts, strict=True):
            count = row[column.index].strip()
            if not _COUNT_RE.match(count):
                raise SSBFormatError(
                    path, f"non-numeric count {row[column.index]!r} in column {column.index + 1}", line
                )
            column_counts.append(int(count))
        codes.append(region[0])
        names.append(region[1])
        row_sexes.append(row_sex)
        ages.append(age)
        lines.append(line)
    if layout is None:  # pragma: no cover - _find_header saw the header, so the reader reaches it
        raise SSBFormatError(path, "unknown layout: header not found")
    rows = pd.DataFrame(
        {
            "kommunenummer": pd.Series(codes, dtype="str"),
            "name": pd.Series(names, dtype="str"),
            "sex": pd.Series(row_sexes, dtype="str"),
            "age": pd.Series(ages, dtype="int64"),
            "line": pd.Series(lines, dtype="int64"),
        }
    )
    parts = []
    for column, column_counts in zip(layout.values, counts, strict=True):
        part = rows.assign(year=column.year, persons=pd.Series(column_counts, dtype="int64"))
        if column.sex is not None:
            part["sex"] = column.sex
        parts.append(part)
    data = pd.concat(parts, ignore_index=True).loc[:, [*COLUMNS, "line"]]
    data["year"] = data["year"].astype("int64")
    _check_unique_and_complete(path, data)
    return data


def _check_unique_and_complete(path: Path, data: pd.DataFrame) -> None:
    """Every municipality, year and sex in a file must have each age 0..105 exactly once."""
    duplicated = data.duplicated(_KEY, keep="first")
    if duplicated.any():
        row = data[duplicated].iloc[0]
        first = data[(data[_KEY] == row[_KEY]).all(axis=1)]["line"].iloc[0]
        raise SSBFormatError(
            path,
            f"duplicate row for {row['kommunenummer']} {row['year']} {row['sex']} age {row['age']} "
            f"(first on line {first})",
            int(row["line"]),
        )
    groups = data.groupby(["kommunenummer", "year", "sex"], sort=False)
    sizes = groups["age"].size()
    incomplete = sizes[sizes != MAX_AGE + 1]
    if not incomplete.empty:
        code, year, sex = incomplete.index[0]
        present = set(data.loc[groups.groups[(code, year, sex)], "age"])
        missing = sorted(set(range(MAX_AGE + 1)) - present)
        line = int(groups["line"].min()[(code, year, sex)])
        raise SSBFormatError(path, f"incomplete ages for {code} {year} {sex}: missing {_abbreviate(missing)}", line)


def _abbreviate(values: Iterable[object], limit: int = 8) -> str:
    """A short list for an error message."""
    items = [str(value) for value in values]
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


# --- combining files ----------------------------------------------------------------------------------------


def _where(row: pd.Series) -> str:
    """``"Personer2020.csv line 12"`` for a row of the combined frame."""
    return f"{row['file']} line {row['line']}"


def _drop_agreeing_duplicates(data: pd.DataFrame, directory: Path) -> pd.DataFrame:
    """Several files may repeat a count (e.g. a re-export); they must agree, and one copy is kept."""
    duplicated = data.duplicated(_KEY, keep=False)
    if not duplicated.any():
        return data
    copies = data[duplicated]
    spread = copies.groupby(_KEY, sort=False)["persons"].transform("nunique")
    conflicts = copies[spread > 1]
    if not conflicts.empty:
        first = conflicts.iloc[0]
        same = conflicts[(conflicts[_KEY] == first[_KEY]).all(axis=1)]
        found = "; ".join(f"{row['persons']} in {_where(row)}" for _, row in same.iterrows())
        raise SSBFormatError(
            directory,
            f"files disagree on {first['kommunenummer']} {first['year']} {first['sex']} age {first['age']}: {found}",
        )
    return data.drop_duplicates(_KEY, keep="first")


def _check_sexes_add_up(data: pd.DataFrame, directory: Path) -> None:
    """For years with both totals and sexes, male + female must equal the total per municipality and age."""
    totals = data[data["sex"] == "total"]
    by_sex = data[data["sex"] != "total"]
    both = sorted(set(totals["year"]) & set(by_sex["year"]))
    if not both:
        return
    totals = totals[totals["year"].isin(both)]
    by_sex = by_sex[by_sex["year"].isin(both)]
    key = ["kommunenummer", "year", "age"]
    summed = by_sex.groupby(key, as_index=False).agg(
        sexes=("persons", "sum"), sex_file=("file", "first"), sex_line=("line", "first")
    )
    # A municipality missing on one side counts as zero persons there, so it is a mismatch unless it is empty.
    merged = totals.merge(summed, on=key, how="outer").fillna({"persons": 0, "sexes": 0})
    bad = merged[merged["persons"] != merged["sexes"]]
    if bad.empty:
        return
    row = bad.sort_values(key).iloc[0]
    total_at = f" ({row['file']} line {int(row['line'])})" if isinstance(row["file"], str) else ""
    sexes_at = f" ({row['sex_file']} line {int(row['sex_line'])})" if isinstance(row["sex_file"], str) else ""
    raise SSBFormatError(
        directory,
        f"males + females != total for {row['kommunenummer']} {int(row['year'])} age {int(row['age'])}: "
        f"{int(row['sexes'])}{sexes_at} vs {int(row['persons'])}{total_at}; {len(bad)} mismatch(es) in all",
    )


def _canonical_names(data: pd.DataFrame) -> dict[str, str]:
    """One name per code: the latest undamaged spelling, else the latest spelling."""
    labels = data[["kommunenummer", "name", "year", "file"]].drop_duplicates()
    labels = labels.assign(damaged=labels["name"].map(is_damaged_name))
    # Undamaged first, then latest year; the file name breaks ties so the choice is deterministic.
    labels = labels.sort_values(
        ["kommunenummer", "damaged", "year", "file"], ascending=[True, True, False, True], kind="stable"
    )
    chosen = labels.drop_duplicates("kommunenummer", keep="first")
    return dict(zip(chosen["kommunenummer"], chosen["name"], strict=True))


def _sort_key(column: pd.Series) -> pd.Series:
    """Sort sexes as total, male, female; everything else naturally."""
    if column.name == "sex":
        return column.map({sex: rank for rank, sex in enumerate(SEXES)})
    return column
