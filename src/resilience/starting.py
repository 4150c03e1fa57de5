"""A commented starting scenario for any municipality in the bundled SSB data (``resilience init``).

The population is real (SSB table 07459, by single year of age and sex); everything else — employers,
vacant dwellings, commuting, the closure and the strategies' sizes — is estimated from the municipality's
size and marked as an estimate for a planner to replace with what is known locally.

    >>> text = starting_scenario("K-1835")
    >>> "Træna" in text and "ESTIMATE — replace with the real firm" in text
    True

The YAML is written from a Jinja2 template (``scenarios/starting.yaml.j2``) in which every text value
goes through :func:`yaml_quote` (a double-quoted YAML scalar) and every text in a comment through
:func:`comment_text` (one line), so no municipality name — æøå, hyphens, Sami names with " - ",
apostrophes, quotes — can break the file.
"""

from __future__ import annotations

import functools
import os
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

import jinja2

from resilience.data import (
    Population,
    YearNotAvailableError,
    available_years,
    municipality_population,
)
from resilience.experiments import atomic_write_text
from resilience.levers import lever_catalogue
from resilience.model import Parameters

__all__ = [
    "ASSUMPTIONS",
    "Estimates",
    "comment_text",
    "estimate",
    "normalise_kommune",
    "renumbered_note",
    "starting_scenario",
    "write_starting_scenario",
    "yaml_quote",
]


@dataclass(frozen=True)
class _Assumptions:
    """The rules of thumb behind the estimates (each is cited in the written file)."""

    #: Employed persons per resident (SSB: ≈ 2.9 million employed, ≈ 5.5 million residents).
    jobs_per_resident: float = 0.5
    #: Residents per household (SSB: average household size ≈ 2.2).
    household_size: float = 2.2
    #: Vacant dwellings a newcomer could move into, as a share of households.
    vacant_share: float = 0.05
    #: Public jobs as a share of all jobs (SSB: ≈ 30 % of the employed work in the public sector).
    public_share: float = 0.30
    #: Local-service jobs (shops, trades, private services) as a share of all jobs.
    local_share: float = 0.30
    #: The cornerstone candidate's share of the basic (exporting) jobs ...
    cornerstone_share_of_basic: float = 1 / 3
    #: ... but no larger than this: few Norwegian workplaces employ more.
    cornerstone_max_jobs: int = 3_000
    #: Share of vacancies and job-seekers that commuting can match (no island; no data used).
    commuting_share: float = 0.1
    #: New employer: jobs as a share of all jobs, and at least this many.
    new_employer_share: float = 0.02
    new_employer_min_jobs: int = 10
    #: Municipal support for a new employer, NOK per job per year (Træna: NOK 1 million for ≈ 19 jobs).
    support_per_new_job_nok: int = 50_000
    support_min_nok: int = 1_000_000
    #: Development project: NOK 2 million a year (Tenk Træna) up to this many residents, then per resident.
    development_budget_nok: int = 2_000_000
    development_budget_residents: int = 5_000
    #: Dwellings built, as a share of households, and at least this many.
    build_share: float = 0.02
    build_min_dwellings: int = 6
    #: "Try an island" families a year: one per this many residents, and at least this many.
    trial_families_residents: int = 5_000
    trial_families_min: int = 2


ASSUMPTIONS: Final = _Assumptions()


@dataclass(frozen=True)
class Estimates:
    """What :func:`starting_scenario` estimates from a municipality's size."""

    households: int
    vacant_dwellings: int
    jobs: int
    cornerstone: int
    other_basic: int
    local_services: int
    public: int
    new_employer_jobs: int
    new_employer_support_nok: int
    development_budget_nok: int
    build_dwellings: int
    trial_families: int


def _round_to(value: float, step: int) -> int:
    """``value`` rounded half up to a multiple of ``step``."""
    return int((value + step / 2) // step) * step


def estimate(population: int, assumptions: _Assumptions = ASSUMPTIONS) -> Estimates:
    """Employers, dwellings and lever sizes for a municipality of ``population`` residents.

    >>> e = estimate(442)   # Træna
    >>> e.jobs, e.cornerstone, e.vacant_dwellings, e.new_employer_jobs
    (221, 30, 10, 10)
    >>> e.cornerstone + e.other_basic + e.local_services + e.public == e.jobs
    True
    """
    a = assumptions
    households = max(1, round(population / a.household_size))
    jobs = round(population * a.jobs_per_resident)
    public = round(a.public_share * jobs)
    local = round(a.local_share * jobs)
    basic = jobs - public - local
    cornerstone = min(round(basic * a.cornerstone_share_of_basic), a.cornerstone_max_jobs)
    new_jobs = max(a.new_employer_min_jobs, round(a.new_employer_share * jobs))
    budget = max(
        a.development_budget_nok,
        _round_to(a.development_budget_nok * population / a.development_budget_residents, 500_000),
    )
    return Estimates(
        households=households,
        vacant_dwellings=max(1, round(a.vacant_share * households)),
        jobs=jobs,
        cornerstone=cornerstone,
        other_basic=basic - cornerstone,
        local_services=local,
        public=public,
        new_employer_jobs=new_jobs,
        new_employer_support_nok=max(a.support_min_nok, _round_to(new_jobs * a.support_per_new_job_nok, 100_000)),
        development_budget_nok=budget,
        build_dwellings=max(a.build_min_dwellings, round(a.build_share * households)),
        trial_families=max(a.trial_families_min, round(population / a.trial_families_residents)),
    )


# --- codes ------------------------------------------------------------------------------------------------

_PREFIX: Final = re.compile(r"^K(?:OMMUNE)?[\s\-_:]*", re.IGNORECASE)


def normalise_kommune(kommune: str) -> str:
    """A kommunenummer as typed (``"1835"``, ``"K-1835"``, ``" 1835 "``) in the dataset's form.

    Anything else is returned stripped, for the data layer to explain.

    >>> normalise_kommune(" K-0301 "), normalise_kommune("k1835"), normalise_kommune("abc")
    ('0301', '1835', 'abc')
    """
    text = kommune.strip()
    bare = _PREFIX.sub("", text, count=1)
    return bare if bare.isascii() and bare.isdigit() else text


def renumbered_note(kommune: str) -> str | None:
    """If ``kommune`` is not in use in the data's latest year: the data layer's explanation, else None.

    >>> print(renumbered_note("0101"))
    0101 Halden has no population for 2024: the code was last used in 2019 (available: 2005–2019); in 2024 ...
    >>> renumbered_note("1835") is None
    True
    """
    code = normalise_kommune(kommune)
    latest = available_years()[-1]
    if available_years(code)[-1] == latest:
        return None
    try:
        municipality_population(code, latest)
    except YearNotAvailableError as error:
        return str(error.args[0])
    return None  # pragma: no cover - the code has the latest year after all


# --- quoting ----------------------------------------------------------------------------------------------


def _needs_escape(char: str) -> bool:
    # YAML allows only printable characters (and these line breaks would fold inside a quoted scalar).
    return unicodedata.category(char)[0] in "CZ" and char != " "


def yaml_quote(value: object) -> str:
    """``value`` as a YAML double-quoted scalar: any text reads back exactly as it was.

    >>> yaml_quote('Porsanger - Porsáŋgu: "O\\'Neill" #1')
    '"Porsanger - Porsáŋgu: \\\\"O\\'Neill\\\\" #1"'
    """
    out = ['"']
    for char in str(value):
        if char in '"\\':
            out.append("\\" + char)
        elif _needs_escape(char):
            point = ord(char)
            out.append(f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def comment_text(value: object) -> str:
    """``value`` fit for a YAML comment: one line, no control characters.

    >>> comment_text("Træna\\nline two")
    'Træna line two'
    """
    return " ".join("".join(" " if _needs_escape(c) else c for c in str(value)).split())


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` so that a comment after it lines up (at least one space)."""
    return text.ljust(width) if len(text) < width else text + " "


def _wrap(text: str, indent: int = 0, width: int = 110) -> str:
    """``text`` as comment lines of at most ``width`` characters, the first without its ``# `` prefix."""
    prefix = " " * indent + "# "
    lines = textwrap.wrap(comment_text(text), width - len(prefix), break_long_words=False, break_on_hyphens=False)
    return ("\n" + prefix).join(lines)


def _number(value: float) -> str:
    """``1234567`` → ``"1 234 567"`` (for comments)."""
    return f"{value:,.0f}".replace(",", " ")


_ENVIRONMENT: Final = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # YAML, not HTML: text values are quoted by the q filter
)
_ENVIRONMENT.filters.update(q=yaml_quote, c=comment_text, pad=_pad, n=_number, wrap=_wrap)


@functools.cache
def _template() -> jinja2.Template:
    """The scenario template (``scenarios/starting.yaml.j2`` in the package), read once per process."""
    text = resources.files("resilience").joinpath("scenarios", "starting.yaml.j2").read_text(encoding="utf-8")
    return _ENVIRONMENT.from_string(text)


#: Employer names in the written scenario (Norwegian, as the report language is nb).
CORNERSTONE: Final = "Største bedrift (anslag)"
_OTHER_BASIC: Final = "Annen basisnæring (anslag)"
_LOCAL: Final = "Lokale tjenester (anslag)"
_PUBLIC: Final = "Offentlig sektor (anslag)"
_NEW_EMPLOYER: Final = "Ny arbeidsgiver (eksempel)"


def _render(population: Population) -> str:
    catalogue = {(row.lever, row.setting): row for row in lever_catalogue()}
    year = population.year
    return _template().render(
        name=population.name,
        code=population.kommunenummer,
        year=year,
        total=population.total,
        males=int(population.males.sum()),
        females=int(population.females.sum()),
        sex_observed=population.sex_observed,
        a=ASSUMPTIONS,
        e=estimate(population.total),
        cornerstone=CORNERSTONE,
        other_basic=_OTHER_BASIC,
        local=_LOCAL,
        public=_PUBLIC,
        new_employer=_NEW_EMPLOYER,
        shock_year=year + 2,
        horizon=year + 25,
        multiplier=Parameters.spec("local_multiplier"),
        effect=catalogue[("business_development", "jobs_per_million_nok")],
    )


def starting_scenario(kommune: str, year: int | None = None) -> str:
    """A commented starting scenario (YAML text) for municipality ``kommune`` in ``year``.

    ``kommune`` may be written ``"1835"``, ``"K-1835"`` or with spaces; it is the code used in ``year``
    (historical codes work for the years they existed). ``year`` defaults to the latest year of that code.

    Raises:
        UnknownMunicipalityError: no such code in the data (the message names the nearest codes).
        YearNotAvailableError: the data, or this code, has no population for ``year`` (the message lists the
            years that exist and, for a renumbered municipality, its code in that year).
    """
    code = normalise_kommune(kommune)
    if year is None:
        year = available_years(code)[-1]
    return _render(municipality_population(code, year))


def write_starting_scenario(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically; :class:`FileExistsError` if ``path`` exists (never overwritten)."""
    target = Path(path)
    if os.path.lexists(target):  # a link too, dangling or not: init never writes through one
        raise FileExistsError(f"{target} exists; choose another file name (init never overwrites a file)")
    atomic_write_text(target, text)
    return target
