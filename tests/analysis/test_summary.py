"""summary.csv (one row per strategy) and comparison.csv (long format) on the hand-made ensemble."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from resilience.analysis import KEY_OUTCOMES, OUTCOMES, compare, summarise
from tests.analysis.helpers import HARBOUR_COST, HORIZON, SHOCK, hand_made

# The columns reporting/report.py and the CLI read.
REPORT_COLUMNS = [
    "strategy",
    "population_median",
    "population_p05",
    "population_p95",
    "jobs_median",
    "pupils_median",
    "p_more_residents_than_baseline",
    "cost_nok",
    "cost_per_resident_retained_nok",
]


def test_one_row_per_strategy_baseline_first_without_the_reference():
    summary = summarise(hand_made(), shock_year=SHOCK)
    assert list(summary["strategy"]) == ["baseline", "harbour"]
    assert set(REPORT_COLUMNS) <= set(summary.columns)
    assert summary["horizon"].tolist() == [HORIZON, HORIZON]
    assert summary["replications"].tolist() == [3, 3]
    assert summary["shock_year"].tolist() == [SHOCK, SHOCK]


def test_scenario_order_is_kept():
    ts = hand_made(extra=("zeta", "alpha"))
    ts = pd.concat([ts[ts["strategy"] != "baseline"], ts[ts["strategy"] == "baseline"]])  # baseline rows last
    assert list(summarise(ts)["strategy"]) == ["baseline", "harbour", "zeta", "alpha"]
    assert list(dict.fromkeys(compare(ts)["strategy"])) == ["baseline", "harbour", "zeta", "alpha"]


def test_summary_values_at_the_horizon():
    s = summarise(hand_made(), shock_year=SHOCK).set_index("strategy")
    base, harbour = s.loc["baseline"], s.loc["harbour"]
    assert [base[f"population_{k}"] for k in ("p05", "q25", "median", "q75", "p95")] == pytest.approx(
        [110, 150, 200, 250, 290]
    )
    assert base["jobs_median"] == 40 and harbour["jobs_median"] == 52
    assert base["pupils_median"] == 20
    assert math.isnan(base["p_more_residents_than_baseline"])
    assert harbour["p_more_residents_than_baseline"] == pytest.approx(2 / 3)
    assert harbour["population_p_better"] == harbour["p_more_residents_than_baseline"]
    assert harbour["population_diff_median"] == 5
    assert [harbour[f"population_diff_{k}"] for k in ("p05", "q25", "median", "q75", "p95")] == pytest.approx(
        [-4, 0, 5, 7.5, 9.5]
    )
    assert harbour["jobs_diff_median"] == 12 and harbour["jobs_p_better"] == 1.0
    assert harbour["budget_balance_diff_median"] == 12_000
    assert base["population_diff_median"] == 0
    for outcome in OUTCOMES:
        assert f"{outcome}_median" in s.columns
    for outcome in KEY_OUTCOMES:
        assert f"{outcome}_diff_median" in s.columns and f"{outcome}_p_better" in s.columns


def test_summary_costs_and_resilience():
    s = summarise(hand_made(), shock_year=SHOCK).set_index("strategy")
    assert s.loc["harbour", "cost_nok"] == pytest.approx(HARBOUR_COST)
    assert s.loc["harbour", "cost_per_resident_retained_nok"] == pytest.approx(HARBOUR_COST / 5)
    assert s.loc["harbour", "cost_per_job_created_nok"] == pytest.approx(HARBOUR_COST / 12)
    assert s.loc["harbour", "cost_municipality_nok"] == pytest.approx(0.4 * HARBOUR_COST)
    assert s.loc["baseline", "cost_nok"] == 0 and math.isnan(s.loc["baseline", "cost_per_resident_retained_nok"])
    assert s.loc["baseline", "resistance_population_median"] == pytest.approx(-0.10)
    assert s.loc["harbour", "resistance_population_median"] == pytest.approx(-0.05)
    assert s.loc["baseline", "resistance_jobs_median"] == pytest.approx(-0.20)
    assert s.loc["baseline", "recovery_population_share"] == 1.0
    assert s.loc["baseline", "recovery_population_years_median"] == 4
    assert s.loc["harbour", "recovery_population_years_median"] == 2
    assert s.loc["baseline", "recovery_jobs_share"] == 0
    assert s.loc["baseline", "hhi_change_median"] == pytest.approx(0.5)
    assert s.loc["harbour", "hhi_change_median"] == pytest.approx(0.0)


def test_intermediate_years():
    s = summarise(hand_made(), shock_year=SHOCK).set_index("strategy")
    # every 5 years from the shock year: 2026, 2031 (the horizon 2034 has full columns of its own)
    assert s.loc["baseline", "population_median_2026"] == 200
    assert s.loc["harbour", "jobs_diff_median_2026"] == 5
    assert s.loc["harbour", "p_more_residents_than_baseline_2031"] == 0.0
    assert "population_median_2034" not in s.columns
    s = summarise(hand_made(), shock_year=SHOCK, years=[2027])
    assert s.set_index("strategy").loc["harbour", "population_diff_median_2027"] == 10  # 95 % vs 90 % of 200
    assert "population_median_2026" not in s.columns


def test_without_shock_year_resistance_and_recovery_are_missing():
    s = summarise(hand_made())
    assert s["shock_year"].isna().all()
    assert s["resistance_population_median"].isna().all() and s["recovery_population_share"].isna().all()
    assert not s["hhi_change_median"].isna().any()


def test_without_reference_resistance_is_missing_but_recovery_is_measured():
    s = summarise(hand_made(reference=False), shock_year=SHOCK).set_index("strategy")
    assert s["resistance_population_median"].isna().all()
    assert s.loc["baseline", "recovery_population_years_median"] == 4


def test_summary_survives_a_csv_round_trip():
    summary = summarise(hand_made(), shock_year=SHOCK)
    buffer = io.StringIO()
    summary.to_csv(buffer, index=False, float_format="%.6g")
    back = pd.read_csv(io.StringIO(buffer.getvalue()))
    assert list(back.columns) == list(summary.columns)
    assert math.isnan(back.loc[0, "p_more_residents_than_baseline"])


def test_compare_long_format():
    table = compare(hand_made(), shock_year=SHOCK)
    assert list(table.columns) == [
        "strategy",
        "outcome",
        "year",
        *("q05", "q25", "q50", "q75", "q95"),
        *("diff_q05", "diff_q25", "diff_q50", "diff_q75", "diff_q95"),
        "p_better",
    ]
    assert len(table) == 2 * len(KEY_OUTCOMES) * 3
    assert list(dict.fromkeys(table["outcome"])) == list(KEY_OUTCOMES)
    assert sorted(set(table["year"])) == [2026, 2031, 2034]
    row = table.query("strategy == 'harbour' and outcome == 'population' and year == 2034").iloc[0]
    assert [row[c] for c in ("diff_q05", "diff_q25", "diff_q50", "diff_q75", "diff_q95")] == pytest.approx(
        [-4, 0, 5, 7.5, 9.5]
    )
    assert row["q50"] == 210 and row["p_better"] == pytest.approx(2 / 3)
    baseline = table[table["strategy"] == "baseline"]
    assert (baseline.filter(like="diff_") == 0).all().all() and baseline["p_better"].isna().all()


def test_compare_outcomes_and_years_can_be_chosen():
    table = compare(hand_made(), outcomes=["jobs"], years=[2034, 2027])
    assert list(table["year"]) == [2027, 2034, 2027, 2034]
    assert list(table["q50"]) == [40, 40, 48, 52]
    with pytest.raises(ValueError, match="2040"):
        compare(hand_made(), years=[2040])
    with pytest.raises(ValueError, match="lacks"):
        compare(hand_made(), outcomes=["nonsense"])
