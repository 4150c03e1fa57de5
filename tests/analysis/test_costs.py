"""Costs by payer, per resident retained and per job created."""

from __future__ import annotations

import math

import pytest

from resilience.analysis import cost_per_unit, cost_summary, total_costs
from tests.analysis.helpers import HARBOUR_COST, hand_made


def test_total_costs_sum_over_all_years_per_replication():
    table = total_costs(hand_made())
    assert list(table.columns) == [
        "strategy",
        "replication",
        "cost_total",
        "cost_municipality",
        "cost_county",
        "cost_state",
    ]
    harbour = table[table["strategy"] == "harbour"]
    assert list(harbour["cost_total"]) == [9e6, 18e6, 27e6]
    assert list(harbour["cost_municipality"]) == pytest.approx([3.6e6, 7.2e6, 10.8e6])
    assert list(harbour["cost_state"]) == pytest.approx([5.4e6, 10.8e6, 16.2e6])
    assert (table.loc[table["strategy"] == "baseline", "cost_total"] == 0).all()
    assert "no_shock" not in set(table["strategy"])


def test_missing_cost_columns_count_as_zero_and_payers_add_up():
    ts = hand_made().drop(columns=["cost_total", "cost_county"])
    table = total_costs(ts)
    assert list(table.loc[table["strategy"] == "harbour", "cost_total"]) == pytest.approx([9e6, 18e6, 27e6])
    assert (table["cost_county"] == 0).all()


def test_cost_summary():
    table = cost_summary(hand_made()).set_index("strategy")
    assert table.loc["harbour", "cost_nok"] == pytest.approx(HARBOUR_COST)
    assert table.loc["harbour", "cost_municipality_nok"] == pytest.approx(0.4 * HARBOUR_COST)
    assert table.loc["harbour", "cost_state_nok"] == pytest.approx(0.6 * HARBOUR_COST)
    assert table.loc["harbour", "cost_county_nok"] == 0
    assert table.loc["harbour", "residents_retained_median"] == 5
    assert table.loc["harbour", "jobs_created_median"] == 12
    assert table.loc["harbour", "cost_per_resident_retained_nok"] == pytest.approx(HARBOUR_COST / 5)
    assert table.loc["harbour", "cost_per_job_created_nok"] == pytest.approx(HARBOUR_COST / 12)
    assert table.loc["baseline", "cost_nok"] == 0
    assert math.isnan(table.loc["baseline", "cost_per_resident_retained_nok"])


@pytest.mark.parametrize(
    ("cost", "gain", "expected"),
    [(100.0, 4.0, 25.0), (100.0, 0.0, math.nan), (100.0, -3.0, math.nan), (0.0, 4.0, math.nan)],
)
def test_cost_per_unit(cost, gain, expected):
    result = cost_per_unit(cost, gain)
    assert result == expected or (math.isnan(result) and math.isnan(expected))
