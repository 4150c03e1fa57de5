"""Whatever a file holds, the loader answers with a Scenario or a ScenarioError, never a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.config import ScenarioError, parse_scenario
from tests.conftest import scaled

FULL_TEXT = (Path(__file__).parent / "data" / "traena_full.yaml").read_text(encoding="utf-8")
LINES = FULL_TEXT.splitlines(keepends=True)


def check(source: str | bytes) -> None:
    try:
        parse_scenario(source, "fuzz.yaml")
    except ScenarioError as error:
        assert error.problems
        for problem in error.problems:
            assert str(problem).startswith("fuzz.yaml")
            assert "\n" not in str(problem)
            # Every message the fuzzing reaches has its bokmål translation.
            bokmal = problem.render("nb", strict=True)
            assert bokmal.startswith("fuzz.yaml")
            assert "\n" not in bokmal


@settings(max_examples=scaled(300), deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    check(data)


@settings(max_examples=scaled(300), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}#&*!|>'\" \t\n,?%@`0.~<")), max_size=80))
def test_random_yaml_like_text(text: str) -> None:
    check(text)


@settings(max_examples=scaled(200), deadline=None)
@given(st.data())
def test_edited_scenarios(data: st.DataObject) -> None:
    lines = list(LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "garble", "swap"]))
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "indent":
            lines[index] = "  " + line
        elif action == "dedent":
            lines[index] = line[2:] if line.startswith("  ") else line
        elif action == "garble":
            pos = data.draw(st.integers(0, max(len(line) - 1, 0)))
            char = data.draw(st.sampled_from(list(":-[]{}#'\"x0 \t")))
            lines[index] = line[:pos] + char + line[pos + 1 :]
        else:
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        if not lines:
            break
    check("".join(lines))
