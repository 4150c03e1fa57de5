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

__all__ = ["COLUMNS", "PAYERS", "PYRAMID_GROUPS", "collect_year", "demographic_stocks", "pyramid_column"]

#: Five-year age groups of the population pyramid columns (the last is open: 90+).
PYRAMID_GROUPS: tuple[int, ...] = tuple(range(0, 95, 5))


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
    age = pt.age[: pt.n][present].astype(np.int64)
    sex = pt.sex[: pt.n][present].astype(np.int64)
    by_age = np.bincount(age, minlength=121)
    males = int(np.count_nonzero(sex == 0))
    return {
        "population": int(age.size),
        "pupils": int(by_age[6:16].sum()),
        "age_0_5": int(by_age[:6].sum()),
        "age_16_66": int(by_age[16:67].sum()),
        "age_67_plus": int(by_age[67:].sum()),
        "age_80_plus": int(by_age[80:].sum()),
        "males": males,
        "females": int(age.size) - males,
        "households": int(np.count_nonzero(model.households.present[: model.households.n])),
        **_pyramid(age, sex),
    }


def _pyramid(age: NDArray[np.int64], sex: NDArray[np.int64]) -> dict[str, int]:
    group = np.minimum(age // 5, len(PYRAMID_GROUPS) - 1)
    counts = np.bincount(group * 2 + sex, minlength=2 * len(PYRAMID_GROUPS))
    return {
        pyramid_column(letter, start): int(counts[2 * i + code])
        for i, start in enumerate(PYRAMID_GROUPS)
        for code, letter in ((0, "m"), (1, "f"))
    }


def collect_year(model: MunicipalityModel, start: dict[str, int]) -> dict[str, Any]:
    """The row for ``model.year``: ``start`` holds the 1 January stocks, the rest is read now."""
    pt = model.persons
    residents = pt.resident_rows()
    status = pt.status[residents]
    employees = model.employees()
    open_firms = [f for f in model.firms if f.open]

    def jobs_where(keep: Any) -> int:
        return int(sum(round(f.target_jobs) for f in open_firms if keep(f)))

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
        employed=int((status == Status.EMPLOYED).sum()),
        unemployed=int((status == Status.UNEMPLOYED).sum()),
        jobs=jobs_where(lambda f: True),
        jobs_filled=int(sum(int(employees[f.index]) + f.nonresident_workers for f in open_firms)),
        jobs_cornerstone=jobs_where(lambda f: f.cornerstone),
        jobs_basic=jobs_where(lambda f: f.is_basic),
        nonresident_workers=int(sum(f.nonresident_workers for f in open_firms)),
        firms_open=len(open_firms),
        vacant_dwellings=int(model.dwellings.vacant_available().size),
        ties_mean=float(np.round(pt.ties[residents].mean(), 4)) if residents.size else 0.0,
        **{f"jobs_{sector}": jobs_where(lambda f, s=sector: f.sector == s) for sector in SECTORS},
        **{f"cost_{payer}": float(model.intervention_costs.get(payer, 0.0)) for payer in PAYERS},
        cost_total=float(sum(model.intervention_costs.get(payer, 0.0) for payer in PAYERS)),
        tax_revenue=model.budget.get("tax_revenue", 0.0),
        grant_revenue=model.budget.get("grant_revenue", 0.0),
        budget_balance=model.budget.get("budget_balance", 0.0),
    )
    for name, reporter in model.reporters.items():
        row[name] = reporter(model)
    return {name: row[name] for name in ["year", *[c for c in COLUMNS if c != "year"], *model.reporters]}
