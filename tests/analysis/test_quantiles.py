"""Fans: quantiles across replications per strategy and year."""

from __future__ import annotations

import math

import pytest

from resilience.analysis import QUANTILES, default_years, fan, level_quantiles, quantile_label, quantile_values
from tests.analysis.helpers import HORIZON, hand_made


def test_quantile_labels():
    assert [quantile_label(q) for q in QUANTILES] == ["q05", "q25", "q50", "q75", "q95"]


def test_quantile_values_interpolate_linearly_and_ignore_nan():
    assert quantile_values([300, 100, 200, math.nan]) == pytest.approx([110, 150, 200, 250, 290])
    assert all(math.isnan(v) for v in quantile_values([]))
    assert all(math.isnan(v) for v in quantile_values([math.nan, math.nan]))


def test_fan_gives_the_quantiles_of_each_strategy_and_year():
    table = fan(hand_made(), "population")
    assert list(table.columns) == ["strategy", "year", "q05", "q25", "q50", "q75", "q95"]
    assert list(dict.fromkeys(table["strategy"])) == ["baseline", "harbour", "no_shock"]
    row = table[(table["strategy"] == "baseline") & (table["year"] == HORIZON)].iloc[0]
    assert [row[c] for c in ("q05", "q25", "q50", "q75", "q95")] == pytest.approx([110, 150, 200, 250, 290])
    # harbour in 2034: 105, 210, 295
    row = table[(table["strategy"] == "harbour") & (table["year"] == HORIZON)].iloc[0]
    assert row["q50"] == 210 and row["q05"] == pytest.approx(105 + 0.1 * 105)


def test_fan_can_leave_out_the_reference():
    table = fan(hand_made(), "population", include_reference=False)
    assert "no_shock" not in set(table["strategy"])


def test_level_quantiles_only_strategies_and_the_years_asked():
    table = level_quantiles(hand_made(), "jobs", [2026, HORIZON])
    assert list(table["strategy"]) == ["baseline", "baseline", "harbour", "harbour"]
    assert list(table["year"]) == [2026, HORIZON, 2026, HORIZON]
    assert list(table["q50"]) == [40, 40, 45, 52]


def test_default_years_every_five_years_from_the_shock_or_base_year_plus_the_horizon():
    ts = hand_made()
    assert default_years(ts, shock_year=2026) == [2026, 2031, 2034]
    assert default_years(ts) == [2024, 2029, 2034]
    assert default_years(ts, shock_year=2034) == [2034]
