"""The Træna hindcast: `resilience hindcast` runs the `actual` strategy and compares it with SSB's series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.data import population_series
from resilience.hindcast import COLUMNS, hindcast_metrics

ROOT = Path(__file__).resolve().parents[1]
HINDCAST = ROOT / "scenarios" / "traena_hindcast.yaml"


@pytest.fixture(scope="module")
def hindcast_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """One small hindcast through the CLI (8 replications): exit code, output, results directory."""
    out = tmp_path_factory.mktemp("hindcast") / "results"
    result = CliRunner().invoke(
        main, ["hindcast", str(HINDCAST), "--out", str(out), "--replications", "8", "--workers", "2"]
    )
    return result.exit_code, result.output, out


def test_the_cli_exits_0_and_reports_the_measures(hindcast_run: tuple[int, str, Path]) -> None:
    code, output, out = hindcast_run
    assert code == 0, output
    assert "inside the 90 % band:" in output
    assert "mean absolute percentage error of the median:" in output
    assert "change 2013→2020:" in output and "real -14.0 %" in output
    html = (out / "hindcast.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>") and "plotly" in html


def test_the_table_has_every_year_and_ssbs_series(hindcast_run: tuple[int, str, Path]) -> None:
    table = pd.read_csv(hindcast_run[2] / "hindcast.csv")
    assert tuple(table.columns) == COLUMNS
    assert table["year"].tolist() == list(range(2013, 2025))
    real = population_series("1835")
    assert table["observed"].tolist() == [int(real.loc[y]) for y in range(2013, 2025)]
    assert table.loc[0, "observed"] == 506
    assert (table["p05"] <= table["median"]).all() and (table["median"] <= table["p95"]).all()
    assert table.loc[0, "median"] == 506  # the base year is SSB's population


def test_the_printed_measures_follow_from_the_table(hindcast_run: tuple[int, str, Path]) -> None:
    _, output, out = hindcast_run
    table = pd.read_csv(out / "hindcast.csv")
    inside = int(((table["observed"] >= table["p05"]) & (table["observed"] <= table["p95"])).sum())
    mape = float(np.mean(np.abs(table["median"] - table["observed"]) / table["observed"])) * 100
    median = table.set_index("year")["median"]
    simulated = (median[2020] / median[2013] - 1) * 100
    assert hindcast_metrics(table) == pytest.approx((inside, mape, simulated, (435 / 506 - 1) * 100))
    assert f"inside the 90 % band: {inside} of 12 years" in output
    assert f"median: {mape:.1f} %" in output
    assert f"simulated {simulated:+.1f} %" in output


def test_metrics_on_a_hand_made_table() -> None:
    table = pd.DataFrame(
        {"year": [2013, 2020], "observed": [100, 90], "median": [100, 99], "p05": [95, 91], "p95": [105, 100]}
    )
    inside, mape, simulated, real = hindcast_metrics(table)
    assert inside == 1
    assert mape == pytest.approx(5.0)
    assert simulated == pytest.approx(-1.0)
    assert real == pytest.approx(-10.0)


def test_a_scenario_without_actual_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["hindcast", str(ROOT / "scenarios" / "traena.yaml"), "--out", str(tmp_path / "r"), "--replications", "1"]
    )
    assert result.exit_code == 2
    assert "no strategy 'actual'" in result.output


@pytest.mark.slow
def test_the_issues_quality_criteria_hold_with_the_default_replications(tmp_path: Path) -> None:
    """The issue's bar: real population inside the 90 % band in ≥ 9 of 12 years 2013–2024 and MAPE < 5 %.

    With the scenario's 40 replications (seed 1) and the migration parameters calibrated on 2005–2013 only, the
    hindcast gives 12 of 12 and 1.5 %. 2013 is the base year (a band of width 0 around SSB's 506), so the
    test asks for 8 of the 11 simulated years.
    """
    from resilience.hindcast import run_hindcast

    result = run_hindcast(HINDCAST, tmp_path / "results", workers=2)
    assert result.years == 12
    assert result.inside >= 9
    simulated = result.table[result.table["year"] > 2013]
    observed = simulated["observed"]
    assert int(((observed >= simulated["p05"]) & (observed <= simulated["p95"])).sum()) >= 8
    assert result.mape < 5.0


@pytest.mark.slow
def test_the_hindcast_posterior_is_the_documented_pre_2014_calibration() -> None:
    """The migration uncertainties in the hindcast scenario come from the calibration its comments document,
    on 2005–2013 only: re-running it gives the same distributions (to the digits written in the file)."""
    from resilience.calibration import calibrate, calibration_priors
    from resilience.config import Normal, load_scenario
    from resilience.experiments import open_executor

    scenario = load_scenario(HINDCAST)
    names = ["out_migration_scale", "amenity_in_migration_rate", "return_migration_rate"]
    priors = calibration_priors(scenario, names, plausible_ranges=True)
    with open_executor("process", workers=2) as pool:
        result = calibrate(
            scenario, (2005, 2013), samples=400, replications=5, acceptance=0.05, executor=pool, priors=priors
        )
    for name in names:
        written = scenario.uncertainties[name]
        assert isinstance(written, Normal)
        stats = result.stats(name)
        assert (written.mean, written.sd) == pytest.approx((stats["mean"], stats["sd"]), rel=1e-5)
        assert (written.low, written.high) == pytest.approx((stats["p05"], stats["p95"]), rel=1e-5)
