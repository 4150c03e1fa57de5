"""Nothing runs that should not.

(a) YAML tags that would construct Python objects are refused, never executed (the side effect is checked);
(b) no scenario field is a path: a scenario cannot make a run read or write files outside what the user named
    (the scenario file and the results directory), whatever its texts say;
(c) text from a scenario is escaped wherever it is shown: in the HTML report (Jinja2 autoescape; plotly's
    JSON cannot close its ``<script>``) and on the terminal (control characters are shown as ``\\x1b``).
"""

from __future__ import annotations

import html
import os
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.config import ScenarioError, parse_scenario, scenario_json_schema

ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------------------------------
# (a) Tags that construct Python objects
# --------------------------------------------------------------------------------------------------

VALID = """schema_version: 1
name: {name}
municipality: {{kommunenummer: "1835", base_year: 2024}}
run: {{horizon: 2026, replications: 1}}
"""


def _tag_documents(marker: Path) -> dict[str, str]:
    """Documents that, read by an unsafe loader, would create ``marker`` (or import, or call, something)."""
    touch = f'["touch {marker}"]'
    code = f"[\"open('{marker}', 'w').close()\"]"
    return {
        "apply os.system (whole document)": f"!!python/object/apply:os.system {touch}\n",
        "apply os.system (a value)": VALID.format(name=f"!!python/object/apply:os.system {touch}"),
        "apply exec": VALID.format(name=f"!!python/object/apply:builtins.exec {code}"),
        "new subprocess.Popen": VALID.format(name=f'!!python/object/new:subprocess.Popen [["touch", "{marker}"]]'),
        "object with state": VALID.format(name="!!python/object:os._wrap_close {a: 1}"),
        "name (a function)": VALID.format(name="!!python/name:os.system"),
        "module": VALID.format(name="!!python/module:os"),
        "a key": VALID.format(name="x") + f"!!python/object/apply:os.system {touch}: 1\n",
        "a %TAG shorthand": "%TAG !p! tag:yaml.org,2002:python/\n---\n"
        + VALID.format(name=f"!p!object/apply:os.system {touch}"),
        "a verbatim tag": VALID.format(name=f"!<tag:yaml.org,2002:python/object/apply:os.system> {touch}"),
        "an anchor reused": VALID.format(name=f"&x !!python/object/apply:os.system {touch}") + "description: *x\n",
        "a custom tag": VALID.format(name=f"!include {marker}"),
        "an environment tag": VALID.format(name="!env HOME"),
        "binary": VALID.format(name="!!binary aGVsbG8="),
        "a set": VALID.format(name="!!set {a, b}"),
    }


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / f"pwned-{uuid.uuid4().hex}"


def test_every_tag_document_is_refused_with_its_line_and_nothing_runs(marker):
    for label, text in _tag_documents(marker).items():
        with pytest.raises(ScenarioError) as caught:
            parse_scenario(text, "tags.yaml")
        messages = [str(p) for p in caught.value.problems]
        assert any("tag" in m and re.match(r"tags\.yaml:\d+: ", m) for m in messages), (label, messages)
        assert not marker.exists(), label


def test_tags_through_the_command_line_exit_2_and_nothing_runs(tmp_path, marker):
    for label, text in _tag_documents(marker).items():
        path = tmp_path / "tags.yaml"
        path.write_text(text, encoding="utf-8")
        for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
            result = CliRunner().invoke(main, command)
            assert result.exit_code == 2, (label, command[0], result.output)
            assert "Traceback" not in result.output
            assert not marker.exists(), label
        assert not (tmp_path / "out").exists()


def test_unsafe_tags_never_reach_a_constructor(monkeypatch, marker):
    """Even if a tag slipped past the check, no Python object constructor may be called: fail loudly if one is."""
    import ruamel.yaml.constructor as constructor

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a Python object constructor was called")

    for name in dir(constructor.Constructor):
        if name.startswith("construct_python_"):
            monkeypatch.setattr(constructor.Constructor, name, forbidden, raising=False)
    for text in _tag_documents(marker).values():
        with pytest.raises(ScenarioError):
            parse_scenario(text, "tags.yaml")


# --------------------------------------------------------------------------------------------------
# (b) No field is a path; a run touches only what the user named
# --------------------------------------------------------------------------------------------------

#: Words in a field name that would suggest a path, a URL or a command.
PATHLIKE = {"path", "file", "filename", "dir", "directory", "folder", "url", "uri", "href", "src", "include"}
PATHLIKE |= {"import", "command", "exec", "script", "output", "out", "location", "template", "source_file"}


def _schema_properties(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            yield from properties
        for value in node.values():
            yield from _schema_properties(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schema_properties(value)


def test_no_scenario_field_is_a_path():
    """The scenario has no field that names a file, a directory, a URL or a command (nor does any lever)."""
    from resilience.levers import get_lever, lever_names

    names = set(_schema_properties(scenario_json_schema()))
    for lever in lever_names():
        names.update(get_lever(lever).Settings.model_fields)
    assert "employers" in names and "budget_nok_per_year" in names  # the walk found the fields
    assert not [n for n in names if PATHLIKE & set(re.split(r"[_.-]", n.lower()))]


@contextmanager
def _audited() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Python's audit events for files (open, rename, remove, mkdir …) while the block runs, each with the
    absolute paths it writes appended to its arguments."""
    if not _AUDIT["installed"]:
        sys.addaudithook(_hook)  # an audit hook cannot be removed; it records only inside _audited()
        _AUDIT["installed"] = True
    events: list[tuple[str, tuple[Any, ...]]] = []
    _AUDIT["sink"] = events
    try:
        yield events
    finally:
        _AUDIT["sink"] = None


_AUDIT: dict[str, Any] = {"sink": None, "installed": False}
_FILE_EVENTS = ("open", "os.rename", "os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree", "os.symlink", "os.link")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    sink = _AUDIT["sink"]
    if sink is not None and event in _FILE_EVENTS:
        # Resolved now: a relative path's directory descriptor is closed by the time the test reads the events.
        sink.append((event, (*args, _written(event, args))))


def _written(event: str, args: tuple[Any, ...]) -> list[str]:
    """The paths an audit event writes to (none for a read)."""
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return []
        writes = (mode is not None and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        )
        return [os.path.abspath(os.fsdecode(path))] if writes else []
    if event == "os.rename":  # (src, dst, src_dir_fd, dst_dir_fd)
        pairs = [(args[0], args[2]), (args[1], args[3])]
    elif event in ("os.remove", "os.rmdir"):  # (path, dir_fd)
        pairs = [(args[0], args[1])]
    elif event == "os.mkdir":  # (path, mode, dir_fd)
        pairs = [(args[0], args[2])]
    else:
        pairs = [(a, None) for a in args[:2]]
    return [_resolve(path, fd) for path, fd in pairs if isinstance(path, str | bytes | os.PathLike)]


def _resolve(path: Any, dir_fd: Any) -> str:
    """An absolute path, relative paths taken from the directory ``dir_fd`` points at (else the cwd)."""
    name = os.fsdecode(path)
    if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(name):
        return os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name)
    return os.path.abspath(name)


#: Texts that would be paths, were any of them used as one.
PATH_PAYLOADS = ("../../escaped", "/tmp/resilience-escaped-{tag}", "~/escaped", "file:///etc/passwd", "..", "C:\\x")


def _path_scenario(tag: str) -> str:
    p = ["'" + payload.format(tag=tag).replace("'", "''") + "'" for payload in PATH_PAYLOADS]  # YAML single quotes
    return f"""schema_version: 1
name: {p[0]}
description: {p[1]}
language: en
municipality: {{kommunenummer: "1835", name: {p[2]}, base_year: 2024, dwellings: {{vacant: 5}}}}
employers:
  - {{name: {p[0]}, sector: fish_processing, jobs: 40, cornerstone: true, description: {p[1]}}}
  - {{name: {p[1]}, sector: public, jobs: 30}}
  - {{name: {p[3]}, sector: local_services, jobs: 20}}
  - {{name: {p[4]}, sector: tourism, jobs: 5}}
shocks:
  - {{type: closure, employer: {p[0]}, year: 2025}}
strategies:
  baseline: []
  rescue:
    - {{lever: cornerstone_rescue, employer: {p[0]}}}
    - {{lever: new_employer, employer: {p[5]}, jobs: 3}}
run: {{horizon: 2026, replications: 2, seed: 3}}
"""


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_a_run_reads_and_writes_only_what_the_user_named(tmp_path, monkeypatch):
    from resilience.workflow import load_checked, run_scenario

    tag = uuid.uuid4().hex
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    scenario_file = tmp_path / "paths.yaml"
    scenario_file.write_text(_path_scenario(tag), encoding="utf-8")
    out = tmp_path / "out"

    with _audited() as events:
        scenario = load_checked(scenario_file)
        run_scenario(scenario, out, executor="sequential")

    assert (out / "report.html").exists() and (out / "timeseries.parquet").exists()
    written = [path for _, args in events for path in args[-1]]
    assert written, "the audit hook saw no writes: it is not working"
    outside = [p for p in written if not Path(p).resolve().is_relative_to(out.resolve())]
    assert outside == []
    # pyarrow writes below Python's audit events; what exists afterwards tells where it wrote.
    assert _tree(tmp_path) == {scenario_file, cwd, out} | _tree(out)
    assert not Path(f"/tmp/resilience-escaped-{tag}").exists()
    # Nothing read was named after a scenario text.
    opened = [os.fsdecode(args[0]) for event, args in events if event == "open" and isinstance(args[0], str | bytes)]
    assert not [p for p in opened if "escaped" in p or "passwd" in p]


# --------------------------------------------------------------------------------------------------
# (c) Scenario text is escaped where it is shown
# --------------------------------------------------------------------------------------------------

HTML_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "</script><script>alert(3)</script>",
    "<!--",
    "{{ 7 * 7 }}",
)


def _html_scenario() -> str:
    p = [payload.replace("\\", "\\\\").replace('"', '\\"') for payload in HTML_PAYLOADS]
    return f"""schema_version: 1
name: "{p[0]} {p[3]}"
description: "{p[1]} {p[4]}"
language: en
municipality: {{kommunenummer: "1835", name: "{p[2]}", base_year: 2024}}
employers:
  - {{name: "{p[0]}", sector: fish_processing, jobs: 40, cornerstone: true, description: "{p[1]}"}}
  - {{name: "{p[1]}", sector: public, jobs: 30}}
  - {{name: "{p[2]}", sector: local_services, jobs: 20}}
shocks:
  - {{type: closure, employer: "{p[0]}", year: 2025}}
strategies:
  baseline: []
  attract:
    - {{lever: new_employer, employer: "{p[2]}", jobs: 3}}
run: {{horizon: 2027, replications: 2, seed: 3}}
"""


class _Elements(HTMLParser):
    """Every element of a page with its attributes, and the text inside each ``<script>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


@pytest.fixture(scope="module")
def payload_report(tmp_path_factory) -> str:
    from resilience.workflow import run_scenario

    scenario = parse_scenario(_html_scenario(), "html.yaml")
    out = tmp_path_factory.mktemp("report") / "out"
    run_scenario(scenario, out, executor="sequential")
    return (out / "report.html").read_text(encoding="utf-8")


def test_report_shows_scenario_html_as_text(payload_report):
    page = payload_report
    for payload in HTML_PAYLOADS[:3]:
        assert payload not in page  # never raw
    assert html.escape("<script>alert(1)</script>", quote=False) in page  # shown, escaped
    assert "{{ 7 * 7 }}" in html.unescape(page)  # template syntax in a text stays text


def test_report_has_no_injected_elements_and_scripts_stay_closed(payload_report):
    parser = _Elements()
    parser.feed(payload_report)
    assert not [tag for tag, _ in parser.tags if tag == "img"]
    handlers = [(tag, name) for tag, attrs in parser.tags for name, _ in attrs if name.lower().startswith("on")]
    assert handlers == []
    for script in parser.scripts[1:]:  # the first is plotly.js itself; the others hold the figures' JSON
        assert "alert(" not in script or "<script>alert(" not in script
    # Every payload that plotly carries inside a <script> is JSON-escaped, so the page has as many
    # <script> elements as a report without payloads.
    assert payload_report.lower().count("<script") == payload_report.lower().count("</script>")
    assert sum(1 for tag, _ in parser.tags if tag == "script") == payload_report.lower().count("</script>")


def test_standalone_figure_pages_escape_titles():
    """The hindcast and calibration pages (plotly's own page) carry scenario text only as JSON."""
    import plotly.graph_objects as go

    from resilience.reporting.figures import standalone_html

    page = standalone_html(go.Figure(layout={"title": {"text": HTML_PAYLOADS[2]}}), language="en", div_id="f")
    assert HTML_PAYLOADS[2] not in page
    parser = _Elements()
    parser.feed(page)
    assert [tag for tag, _ in parser.tags if tag == "script"] == ["script"] * page.lower().count("</script>")


def test_terminal_output_shows_control_sequences_literally(tmp_path):
    """A message that quotes scenario text prints its control characters as escapes, never raw: ESC and the
    8-bit CSI (U+009B) would clear the screen or colour it, a line break would forge a problem line, a
    right-to-left override would make a line read differently; rich-style markup is not interpreted."""
    names = ['"\\e[2J\\e[31mred"', '"\\x9b31m"', '"[bold red]rich[/]"', '"a\\r\\nforged.yaml:1: ok"', '"\\u202eevil"']
    shocks = "\n".join(f"  - {{type: closure, employer: {n}, year: 2025}}" for n in names)
    text = VALID.format(name=names[0]) + "employers:\n  - {name: A, sector: public, jobs: 5}\nshocks:\n" + shocks + "\n"
    path = tmp_path / "terminal.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    err = result.stderr
    for raw in ("\x1b", "\r", "\x9b", "\u202e"):
        assert raw not in err, repr(raw)
    for shown in ("\\x1b[2J\\x1b[31mred", "\\x9b31m", "a\\r\\nforged.yaml:1: ok", "\\u202eevil"):
        assert shown in err, shown
    assert "[bold red]rich[/]" in err  # no markup interpreter: brackets are text
    lines = err.splitlines()
    assert len(lines) == 5 and all(line.startswith(f"{path}:") for line in lines)


def test_a_run_with_control_sequences_in_its_texts_prints_none_of_them(tmp_path):
    """``resilience run`` and ``resilience report`` print where the results are, never a scenario text raw."""
    text = """schema_version: 1
name: "\\e[2J\\e]0;title\\a\\x9b31m\\u202e"
description: "[bold red]x[/]"
municipality: {kommunenummer: "1835", name: "\\e[31m", base_year: 2024}
employers:
  - {name: "\\e[5m\\u202eA", sector: fish_processing, jobs: 20, cornerstone: true}
shocks: [{type: closure, employer: "\\e[5m\\u202eA", year: 2025}]
strategies:
  baseline: []
  hub: [{lever: remote_work_hub}]
run: {horizon: 2026, replications: 1, seed: 1}
"""
    path = tmp_path / "ctl.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    for command in (["run", str(path), "--out", str(out), "--executor", "sequential"], ["report", str(out)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
        printed = result.stdout + result.stderr
        assert printed.strip()
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", printed), repr(printed)
