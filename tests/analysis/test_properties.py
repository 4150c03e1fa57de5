"""Properties that hold for any ensemble: quantiles are ordered, probabilities lie in [0, 1], a strategy that
is a copy of baseline differs from it by exactly 0, the HHI lies between 1/sectors and 1, and a strategy that
follows the no-shock path has resistance 0."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.analysis import KEY_OUTCOMES, compare, herfindahl, resistance, summarise

SECTORS = ("jobs_fish_processing", "jobs_public", "jobs_tourism")
COLUMNS = (*KEY_OUTCOMES, "unemployed", "age_67_plus", *SECTORS)


@st.composite
def ensembles(draw: st.DrawFn) -> pd.DataFrame:
    """Random ensembles: 1–3 strategies besides baseline, 1–6 replications, 2–8 years, random levels, with or
    without the no-shock reference."""
    names = ["baseline", *[f"s{i}" for i in range(draw(st.integers(0, 3)))]]
    if draw(st.booleans()):
        names.append("no_shock")
    replications = draw(st.integers(1, 6))
    years = list(range(2024, 2024 + draw(st.integers(2, 8))))
    n = len(names) * replications * len(years)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "strategy": np.repeat(names, replications * len(years)),
            "replication": np.tile(np.repeat(np.arange(replications), len(years)), len(names)),
            "year": np.tile(years, len(names) * replications),
        }
    )
    for column in COLUMNS:
        frame[column] = rng.integers(0, 500, size=n)
    frame["budget_balance"] = rng.normal(0, 1e6, size=n)
    frame["jobs"] = frame[list(SECTORS)].sum(axis=1)
    frame["cost_total"] = np.where(frame["strategy"] == "baseline", 0.0, rng.uniform(0, 1e6, size=n))
    return frame


def _ordered(table: pd.DataFrame, columns: list[str]) -> bool:
    values = table[columns].to_numpy(dtype=float)
    values = values[~np.isnan(values).any(axis=1)]
    return bool((np.diff(values, axis=1) >= -1e-9 * (1 + np.abs(values[:, 1:]))).all())


@settings(max_examples=20, deadline=None)
@given(ts=ensembles(), shock=st.sampled_from([None, 2025]))
def test_quantiles_are_ordered_and_probabilities_are_probabilities(ts, shock):
    table = compare(ts, shock_year=shock)
    assert _ordered(table, ["q05", "q25", "q50", "q75", "q95"])
    assert _ordered(table, ["diff_q05", "diff_q25", "diff_q50", "diff_q75", "diff_q95"])
    others = table.loc[table["strategy"] != "baseline", "p_better"]
    assert ((others >= 0) & (others <= 1)).all()
    assert table.loc[table["strategy"] == "baseline", "p_better"].isna().all()
    assert "no_shock" not in set(table["strategy"])

    summary = summarise(ts, shock_year=shock)
    assert summary["strategy"].iloc[0] == "baseline" and "no_shock" not in set(summary["strategy"])
    for outcome in ("population", "jobs", "budget_balance"):
        keys = [f"{outcome}_{k}" for k in ("p05", "q25", "median", "q75", "p95")]
        assert _ordered(summary, keys)
    p = summary["p_more_residents_than_baseline"].iloc[1:]
    assert ((p >= 0) & (p <= 1)).all()
    share = summary["recovery_population_share"].dropna()
    assert ((share >= 0) & (share <= 1)).all()


@settings(max_examples=20, deadline=None)
@given(ts=ensembles())
def test_a_copy_of_baseline_differs_from_it_by_zero(ts):
    copy = ts[ts["strategy"] == "baseline"].assign(strategy="copy")
    table = compare(pd.concat([ts, copy], ignore_index=True))
    rows = table[table["strategy"] == "copy"]
    assert (rows.filter(like="diff_") == 0).all().all()
    assert (rows["p_better"] == 0).all()


@settings(max_examples=30, deadline=None)
@given(ts=ensembles())
def test_herfindahl_lies_between_one_over_the_sectors_and_one(ts):
    hhi = herfindahl(ts[list(SECTORS)])
    known = hhi.dropna()
    assert ((known >= 1 / len(SECTORS) - 1e-12) & (known <= 1 + 1e-12)).all()
    assert hhi.isna().equals(ts[list(SECTORS)].sum(axis=1) == 0)


@settings(max_examples=30, deadline=None)
@given(ts=ensembles())
def test_a_strategy_on_the_no_shock_path_has_resistance_zero(ts):
    reference = ts[ts["strategy"] == "baseline"].assign(strategy="no_shock")
    ts = pd.concat([ts[ts["strategy"] != "no_shock"], reference], ignore_index=True)
    table = resistance(ts, "population", 2025)
    baseline = table.loc[table["strategy"] == "baseline", "resistance"]
    assert all(math.isnan(v) or v == 0 for v in baseline)
