"""Problem formatting, did-you-mean hints and message translation."""

from __future__ import annotations

import pytest

from resilience.config import Problem, ScenarioError, did_you_mean, format_path, parse_scenario
from tests.conftest import TRAENA

BASE = """\
schema_version: 1
name: Træna
municipality: {kommunenummer: "1835", base_year: 2024}
run: {horizon: 2050}
"""


def test_problem_str() -> None:
    p = Problem("s.yaml", 12, "employers[0].jobs", "must be at least 0, got -5")
    assert str(p) == "s.yaml:12: employers[0].jobs: must be at least 0, got -5"
    assert str(Problem("s.yaml", None, "", "cannot read the file")) == "s.yaml: (root): cannot read the file"


def test_problem_str_is_always_one_line() -> None:
    p = Problem("s.yaml", 3, "name", "expected an integer, got 'a\nb\tc' (str)")
    assert str(p) == "s.yaml:3: name: expected an integer, got 'a\\nb\\tc' (str)"
    assert "\n" not in str(ScenarioError([p, p])).replace("\n", "", 1)


def test_problem_is_frozen_and_comparable() -> None:
    p = Problem("s.yaml", 1, "name", "x")
    assert p == Problem("s.yaml", 1, "name", "x")
    with pytest.raises(AttributeError):
        p.line = 2


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "(root)"),
        (("run", "horizon"), "run.horizon"),
        (("employers", 0, "jobs"), "employers[0].jobs"),
        (("strategies", "development_project", 0, "lever"), "strategies.development_project[0].lever"),
        (("strategies", "bolig-og-næring"), "strategies.bolig-og-næring"),
        (("parameters", "a b"), 'parameters["a b"]'),
        (("parameters", "a.b"), 'parameters["a.b"]'),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


def test_scenario_error_lists_problems_one_per_line() -> None:
    problems = [Problem("a.yaml", 1, "name", "x"), Problem("a.yaml", 3, "run", "y")]
    error = ScenarioError(problems)
    assert error.problems == problems
    assert str(error) == "a.yaml:1: name: x\na.yaml:3: run: y"
    with pytest.raises(ValueError):
        ScenarioError([])


def test_did_you_mean() -> None:
    assert did_you_mean("horizn", ["horizon", "replications", "seed"]) == "did you mean 'horizon'?"
    assert did_you_mean("closing", ["closure", "layoff"]) == "did you mean 'closure'?"
    assert did_you_mean("FISHING", ["fishing", "tourism"]) == "did you mean 'fishing'?"
    assert did_you_mean("colour", ["horizon", "replications", "seed"]) == ""
    assert did_you_mean("seed", ["seed"]) == ""
    assert did_you_mean(5, ["seed"]) == ""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.yaml")
    return [str(p) for p in info.value.problems]


def test_quoted_numbers_and_numbers_for_text_are_reported() -> None:
    text = BASE + "employers:\n  - {name: 123, sector: public, jobs: '80', cornerstone: 1}\n"
    assert problems(text) == [
        "s.yaml:6: employers[0].name: expected text, got 123 (int); put it in quotes if it is meant as text",
        "s.yaml:6: employers[0].jobs: expected an integer, got '80' (str); remove the quotes to write it as a number",
        "s.yaml:6: employers[0].cornerstone: expected true or false, got 1 (int)",
    ]


def test_fractional_and_infinite_numbers() -> None:
    text = BASE.replace("run: {horizon: 2050}", "run: {horizon: 2050, replications: 2.5}")
    text += "uncertainties:\n  x: {distribution: uniform, low: 0, high: .inf}\n"
    assert problems(text) == [
        "s.yaml:4: run.replications: expected an integer, got 2.5 (float)",
        "s.yaml:6: uncertainties.x.high: must be a finite number, got inf",
    ]


def test_each_error_is_one_problem_even_inside_unions() -> None:
    text = BASE + "shocks:\n  - {type: layoff, employer: A, year: x, jobs: 0, extra: 1}\n"
    text += "employers: [{name: A, sector: public, jobs: 1}]\n"
    assert problems(text) == [
        "s.yaml:6: shocks[0].year: expected an integer, got 'x' (str)",
        "s.yaml:6: shocks[0].jobs: must be at least 1, got 0",
        "s.yaml:6: shocks[0].extra: unknown key 'extra'; allowed keys are: type, employer, year, jobs",
    ]


def test_unknown_shock_type_without_a_close_match_lists_the_types() -> None:
    text = BASE + "employers: [{name: A, sector: public, jobs: 1}]\n"
    text += "shocks: [{type: storm, employer: A, year: 2030}]\n"
    assert problems(text) == ["s.yaml:6: shocks[0].type: unknown shock type 'storm'; choose one of: closure, layoff"]


def test_shock_reference_to_a_scenario_without_employers() -> None:
    text = BASE + "shocks: [{type: closure, employer: A, year: 2030}]\n"
    assert problems(text) == ["s.yaml:5: shocks[0].employer: no employer named 'A'; no employers are listed"]


def test_cross_field_rules_run_together_with_field_errors() -> None:
    text = BASE.replace("base_year: 2024", "base_year: 2024, island: maybe").replace("2050", "2000")
    assert problems(text) == [
        "s.yaml:3: municipality.island: expected true or false, got 'maybe' (str)",
        "s.yaml:4: run.horizon: must be after the base year 2024 (municipality.base_year), got 2000",
    ]


def test_an_invalid_base_year_is_not_reported_twice() -> None:
    text = BASE.replace("base_year: 2024", "base_year: 2500")
    assert problems(text) == ["s.yaml:3: municipality.base_year: must be at most 2100, got 2500"]


def test_schema_version_true_is_not_1() -> None:
    assert problems(BASE.replace("schema_version: 1", "schema_version: true")) == [
        "s.yaml:1: schema_version: unsupported schema_version True; this version of resilience reads schema_version 1"
    ]


def test_empty_strategy_name_and_wrong_collection_types() -> None:
    text = BASE + "strategies: {'': []}\nparameters: [1, 2]\n"
    assert problems(text) == [
        'ps.yaml:5: strategies[""]: a strategy name must not be empty'.removeprefix("p"),
        "s.yaml:6: parameters: expected a mapping (key: value lines), got a list",
    ]


def test_yaml_problems_come_alone_before_validation() -> None:
    text = BASE + "name: again\nrun: {horizon: 1}\n"
    assert problems(text) == [
        "s.yaml:5: name: duplicate key 'name': it is also written on line 2; keep only one",
        "s.yaml:6: run: duplicate key 'run': it is also written on line 4; keep only one",
    ]


def test_non_scalar_keys_and_bad_merges() -> None:
    assert problems(BASE + "? [a, b]\n: 1\n") == ["s.yaml:5: (root): a key must be plain text, not a list or mapping"]
    assert problems(BASE + "parameters:\n  <<: 5\n") == [
        "s.yaml:6: parameters: '<<' must be followed by an alias to a mapping, e.g. <<: *name"
    ]


def test_control_characters_and_utf16() -> None:
    assert problems(BASE + "description: a\x07b\n") == [
        "s.yaml:5: (root): the file contains a control character (U+0007) that YAML does not allow"
    ]
    with pytest.raises(ScenarioError, match="UTF-16"):
        parse_scenario(BASE.encode("utf-16"), "s.yaml")


#: Line 13 of the Træna scenario is its name; ``with_line_13`` puts a character inside that quoted name.
TRAENA_TEXT = TRAENA.read_text(encoding="utf-8")
NAME_LINE = 'name: "Træna: the fish-processing plant closes"\n'


def with_line_13(inserted: str) -> str:
    """The Træna scenario with ``inserted`` in the name on line 13 (a valid scenario when ``inserted`` is "")."""
    assert TRAENA_TEXT.splitlines(keepends=True)[12] == NAME_LINE
    return TRAENA_TEXT.replace('name: "Træna', 'name: "Træna' + inserted, 1)


def the_problem(source: str | bytes) -> Problem:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(source, "t.yaml")
    (problem,) = info.value.problems
    return problem


@pytest.mark.parametrize(
    ("character", "english", "bokmal"),
    [
        ("\x00", "a control character (U+0000)", "et kontrolltegn (U+0000)"),
        ("\x01", "a control character (U+0001)", "et kontrolltegn (U+0001)"),
        ("\x1b", "a control character (U+001B)", "et kontrolltegn (U+001B)"),
        ("\x7f", "a control character (U+007F)", "et kontrolltegn (U+007F)"),
        ("\x9b", "a control character (U+009B)", "et kontrolltegn (U+009B)"),
        ("\ufffe", "a character (U+FFFE)", "et tegn (U+FFFE)"),
    ],
)
def test_a_character_yaml_refuses_is_reported_on_its_own_line(character: str, english: str, bokmal: str) -> None:
    # A NUL byte was once reported on line 1, as "a binary file": it is on line 13, in the file's bytes or text,
    # with Unix, Windows or old Mac line ends.
    parse_scenario(with_line_13(""), "t.yaml")  # valid without it
    text = with_line_13(character)
    for source in (text, text.encode("utf-8"), text.replace("\n", "\r\n").encode("utf-8"), text.replace("\n", "\r")):
        problem = the_problem(source)
        assert str(problem) == f"t.yaml:13: (root): the file contains {english} that YAML does not allow"
        assert (
            problem.render("nb", strict=True) == f"t.yaml:13: (root): filen inneholder {bokmal} som YAML ikke tillater"
        )


@pytest.mark.parametrize("byte", [b"\xff", b"\x85", b"\xc3", b"\xed\xa0\x80"], ids=["ff", "85", "c3", "surrogate"])
def test_a_byte_that_is_not_utf8_is_reported_on_its_own_line(byte: bytes) -> None:
    source = with_line_13("").encode("utf-8").replace(b'name: "Tr', b'name: "Tr' + byte, 1)
    problem = the_problem(source)
    assert str(problem).startswith(f"t.yaml:13: (root): the file is not valid UTF-8 text (byte 0x{byte[0]:02X} ")
    assert problem.render("nb", strict=True).startswith("t.yaml:13: (root): filen er ikke gyldig UTF-8-tekst")


def test_a_lone_surrogate_in_text_is_reported_on_its_line_not_a_crash() -> None:
    problem = the_problem(with_line_13("\ud800"))
    assert str(problem) == "t.yaml:13: (root): the file contains a character (U+D800) that YAML does not allow"
    assert (
        problem.render("nb", strict=True)
        == "t.yaml:13: (root): filen inneholder et tegn (U+D800) som YAML ikke tillater"
    )


@pytest.mark.parametrize(
    "source",
    [
        b"\x00" * 64,
        "name: Træna\n".encode("utf-16-le"),
        "name: Træna\n".encode("utf-32-be"),
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
    ids=["zeros", "utf16_without_mark", "utf32", "png"],
)
def test_a_binary_file_is_still_called_binary(source: bytes) -> None:
    assert str(the_problem(source)) == "t.yaml:1: (root): this looks like a binary file, not YAML text"


def test_lines_are_counted_as_yaml_and_editors_count_them() -> None:
    # U+2028 and U+0085 are kept inside a line by YAML 1.2 (and editors): they do not move the lines below.
    text = BASE + "description: a\u2028b\x85c\nparameters:\n\tlocal_multiplier: 0.3\n"
    assert problems(text) == ["s.yaml:7: (root): a tab is used for indentation; indent with spaces only"]
    assert problems(text.replace("\n", "\r")) == problems(text)


@pytest.mark.parametrize(
    ("text", "english", "bokmal"),
    [
        ("{a: 1} x\n", "unexpected text after the end of the document", "uventet tekst etter slutten av dokumentet"),
        ("name: & x\n", "'&' and '*' start an anchor or an alias", "'&' og '*' innleder et anker eller et alias"),
        ("name: |x\n", "'|' and '>' begin a block of text", "'|' og '>' innleder en tekstblokk"),
        ("name: !<a\n", "'!' begins a YAML tag", "'!' innleder en YAML-tagg"),
        ("name: [a, , b]\n", "unexpected ',' where a value was expected", "uventet ',' der det skulle stått en verdi"),
    ],
)
def test_yaml_syntax_errors_in_plain_words(text: str, english: str, bokmal: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.yaml")
    (problem,) = info.value.problems
    assert str(problem).startswith(f"s.yaml:1: (root): invalid YAML: {english}")
    assert problem.render("nb", strict=True).startswith(f"s.yaml:1: (root): ugyldig YAML: {bokmal}")
    assert "while scanning" not in str(problem) and "while parsing" not in str(problem)
