"""What the model records each year: one row of :data:`COLUMNS` per simulated year.

Stock columns about people (``population``, ages, households) are at 1 January of ``year``, as in SSB's
tables; flow columns (``births``, ``deaths``, ``in_migrants``, ``out_migrants`` …) are what happened during
``year``; labour and budget columns are measured at the end of ``year``'s labour market and budget. Hence
``population[year + 1] == population[year] + births − deaths + in_migrants − out_migrants``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from resilience.model.firms import SECTORS
from resilience.model.state import Status

#: Who pays for an intervention.
PAYERS: tuple[str, ...] = ("municipality", "county", "state")

if TYPE_CHECKING:
    from resilience.model.model import MunicipalityModel

__all__ = [
    "COLUMNS",
    "PAYERS",
    "PYRAMID_GROUPS",
    "accounting_breaks",
    "collect_year",
    "demographic_stocks",
    "pyramid_column",
]

#: Five-year age groups of the population pyramid columns (the last is open: 90+).
PYRAMID_GROUPS: tuple[int, ...] = tuple(range(0, 95, 5))


def accounting_breaks(
    year: NDArray[Any],
    population: NDArray[Any],
    births: NDArray[Any],
    deaths: NDArray[Any],
    in_migrants: NDArray[Any],
    out_migrants: NDArray[Any],
) -> NDArray[np.int64]:
    """The years ``y`` of one run where ``population[y+1] != population[y] + births − deaths + in − out``
    (rows in any order; a year whose next year is missing is not judged).

    >>> accounting_breaks(*map(np.array, ([2024, 2025], [100, 101], [2, 1], [1, 1], [3, 2], [3, 2])))
    array([], dtype=int64)
    >>> accounting_breaks(*map(np.array, ([2024, 2025], [100, 99], [2, 1], [1, 1], [3, 2], [3, 2])))
    array([2024])
    """
    order = np.argsort(year, kind="stable")
    years = np.asarray(year)[order].astype(np.int64)
    stock = np.asarray(population)[order]
    flow = (np.asarray(births) - np.asarray(deaths) + np.asarray(in_migrants) - np.asarray(out_migrants))[order]
    consecutive = years[1:] == years[:-1] + 1
    broken = consecutive & (stock[1:] != stock[:-1] + flow[:-1])
    found: NDArray[np.int64] = years[:-1][broken]
    return found


def pyramid_column(sex: str, group_start: int) -> str:
    """Name of a pyramid column, e.g. ``pyramid_m_25`` (men 25–29 on 1 January); ``sex`` is "m" or "f"."""
    return f"pyramid_{sex}_{group_start:02d}"


#: Column name → meaning (the data dictionary of ``timeseries.parquet``, after strategy/replication/seed).
COLUMNS: dict[str, str] = {
    "year": "calendar year",
    "population": "residents on 1 January",
    "births": "births during the year",
    "deaths": "deaths during the year",
    "in_migrants": "persons moving in during the year",
    "out_migrants": "persons moving out during the year",
    "job_migrants": "in-migrants in households recruited to a job here",
    "return_migrants": "in-migrants born here (returning)",
    "remote_migrants": "in-migrants in households of remote workers",
    "employed": "employed residents at the end of the year (remote workers included)",
    "unemployed": "unemployed residents at the end of the year",
    "jobs": "jobs located here at the end of the year (target jobs of open firms, rounded)",
    "jobs_filled": "jobs held by residents or non-resident workers",
    "jobs_cornerstone": "jobs of cornerstone firms",
    "jobs_basic": "jobs of basic (exporting) firms",
    "nonresident_workers": "jobs held by commuters and other non-residents",
    "displaced": "workers displaced (laid off or closed) during the year",
    "retired": "labour-force participants who retired during the year",
    "disabled": "labour-force participants who left on disability during the year",
    "firms_open": "open firms at the end of the year",
    "new_firms": "firms started during the year",
    "pupils": "residents aged 6–15 on 1 January",
    "age_0_5": "residents aged 0–5 on 1 January",
    "age_16_66": "residents aged 16–66 on 1 January",
    "age_67_plus": "residents aged 67 and over on 1 January",
    "age_80_plus": "residents aged 80 and over on 1 January",
    "males": "male residents on 1 January",
    "females": "female residents on 1 January",
    "households": "households on 1 January",
    "vacant_dwellings": "vacant dwellings available to newcomers at the end of the year",
    "ties_mean": "mean number of social ties per resident at the end of the year",
    **{f"jobs_{sector}": f"jobs in sector {sector}" for sector in SECTORS},
    "cost_municipality": "intervention costs paid by the municipality this year, NOK",
    "cost_county": "intervention costs paid by the county this year, NOK",
    "cost_state": "intervention costs paid by the state this year, NOK",
    "cost_total": "intervention costs this year, all payers, NOK",
    **{
        pyramid_column(letter, start): f"{word} aged {start}{'+' if start == 90 else f'–{start + 4}'} on 1 January"
        for start in PYRAMID_GROUPS
        for letter, word in (("m", "men"), ("f", "women"))
    },
    "tax_revenue": "municipal income tax, NOK",
    "grant_revenue": "block grant, NOK",
    "budget_balance": "revenue − costs (fixed, variable, interventions), NOK",
}


def demographic_stocks(model: MunicipalityModel) -> dict[str, int]:
    """Stocks about people, read at the start of a year (1 January): one pass over the residents (bincount)."""
    pt = model.persons
    present = pt.present[: pt.n]
    key = np.minimum(pt.age[: pt.n][present], 120).astype(np.int64) * 2 + pt.sex[: pt.n][present]
    by_age_sex = np.bincount(key, minlength=242)
    # Cumulative counts by age (both sexes): a group's count is a difference of two of them.
    below = [0, *np.cumsum(by_age_sex[0::2] + by_age_sex[1::2]).tolist()]
    population = int(key.size)
    males = int(by_age_sex[0::2].sum())
    return {
        "population": population,
        "pupils": below[16] - below[6],
        "age_0_5": below[6],
        "age_16_66": below[67] - below[16],
        "age_67_plus": population - below[67],
        "age_80_plus": population - below[80],
        "males": males,
        "females": population - males,
        "households": int(np.count_nonzero(model.households.present[: model.households.n])),
        **_pyramid(by_age_sex),
    }


#: Pyramid columns in the order of ``group * 2 + sex`` (men then women of each group).
_PYRAMID_COLUMNS: tuple[str, ...] = tuple(
    pyramid_column(letter, start) for start in PYRAMID_GROUPS for letter in ("m", "f")
)
#: Pyramid column index of each ``age * 2 + sex`` (ages 0–120; the last group is open).
_PYRAMID_INDEX = np.repeat(np.minimum(np.arange(121) // 5, len(PYRAMID_GROUPS) - 1), 2) * 2 + np.tile([0, 1], 121)


def _pyramid(by_age_sex: NDArray[np.int64]) -> dict[str, int]:
    """Pyramid columns from counts by ``age * 2 + sex``."""
    counts = np.bincount(_PYRAMID_INDEX, weights=by_age_sex)
    return dict(zip(_PYRAMID_COLUMNS, counts.astype(np.int64).tolist(), strict=True))


def collect_year(model: MunicipalityModel, start: dict[str, int]) -> dict[str, Any]:
    """The row for ``model.year``: ``start`` holds the 1 January stocks, the rest is read now."""
    pt = model.persons
    residents = pt.resident_rows()
    by_status = np.bincount(pt.status[residents], minlength=len(Status)).tolist()
    employees = model.employees().tolist()
    open_firms = [f for f in model.firms if f.open]
    # One pass over the open firms: jobs by sector, cornerstone and basic, filled and non-resident.
    by_sector = dict.fromkeys(SECTORS, 0)
    cornerstone = basic = filled = nonresident = 0
    for firm in open_firms:
        jobs = round(firm.target_jobs)
        by_sector[firm.sector] += jobs
        cornerstone += jobs if firm.cornerstone else 0
        basic += jobs if firm.is_basic else 0
        filled += employees[firm.index] + firm.nonresident_workers
        nonresident += firm.nonresident_workers

    row: dict[str, Any] = {"year": model.year, **start}
    row.update(
        {
            k: model.flows[k]
            for k in (
                "births",
                "deaths",
                "in_migrants",
                "out_migrants",
                "job_migrants",
                "return_migrants",
                "remote_migrants",
                "displaced",
                "retired",
                "disabled",
                "new_firms",
            )
        }
    )
    row.update(
        employed=by_status[Status.EMPLOYED],
        unemployed=by_status[Status.UNEMPLOYED],
        jobs=sum(by_sector.values()),
        jobs_filled=filled,
        jobs_cornerstone=cornerstone,
        jobs_basic=basic,
        nonresident_workers=nonresident,
        firms_open=len(open_firms),
        vacant_dwellings=int(model.dwellings.vacant_available().size),
        ties_mean=float(np.round(pt.ties[residents].mean(), 4)) if residents.size else 0.0,
        **{f"jobs_{sector}": jobs for sector, jobs in by_sector.items()},
        **{f"cost_{payer}": float(model.intervention_costs.get(payer, 0.0)) for payer in PAYERS},
        cost_total=float(sum(model.intervention_costs.get(payer, 0.0) for payer in PAYERS)),
        tax_revenue=model.budget.get("tax_revenue", 0.0),
        grant_revenue=model.budget.get("grant_revenue", 0.0),
        budget_balance=model.budget.get("budget_balance", 0.0),
    )
    for name, reporter in model.reporters.items():
        row[name] = reporter(model)
    return {name: row[name] for name in ["year", *[c for c in COLUMNS if c != "year"], *model.reporters]}
