"""`resilience init`: write, validate and run a starting scenario; one-line errors with exit code 2."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from resilience.cli import main
from resilience.data import municipality_population


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_init_then_run_a_small_municipality(tmp_path):
    scenario = tmp_path / "utsira.yaml"
    code, out, err = invoke("init", "--kommune", "K-1151", "--out", str(scenario))
    assert code == 0, err
    assert "Wrote" in out
    code, out, err = invoke("validate", str(scenario))
    assert code == 0, out + err
    results = tmp_path / "results"
    code, out, err = invoke(
        "run", str(scenario), "--out", str(results), "--replications", "1", "--horizon", "2026", "--executor",
        "sequential",
    )  # fmt: skip
    assert code == 0, out + err
    timeseries = pd.read_parquet(results / "timeseries.parquet")
    assert set(timeseries["strategy"]) >= {"baseline", "development", "new_employer", "housing", "combined"}
    first = timeseries[(timeseries["strategy"] == "baseline") & (timeseries["year"] == 2024)]
    assert int(first["population"].iloc[0]) == municipality_population("1151", 2024).total
    assert (results / "report.html").exists()


def test_init_prints_to_stdout_without_out():
    code, out, _ = invoke("init", "--kommune", " 1835 ")
    assert code == 0
    assert out.startswith("# ─") and 'kommunenummer: "1835"' in out


def test_init_historical_code_with_its_year(tmp_path):
    path = tmp_path / "halden.yaml"
    code, _, err = invoke("init", "--kommune", "0101", "--year", "2015", "--out", str(path))
    assert code == 0, err
    assert "base_year: 2015" in path.read_text(encoding="utf-8")
    code, out, err = invoke("validate", str(path))
    assert code == 0, out + err


def test_init_historical_code_without_year_notes_the_current_code():
    code, out, err = invoke("init", "--kommune", "0101")
    assert code == 0
    assert "base_year: 2019" in out
    assert "3101" in err and err.startswith("note:")


def test_init_renumbered_code_suggests_the_current_one():
    code, out, err = invoke("init", "--kommune", "0101", "--year", "2024")
    assert code == 2 and not out
    assert len(err.strip().splitlines()) == 1
    assert "3101" in err and "2005–2019" in err


def test_init_unknown_code_exits_2_with_the_nearest_codes():
    code, out, err = invoke("init", "--kommune", "9999")
    assert code == 2 and not out
    assert len(err.strip().splitlines()) == 1
    assert "nearest codes" in err and "Traceback" not in err


def test_init_year_without_data_exits_2_with_the_years_that_exist():
    code, _, err = invoke("init", "--kommune", "1835", "--year", "2031")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "2005–2024" in err


def test_init_refuses_to_overwrite(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("my own work\n", encoding="utf-8")
    code, _, err = invoke("init", "--kommune", "1835", "--out", str(path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "exists" in err
    assert path.read_text(encoding="utf-8") == "my own work\n"
