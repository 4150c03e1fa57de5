"""Calibration (ABC rejection) against SSB's population path: small ensembles, short windows."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from resilience.calibration import (
    CALIBRATION_CSV,
    CALIBRATION_YAML,
    FIT_CSV,
    FIT_HTML,
    GROUPS,
    HistoryError,
    calibrate,
    observed_series,
    parse_history,
    simulate_history,
    write_calibration,
)
from resilience.cli import main
from resilience.config import Uniform, dump_scenario, parse_scenario
from resilience.data import municipality_population
from resilience.experiments import MANIFEST, EnsembleManifest, open_executor
from resilience.workflow import check_scenario
from tests.conftest import TRAENA

WINDOW = (2010, 2013)


@pytest.fixture(scope="module")
def result(traena):
    return calibrate(traena, WINDOW, samples=6, replications=2, acceptance=0.2)


def test_same_seed_same_result(traena, result):
    again = calibrate(traena, WINDOW, samples=6, replications=2, acceptance=0.2)
    pd.testing.assert_frame_equal(again.samples, result.samples)
    pd.testing.assert_frame_equal(again.fit, result.fit)
    other = calibrate(traena, WINDOW, samples=6, replications=2, acceptance=0.2, seed=7)
    assert not other.samples.equals(result.samples)


def test_accepts_the_closest_ceil_share(result):
    assert len(result.accepted) == math.ceil(0.2 * 6) == 2
    rejected = result.samples[~result.samples["accepted"]]
    assert result.accepted["distance"].max() <= rejected["distance"].min()
    assert result.epsilon == result.accepted["distance"].max()


def test_defaults_to_migration_parameters_within_prior_bounds(result):
    # Træna lists no uncertain migration parameter: the two defaults, uniform over Parameters.specs() ranges.
    assert list(result.priors) == ["out_migration_scale", "amenity_in_migration_rate"]
    for name, value in result.fitted.items():
        low, high = result.stats(name)["prior_low"], result.stats(name)["prior_high"]
        p05, p95 = result.spread[name]
        assert low <= p05 <= value <= p95 <= high
        assert result.samples[name].between(low, high).all()


def test_fit_observed_equals_ssb(result):
    fit = result.fit
    assert set(fit["group"]) == set(GROUPS)
    assert sorted(set(fit["year"])) == list(range(WINDOW[0], WINDOW[1] + 1))
    for year in range(WINDOW[0], WINDOW[1] + 1):
        by_age = municipality_population("1835", year).by_age
        rows = fit[fit["year"] == year].set_index("group")["observed"]
        assert rows["total"] == by_age.sum()
        assert rows["age_0_15"] == by_age[:16].sum()
        assert rows["age_16_66"] == by_age[16:67].sum()
        assert rows["age_67_plus"] == by_age[67:].sum()
    assert (fit["p05"] <= fit["median"]).all() and (fit["median"] <= fit["p95"]).all()
    start = fit[fit["year"] == WINDOW[0]]  # every run starts from SSB's population of FROM
    assert (start["observed"] == start["median"]).all()


def test_snippet_merges_into_the_scenario_and_validates(result):
    snippet = YAML(typ="safe").load(result.snippet())
    assert set(snippet) == {"parameters", "uncertainties"}
    assert snippet["parameters"] == pytest.approx(result.fitted, rel=1e-5)
    yaml = YAML(typ="safe")
    data = yaml.load(TRAENA.read_text(encoding="utf-8"))
    data["parameters"] = {**data.get("parameters", {}), **snippet["parameters"]}
    data["uncertainties"] = {**data.get("uncertainties", {}), **snippet["uncertainties"]}
    import io

    buffer = io.StringIO()
    YAML().dump(data, buffer)
    merged = parse_scenario(buffer.getvalue())
    assert check_scenario(merged) == []
    assert merged.uncertainties["out_migration_scale"].distribution == "normal"
    assert "out_migration_scale" in dump_scenario(merged)


def test_process_executor_gives_the_same_result(traena):
    sequential = calibrate(traena, WINDOW, samples=3, replications=1, acceptance=0.5)
    with open_executor("process", workers=2) as pool:
        parallel = calibrate(traena, WINDOW, samples=3, replications=1, acceptance=0.5, executor=pool)
    pd.testing.assert_frame_equal(parallel.samples, sequential.samples)
    pd.testing.assert_frame_equal(parallel.fit, sequential.fit)


def test_recovers_a_known_out_migration_scale(traena):
    # A synthetic history from the model itself (other seeds), then ABC over out_migration_scale alone.
    # The population path constrains this parameter only loosely over a decade, hence a broad acceptance.
    truth = 1.3
    window = (2008, 2020)
    observed = simulate_history(traena, window, {"out_migration_scale": truth}, replications=6, seed=99)
    prior = {"out_migration_scale": Uniform(distribution="uniform", low=1.0, high=1.6)}
    fitted = calibrate(
        traena, window, samples=12, replications=3, acceptance=0.5, priors=prior, observed=observed, seed=1
    )
    low, high = fitted.spread["out_migration_scale"]
    assert low <= truth <= high
    assert list(fitted.fit["observed"]) == list(observed.loc[:, list(GROUPS)].T.to_numpy().ravel())


def test_history_is_checked(traena):
    assert parse_history("2005-2013") == (2005, 2013)
    for bad in ("2005", "2013-2005", "2010-2010", "abc-def", "2005-2010-2013"):
        with pytest.raises(HistoryError):
            parse_history(bad)
    with pytest.raises(HistoryError, match="no SSB population"):
        observed_series("1835", (2000, 2010))
    with pytest.raises(HistoryError):
        calibrate(traena, (2020, 2026), samples=1, replications=1)


def test_write_calibration_refuses_an_occupied_directory(result, tmp_path):
    write_calibration(result, tmp_path / "out")
    with pytest.raises(FileExistsError):
        write_calibration(result, tmp_path / "out")
    write_calibration(result, tmp_path / "out", force=True)


def test_cli_writes_the_files(tmp_path):
    out = tmp_path / "cal"
    args = ["calibrate", str(TRAENA), "--history", "2012-2013", "--out", str(out)]
    outcome = CliRunner().invoke(main, [*args, "--samples", "2", "--replications", "1", "--executor", "sequential"])
    assert outcome.exit_code == 0, outcome.output
    written = {CALIBRATION_YAML, CALIBRATION_CSV, FIT_CSV, FIT_HTML, MANIFEST}
    assert {p.name for p in out.iterdir()} == written
    manifest = EnsembleManifest.read(out)
    assert manifest is not None and manifest.kind == "calibration" and manifest.complete
    samples = pd.read_csv(out / CALIBRATION_CSV)
    assert list(samples.columns) == [
        "sample",
        "out_migration_scale",
        "amenity_in_migration_rate",
        "distance",
        "accepted",
    ]
    fit = pd.read_csv(out / FIT_CSV)
    assert list(fit.columns) == ["year", "group", "observed", "median", "p05", "p95"]
    html = (out / FIT_HTML).read_text(encoding="utf-8")
    assert "<script src=" not in html and html.count("Plotly.newPlot") == 1  # plotly.js embedded, offline
    text = (out / CALIBRATION_YAML).read_text(encoding="utf-8")
    assert "ABC rejection" in text and "2012–2013" in text
    again = CliRunner().invoke(main, [*args, "--samples", "2", "--replications", "1", "--executor", "sequential"])
    assert again.exit_code == 2
    assert (
        again.stderr == f"error: {out} already holds a calibration of 'Træna: the fish-processing plant closes' "
        f"({manifest.created}); use --force to replace it, or another --out\n"
    )
    # --force replaces a calibration (and nothing else: a file of the user's beside it is refused, named).
    forced = [*args, "--samples", "2", "--replications", "1", "--executor", "sequential", "--force"]
    assert CliRunner().invoke(main, forced).exit_code == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    refused = CliRunner().invoke(main, forced)
    assert refused.exit_code == 2 and "notes.txt" in refused.stderr and "refusing --force" in refused.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine" and (out / FIT_HTML).exists()


@pytest.mark.parametrize("history", ["2013", "2013-2010", "2000-2010", "2020-2030", "x-y"])
def test_cli_bad_history_exits_2_with_one_line(tmp_path, history):
    outcome = CliRunner().invoke(
        main, ["calibrate", str(TRAENA), "--history", history, "--out", str(tmp_path / "x"), "--samples", "1"]
    )
    assert outcome.exit_code == 2
    lines = [line for line in outcome.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), outcome.output
    assert not (tmp_path / "x").exists()


def test_cli_fit_names_the_parameters_with_uniform_priors_over_their_ranges(tmp_path):
    out = tmp_path / "cal"
    args = ["calibrate", str(TRAENA), "--history", "2012-2013", "--out", str(out), "--samples", "2"]
    outcome = CliRunner().invoke(
        main, [*args, "--replications", "1", "--executor", "sequential", "--fit", "tie_retention"]
    )
    assert outcome.exit_code == 0, outcome.output
    samples = pd.read_csv(out / CALIBRATION_CSV)
    assert list(samples.columns) == ["sample", "tie_retention", "distance", "accepted"]
    assert samples["tie_retention"].between(0.03, 0.15).all()


def test_cli_fit_with_a_misspelt_parameter_exits_2_with_a_hint(tmp_path):
    outcome = CliRunner().invoke(
        main,
        ["calibrate", str(TRAENA), "--history", "2012-2013", "--out", str(tmp_path / "x"), "--fit", "tie_retension"],
    )
    assert outcome.exit_code == 2
    assert "'tie_retension' is not a model parameter (did you mean 'tie_retention'?)" in outcome.output
    assert not (tmp_path / "x").exists()
