"""Golden results: every yearly number of a small Træna ensemble, kept in the tests as a readable CSV.

Any change to what the model computes — a mechanism, a parameter default, the order of random draws, the
bundled data — changes ``tests/golden/results/traena_small.csv``, so it shows up as a deliberate, reviewable
diff instead of passing unnoticed. After such a change, refresh the file with::

    UPDATE_GOLDEN=1 uv run pytest tests/test_golden_results.py

and review ``git diff tests/golden/results/`` before committing: the refresh is a change of the model's
results and belongs in the same commit as the change that caused it, with the reason in the message.

Integer columns are compared exactly. Floating-point columns are written with ``%.10g`` (ten significant
digits): the floats are sums and means of NOK amounts and tie counts, and numpy may add them in a different
order on another CPU or numpy version (SIMD width, pairwise summation), which moves the last bits but nothing
a reader of the results could see. Ten digits keep every change of the model's numbers visible and drop only
that noise. A difference that changes a random draw changes the integers too, and fails the test.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from resilience.experiments import plan_runs, run_ensemble
from resilience.workflow import load_checked

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "results"
SCENARIO = GOLDEN / "traena_small.yaml"
EXPECTED = GOLDEN / "traena_small.csv"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
REFRESH = "UPDATE_GOLDEN=1 uv run pytest tests/test_golden_results.py"
FLOAT_FORMAT = "%.10g"
KEYS = ["strategy", "replication", "year"]
SHOWN = 12


def results_csv() -> str:
    """The golden scenario's full yearly results, as the CSV text kept in the tests."""
    scenario = load_checked(SCENARIO)
    frame = run_ensemble(scenario, plan_runs(scenario))
    return frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def describe_difference(expected: str, actual: str, shown: int = SHOWN) -> str:
    """A readable account of how two golden CSV texts differ: columns, rows, then the first differing cells.

    >>> print(describe_difference("strategy,replication,year,population\\nbaseline,0,2024,442\\n",
    ...                           "strategy,replication,year,population\\nbaseline,0,2024,441\\n"))
    1 of 1 rows differ, in 1 of 4 columns (population); first differences:
      strategy=baseline replication=0 year=2024: population 442 → 441
    """
    old = pd.read_csv(io.StringIO(expected), dtype=str, keep_default_na=False)
    new = pd.read_csv(io.StringIO(actual), dtype=str, keep_default_na=False)
    lines: list[str] = []
    removed = [c for c in old.columns if c not in new.columns]
    added = [c for c in new.columns if c not in old.columns]
    if removed:
        lines.append(f"columns no longer produced: {', '.join(removed)}")
    if added:
        lines.append(f"new columns: {', '.join(added)}")
    keys = [k for k in KEYS if k in old.columns and k in new.columns]
    if not keys:
        return "\n".join([*lines, "the key columns (strategy, replication, year) are missing"])
    old_rows, new_rows = old.set_index(keys), new.set_index(keys)
    missing = old_rows.index.difference(new_rows.index, sort=False)
    extra = new_rows.index.difference(old_rows.index, sort=False)
    if len(missing):
        lines.append(f"{len(missing)} rows no longer produced, first: {_key(keys, missing[0])}")
    if len(extra):
        lines.append(f"{len(extra)} new rows, first: {_key(keys, extra[0])}")
    common_rows = old_rows.index.intersection(new_rows.index, sort=False)
    columns = [c for c in old_rows.columns if c in new_rows.columns]
    left, right = old_rows.loc[common_rows, columns], new_rows.loc[common_rows, columns]
    differs = left.ne(right)
    rows = differs.any(axis=1)
    changed_columns = [c for c in columns if differs[c].any()]
    if rows.any():
        lines.append(
            f"{int(rows.sum())} of {len(common_rows)} rows differ, in {len(changed_columns)} of "
            f"{len(columns) + len(keys)} columns ({', '.join(changed_columns[:shown])}"
            f"{', …' if len(changed_columns) > shown else ''}); first differences:"
        )
        cells = 0
        for index in rows[rows].index:
            for column in changed_columns:
                if cells < shown and differs.at[index, column]:
                    lines.append(
                        f"  {_key(keys, index)}: {column} {left.at[index, column]} → {right.at[index, column]}"
                    )
                    cells += 1
    elif list(old.columns) != list(new.columns) and not (added or removed):
        lines.append(f"the columns are in another order: {', '.join(new.columns)}")
    elif not (lines or old.equals(new)):
        lines.append("the same rows in another order")
    return "\n".join(lines) or "the texts differ only in line endings or trailing whitespace"


def _key(keys: list[str], index: object) -> str:
    values = index if isinstance(index, tuple) else (index,)
    return " ".join(f"{key}={value}" for key, value in zip(keys, values, strict=True))


def test_results_equal_the_golden_file() -> None:
    actual = results_csv()
    if UPDATE:
        EXPECTED.write_text(actual, encoding="utf-8")
    assert EXPECTED.exists(), f"missing {EXPECTED}; create it with: {REFRESH}"
    expected = EXPECTED.read_text(encoding="utf-8")
    if actual != expected:
        raise AssertionError(
            f"the model's results differ from {EXPECTED.relative_to(ROOT)}:\n"
            f"{describe_difference(expected, actual)}\n"
            f"If the change is deliberate, refresh the golden file with `{REFRESH}` and commit the reviewed diff "
            "together with the change that caused it."
        )


def test_the_golden_file_covers_every_run_and_year() -> None:
    """The kept file is the whole ensemble: each strategy (and the reference) × replication × year."""
    frame = pd.read_csv(EXPECTED)
    scenario = load_checked(SCENARIO)
    years = scenario.run.horizon - scenario.municipality.base_year + 1
    assert frame["strategy"].unique().tolist() == ["baseline", "combined", "no_shock"]
    assert sorted(frame["replication"].unique().tolist()) == list(range(scenario.run.replications))
    assert len(frame) == 3 * scenario.run.replications * years
    assert not frame.duplicated(KEYS).any()


def test_the_difference_names_rows_columns_and_values() -> None:
    expected = EXPECTED.read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(expected), dtype=str, keep_default_na=False)
    frame.loc[5, "population"] = "1"
    frame.loc[7, "budget_balance"] = "0.5"
    changed = frame.drop(columns="births").to_csv(index=False, lineterminator="\n")
    message = describe_difference(expected, changed)
    row5, row7 = (frame.loc[i, KEYS].tolist() for i in (5, 7))
    assert "columns no longer produced: births" in message
    assert "2 of" in message and "rows differ, in 2 of" in message
    assert f"strategy={row5[0]} replication={row5[1]} year={row5[2]}: population" in message
    assert f"strategy={row7[0]} replication={row7[1]} year={row7[2]}: budget_balance" in message
    assert "→ 0.5" in message and "→ 1\n" in message
