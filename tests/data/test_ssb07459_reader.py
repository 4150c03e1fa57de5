"""The raw SSB 07459 reader, against every real export and against small files with each quirk."""

from __future__ import annotations

import lzma
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pytest
from tests.data.conftest import raw_bytes

from resilience.data import SSBFormatError, read_07459, read_07459_dir
from resilience.data.ssb07459 import COLUMNS, MAX_AGE, is_damaged_name

# Checked by hand against SSB's StatBank (see data/README.md).
TRAENA = "1835"
TRAENA_TOTALS = {
    2005: 444,
    2009: 455,
    2010: 489,
    2013: 506,
    2014: 489,
    2016: 478,
    2020: 435,
    2021: 442,
    2022: 450,
    2023: 444,
    2024: 442,
}
SEX_YEARS = range(2020, 2025)
AGGREGATE_LABELS = (
    "K-21-22 Svalbard and Jan Mayen",
    "K-23 Continental shelf",
    "K-Rest Divided municalities and unknown",
)


# --- the real exports ---------------------------------------------------------------------------------------


def test_every_real_file_is_read_into_the_documented_shape(raw_files: dict[str, pd.DataFrame]) -> None:
    assert len(raw_files) == 14
    for name, frame in raw_files.items():
        assert tuple(frame.columns) == COLUMNS, name
        assert frame["kommunenummer"].str.fullmatch(r"[0-9]{4}").all(), name
        assert set(frame["sex"]) <= {"total", "male", "female"}, name
        assert frame["age"].between(0, MAX_AGE).all(), name
        assert (frame["persons"] >= 0).all(), name
        assert frame["year"].between(2005, 2024).all(), name
        sizes = frame.groupby(["kommunenummer", "year", "sex"]).size()
        assert (sizes == MAX_AGE + 1).all(), name


def _totals_by_year(raw_files: dict[str, pd.DataFrame], code: str, sex: str) -> dict[int, int]:
    frames = [frame[(frame["kommunenummer"] == code) & (frame["sex"] == sex)] for frame in raw_files.values()]
    combined = pd.concat(frames)
    sums = combined.groupby("year")["persons"].sum()
    return dict(zip(sums.index.astype(int).tolist(), sums.astype(int).tolist(), strict=True))


def test_traena_totals_match_the_checked_values(raw_files: dict[str, pd.DataFrame]) -> None:
    totals = _totals_by_year(raw_files, TRAENA, "total")
    assert sorted(totals) == list(range(2005, 2025))
    for year, expected in TRAENA_TOTALS.items():
        assert totals[year] == expected, year


def test_traena_by_sex_2024(raw_files: dict[str, pd.DataFrame]) -> None:
    frame = raw_files["norway_population_by_age_sex_2024.csv"]
    traena = frame[frame["kommunenummer"] == TRAENA].groupby("sex")["persons"].sum()
    assert traena.to_dict() == {"female": 205, "male": 237}


def test_aggregate_regions_are_excluded(raw_dir: Path, raw_files: dict[str, pd.DataFrame]) -> None:
    raw_text = raw_bytes(raw_dir, "Personer2024.csv").decode("latin-1")
    for label in AGGREGATE_LABELS:
        assert label in raw_text  # the export really has them ...
    names = set().union(*(set(frame["name"]) for frame in raw_files.values()))
    assert not {"Svalbard and Jan Mayen", "Continental shelf", "Divided municalities and unknown"} & names


def test_damaged_traena_label_keeps_its_code(raw_dir: Path, raw_files: dict[str, pd.DataFrame]) -> None:
    assert b"1835 Tr\xef\xbf\xbdna" in raw_bytes(raw_dir, "Personer2019.csv")  # UTF-8 of U+FFFD
    frame = raw_files["Personer2019.csv"]
    traena = frame[frame["kommunenummer"] == TRAENA]
    assert set(traena["name"]) == {"Tr\ufffdna"}
    assert len(traena) == MAX_AGE + 1
    assert traena["persons"].sum() == 456


def test_combined_names_prefer_undamaged_spellings(raw_all: pd.DataFrame) -> None:
    names = raw_all.drop_duplicates("kommunenummer").set_index("kommunenummer")["name"]
    assert names[TRAENA] == "Træna"
    assert not names.map(is_damaged_name).any()
    assert names["0301"] == "Oslo"
    assert names["1567"] == "Rindal"  # "(-2018)" validity suffix removed
    assert names["5436"] == "Porsanger - Porsángu - Porsanki"  # trailing no-break space removed
    assert raw_all.groupby("kommunenummer")["name"].nunique().max() == 1


def test_both_sexes_add_up_to_the_totals(raw_all: pd.DataFrame) -> None:
    sub = raw_all[raw_all["year"].isin(SEX_YEARS)]
    table = sub.pivot_table(
        index=["kommunenummer", "year", "age"], columns="sex", values="persons", aggfunc="sum", fill_value=0
    )
    assert set(table.reset_index()["year"]) == set(SEX_YEARS)
    assert (table["male"] + table["female"] == table["total"]).all()


def test_number_of_municipalities_per_year_is_plausible(raw_all: pd.DataFrame) -> None:
    populated = raw_all[raw_all["persons"] > 0]
    per_year = populated.groupby("year")["kommunenummer"].nunique()
    counts = dict(zip(per_year.index.astype(int).tolist(), per_year.tolist(), strict=True))
    assert sorted(counts) == list(range(2005, 2025))
    assert counts[2024] == 357
    for year in range(2020, 2024):
        assert counts[year] == 356, year
    for year in range(2005, 2020):
        assert 420 <= counts[year] <= 434, year


def test_codes_are_kept_as_written_each_year(raw_all: pd.DataFrame) -> None:
    halden = raw_all[raw_all["name"] == "Halden"]
    codes = halden[halden["persons"] > 0].groupby("year")["kommunenummer"].unique()
    assert list(codes[2019]) == ["0101"]
    assert list(codes[2020]) == ["3001"]
    assert list(codes[2024]) == ["3101"]


# --- synthetic files, one quirk at a time -------------------------------------------------------------------


def _age_label(age: int) -> str:
    if age == MAX_AGE:
        return f"{age} years or older"
    return f"{age} year" if age == 1 else f"{age} years"


def _write(
    directory: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    name: str = "export.csv",
    delimiter: str = ";",
    quoted: bool = True,
    title: str | None = None,
    newline: str = "\n",
    encoding: str = "latin-1",
    bom: bool = False,
) -> Path:
    """Write a small export the way StatBank does: text fields quoted (optionally), counts bare."""

    def field(value: str) -> str:
        return value if not quoted or value.isdigit() else f'"{value}"'

    lines = [f'"{title}"', ""] if title is not None else []
    lines += [delimiter.join(field(value) for value in row) for row in [header, *rows]]
    content = newline.join(lines) + newline
    data = content.encode(encoding)
    path = directory / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _rows(label: str, values: Callable[[int], Sequence[str]], before_age: Sequence[str] = ()) -> list[list[str]]:
    """One row per age for one region: label, optional fields (sex), age label, counts."""
    return [[label, *before_age, _age_label(age), *values(age)] for age in range(MAX_AGE + 1)]


def _one_year(label: str = "K-1835 Træna", factor: int = 1) -> list[list[str]]:
    return _rows(label, lambda age: [str(factor * age)])


def _expected_total(factor: int = 1) -> int:
    return factor * sum(range(MAX_AGE + 1))


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
@pytest.mark.parametrize("quoted", [True, False])
def test_delimiters_with_and_without_quotes(tmp_path: Path, delimiter: str, quoted: bool) -> None:
    path = _write(tmp_path, ["region", "age", "Persons 2021"], _one_year(), delimiter=delimiter, quoted=quoted)
    frame = read_07459(path)
    assert tuple(frame.columns) == COLUMNS
    assert set(frame["kommunenummer"]) == {TRAENA}
    assert set(frame["name"]) == {"Træna"}
    assert frame["persons"].sum() == _expected_total()
    assert list(frame["age"]) == list(range(MAX_AGE + 1))


def test_title_line_crlf_and_bom_with_utf8(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        ["region", "age", "Persons 2022"],
        _one_year(),
        title="07459: Population, by region, age, contents and year",
        newline="\r\n",
        encoding="utf-8",
        bom=True,
    )
    frame = read_07459(path)
    assert set(frame["name"]) == {"Træna"}  # UTF-8 decoded, BOM and CR gone
    assert set(frame["year"]) == {2022}
    assert frame["persons"].sum() == _expected_total()


def test_latin1_fallback(tmp_path: Path) -> None:
    path = _write(tmp_path, ["region", "age", "Persons 2020"], _one_year("K-1818 Herøy (Nordland)"))
    assert "Herøy".encode("latin-1") in path.read_bytes()
    assert set(read_07459(path)["name"]) == {"Herøy (Nordland)"}


def test_comma_file_with_title_line(tmp_path: Path) -> None:
    # The title itself holds commas; the header is still found and its delimiter used.
    path = _write(
        tmp_path,
        ["region", "age", "Persons 2019"],
        _one_year("1835 Tr\ufffdna"),
        delimiter=",",
        quoted=False,
        title="07459: Population, by region, age, contents and year",
        encoding="utf-8",
    )
    frame = read_07459(path)
    assert set(frame["kommunenummer"]) == {TRAENA}
    assert set(frame["name"]) == {"Tr\ufffdna"}


@pytest.mark.parametrize("label", ["1835 Træna", "K-1835 Træna", "1835 Tr?na", "K-1835 Tr\ufffdna"])
def test_region_labels_with_and_without_prefix(tmp_path: Path, label: str) -> None:
    path = _write(tmp_path, ["region", "age", "Persons 2020"], _one_year(label), encoding="utf-8")
    assert set(read_07459(path)["kommunenummer"]) == {TRAENA}


def test_aggregates_and_malformed_codes_are_skipped(tmp_path: Path) -> None:
    rows = _one_year("K-1835 Træna")
    for label in [*AGGREGATE_LABELS, "K-12345 Too long", "183 Too short", "1835Træna", "Total"]:
        rows += _one_year(label)
    frame = read_07459(_write(tmp_path, ["region", "age", "Persons 2020"], rows))
    assert set(frame["kommunenummer"]) == {TRAENA}
    assert len(frame) == MAX_AGE + 1


def test_several_year_columns(tmp_path: Path) -> None:
    header = ["region", "age", "Persons 2005", "Persons 2006"]
    rows = _rows("0301 Oslo", lambda age: [str(age), str(2 * age)])
    frame = read_07459(_write(tmp_path, header, rows, delimiter="\t"))
    assert frame.groupby("year")["persons"].sum().to_dict() == {
        2005: _expected_total(),
        2006: _expected_total(2),
    }
    assert set(frame["kommunenummer"]) == {"0301"}
    assert set(frame["sex"]) == {"total"}


def test_sex_column_layout(tmp_path: Path) -> None:
    header = ["region", "sex", "age", "Persons 2021"]
    rows = _rows("K-1835 Træna", lambda age: [str(age)], ["Males"])
    rows += _rows("K-1835 Træna", lambda age: [str(2 * age)], ["Females"])
    frame = read_07459(_write(tmp_path, header, rows))
    assert frame.groupby("sex")["persons"].sum().to_dict() == {
        "male": _expected_total(),
        "female": _expected_total(2),
    }
    assert set(frame["year"]) == {2021}


def test_sex_in_column_headers_layout(tmp_path: Path) -> None:
    header = ["region", "age", "Persons 2024 Males", "Persons 2024 Females"]
    rows = _rows("K-1835 Træna", lambda age: [str(age), str(3 * age)])
    frame = read_07459(_write(tmp_path, header, rows))
    assert frame.groupby("sex")["persons"].sum().to_dict() == {
        "male": _expected_total(),
        "female": _expected_total(3),
    }


def test_age_labels() -> None:
    from resilience.data.ssb07459 import _parse_age

    assert _parse_age("0 years") == 0
    assert _parse_age("1 year") == 1
    assert _parse_age("104 years") == 104
    assert _parse_age("105 years or older") == MAX_AGE
    for label in ["106 years", "3 years or older", "105 years", "-1 years", "twelve", ""]:
        assert _parse_age(label) is None, label


def _error(path: Path) -> SSBFormatError:
    with pytest.raises(SSBFormatError) as caught:
        read_07459(path)
    return caught.value


def test_bad_count_names_file_and_line(tmp_path: Path) -> None:
    rows = _one_year()
    rows[5][2] = ".."  # SSB's "not available" marker
    path = _write(tmp_path, ["region", "age", "Persons 2021"], rows, title="07459: Population")
    error = _error(path)
    # title (1), blank (2), header (3), ages 0..4 (4..8), the bad row is line 9
    assert error.line == 9
    assert "export.csv, line 9" in str(error)
    assert "non-numeric count '..'" in str(error)
    assert isinstance(error, ValueError)


def test_unknown_age_label(tmp_path: Path) -> None:
    rows = _one_year()
    rows[0][1] = "0 år"
    error = _error(_write(tmp_path, ["region", "age", "Persons 2021"], rows, encoding="utf-8"))
    assert error.line == 2
    assert "unknown age label '0 år'" in str(error)


def test_unknown_sex_label(tmp_path: Path) -> None:
    rows = _rows("K-1835 Træna", lambda age: ["1"], ["Both"])
    error = _error(_write(tmp_path, ["region", "sex", "age", "Persons 2021"], rows))
    assert "unknown sex label 'Both'" in str(error)


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (["kommune", "age", "Persons 2021"], "no header line"),
        (["region", "alder", "Persons 2021"], "no 'age' column"),
        (["region", "age", "Personer 2021"], "unexpected column 'Personer 2021'"),
        (["region", "age"], "no 'Persons YYYY' column"),
        (["region", "age", "Persons 2021", "Persons 2021"], "appears twice"),
        (["region", "sex", "age", "Persons 2021 Males"], "has a sex but so has column 'sex'"),
    ],
)
def test_unknown_layouts(tmp_path: Path, header: list[str], problem: str) -> None:
    error = _error(_write(tmp_path, header, []))
    assert "unknown layout" in str(error)
    assert problem in str(error)
    assert "export.csv" in str(error)


def test_wrong_number_of_fields(tmp_path: Path) -> None:
    rows = _one_year()
    rows[2].append("7")
    error = _error(_write(tmp_path, ["region", "age", "Persons 2021"], rows))
    assert error.line == 4
    assert "expected 3 fields, found 4" in str(error)


def test_duplicate_and_incomplete_ages(tmp_path: Path) -> None:
    rows = _one_year()
    rows[3] = rows[2]
    error = _error(_write(tmp_path, ["region", "age", "Persons 2021"], rows, name="dup.csv"))
    assert "duplicate row for 1835 2021 total age 2 (first on line 4)" in str(error)
    assert error.line == 5

    error = _error(_write(tmp_path, ["region", "age", "Persons 2021"], _one_year()[:-1], name="short.csv"))
    assert "incomplete ages for 1835 2021 total: missing 105" in str(error)
    assert error.line == 2


def test_blank_trailing_lines_are_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path, ["region", "age", "Persons 2021"], _one_year(), newline="\r\n")
    path.write_bytes(path.read_bytes() + b"\r\n\r\n")
    assert read_07459(path)["persons"].sum() == _expected_total()


# --- combining files ----------------------------------------------------------------------------------------


def _sex_files(directory: Path, female_factor: int = 1) -> None:
    header = ["region", "sex", "age", "Persons 2021"]
    rows = _rows("K-1835 Træna", lambda age: [str(age)], ["Males"])
    rows += _rows("K-1835 Træna", lambda age: [str(female_factor * age)], ["Females"])
    _write(directory, header, rows, name="by_sex_2021.csv")


def test_dir_checks_sexes_against_totals(tmp_path: Path) -> None:
    _write(tmp_path, ["region", "age", "Persons 2021"], _one_year(factor=2), name="Personer2021.csv")
    _sex_files(tmp_path)
    frame = read_07459_dir(tmp_path)
    assert frame.groupby("sex")["persons"].sum().to_dict() == {
        "total": _expected_total(2),
        "male": _expected_total(),
        "female": _expected_total(),
    }
    assert list(frame["sex"].drop_duplicates()) == ["total", "male", "female"]


def test_dir_rejects_sexes_that_do_not_add_up(tmp_path: Path) -> None:
    _write(tmp_path, ["region", "age", "Persons 2021"], _one_year(factor=2), name="Personer2021.csv")
    _sex_files(tmp_path, female_factor=3)
    with pytest.raises(SSBFormatError, match=r"males \+ females != total for 1835 2021 age 1: 4 .* vs 2"):
        read_07459_dir(tmp_path)


def test_dir_rejects_a_municipality_missing_from_the_sex_file(tmp_path: Path) -> None:
    rows = _one_year(factor=2) + _one_year("K-1836 Rødøy")
    _write(tmp_path, ["region", "age", "Persons 2021"], rows, name="Personer2021.csv")
    _sex_files(tmp_path)
    with pytest.raises(SSBFormatError, match="males \\+ females != total for 1836 2021 age 1"):
        read_07459_dir(tmp_path)


def test_dir_accepts_agreeing_copies_and_rejects_conflicting_ones(tmp_path: Path) -> None:
    header = ["region", "age", "Persons 2021"]
    _write(tmp_path, header, _one_year(), name="a.csv")
    _write(tmp_path, header, _one_year(), name="b.csv", delimiter="\t")
    assert len(read_07459_dir(tmp_path)) == MAX_AGE + 1

    _write(tmp_path, header, _one_year(factor=2), name="c.csv")
    with pytest.raises(SSBFormatError, match=re.escape("files disagree on 1835 2021 total age 1")):
        read_07459_dir(tmp_path)


def test_dir_canonical_name_is_the_latest_undamaged(tmp_path: Path) -> None:
    _write(tmp_path, ["region", "age", "Persons 2019"], _one_year("1835 Træna"), name="old.csv")
    _write(
        tmp_path,
        ["region", "age", "Persons 2020"],
        _one_year("1835 Tr\ufffdna"),
        encoding="utf-8",
        name="x.csv",
    )
    _write(tmp_path, ["region", "age", "Persons 2021"], _one_year("1835 Tr?na"), name="y.csv")
    assert set(read_07459_dir(tmp_path)["name"]) == {"Træna"}


def test_dir_without_csv_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no \*\.csv or \*\.csv\.xz files"):
        read_07459_dir(tmp_path)
    with pytest.raises(FileNotFoundError, match="not found"):
        read_07459_dir(tmp_path / "missing")


def test_a_compressed_export_reads_as_its_plain_bytes(raw_dir: Path, tmp_path: Path) -> None:
    plain = tmp_path / "Personer2024.csv"
    plain.write_bytes(raw_bytes(raw_dir, "Personer2024.csv"))
    packed = tmp_path / "packed" / "Personer2024.csv.xz"
    packed.parent.mkdir()
    packed.write_bytes(lzma.compress(plain.read_bytes()))
    pd.testing.assert_frame_equal(read_07459(packed), read_07459(plain))
    pd.testing.assert_frame_equal(read_07459_dir(packed.parent), read_07459_dir(tmp_path))
