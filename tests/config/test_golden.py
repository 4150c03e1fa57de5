"""Golden tests: each bad scenario in golden/bad/ and its exact expected messages.

Regenerate the ``.expected`` files after a deliberate change of messages with::

    UPDATE_GOLDEN=1 uv run pytest tests/config/test_golden.py

and review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resilience.config import ScenarioError, parse_scenario

BAD = Path(__file__).parent / "golden" / "bad"
CASES = sorted(BAD.glob("*.yaml"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_scenario_gives_expected_problems(case: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        # The name relative to the golden dir keeps the messages machine-independent.
        parse_scenario(case.read_bytes(), filename=case.name)
    actual = str(info.value) + "\n"
    expected_file = case.with_suffix(".expected")
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"missing {expected_file.name}; run with UPDATE_GOLDEN=1"
    assert actual == expected_file.read_text(encoding="utf-8")


def test_every_expected_file_has_its_scenario() -> None:
    stale = [p.name for p in BAD.glob("*.expected") if not p.with_suffix(".yaml").exists()]
    assert stale == []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_problem_lines_have_the_documented_form(case: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(case.read_bytes(), filename=case.name)
    problems = info.value.problems
    assert problems
    assert [p.line or 0 for p in problems] == sorted(p.line or 0 for p in problems)
    for problem in problems:
        assert problem.file == case.name
        assert str(problem).startswith(f"{case.name}:{problem.line}: {problem.path}: ")
        assert "pydantic" not in problem.message.lower()
        assert "Input should" not in problem.message
