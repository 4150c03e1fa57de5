"""``resilience --messages nb|en`` (or RESILIENCE_MESSAGES): scenario problems in bokmål or English."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from resilience.cli import main
from tests.conftest import TRAENA

BAD = """\
schema_version: 1
name: bad
language: NO
municipality: {kommunenummer: "1835", base_year: 2024, island: yes}
employers:
  - {name: Plant, sector: fish_processing, jobs: -5, cornerstone: true}
shocks:
  - {type: closure, employer: Plnt, year: 2026}
run: {horizn: 2050, replications: 1_000, seed: 1}
"""

BOKMAL = [
    "{path}:3: language: 'NO' er ikke gyldig som språk; velg én av: nb, en; 'NO' er landkoden for Norge; "
    "skriv nb for norsk bokmål",
    "{path}:4: municipality.island: forventet true eller false, fikk 'yes' (tekst); YAML 1.2 leser bare true og "
    "false som ja/nei-verdier; skriv true",
    "{path}:6: employers[0].jobs: må være minst 0, fikk -5",
    "{path}:8: shocks[0].employer: ingen arbeidsgiver heter 'Plnt'; mente du 'Plant'?",
    "{path}:9: run.horizon: obligatorisk felt mangler",
    "{path}:9: run.replications: forventet et heltall, fikk '1_000' (tekst); et tall med '_' er tekst i YAML 1.2 "
    "(YAML 1.1 leste det som et tall); skriv 1000",
    "{path}:9: run.horizn: ukjent nøkkel 'horizn'; mente du 'horizon'?",
]


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    return path


def invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_messages_nb_prints_every_problem_in_bokmal(bad: Path) -> None:
    code, out, err = invoke(["--messages", "nb", "validate", str(bad)])
    assert code == 2
    assert out == ""
    assert err.splitlines() == [line.format(path=bad) for line in BOKMAL]


def test_english_is_the_default(bad: Path) -> None:
    code, _, err = invoke(["validate", str(bad)], env={"RESILIENCE_MESSAGES": ""})
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == len(BOKMAL)
    assert lines[2] == f"{bad}:6: employers[0].jobs: must be at least 0, got -5"
    assert invoke(["--messages", "en", "validate", str(bad)])[2] == err


def test_the_environment_variable_chooses_and_the_option_wins(bad: Path) -> None:
    _, _, err = invoke(["validate", str(bad)], env={"RESILIENCE_MESSAGES": "nb"})
    assert f"{bad}:6: employers[0].jobs: må være minst 0, fikk -5" in err.splitlines()
    _, _, err = invoke(["--messages", "en", "validate", str(bad)], env={"RESILIENCE_MESSAGES": "nb"})
    assert f"{bad}:6: employers[0].jobs: must be at least 0, got -5" in err.splitlines()


def test_an_unknown_language_is_a_usage_error(bad: Path) -> None:
    code, _, err = invoke(["--messages", "de", "validate", str(bad)])
    assert code == 2
    assert "'de' is not one of 'en', 'nb'" in err


def test_problems_found_after_the_schema_are_in_bokmal_too(tmp_path: Path) -> None:
    text = TRAENA.read_text(encoding="utf-8")
    text = text.replace('kommunenummer: "1835"', 'kommunenummer: "1899"').replace(
        "lever: knowledge_sharing", "lever: knowledge"
    )
    path = tmp_path / "checked.yaml"
    path.write_text(text + "parameters:\n  local_multiplyer: 0.3\n", encoding="utf-8")
    code, _, err = invoke(["--messages", "nb", "validate", str(path)])
    assert code == 2
    assert "municipality.kommunenummer: ukjent kommunenummer '1899': SSB-tabell 07459 har ingen slik kommune" in err
    assert "nærmeste kommunenumre: 1902 Tromsø" in err
    assert "strategies.combined[5].lever: ukjent virkemiddel 'knowledge'; mente du 'knowledge_sharing'?" in err
    assert "parameters.local_multiplyer: ukjent modellparameter 'local_multiplyer'; mente du 'local_multiplier'?" in err


def test_a_real_process_prints_bokmal_without_a_traceback(bad: Path) -> None:
    env = {**os.environ, "RESILIENCE_MESSAGES": "nb", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "resilience", "validate", str(bad)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [line.format(path=bad) for line in BOKMAL]


@pytest.mark.parametrize(
    "language, words", [("en", "summarising them needs about"), ("nb", "å oppsummere dem krever omtrent")]
)
def test_replications_given_on_the_command_line_are_checked_against_memory_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str, words: str
) -> None:
    # A machine of 1 GB: the scenario file's 20 replications fit, --replications 100000 does not.
    monkeypatch.setattr("resilience.config._limits.machine_memory_bytes", lambda: 1_000_000_000)
    monkeypatch.setattr("resilience.config.machine_memory_bytes", lambda: 1_000_000_000)
    out = tmp_path / "results"
    args = ["--messages", language, "run", str(TRAENA), "--out", str(out), "--replications", "100000"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert "--replications" in result.output and words in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # refused before anything was written


def message_words(line: str) -> set[str]:
    """The words of a problem line's message (after ``FILE:LINE: path: ``), without the names YAML and UTF-8."""
    message = line.partition(": (root): ")[2]
    return set(re.findall(r"[^\W\d_]{2,}", message.lower())) - {"yaml", "utf"}


@pytest.mark.parametrize(
    ("inserted", "bokmal"),
    [
        ("\x00", "filen inneholder et kontrolltegn (U+0000) som YAML ikke tillater"),
        ("\x7f", "filen inneholder et kontrolltegn (U+007F) som YAML ikke tillater"),
    ],
    ids=["nul", "del"],
)
def test_a_character_yaml_refuses_is_reported_on_its_line_in_bokmal(tmp_path: Path, inserted: str, bokmal: str) -> None:
    # Line 13 of the Træna scenario is its name; the character goes inside it. A NUL byte was once reported on
    # line 1, as "a binary file".
    lines = TRAENA.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[12].startswith('name: "Træna')
    lines[12] = lines[12].replace("Træna", "Træna" + inserted, 1)
    path = tmp_path / "scenario.yaml"
    path.write_bytes("".join(lines).encode("utf-8"))
    code, out, err = invoke(["--messages", "nb", "validate", str(path)])
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"{path}:13: (root): {bokmal}"]
    _, _, english = invoke(["--messages", "en", "validate", str(path)])
    assert english.startswith(f"{path}:13: (root): the file contains a control character")
    assert not message_words(english) & message_words(err)  # no English left in the bokmål line
