"""A small client for Statistics Norway's PxWebApi v2 (JSON-stat2), and a safe refresh of the bundled data.

Network access happens only here, and only when a user asks for it (``resilience ssb ...``); running a
scenario reads the bundled files and never constructs a client.

- :class:`SSBClient` — ``fetch(table, selection)`` → a long :class:`pandas.DataFrame` (one code column and one
  label column per dimension, plus ``value``), ``metadata(table)``. It names itself in the ``User-Agent``,
  keeps to SSB's limits (30 requests a minute, 800 000 cells and about 2 100 URL characters a request: large
  requests are split by year, long code lists in halves), retries 429/503 at most three times with backoff,
  and turns every bad or partial answer into :class:`SSBResponseError` naming the table, URL and problem.
- :func:`fetch_population` (07459), :func:`fetch_population_changes` (06913),
  :func:`fetch_employment_by_workplace` (11616/11618), :func:`fetch_life_table` (07902).
- :func:`refresh_population` — fetch 07459 for every municipality, validate it, and only then replace the
  bundled parquet (and its names file and checksum manifest) atomically; on any error the existing files are
  untouched.

The dimension and content codes of the tables are module constants so that they are easy to correct if SSB
renames them. Usage (needs network)::

    >>> client = SSBClient()  # doctest: +SKIP
    >>> fetch_population(client, ["1835"], [2024]).persons.sum()  # doctest: +SKIP
    442
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from importlib import resources
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np
import pandas as pd

from resilience.data.build import (
    MUNICIPALITIES_FILE,
    POPULATION_FILE,
    municipalities_json,
    population_parquet_bytes,
    tables_from_raw,
)
from resilience.data.integrity import data_dir, replace_files
from resilience.data.ssb07459 import MAX_AGE

__all__ = [
    "BASE_URL",
    "CHANGES_CONTENTS",
    "EMPLOYMENT_TABLES",
    "LIFE_TABLE_CONTENTS",
    "MAX_CELLS",
    "POPULATION_CONTENTS",
    "SSBClient",
    "SSBRequestError",
    "SSBResponseError",
    "bundled_population_path",
    "fetch_employment_by_workplace",
    "fetch_life_table",
    "fetch_population",
    "fetch_population_changes",
    "parse_jsonstat2",
    "population_from_frame",
    "population_path",
    "refresh_population",
]

#: PxWebApi v2 at Statistics Norway.
BASE_URL: Final = "https://data.ssb.no/api/pxwebapi/v2"
#: SSB answers 403 above this many cells per request.
MAX_CELLS: Final = 800_000
#: SSB answers 404 to URLs longer than about 2 100 characters; stay below.
MAX_URL_LENGTH: Final = 2_000
#: At most 30 requests in 60 seconds: wait this long between requests.
MIN_INTERVAL: Final = 2.1
#: Retries on 429 (too many requests) and 503 (unavailable).
MAX_RETRIES: Final = 3
USER_AGENT: Final = "resilience-ssb-client/0.1 (+https://github.com/; municipal resilience model)"

# Dimension ids shared by the tables.
REGION: Final = "Region"
SEX: Final = "Kjonn"
AGE: Final = "Alder"
CONTENTS: Final = "ContentsCode"
TIME: Final = "Tid"

#: 07459: population 1 January by region, sex and single year of age.
POPULATION_TABLE: Final = "07459"
POPULATION_CONTENTS: Final = "Personer1"
#: 06913: population 1 January and changes during the year. Codes as seen in public v2 queries (not checked
#: against the live metadata from this machine): births, deaths, in- and out-migration.
CHANGES_TABLE: Final = "06913"
CHANGES_CONTENTS: Final[Mapping[str, str]] = {
    "Levende": "births",
    "Dode": "deaths",
    "Innflyttinger": "in_migration",
    "Utflyttinger": "out_migration",
}
#: 11616/11618: employed persons by municipality of work. Other dimensions (industry, sex, age) are left
#: out of the request, so SSB returns their totals, unless ``by`` names them.
EMPLOYMENT_TABLES: Final = ("11616", "11618")
#: 07902: life tables. The age dimension is found from the metadata (its id is not hard-coded); the
#: content code of the probability of dying is a guess to be checked, with a fall-back on the English label.
LIFE_TABLE: Final = "07902"
LIFE_TABLE_CONTENTS: Final = "Dodssannsynlighet"

#: How municipality codes are written in each table's Region dimension (07459: ``K-1835``). Responses are
#: read either way: ``K-1835``, ``K_1835`` and ``1835`` all mean Træna.
REGION_FORMAT: Final[Mapping[str, str]] = {
    POPULATION_TABLE: "K-{}",
    CHANGES_TABLE: "{}",
    "11616": "{}",
    "11618": "{}",
}
SEX_CODES: Final[Mapping[str, str]] = {"1": "male", "2": "female"}
#: 07459's ages: ``000``..``104`` and ``105+``. Listed rather than ``*`` so that counting cells needs no
#: metadata request.
AGE_CODES: Final = (*(f"{age:03d}" for age in range(MAX_AGE)), f"{MAX_AGE}+")

_MUNICIPALITY_RE: Final = re.compile(r"^(?:K[-_])?([0-9]{4})$")
_AGE_RE: Final = re.compile(r"^([0-9]{1,3})\+?$")
_LABEL_CODE_RE: Final = re.compile(r"^(?:K[-_])?[0-9]{4}\s+")
_VALIDITY_SUFFIX_RE: Final = re.compile(r"\s*\((?:[0-9]{4})?-(?:[0-9]{4})?\)$")
_SNIPPET: Final = 300
# A municipality has fewer persons than this (Oslo: about 720 000).
_MAX_MUNICIPALITY_PERSONS: Final = 2_000_000
# The total of all municipalities changes by less than this from one year to the next.
_MAX_YEARLY_CHANGE: Final = 0.1


class SSBResponseError(ValueError):
    """SSB could not be reached, or answered with an error or with data that cannot be trusted.

    Attributes: ``table``, ``url`` and ``status`` (the HTTP status, or None).
    """

    def __init__(self, table: str, url: str, problem: str, status: int | None = None) -> None:
        self.table = table
        self.url = url
        self.status = status
        super().__init__(f"SSB table {table}: {problem} (URL: {_short(url)})")


class SSBRequestError(ValueError):
    """A request that cannot be sent as asked (too many cells even for one year, unknown dimension)."""


class _Response(Protocol):
    def read(self) -> bytes: ...


class Opener(Protocol):
    """What :class:`SSBClient` needs from its transport: ``urllib.request.OpenerDirector.open``."""

    def open(self, fullurl: urllib.request.Request, data: None = None, timeout: float = ...) -> Any: ...


@dataclass(frozen=True)
class _Dimension:
    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]


class SSBClient:
    """PxWebApi v2 client: GET requests for JSON-stat2, parsed into long data frames.

    ``opener`` is anything with urllib's ``open(request, timeout=...)`` (tests pass a fake one; the default
    is ``urllib.request.build_opener()``). ``sleep`` and ``clock`` are injectable for the same reason.
    """

    def __init__(
        self,
        base_url: str = BASE_URL,
        timeout: float = 30,
        opener: Opener | None = None,
        *,
        max_cells: int = MAX_CELLS,
        max_retries: int = MAX_RETRIES,
        min_interval: float = MIN_INTERVAL,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.opener: Opener = opener if opener is not None else urllib.request.build_opener()
        self.max_cells = max_cells
        self.max_retries = max_retries
        self.min_interval = min_interval
        self.backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._last_request: float | None = None
        self._metadata: dict[tuple[str, str], dict[str, _Dimension]] = {}
        #: Every URL requested, in order (handy for logs and tests).
        self.requested: list[str] = []

    # --- public ---------------------------------------------------------------------------------------

    def data_url(self, table_id: str, selection: Mapping[str, Sequence[str]], lang: str = "en") -> str:
        """The GET URL for ``selection`` (``valueCodes[DIM]=a,b``; ``*`` selects every code)."""
        parts = [f"lang={_quote(lang)}", "outputFormat=json-stat2"]
        for dimension, codes in selection.items():
            if isinstance(codes, str):
                codes = [codes]
            if not codes:
                raise SSBRequestError(f"table {table_id}: no codes selected for dimension {dimension!r}")
            key = urllib.parse.quote(f"valueCodes[{dimension}]", safe="[]")
            parts.append(f"{key}={','.join(_quote(str(code)) for code in codes)}")
        return f"{self.base_url}/tables/{_quote(table_id)}/data?{'&'.join(parts)}"

    def metadata(self, table_id: str, lang: str = "en") -> dict[str, tuple[str, ...]]:
        """Codes of every dimension of the table, in SSB's order: ``{"Tid": ("1986", ..., "2024"), ...}``."""
        return {dim: info.codes for dim, info in self._dimensions(table_id, lang).items()}

    def metadata_labels(self, table_id: str, lang: str = "en") -> dict[str, dict[str, str]]:
        """Labels of every dimension's codes: ``{"ContentsCode": {"Personer1": "Persons"}, ...}``."""
        return {
            dim: dict(zip(info.codes, info.labels, strict=True))
            for dim, info in self._dimensions(table_id, lang).items()
        }

    def fetch(self, table_id: str, selection: Mapping[str, Sequence[str]], lang: str = "en") -> pd.DataFrame:
        """Fetch the selected cells of a table as a long frame.

        Columns: one per dimension (codes, in the response's order), one ``<dim>_label`` per dimension, and
        ``value`` (float, NaN where SSB has no number). A request above the cell limit is split by year, one
        with too long a URL by halving its longest code list; the parts are concatenated.

        Raises:
            SSBResponseError: an HTTP error, an SSB error document, non-JSON, or a malformed or partial
                JSON-stat2 document.
            SSBRequestError: the request cannot be split small enough.
        """
        plain = {dim: [codes] if isinstance(codes, str) else list(codes) for dim, codes in selection.items()}
        frames = [self._get_data(table_id, part, lang) for part in self._plan(table_id, plain, lang)]
        if len(frames) == 1:
            return frames[0]
        frame = pd.concat(frames, ignore_index=True)
        frame.attrs = dict(frames[0].attrs)
        return frame

    # --- planning -------------------------------------------------------------------------------------

    def _plan(self, table_id: str, selection: dict[str, list[str]], lang: str) -> list[dict[str, list[str]]]:
        """Split ``selection`` so that every part has at most ``max_cells`` cells and a short URL."""
        if self._cells(table_id, selection, lang) > self.max_cells:
            years = selection.get(TIME)
            if years is None:
                raise SSBRequestError(f"table {table_id}: more than {self.max_cells} cells and no {TIME} selection")
            if any(_is_pattern(code) for code in years):
                years = list(self._dimensions(table_id, lang)[TIME].codes) if years == ["*"] else years
            if len(years) <= 1 or any(_is_pattern(code) for code in years):
                raise SSBRequestError(
                    f"table {table_id}: one year of this selection has more than {self.max_cells} cells; "
                    "select fewer codes"
                )
            per_year = self._cells(table_id, {**selection, TIME: years[:1]}, lang)
            chunk = max(1, self.max_cells // max(per_year, 1))
            parts: list[dict[str, list[str]]] = []
            for start in range(0, len(years), chunk):
                parts.extend(self._plan(table_id, {**selection, TIME: years[start : start + chunk]}, lang))
            return parts
        if len(self.data_url(table_id, selection, lang)) > MAX_URL_LENGTH:
            dimension = max(selection, key=lambda dim: len(selection[dim]))
            codes = selection[dimension]
            if len(codes) <= 1:
                raise SSBRequestError(f"table {table_id}: the URL is too long even for one code per dimension")
            half = len(codes) // 2
            return [
                *self._plan(table_id, {**selection, dimension: codes[:half]}, lang),
                *self._plan(table_id, {**selection, dimension: codes[half:]}, lang),
            ]
        return [selection]

    def _cells(self, table_id: str, selection: Mapping[str, Sequence[str]], lang: str) -> int:
        """Cells of the answer: explicit codes are counted, patterns (``*``, ``top(3)``) need the metadata."""
        counts = []
        dimensions: dict[str, _Dimension] | None = None
        for codes in selection.values():
            if any(_is_pattern(code) for code in codes):
                if dimensions is None:
                    dimensions = self._dimensions(table_id, lang)
                counts.append(0)  # placeholder, replaced below
            else:
                counts.append(len(codes))
        if dimensions is not None:
            for position, (dimension, codes) in enumerate(selection.items()):
                if any(_is_pattern(code) for code in codes):
                    if dimension not in dimensions:
                        raise SSBRequestError(
                            f"table {table_id} has no dimension {dimension!r}; it has {', '.join(dimensions)}"
                        )
                    counts[position] = len(dimensions[dimension].codes)
        return math.prod(counts)

    # --- HTTP -----------------------------------------------------------------------------------------

    def _dimensions(self, table_id: str, lang: str) -> dict[str, _Dimension]:
        key = (table_id, lang)
        if key not in self._metadata:
            url = f"{self.base_url}/tables/{_quote(table_id)}/metadata?lang={_quote(lang)}"
            document = self._get_json(table_id, url)
            self._metadata[key] = _read_dimensions(table_id, url, document)
        return self._metadata[key]

    def _get_data(self, table_id: str, selection: Mapping[str, Sequence[str]], lang: str) -> pd.DataFrame:
        url = self.data_url(table_id, selection, lang)
        frame = parse_jsonstat2(self._get_json(table_id, url), table=table_id, url=url)
        missing = [dim for dim in selection if dim not in frame.columns]
        if missing:
            raise SSBResponseError(
                table_id, url, f"partial response: dimension(s) {', '.join(missing)} asked for but not returned"
            )
        return frame

    def _get_json(self, table_id: str, url: str) -> Any:
        body = self._get(table_id, url)
        try:
            document = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise SSBResponseError(table_id, url, f"the response is not JSON ({error}): {_snippet(body)}") from None
        _raise_for_error_document(table_id, url, document)
        return document

    def _get(self, table_id: str, url: str) -> bytes:
        """GET ``url``; retry 429 and 503 with backoff (``Retry-After`` when SSB sends one)."""
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        attempt = 0
        while True:
            self._wait_turn()
            self.requested.append(url)
            status: int | None
            headers: Message | None = None
            try:
                with contextlib.closing(self.opener.open(request, timeout=self.timeout)) as response:
                    status = getattr(response, "status", None) or getattr(response, "code", None) or 200
                    headers = getattr(response, "headers", None)
                    body = response.read()
            except urllib.error.HTTPError as error:
                status, headers = error.code, error.headers
                try:
                    body = error.read() or b""
                except OSError:
                    body = b""
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise SSBResponseError(table_id, url, f"could not reach SSB: {reason}") from None
            if status is not None and status < 400:
                return bytes(body)
            if status in (429, 503) and attempt < self.max_retries:
                self._sleep(_retry_delay(headers, self.backoff * 2**attempt))
                attempt += 1
                continue
            tried = f" after {attempt + 1} attempts" if attempt else ""
            raise SSBResponseError(
                table_id, url, f"HTTP {status}{_status_hint(status)}{tried}: {_error_text(body)}", status=status
            )

    def _wait_turn(self) -> None:
        now = self._clock()
        if self._last_request is not None and self.min_interval > 0:
            wait = self._last_request + self.min_interval - now
            if wait > 0:
                self._sleep(wait)
                now += wait
        self._last_request = now


# --- JSON-stat2 ---------------------------------------------------------------------------------------------


def parse_jsonstat2(document: Any, *, table: str = "?", url: str = "?") -> pd.DataFrame:
    """A JSON-stat2 dataset as a long frame: ``<dim>`` codes, ``<dim>_label`` labels, ``value``.

    Checks version and class, that ``id``, ``size`` and ``dimension`` agree, that each dimension's index is a
    permutation of its positions (dict or list form), and that there are exactly ``prod(size)`` values
    (list, or the sparse dict form); anything else raises :class:`SSBResponseError`.
    """

    def fail(problem: str) -> SSBResponseError:
        return SSBResponseError(table, url, problem)

    _raise_for_error_document(table, url, document)
    if not isinstance(document, dict):
        raise fail(f"expected a JSON-stat2 object, got {type(document).__name__}")
    if document.get("class") != "dataset" or str(document.get("version")) != "2.0":
        raise fail(f"not a JSON-stat2 dataset (version={document.get('version')!r}, class={document.get('class')!r})")
    ids, sizes, dims = document.get("id"), document.get("size"), document.get("dimension")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise fail("'id' is missing or not a list of dimension names")
    if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise fail("'size' is missing or not a list of counts")
    if len(ids) != len(sizes):
        raise fail(f"'id' has {len(ids)} dimensions but 'size' has {len(sizes)}")
    if not isinstance(dims, dict):
        raise fail("'dimension' is missing")
    missing = [dim for dim in ids if dim not in dims]
    if missing:
        raise fail(f"partial response: dimension(s) {', '.join(missing)} listed in 'id' but not described")
    dimensions = [_read_dimension(table, url, dim, dims[dim], size) for dim, size in zip(ids, sizes, strict=True)]
    values = _read_values(table, url, document.get("value"), math.prod(sizes))

    columns: dict[str, Any] = {}
    if dimensions:
        grid = np.indices(tuple(sizes)).reshape(len(sizes), -1)
        for dimension, positions in zip(dimensions, grid, strict=True):
            columns[dimension.id] = np.asarray(dimension.codes, dtype=object)[positions]
        for dimension, positions in zip(dimensions, grid, strict=True):
            columns[f"{dimension.id}_label"] = np.asarray(dimension.labels, dtype=object)[positions]
    columns["value"] = values
    frame = pd.DataFrame(columns)
    frame.attrs["ssb"] = {
        "table": table,
        "url": url,
        "label": document.get("label"),
        "source": document.get("source"),
        "updated": document.get("updated"),
    }
    return frame


def _read_dimensions(table: str, url: str, document: Any) -> dict[str, _Dimension]:
    """The dimensions of a metadata document (JSON-stat2 without values)."""
    _raise_for_error_document(table, url, document)
    if not isinstance(document, dict) or not isinstance(document.get("dimension"), dict):
        raise SSBResponseError(table, url, "metadata without 'dimension'")
    ids = document.get("id")
    if not isinstance(ids, list):
        raise SSBResponseError(table, url, "metadata without 'id'")
    sizes = document.get("size") or [None] * len(ids)
    dims = document["dimension"]
    missing = [dim for dim in ids if dim not in dims]
    if missing:
        raise SSBResponseError(table, url, f"metadata lacks dimension(s) {', '.join(missing)}")
    return {dim: _read_dimension(table, url, dim, dims[dim], size) for dim, size in zip(ids, sizes, strict=True)}


def _read_dimension(table: str, url: str, dim: str, spec: Any, size: int | None) -> _Dimension:
    def fail(problem: str) -> SSBResponseError:
        return SSBResponseError(table, url, f"dimension {dim!r}: {problem}")

    category = spec.get("category") if isinstance(spec, dict) else None
    if not isinstance(category, dict):
        raise fail("no 'category'")
    index, labels = category.get("index"), category.get("label")
    if labels is None and index is None:
        raise fail("category has neither 'index' nor 'label'")
    if labels is not None and not isinstance(labels, dict):
        raise fail("category 'label' is not an object")
    if index is None:
        # JSON-stat allows leaving out the index only for a single category.
        if labels is None or len(labels) != 1:
            raise fail("category has no 'index' and more than one label")
        codes = list(labels)
    elif isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        positions = sorted(index.items(), key=lambda item: item[1] if isinstance(item[1], int) else -1)
        if sorted(p for _, p in positions if isinstance(p, int)) != list(range(len(index))):
            raise fail("category 'index' positions are not 0..n-1")
        codes = [str(code) for code, _ in positions]
    else:
        raise fail("category 'index' is neither a list nor an object")
    if len(set(codes)) != len(codes):
        raise fail("duplicate codes in the category index")
    if size is not None and len(codes) != size:
        raise fail(f"'size' says {size} categories but the index has {len(codes)} (partial response)")
    if labels is None:
        labels = {code: code for code in codes}
    absent = [code for code in codes if code not in labels]
    if absent:
        raise fail(f"no label for code(s) {', '.join(absent[:5])}")
    label = spec.get("label", dim)
    return _Dimension(dim, str(label), tuple(codes), tuple(str(labels[code]) for code in codes))


def _read_values(table: str, url: str, raw: Any, expected: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    def fail(problem: str) -> SSBResponseError:
        return SSBResponseError(table, url, problem)

    if isinstance(raw, dict):  # sparse form: {"position": value}
        values = np.full(expected, np.nan)
        for key, value in raw.items():
            try:
                position = int(key)
            except ValueError:
                raise fail(f"bad position {key!r} in sparse 'value'") from None
            if not 0 <= position < expected:
                raise fail(f"position {position} in 'value' outside 0..{expected - 1}")
            values[position] = _number(table, url, value)
        return values
    if not isinstance(raw, list):
        raise fail("'value' is missing or not a list")
    if len(raw) != expected:
        raise fail(
            f"truncated or partial data: the sizes give {expected} cells but 'value' has {len(raw)} "
            "(SSB may have cut the answer; try fewer codes)"
        )
    return np.array([_number(table, url, value) for value in raw], dtype=np.float64)


def _number(table: str, url: str, value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SSBResponseError(table, url, f"non-numeric value {value!r} in 'value'")
    return float(value)


def _raise_for_error_document(table: str, url: str, document: Any) -> None:
    """SSB's v2 errors are JSON problem documents: ``{"type", "title", "status", "detail"}``."""
    if isinstance(document, dict) and "class" not in document and ("title" in document or "errors" in document):
        status = document.get("status")
        detail = document.get("detail") or document.get("errors") or ""
        text = f"{document.get('title', 'error')}" + (f": {detail}" if detail else "")
        raise SSBResponseError(
            table,
            url,
            f"SSB answered with an error{f' ({status})' if status else ''}: {_one_line(text)}",
            status if isinstance(status, int) else None,
        )


# --- the tables ---------------------------------------------------------------------------------------------


def fetch_population(client: SSBClient, kommunenummer: Sequence[str] | None, years: Iterable[int]) -> pd.DataFrame:
    """Table 07459 in the bundled long format and dtypes: ``kommunenummer, year, sex, age, persons``.

    ``kommunenummer=None`` asks for every region and keeps the municipalities. As in the bundled file, rows
    with zero persons are dropped (see :mod:`resilience.data.build`).
    """
    population, _ = tables_from_raw(_fetch_population_raw(client, kommunenummer, years))
    return population


def _fetch_population_raw(client: SSBClient, kommunenummer: Sequence[str] | None, years: Iterable[int]) -> pd.DataFrame:
    """07459 as :func:`population_from_frame` gives it: with names, zeros kept."""
    selection = {
        REGION: _regions(POPULATION_TABLE, kommunenummer),
        SEX: list(SEX_CODES),
        AGE: list(AGE_CODES),
        CONTENTS: [POPULATION_CONTENTS],
        TIME: _years(years),
    }
    frame = client.fetch(POPULATION_TABLE, selection)
    return population_from_frame(frame)


def population_from_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A parsed 07459 response → ``kommunenummer, name, year, sex, age, persons`` for municipalities.

    Regions other than municipalities (country, counties, "unknown") are dropped, and so are municipalities
    with no number at all in a year (codes not in use that year). Missing numbers otherwise raise.
    """
    url = str(frame.attrs.get("ssb", {}).get("url", "?"))
    for column in (REGION, SEX, AGE, TIME):
        if column not in frame.columns:
            raise SSBResponseError(POPULATION_TABLE, url, f"partial response: no {column} dimension")
    codes = frame[REGION].astype(str).str.extract(_MUNICIPALITY_RE, expand=False)
    data = frame.assign(kommunenummer=codes)[codes.notna()]
    ages = data[AGE].astype(str).str.extract(_AGE_RE, expand=False)
    if ages.isna().any():
        bad = sorted(set(data.loc[ages.isna(), AGE]))[:5]
        raise SSBResponseError(POPULATION_TABLE, url, f"unknown age code(s) {bad}")
    sexes = data[SEX].astype(str).map(SEX_CODES)
    if sexes.isna().any():
        raise SSBResponseError(POPULATION_TABLE, url, f"unknown sex code(s) {sorted(set(data.loc[sexes.isna(), SEX]))}")
    out = pd.DataFrame(
        {
            "kommunenummer": data["kommunenummer"].to_numpy(),
            "name": data[f"{REGION}_label"].astype(str).map(_clean_name).to_numpy(),
            "year": pd.to_numeric(data[TIME], errors="coerce").to_numpy(),
            "sex": sexes.to_numpy(),
            "age": ages.astype(int).to_numpy(),
            "persons": data["value"].to_numpy(),
        }
    )
    if out["year"].isna().any():
        raise SSBResponseError(POPULATION_TABLE, url, "non-numeric year code(s)")
    in_use = out.groupby(["kommunenummer", "year"])["persons"].transform(lambda s: s.notna().any())
    out = out[in_use.astype(bool)]
    if out["persons"].isna().any():
        sample = out[out["persons"].isna()].iloc[0]
        raise SSBResponseError(
            POPULATION_TABLE,
            url,
            f"missing persons for {sample.kommunenummer} {int(sample.year)} {sample.sex} age {sample.age}",
        )
    persons = out["persons"].to_numpy()
    if (persons < 0).any() or not np.array_equal(persons, np.round(persons)):
        raise SSBResponseError(POPULATION_TABLE, url, "persons must be non-negative integers")
    out = out.astype({"year": "int64", "age": "int64", "persons": "int64"})
    return out.sort_values(["kommunenummer", "year", "sex", "age"], kind="stable").reset_index(drop=True)


def fetch_population_changes(
    client: SSBClient, kommunenummer: Sequence[str] | None, years: Iterable[int]
) -> pd.DataFrame:
    """Table 06913: ``kommunenummer, year, births, deaths, in_migration, out_migration`` (NaN where none)."""
    selection = {
        REGION: _regions(CHANGES_TABLE, kommunenummer),
        CONTENTS: list(CHANGES_CONTENTS),
        TIME: _years(years),
    }
    frame = client.fetch(CHANGES_TABLE, selection)
    frame = _municipal_rows(frame)
    wide = frame.pivot_table(index=["kommunenummer", TIME], columns=CONTENTS, values="value", dropna=False)
    wide = wide.reindex(columns=list(CHANGES_CONTENTS)).rename(columns=dict(CHANGES_CONTENTS))
    wide = wide.reset_index().rename(columns={TIME: "year"})
    wide.columns.name = None
    wide["year"] = wide["year"].astype("int64")
    return wide


def fetch_employment_by_workplace(
    client: SSBClient,
    kommunenummer: Sequence[str] | None,
    years: Iterable[int],
    *,
    table: str = EMPLOYMENT_TABLES[0],
    by: Sequence[str] = (),
    contents: Sequence[str] = ("*",),
) -> pd.DataFrame:
    """Employed persons by municipality of work (11616 or 11618): ``kommunenummer, year, contents, value``.

    Dimensions named in ``by`` (e.g. an industry dimension) are fetched in full and kept as columns; the
    others are left out of the request, so SSB returns their totals.
    """
    if table not in EMPLOYMENT_TABLES:
        raise SSBRequestError(f"employment by workplace is in tables {', '.join(EMPLOYMENT_TABLES)}, not {table}")
    selection: dict[str, list[str]] = {
        REGION: _regions(table, kommunenummer),
        CONTENTS: list(contents),
        TIME: _years(years),
    }
    for dimension in by:
        selection[dimension] = ["*"]
    frame = _municipal_rows(client.fetch(table, selection))
    keep = ["kommunenummer", TIME, *by, CONTENTS, f"{CONTENTS}_label", "value"]
    out = frame[keep].rename(columns={TIME: "year", CONTENTS: "contents", f"{CONTENTS}_label": "contents_label"})
    out["year"] = out["year"].astype("int64")
    return out.reset_index(drop=True)


def fetch_life_table(client: SSBClient, years: Iterable[int]) -> pd.DataFrame:
    """Table 07902: ``year, sex, age, probability`` of dying between age x and x+1 (0..1) and the raw value.

    The age dimension is looked up in the metadata; the contents code is :data:`LIFE_TABLE_CONTENTS` or,
    failing that, the content whose English label mentions the probability of dying.
    """
    labels = client.metadata_labels(LIFE_TABLE)
    extra = [dim for dim in labels if dim not in (SEX, CONTENTS, TIME, REGION)]
    if len(extra) != 1:
        raise SSBRequestError(f"table {LIFE_TABLE}: expected one age dimension besides sex, got {extra}")
    age_dimension = extra[0]
    contents = labels.get(CONTENTS, {})
    code = LIFE_TABLE_CONTENTS
    if code not in contents:
        matches = [c for c, label in contents.items() if "probab" in label.lower() and "d" in label.lower()]
        if len(matches) != 1:
            raise SSBRequestError(
                f"table {LIFE_TABLE}: content {LIFE_TABLE_CONTENTS!r} not found; contents are {contents}"
            )
        code = matches[0]
    selection: dict[str, list[str]] = {
        SEX: list(SEX_CODES),
        age_dimension: ["*"],
        CONTENTS: [code],
        TIME: _years(years),
    }
    if REGION in labels:
        selection[REGION] = ["0"]
    frame = client.fetch(LIFE_TABLE, selection)
    ages = frame[age_dimension].astype(str).str.extract(r"([0-9]{1,3})", expand=False)
    value = frame["value"].to_numpy(dtype=float)
    # SSB publishes the probability per 1 000; accept a share too.
    scale = 1000.0 if np.nanmax(value, initial=0.0) > 1 else 1.0
    out = pd.DataFrame(
        {
            "year": frame[TIME].astype("int64"),
            "sex": frame[SEX].astype(str).map(SEX_CODES),
            "age": pd.to_numeric(ages, errors="coerce"),
            "probability": value / scale,
            "value": value,
        }
    )
    return out.dropna(subset=["sex", "age"]).astype({"age": "int64"}).reset_index(drop=True)


# --- refreshing the bundled data ----------------------------------------------------------------------------


def bundled_population_path() -> Path:
    """Where the bundled ``ssb_07459_population.parquet`` is (in the installed package)."""
    return Path(str(resources.files("resilience.data").joinpath(POPULATION_FILE)))


def population_path() -> Path:
    """The population file in use: in ``$RESILIENCE_DATA_DIR`` if that is set, else the bundled one."""
    return data_dir() / POPULATION_FILE


def refresh_population(
    client: SSBClient,
    target: str | Path | None = None,
    *,
    first_year: int = 2005,
    years: Iterable[int] | None = None,
    min_municipalities: int = 300,
    write_names: bool = True,
) -> Path:
    """Fetch 07459 for every municipality and year, validate it, then replace ``target`` atomically.

    Years are those SSB's metadata lists from ``first_year`` on (or ``years``). Checks before anything is
    written: every year is present; every municipality has 106 ages × 2 sexes of non-negative integers;
    no municipality above 2 million persons; at least ``min_municipalities`` municipalities a year; and the
    total of all municipalities changes by less than 10 % from one year to the next. The parquet is written
    in the bundled layout, and (``write_names``) the names file next to it, each via a temporary file and
    :func:`os.replace`, together with the checksum manifest ``checksums.json`` in the same directory, kept true
    at every moment (:func:`~resilience.data.integrity.replace_files`). ``target`` defaults to the population
    file in use (:func:`population_path`). On any error nothing is written.

    Raises:
        SSBResponseError: SSB failed or the data did not pass the checks.
    """
    target = Path(target) if target is not None else population_path()
    available = [int(code) for code in client.metadata(POPULATION_TABLE).get(TIME, ()) if str(code).isdigit()]
    wanted = sorted(set(years)) if years is not None else [year for year in available if year >= first_year]
    unavailable = sorted(set(wanted) - set(available))
    if not wanted or unavailable:
        raise SSBResponseError(
            POPULATION_TABLE,
            client.base_url,
            f"years {unavailable or wanted} not in the table's metadata (it has {available[:1]}..{available[-1:]})",
        )
    raw = _fetch_population_raw(client, None, wanted)
    _validate_population(raw, wanted, min_municipalities, client.requested[-1] if client.requested else "?")
    population, names = tables_from_raw(raw.loc[:, ["kommunenummer", "name", "year", "sex", "age", "persons"]])
    content = population_parquet_bytes(population)
    names_content = municipalities_json(names) if write_names else None
    contents = {target.name: content}
    if names_content is not None:
        contents[MUNICIPALITIES_FILE] = names_content
    replace_files(target.parent, contents)
    return target


def _validate_population(raw: pd.DataFrame, years: Sequence[int], min_municipalities: int, url: str) -> None:
    def fail(problem: str) -> SSBResponseError:
        return SSBResponseError(POPULATION_TABLE, url, f"refresh refused, nothing written: {problem}")

    missing_years = sorted(set(years) - set(raw["year"]))
    if missing_years:
        raise fail(f"no municipality has population for {missing_years}")
    cells = raw.groupby(["kommunenummer", "year"]).size()
    incomplete = cells[cells != 2 * (MAX_AGE + 1)]
    if not incomplete.empty:
        code, year = incomplete.index[0]
        raise fail(f"{code} {year} has {int(incomplete.iloc[0])} age×sex cells, expected {2 * (MAX_AGE + 1)}")
    duplicated = raw.duplicated(["kommunenummer", "year", "sex", "age"])
    if duplicated.any():
        raise fail("duplicated municipality/year/sex/age rows")
    totals = raw.groupby(["kommunenummer", "year"])["persons"].sum()
    if (totals > _MAX_MUNICIPALITY_PERSONS).any():
        code, year = totals.index[int(np.argmax(totals.to_numpy()))]
        raise fail(f"{code} has an implausible {int(totals.max())} persons in {year}")
    per_year = raw.groupby("year")["kommunenummer"].nunique()
    small = per_year[per_year < min_municipalities]
    if not small.empty:
        raise fail(
            f"only {int(small.iloc[0])} municipalities in {int(small.index[0])} (expected ≥ {min_municipalities})"
        )
    national = raw.groupby("year")["persons"].sum().sort_index()
    change = national.pct_change().abs().dropna()
    if (change > _MAX_YEARLY_CHANGE).any():
        worst = change.index[int(np.argmax(change.to_numpy()))]
        raise fail(f"the total changes by {change.max():.0%} into {worst}: the data for that year looks partial")


# --- helpers ------------------------------------------------------------------------------------------------


def _regions(table: str, kommunenummer: Sequence[str] | None) -> list[str]:
    if kommunenummer is None:
        return ["*"]
    if isinstance(kommunenummer, str):
        kommunenummer = [kommunenummer]
    pattern = REGION_FORMAT.get(table, "{}")
    codes = []
    for code in kommunenummer:
        match = _MUNICIPALITY_RE.match(str(code))
        if not match:
            raise SSBRequestError(f"kommunenummer must be 4 digits such as '1835', got {code!r}")
        codes.append(pattern.format(match.group(1)))
    if not codes:
        raise SSBRequestError("no kommunenummer given (pass None for all municipalities)")
    return codes


def _years(years: Iterable[int]) -> list[str]:
    selected = [str(int(year)) for year in years]
    if not selected:
        raise SSBRequestError("no years given")
    return selected


def _municipal_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose Region is a municipality, with a 4-digit ``kommunenummer`` column."""
    if REGION not in frame.columns:
        url = str(frame.attrs.get("ssb", {}).get("url", "?"))
        raise SSBResponseError(str(frame.attrs.get("ssb", {}).get("table", "?")), url, "no Region dimension")
    codes = frame[REGION].astype(str).str.extract(_MUNICIPALITY_RE, expand=False)
    return frame.assign(kommunenummer=codes)[codes.notna()].reset_index(drop=True)


def _clean_name(label: str) -> str:
    """``"K-1835 Træna"`` or ``"Træna (-2019)"`` → ``"Træna"``."""
    return _VALIDITY_SUFFIX_RE.sub("", _LABEL_CODE_RE.sub("", label.strip())).strip()


def _is_pattern(code: str) -> bool:
    return any(mark in code for mark in "*?(")


def _quote(text: str) -> str:
    # '+' must be encoded ("105+" is an age code); '*', '?', ',', '(' and ')' are SSB's selection syntax.
    return urllib.parse.quote(text, safe="*?,()-_.~")


def _retry_delay(headers: Message | None, default: float) -> float:
    value = headers.get("Retry-After") if headers is not None else None
    if value is not None and str(value).strip().isdigit():
        return min(float(value), 60.0)
    return default


def _status_hint(status: int | None) -> str:
    return {
        400: " (bad request: check the dimension and value codes)",
        403: f" (refused: more than {MAX_CELLS} cells?)",
        404: " (unknown table, or the URL is too long)",
        429: " (too many requests: SSB allows 30 a minute)",
        503: " (SSB is unavailable)",
    }.get(status or 0, "")


def _error_text(body: bytes) -> str:
    """The title/detail of a JSON problem document, or the start of the body."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _snippet(body)
    if isinstance(document, dict) and ("title" in document or "detail" in document):
        detail = document.get("detail")
        return _one_line(f"{document.get('title', '')}" + (f": {detail}" if detail else ""))
    return _snippet(body)


def _snippet(body: bytes) -> str:
    text = body[:_SNIPPET].decode("utf-8", errors="replace")
    return repr(_one_line(text) + ("…" if len(body) > _SNIPPET else "")) if body else "(empty body)"


def _short(url: str, keep: int = 240) -> str:
    """A long URL with its middle elided, for one-line messages (the full URL is in ``error.url``)."""
    return url if len(url) <= keep else f"{url[: keep - 60]}…{url[-59:]}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
