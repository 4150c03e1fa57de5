"""Paired comparisons with baseline, replication by replication."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from resilience.analysis import paired_difference, paired_quantiles, probability_better
from tests.analysis.helpers import HORIZON, hand_made


def test_paired_difference_is_per_replication_and_leaves_out_the_reference():
    diff = paired_difference(hand_made(), "population", HORIZON)
    assert list(diff.columns) == ["strategy", "replication", "population_vs_baseline"]
    assert list(diff["strategy"]) == ["baseline"] * 3 + ["harbour"] * 3
    assert list(diff["population_vs_baseline"]) == [0, 0, 0, 5, 10, -5]


def test_pairing_follows_the_replication_not_the_row_order():
    ts = hand_made().sample(frac=1.0, random_state=3)
    diff = paired_difference(ts, "population", HORIZON).sort_values(["strategy", "replication"])
    assert list(diff["population_vs_baseline"]) == [0, 0, 0, 5, 10, -5]


def test_only_replications_that_baseline_has_are_paired():
    ts = hand_made()
    ts = ts[~((ts["strategy"] == "baseline") & (ts["replication"] == 1))]
    diff = paired_difference(ts, "population", HORIZON)
    assert list(diff.loc[diff["strategy"] == "harbour", "replication"]) == [0, 2]
    assert probability_better(ts, "population", HORIZON)["harbour"] == pytest.approx(0.5)


def test_probability_of_beating_baseline():
    p = probability_better(hand_made(), "population", HORIZON)
    assert list(p.index) == ["baseline", "harbour"]
    assert math.isnan(p["baseline"])
    assert p["harbour"] == pytest.approx(2 / 3)
    # ties are not better: harbour's population equals baseline's in 2031 in every replication
    assert probability_better(hand_made(), "population", 2031)["harbour"] == 0.0


def test_paired_quantiles():
    table = paired_quantiles(hand_made(), "population", HORIZON).set_index("strategy")
    # differences -5, 5, 10
    expected = [-4.0, 0.0, 5.0, 7.5, 9.5]
    assert [table.loc["harbour", f"diff_q{q}"] for q in ("05", "25", "50", "75", "95")] == pytest.approx(expected)
    assert table.loc["harbour", "diff_mean"] == pytest.approx(10 / 3)
    assert table.loc["harbour", "p_better"] == pytest.approx(2 / 3)
    assert (table.loc["baseline", [f"diff_q{q}" for q in ("05", "25", "50", "75", "95")]] == 0).all()
    assert math.isnan(table.loc["baseline", "p_better"])


def test_without_baseline_is_an_error():
    ts = hand_made()
    with pytest.raises(ValueError, match="baseline"):
        paired_difference(ts[ts["strategy"] != "baseline"], "population", HORIZON)


def test_duplicate_rows_are_an_error():
    ts = hand_made()
    with pytest.raises(ValueError, match="more than one row"):
        paired_difference(pd.concat([ts, ts.iloc[:1]]), "population", 2024)
