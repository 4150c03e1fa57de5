"""Golden tests: each bad scenario in golden/bad/ and its exact expected messages, in English and bokmål.

``NAME.expected`` holds the English lines (``str(error)``), ``NAME.nb.expected`` the same problems in
bokmål (``error.render("nb")``). Regenerate them after a deliberate change of messages with::

    UPDATE_GOLDEN=1 uv run pytest tests/config/test_golden.py

and review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resilience.config import Language, ScenarioError, parse_scenario

BAD = Path(__file__).parent / "golden" / "bad"
CASES = sorted(BAD.glob("*.yaml"))
#: Scenarios the schema accepts but the checks above it refuse (data, levers, model parameters).
CHECKED = Path(__file__).parent / "golden" / "checked"
CHECKED_CASES = sorted(CHECKED.glob("*.yaml"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
#: The memory the goldens are checked against, so that the memory refusal reads the same on every machine.
MEMORY = 8_000_000_000
SUFFIX: dict[Language, str] = {"en": ".expected", "nb": ".nb.expected"}


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 25


def assert_golden(case: Path, language: Language, actual: str) -> None:
    """``actual`` equals the expected file of ``case`` in ``language`` (written instead with UPDATE_GOLDEN=1)."""
    expected_file = case.with_suffix(SUFFIX[language])
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"missing {expected_file.name}; run with UPDATE_GOLDEN=1"
    assert actual == expected_file.read_text(encoding="utf-8")


def problems_of(case: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        # The name relative to the golden dir keeps the messages machine-independent.
        parse_scenario(case.read_bytes(), filename=case.name, memory_bytes=MEMORY)
    return info.value


@pytest.mark.parametrize("language", ["en", "nb"])
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_scenario_gives_expected_problems(case: Path, language: Language) -> None:
    error = problems_of(case)
    actual = error.render(language) + "\n"
    assert_golden(case, language, actual)
    if language == "en":
        assert actual == str(error) + "\n"


@pytest.mark.parametrize("language", ["en", "nb"])
@pytest.mark.parametrize("case", CHECKED_CASES, ids=[c.stem for c in CHECKED_CASES])
def test_checked_scenario_gives_expected_problems(
    case: Path, language: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resilience.workflow import load_checked

    monkeypatch.chdir(CHECKED)  # the file name as given keeps the messages machine-independent
    parse_scenario(case.read_bytes(), filename=case.name)  # the schema accepts it
    with pytest.raises(ScenarioError) as info:
        load_checked(case.name)
    actual = info.value.render(language) + "\n"
    assert_golden(case, language, actual)
    for problem in info.value.problems:
        problem.render("nb", strict=True)  # every message has its bokmål translation


#: Scenarios the schema refuses that also have problems only the checks above it see: reported at once.
TOGETHER = Path(__file__).parent / "golden" / "together"
TOGETHER_CASES = sorted(TOGETHER.glob("*.yaml"))


@pytest.mark.parametrize("language", ["en", "nb"])
@pytest.mark.parametrize("case", TOGETHER_CASES, ids=[c.stem for c in TOGETHER_CASES])
def test_schema_problems_and_checked_names_are_reported_together(
    case: Path, language: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resilience.workflow import load_checked

    monkeypatch.chdir(TOGETHER)
    schema_only = problems_of(case).problems
    with pytest.raises(ScenarioError) as info:
        load_checked(case.name)
    problems = info.value.problems
    assert set(schema_only) < set(problems)  # the schema's problems, and more
    assert [p.line or 0 for p in problems] == sorted(p.line or 0 for p in problems)
    assert_golden(case, language, info.value.render(language) + "\n")
    for problem in problems:
        problem.render("nb", strict=True)  # every message has its bokmål translation


@pytest.mark.parametrize("folder", [BAD, CHECKED, TOGETHER], ids=["bad", "checked", "together"])
def test_every_expected_file_has_its_scenario(folder: Path) -> None:
    stale = [p.name for p in folder.glob("*.expected") if not folder.joinpath(p.name.split(".")[0] + ".yaml").exists()]
    assert stale == []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_problem_lines_have_the_documented_form(case: Path) -> None:
    problems = problems_of(case).problems
    assert problems
    assert [p.line or 0 for p in problems] == sorted(p.line or 0 for p in problems)
    for problem in problems:
        assert problem.file == case.name
        for language in SUFFIX:
            line = problem.render(language)
            assert line.startswith(f"{case.name}:{problem.line}: {problem.path}: " if problem.line else case.name)
            assert "\n" not in line
        assert "pydantic" not in problem.message.lower()
        assert "Input should" not in problem.message


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_every_message_has_its_bokmal_translation(case: Path) -> None:
    for problem in problems_of(case).problems:
        problem.render("nb", strict=True)  # raises MissingTranslationError for a template not in nb.po
