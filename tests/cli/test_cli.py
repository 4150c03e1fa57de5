"""The command line: exit codes, messages without tracebacks, and the files a run writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.testing import check_accounting_identity
from tests.conftest import TRAENA

BAD = """\
schema_version: 1
name: bad
municipality: {kommunenummer: "1835", base_year: 2024}
employers:
  - {name: Plant, sector: fish_processing, jobs: -5, cornerstone: true}
shocks:
  - {type: closure, employer: Plnt, year: 2026}
run: {horizn: 2050, replications: 2, seed: 1}
"""


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.found.append(f"<{tag} {name}={value}>")


def external_resources(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    return parser.found


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_validate_accepts_the_bundled_scenario():
    code, out, _ = invoke("validate", str(TRAENA))
    assert code == 0
    assert "valid" in out


def test_validate_reports_every_problem_with_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    code, _out, err = invoke("validate", str(path))
    assert code == 2
    lines = err.strip().splitlines()
    assert any(line.startswith(f"{path}:5: employers[0].jobs:") for line in lines), lines
    assert any(line.startswith(f"{path}:7: shocks[0].employer:") and "Plant" in line for line in lines), lines
    assert any(line.startswith(f"{path}:8: run") and "horizon" in line for line in lines), lines
    assert "Traceback" not in err


def test_bad_scenario_exits_2_without_traceback_in_a_real_process(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "resilience", "run", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_missing_file_exits_2(tmp_path):
    code, _, err = invoke("validate", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "nope.yaml" in err


def test_unknown_model_parameter_is_reported_with_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(TRAENA.read_text(encoding="utf-8") + "parameters:\n  local_multiplyer: 0.3\n", encoding="utf-8")
    code, _, err = invoke("validate", str(path))
    assert code == 2
    assert "parameters.local_multiplyer" in err and "did you mean 'local_multiplier'" in err


def test_schema_prints_json_schema():
    code, out, _ = invoke("schema")
    assert code == 0
    schema = json.loads(out)
    assert {"municipality", "employers", "shocks", "strategies", "uncertainties", "run"} <= set(schema["properties"])


def test_run_writes_the_results_directory(tmp_path):
    out = tmp_path / "res"
    code, stdout, _ = invoke("run", str(TRAENA), "--out", str(out), "--replications", "2", "--horizon", "2032")
    assert code == 0, stdout
    assert str(out) in stdout
    frame = pd.read_parquet(out / "timeseries.parquet")
    for column in (
        "strategy",
        "replication",
        "seed",
        "year",
        "population",
        "births",
        "deaths",
        "in_migrants",
        "out_migrants",
        "employed",
        "unemployed",
        "jobs",
        "pupils",
        "age_67_plus",
        "budget_balance",
    ):
        assert column in frame.columns
    assert frame["year"].max() == 2032 and frame["year"].min() == 2024
    check_accounting_identity(frame)
    summary = pd.read_csv(out / "summary.csv")
    assert summary["strategy"].iloc[0] == "baseline"
    assert "no_shock" not in set(summary["strategy"])
    # The closure in 2026 is measured against the no-shock reference: a drop, so resistance is negative.
    assert summary.set_index("strategy").loc["baseline", "resistance_population_median"] < 0
    comparison = pd.read_csv(out / "comparison.csv")
    assert {"strategy", "outcome", "year", "q05", "q50", "q95", "diff_q50", "p_better"} <= set(comparison.columns)
    resolved = (out / "scenario.resolved.yaml").read_text(encoding="utf-8")
    assert "replication_seeds" in resolved and "package_version" in resolved
    html = (out / "report.html").read_text(encoding="utf-8")
    # Self-contained: plotly.js is inline, no tag loads anything from elsewhere.
    assert external_resources(html) == []
    assert html.count("Plotly.newPlot") >= 1

    # The results directory is never silently overwritten.
    code, _, err = invoke("run", str(TRAENA), "--out", str(out), "--replications", "2", "--horizon", "2032")
    assert code == 2 and "--force" in err
    code, _, _ = invoke("run", str(TRAENA), "--out", str(out), "--replications", "2", "--horizon", "2032", "--force")
    assert code == 0

    # The report can be rewritten in the other language.
    code, _, _ = invoke("report", str(out), "--lang", "en")
    assert code == 0
    assert "What happens to Træna?" in (out / "report.html").read_text(encoding="utf-8")


def test_horizon_before_base_year_is_bad_input(tmp_path):
    code, _, err = invoke("run", str(TRAENA), "--out", str(tmp_path / "x"), "--horizon", "2020")
    assert code == 2
    assert "--horizon" in err and "2024" in err
    assert not (tmp_path / "x").exists()


def test_unknown_strategy_is_bad_input(tmp_path):
    code, _, err = invoke("run", str(TRAENA), "--out", str(tmp_path / "x"), "--strategy", "nope")
    assert code == 2
    assert "nope" in err


def test_demo_runs_and_says_where(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("demo", "--replications", "2")
    assert code == 0
    assert "results/demo" in out
    assert (tmp_path / "results" / "demo" / "report.html").exists()
    # A second demo does not overwrite the first.
    code, out, _ = invoke("demo", "--replications", "1")
    assert code == 0 and "results/demo-2" in out


def test_init_writes_a_valid_scenario(tmp_path):
    path = tmp_path / "bodo.yaml"
    code, _, _ = invoke("init", "--kommune", "1804", "--out", str(path))
    assert code == 0
    code, out, _ = invoke("validate", str(path))
    assert code == 0, out
    assert "ESTIMATE" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kommune", ["9999", "abc"])
def test_init_unknown_kommune_exits_2(kommune):
    code, _, err = invoke("init", "--kommune", kommune)
    assert code == 2
    assert "Traceback" not in err and err.strip()


def test_python_dash_m_works():
    proc = subprocess.run([sys.executable, "-m", "resilience", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "demo" in proc.stdout


def test_levers_lists_every_lever_and_explains_one():
    code, out, _ = invoke("levers")
    assert code == 0
    for name in ("business_development", "new_employer", "attractiveness", "knowledge_sharing"):
        assert name in out
    code, out, _ = invoke("levers", "attractiveness")
    assert code == 0
    assert "Mechanism" in out and "attractiveness_gain = 0.02; range 0–0.05" in out and "Vareide & Kobro" in out
    code, _, err = invoke("levers", "atractiveness")
    assert code == 2 and "unknown lever" in err


def test_error_lines_escape_control_characters() -> None:
    # An error's text may quote a scenario or come from a plug-in: it must not clear the screen or break the line.
    import click

    from resilience.cli import _handle_errors

    @click.command()
    @_handle_errors
    def boom() -> None:
        raise RuntimeError("bad\x1b[2J\nthing\u202e")

    result = CliRunner().invoke(boom)
    assert result.exit_code == 1
    assert result.output == (
        "error: an unexpected RuntimeError: bad\\x1b[2J\\nthing\\u202e "
        "(a fault in resilience: please report it with the command you ran)\n"
    )


# --------------------------------------------------------------------------
# Inputs that never end: a named pipe, a device or a directory as the scenario
# --------------------------------------------------------------------------

#: Every command that takes a scenario file, with the options it needs besides ({out}: a results directory).
SCENARIO_COMMANDS: dict[str, list[str]] = {
    "validate": [],
    "run": ["--out", "{out}"],
    "calibrate": ["--history", "2005-2013", "--out", "{out}"],
    "hindcast": ["--out", "{out}"],
    "explore": ["--no-browser"],
    "profile": [],
}

#: Runs every command of SCENARIO_COMMANDS (argv[1], JSON) on argv[2] and prints [command, exit code, stderr].
EVERY_COMMAND_IN_A_CHILD = """\
import json, sys
from click.testing import CliRunner
from resilience.cli import main
found = []
for name, args in json.loads(sys.argv[1]).items():
    result = CliRunner().invoke(main, [name, sys.argv[2], *args])
    found.append([name, result.exit_code, result.stderr])
print(json.dumps(found))
"""


def fifo_in(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes (os.mkfifo) exist only on Unix")
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)  # nothing ever writes to it: opening it to read would wait forever
    return fifo


def not_a_file(path: Path | str, what: str) -> str:
    return f"{path}: (root): is {what}, not a file: give the path of a scenario file"


def test_a_named_pipe_exits_2_at_once_in_a_real_process(tmp_path: Path) -> None:
    fifo = fifo_in(tmp_path)
    # A timeout, so that a hang fails the test instead of blocking the suite.
    proc = subprocess.run(
        [sys.executable, "-m", "resilience", "validate", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [not_a_file(fifo, "a named pipe (FIFO)")]


def test_every_command_that_takes_a_scenario_is_tried() -> None:
    taking = {
        name
        for name, command in main.commands.items()
        if any(isinstance(p, click.Argument) and p.name == "scenario" for p in command.params)
    }
    assert taking == set(SCENARIO_COMMANDS)


def test_every_command_refuses_a_named_pipe_with_exit_2(tmp_path: Path) -> None:
    fifo = fifo_in(tmp_path)
    out = tmp_path / "out"
    commands = {name: [arg.format(out=out) for arg in args] for name, args in SCENARIO_COMMANDS.items()}
    proc = subprocess.run(
        [sys.executable, "-c", EVERY_COMMAND_IN_A_CHILD, json.dumps(commands), str(fifo)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    expected = not_a_file(fifo, "a named pipe (FIFO)") + "\n"
    assert json.loads(proc.stdout) == [[name, 2, expected] for name in SCENARIO_COMMANDS]
    assert not out.exists()


def test_dev_zero_exits_2_promptly() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("this machine has no /dev/zero")
    proc = subprocess.run(
        [sys.executable, "-m", "resilience", "validate", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [not_a_file("/dev/zero", "a character device")]


def test_a_directory_exits_2(tmp_path: Path) -> None:
    code, out, err = invoke("validate", str(tmp_path))
    assert code == 2
    assert out == ""
    assert str(tmp_path) in err and "is a directory" in err
    assert "Traceback" not in err
