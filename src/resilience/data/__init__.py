"""Real data for the model: the population of Norwegian municipalities from SSB table 07459.

- :mod:`resilience.data.population` — the bundled dataset: :func:`municipality_population`,
  :func:`population_series`, :func:`available_years`, :func:`municipalities`;
- :mod:`resilience.data.ssb07459` — the reader for SSB's raw CSV exports (:func:`read_07459`);
- :mod:`resilience.data.build` — how the bundled dataset is built from those exports;
- :mod:`resilience.data.integrity` — the checksum manifest (``checksums.json``) every data file is checked
  against before it is read (:class:`DataIntegrityError`), and ``$RESILIENCE_DATA_DIR`` (:func:`data_dir`);
- :mod:`resilience.data.ssb_client` — SSB's PxWebApi v2 (:class:`SSBClient`, :func:`refresh_population`),
  used only when a user asks for a refresh, never by a scenario run.

Usage::

    >>> from resilience.data import SSB_ATTRIBUTION, municipality_population
    >>> municipality_population("1835", 2024).total
    442
    >>> SSB_ATTRIBUTION["en"]
    'Source: Statistics Norway (SSB), table 07459'
"""

from resilience.data.integrity import DATA_DIR_ENV, DataIntegrityError, data_dir, verify_data
from resilience.data.population import (
    N_AGES,
    SSB_ATTRIBUTION,
    SSB_LICENCE,
    Population,
    UnknownMunicipalityError,
    YearNotAvailableError,
    age_totals,
    available_years,
    municipalities,
    municipality_population,
    national_male_share,
    population_series,
    population_table,
    split_by_share,
)
from resilience.data.ssb07459 import SSBFormatError, read_07459, read_07459_dir
from resilience.data.ssb_client import (
    SSBClient,
    SSBRequestError,
    SSBResponseError,
    fetch_employment_by_workplace,
    fetch_life_table,
    fetch_population,
    fetch_population_changes,
    refresh_population,
)

__all__ = [
    "DATA_DIR_ENV",
    "N_AGES",
    "SSB_ATTRIBUTION",
    "SSB_LICENCE",
    "DataIntegrityError",
    "Population",
    "SSBClient",
    "SSBFormatError",
    "SSBRequestError",
    "SSBResponseError",
    "UnknownMunicipalityError",
    "YearNotAvailableError",
    "age_totals",
    "available_years",
    "data_dir",
    "fetch_employment_by_workplace",
    "fetch_life_table",
    "fetch_population",
    "fetch_population_changes",
    "municipalities",
    "municipality_population",
    "national_male_share",
    "population_series",
    "population_table",
    "read_07459",
    "read_07459_dir",
    "refresh_population",
    "split_by_share",
    "verify_data",
]
