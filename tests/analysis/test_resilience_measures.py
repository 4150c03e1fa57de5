"""Resistance, recovery and the Herfindahl index of jobs by sector, on paths with known answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from resilience.analysis import herfindahl, hhi_change, recovery, resilience_summary, resistance
from tests.analysis.helpers import SHOCK, hand_made


def _by_strategy(frame: pd.DataFrame, column: str) -> dict[str, list[float]]:
    return {str(s): list(g[column]) for s, g in frame.groupby("strategy", sort=False)}


def test_resistance_is_the_deepest_relative_shortfall_against_the_no_shock_path():
    population = resistance(hand_made(), "population", SHOCK)
    assert list(population.columns) == ["strategy", "replication", "resistance"]
    assert _by_strategy(population, "resistance") == {
        "baseline": pytest.approx([-0.10] * 3),
        "harbour": pytest.approx([-0.05] * 3),
    }
    jobs = resistance(hand_made(), "jobs", SHOCK)
    assert _by_strategy(jobs, "resistance") == {
        "baseline": pytest.approx([-0.20] * 3),
        "harbour": pytest.approx([-0.10] * 3),
    }


def test_resistance_is_nan_without_shock_year_or_reference():
    assert resistance(hand_made(), "population", None)["resistance"].isna().all()
    assert resistance(hand_made(reference=False), "population", SHOCK)["resistance"].isna().all()


def test_resistance_of_the_reference_path_itself_is_zero():
    ts = hand_made()
    copy = ts[ts["strategy"] == "no_shock"].assign(strategy="steady")
    table = resistance(pd.concat([ts, copy]), "population", SHOCK)
    assert (table.loc[table["strategy"] == "steady", "resistance"] == 0).all()


def test_recovery_counts_years_from_the_shock_to_the_pre_shock_level():
    population = recovery(hand_made(), "population", SHOCK)
    assert list(population.columns) == ["strategy", "replication", "pre_shock_level", "recovered", "recovery_years"]
    assert _by_strategy(population, "recovery_years") == {"baseline": [4.0] * 3, "harbour": [2.0] * 3}
    assert population["recovered"].all()
    assert list(population["pre_shock_level"][:3]) == [100, 200, 300]


def test_recovery_of_end_of_year_levels_starts_from_the_year_before_the_shock():
    jobs = recovery(hand_made(), "jobs", SHOCK)
    baseline = jobs[jobs["strategy"] == "baseline"]
    harbour = jobs[jobs["strategy"] == "harbour"]
    assert (jobs["pre_shock_level"] == 50).all()  # jobs at the end of 2025 = 1 January 2026
    assert not baseline["recovered"].any() and baseline["recovery_years"].isna().all()  # never
    # back at 50 at the end of 2028, i.e. on 1 January 2029: 3 years after the shock year
    assert list(harbour["recovery_years"]) == [3.0] * 3 and harbour["recovered"].all()


def _one_path(values: list[int], column: str = "population") -> pd.DataFrame:
    return pd.DataFrame(
        {"strategy": "baseline", "replication": 0, "year": range(2024, 2024 + len(values)), column: values}
    )


def test_recovery_is_zero_years_when_there_is_no_drop():
    table = recovery(_one_path([100, 100, 100, 101, 103, 102]), "population", 2026)
    assert table["recovery_years"].tolist() == [0.0] and table["recovered"].all()


def test_recovery_waits_for_the_first_drop_and_counts_the_first_return():
    # 1 Jan 2026: 100; 2027 still 100, 2028 falls to 95, back at 100 in 2030, falls again in 2031
    table = recovery(_one_path([100, 100, 100, 100, 95, 97, 100, 90]), "population", 2026)
    assert table["recovery_years"].tolist() == [4.0]


def test_recovery_without_shock_year_or_pre_shock_value_is_missing():
    table = recovery(hand_made(), "population", None)
    assert table["recovered"].isna().all() and table["recovery_years"].isna().all()
    # jobs are end-of-year levels: with the shock in the base year there is no value for 1 January of it
    table = recovery(hand_made(), "jobs", 2024)
    assert table["recovered"].isna().all() and table["pre_shock_level"].isna().all()


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        ([50, 50], 0.5),
        ([10, 0], 1.0),
        ([25, 25, 25, 25], 0.25),
        ([60, 30, 10], 0.36 + 0.09 + 0.01),
    ],
)
def test_herfindahl_index(jobs, expected):
    frame = pd.DataFrame([jobs], columns=[f"jobs_s{i}" for i in range(len(jobs))])
    assert herfindahl(frame).iloc[0] == pytest.approx(expected)


def test_herfindahl_without_jobs_is_nan():
    assert math.isnan(herfindahl(pd.DataFrame({"jobs_a": [0], "jobs_b": [0]})).iloc[0])


def test_hhi_change_from_base_year_to_horizon():
    table = hhi_change(hand_made())
    assert list(table.columns) == ["strategy", "replication", "hhi_start", "hhi_end", "hhi_change"]
    assert _by_strategy(table, "hhi_start") == {"baseline": [0.5] * 3, "harbour": [0.5] * 3}
    assert _by_strategy(table, "hhi_change") == {"baseline": [0.5] * 3, "harbour": [0.0] * 3}


def test_resilience_summary():
    table = resilience_summary(hand_made(), SHOCK).set_index("strategy")
    assert list(table.index) == ["baseline", "harbour"]
    assert table.loc["baseline", "resistance_population_median"] == pytest.approx(-0.10)
    assert table.loc["baseline", "resistance_population_p05"] == pytest.approx(-0.10)
    assert table.loc["harbour", "resistance_jobs_median"] == pytest.approx(-0.10)
    assert table.loc["baseline", "recovery_population_share"] == 1.0
    assert table.loc["baseline", "recovery_population_years_median"] == 4.0
    assert table.loc["baseline", "recovery_jobs_share"] == 0.0
    assert math.isnan(table.loc["baseline", "recovery_jobs_years_median"])
    assert table.loc["harbour", "recovery_jobs_years_median"] == 3.0
    assert table.loc["baseline", "hhi_base_median"] == pytest.approx(0.5)
    assert table.loc["baseline", "hhi_horizon_median"] == pytest.approx(1.0)
    assert table.loc["baseline", "hhi_change_median"] == pytest.approx(0.5)
    assert table.loc["harbour", "hhi_change_median"] == pytest.approx(0.0)


def test_recovery_share_counts_replications_that_never_recover():
    ts = hand_made()
    # replication 2 of baseline never gets back: 1 % short from 2030 on
    late = (ts["strategy"] == "baseline") & (ts["replication"] == 2) & (ts["year"] >= 2030)
    ts.loc[late, "population"] = 297
    table = resilience_summary(ts, SHOCK).set_index("strategy")
    assert table.loc["baseline", "recovery_population_share"] == pytest.approx(2 / 3)
    assert table.loc["baseline", "recovery_population_years_median"] == 4.0
