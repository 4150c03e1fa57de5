"""Random invalid documents through ``resilience validate`` (in-process, click's CliRunner): always exit code
2 and one ``FILE:LINE: path: message`` line per problem on stderr, never a traceback and nothing on stdout.

The messages themselves are not asserted (they are the config layer's to word), only their shape.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings

from resilience.cli import main
from tests.conftest import scaled
from tests.properties.documents import invalid_documents, junk_bytes, mutated_scenarios, random_structures

#: ``LINE: path: message`` after the file name: a line number, a non-empty path, a non-empty message.
PROBLEM_AFTER_FILE = re.compile(r":(?P<line>[1-9][0-9]*): (?P<path>\S.*?): (?P<message>\S.*)")


def check_refused(document: bytes) -> list[str]:
    """Validate ``document`` as a file through the CLI; assert the shape of the refusal; return its lines."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        path.write_bytes(document)
        result = CliRunner().invoke(main, ["validate", str(path)], catch_exceptions=True)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines, "exit code 2 without a message"
    for line in lines:
        assert line.startswith(f"{path}:"), line
        assert PROBLEM_AFTER_FILE.fullmatch(line[len(str(path)) :]), line
    return lines


@settings(max_examples=scaled(60))
@given(mutated_scenarios())
def test_mutated_scenarios_are_refused(document):
    check_refused(document)


@settings(max_examples=scaled(40))
@given(random_structures())
def test_random_structures_are_refused(document):
    check_refused(document)


@settings(max_examples=scaled(40))
@given(junk_bytes)
def test_junk_bytes_are_refused(document):
    check_refused(document)


@settings(max_examples=scaled(40))
@given(invalid_documents())
def test_any_invalid_document_is_refused(document):
    check_refused(document)


def test_every_problem_of_a_file_is_listed_at_once():
    text = (Path(__file__).resolve().parents[2] / "scenarios" / "traena.yaml").read_text(encoding="utf-8")
    broken = (
        text.replace("jobs: 80", "jobs: -80")
        .replace("horizon: 2050", "horizon: twenty")
        .replace("  island: true", "  island: true\n  colour: blue")
    )
    lines = check_refused(broken.encode("utf-8"))
    assert len(lines) == 3
