"""Problem messages in English and bokmål: the catalogue is complete, and messages render in both languages."""

from __future__ import annotations

import ast
import pickle
import string
from pathlib import Path

import pytest

from resilience.config import Message, MissingTranslationError, Problem, ScenarioError, parse_scenario
from resilience.config._messages import _needs_translation, catalogue, join_messages

SOURCES = sorted((Path(__file__).parents[2] / "src" / "resilience").rglob("*.py"))
CONSTANT_TEMPLATES = {"_EMPTY", "_BINARY"}  # module constants passed to Message(...)


def source_templates() -> set[str]:
    """Every literal template given to ``Message(...)`` in the package (config, and the layers above it)."""
    found: set[str] = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
            named = isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in CONSTANT_TEMPLATES for t in node.targets
            )
            if named and isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                found.add(str(node.value.value))
    return found


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_source_has_message_templates() -> None:
    templates = source_templates()
    assert len(templates) > 80
    assert "required field is missing" in templates
    assert "the file is empty; a scenario needs at least schema_version, name, municipality and run" in templates


def test_every_template_in_the_source_has_a_bokmal_translation() -> None:
    nb = catalogue("nb")
    # Templates with no words of their own, such as "{message}; {hint}", need no entry.
    missing = sorted(t for t in source_templates() if _needs_translation(t) and t not in nb)
    assert missing == []


def test_the_catalogue_has_no_stale_entries() -> None:
    stale = sorted(set(catalogue("nb")) - source_templates())
    assert stale == []


def test_translations_keep_the_placeholders_and_differ_from_english() -> None:
    for english, bokmal in catalogue("nb").items():
        assert fields(bokmal) == fields(english), english
        if len(english) > 12:
            assert bokmal != english, english


def test_message_is_its_english_text_and_renders_in_bokmal() -> None:
    m = Message("must be at least {minimum}, got {value}", minimum=0, value=-5)
    assert m == "must be at least 0, got -5"
    assert isinstance(m, str)
    assert m.render("en") == "must be at least 0, got -5"
    assert m.render("nb") == "må være minst 0, fikk -5"


def test_nested_messages_render_together() -> None:
    m = join_messages(Message("unknown key '{key}'", key="jobz"), Message("did you mean '{choice}'?", choice="jobs"))
    assert m == "unknown key 'jobz'; did you mean 'jobs'?"
    assert isinstance(m, Message)
    assert m.render("nb") == "ukjent nøkkel 'jobz'; mente du 'jobs'?"
    assert set(m.templates()) == {"{message}; {hint}", "unknown key '{key}'", "did you mean '{choice}'?"}


def test_values_from_the_file_are_not_translated() -> None:
    # A value that happens to be a catalogue template stays as written.
    m = Message("unknown key '{key}'", key="required field is missing")
    assert m.render("nb") == "ukjent nøkkel 'required field is missing'"


def test_a_missing_translation_stays_english_or_raises_when_strict() -> None:
    m = Message("a message nobody translated: {x}", x=1)
    assert m.render("nb") == "a message nobody translated: 1"
    with pytest.raises(MissingTranslationError, match="nobody translated"):
        m.render("nb", strict=True)
    plain = Problem("s.yaml", 1, "run", "plain English text")
    assert plain.render("nb") == "s.yaml:1: run: plain English text"
    with pytest.raises(MissingTranslationError, match="plain text"):
        plain.render("nb", strict=True)


def test_a_template_needs_all_its_values() -> None:
    with pytest.raises(KeyError, match="value"):
        Message("must be at least {minimum}, got {value}", minimum=0)


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="'de'"):
        catalogue("de")  # type: ignore[arg-type]


def test_messages_survive_pickling() -> None:
    # Errors cross process boundaries (ensemble workers); the translation must come along.
    m = join_messages(Message("no employer named '{name}'", name="X"), Message("no employers are listed"))
    again = pickle.loads(pickle.dumps(m))
    assert again == m
    assert again.render("nb") == m.render("nb") == "ingen arbeidsgiver heter 'X'; ingen arbeidsgivere er oppført"
    problem = Problem("s.yaml", 3, "shocks[0].employer", m)
    assert pickle.loads(pickle.dumps(problem)).render("nb") == problem.render("nb")


def test_scenario_error_renders_every_problem_in_bokmal() -> None:
    text = (
        "schema_version: 1\nname: x\nmunicipality: {kommunenummer: '1835', base_year: 2024}\n"
        "run: {horizn: 2050, replications: 1_000}\n"
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.yaml")
    assert str(info.value) == info.value.render("en") == info.value.render()
    assert info.value.render("nb").splitlines() == [
        "s.yaml:4: run.horizon: obligatorisk felt mangler",
        "s.yaml:4: run.replications: forventet et heltall, fikk '1_000' (tekst); et tall med '_' er tekst i YAML 1.2 "
        "(YAML 1.1 leste det som et tall); skriv 1000",
        "s.yaml:4: run.horizn: ukjent nøkkel 'horizn'; mente du 'horizon'?",
    ]
