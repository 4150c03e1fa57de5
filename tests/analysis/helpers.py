"""A small hand-made ensemble whose summaries are known exactly.

Three replications (r = 0, 1, 2), years 2024–2034, a closure in 2026, strategies ``baseline`` and ``harbour``
and the ``no_shock`` reference:

* population: no_shock is ``P_r`` = 100, 200, 300 every year. baseline equals it up to 2026 (1 January, before
  the shock bites), drops by 10 % in 2027 and 2028, is at 95 % in 2029 and back at ``P_r`` from 2030 on
  (recovery 4 years, resistance −0.10). harbour dips to 95 % in 2027 only (recovery 2 years, resistance
  −0.05) and ends at ``P_r`` + 5, + 10, − 5 in 2034 (median paired gain 5, P(more residents) = 2/3).
* jobs (end of year): no_shock 50. baseline 50 until 2025, then 40 for good (resistance −0.20, never
  recovers). harbour 45 in 2026, 48 in 2027, then 50 from 2028 (at the end of 2028 = 1 January 2029:
  recovery 3 years) and 52 in 2034 (paired gain 12).
* jobs by sector: 25 fish processing + 25 public (HHI 0.5) before the closure; after it baseline has only
  public jobs (HHI 1.0, change +0.5); harbour splits its jobs evenly between public and tourism, 26 + 26 in
  2034 (HHI 0.5, change 0).
* costs: harbour pays (r + 1) × 1 000 000 NOK a year from 2026 to 2034 (9 years), 40 % municipality and 60 %
  state: totals 9, 18 and 27 million, mean 18 million; per resident retained 18e6 / 5, per job 18e6 / 12.
"""

from __future__ import annotations

import pandas as pd

YEARS = range(2024, 2035)
SHOCK = 2026
HORIZON = 2034
BASE = (100, 200, 300)
HARBOUR_GAIN = (5, 10, -5)
HARBOUR_COST = 18_000_000.0


def _population(strategy: str, r: int, year: int) -> int:
    p = BASE[r]
    if strategy == "no_shock" or year <= SHOCK:
        return p
    if strategy == "baseline":
        return {2027: p * 90 // 100, 2028: p * 90 // 100, 2029: p * 95 // 100}.get(year, p)
    if year == HORIZON:
        return p + HARBOUR_GAIN[r]
    return p * 95 // 100 if year == 2027 else p


def _jobs(strategy: str, year: int) -> int:
    if strategy == "no_shock" or year < SHOCK:
        return 50
    if strategy == "baseline":
        return 40
    return {2026: 45, 2027: 48, HORIZON: 52}.get(year, 50)


def _sectors(strategy: str, year: int, jobs: int) -> dict[str, int]:
    if strategy == "no_shock" or year < SHOCK:
        return {"jobs_fish_processing": 25, "jobs_public": 25, "jobs_tourism": 0}
    if strategy == "baseline":
        return {"jobs_fish_processing": 0, "jobs_public": jobs, "jobs_tourism": 0}
    return {"jobs_fish_processing": 0, "jobs_public": jobs - jobs // 2, "jobs_tourism": jobs // 2}


def hand_made(*, reference: bool = True, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The ensemble described in the module docstring (``extra``: more strategies, copies of baseline)."""
    names = ["baseline", "harbour", *extra, *(["no_shock"] if reference else [])]
    rows = []
    for strategy in names:
        path = "baseline" if strategy in extra else strategy
        for r in range(3):
            for year in YEARS:
                population = _population(path, r, year)
                jobs = _jobs(path, year)
                cost = float((r + 1) * 1_000_000) if path == "harbour" and year >= SHOCK else 0.0
                rows.append(
                    {
                        "strategy": strategy,
                        "replication": r,
                        "seed": 1000 + r,
                        "year": year,
                        "population": population,
                        "age_16_66": population * 6 // 10,
                        "age_67_plus": population // 5,
                        "pupils": population // 10,
                        "employed": jobs - 5,
                        "unemployed": 5,
                        "jobs": jobs,
                        **_sectors(path, year, jobs),
                        "budget_balance": 1000.0 * (jobs - 45),
                        "cost_municipality": 0.4 * cost,
                        "cost_county": 0.0,
                        "cost_state": 0.6 * cost,
                        "cost_total": cost,
                    }
                )
    return pd.DataFrame(rows)
