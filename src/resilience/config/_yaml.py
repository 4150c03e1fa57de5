"""Reading scenario YAML safely, with the line of every value.

:func:`read_yaml` turns the text of a scenario file into plain Python data
(dicts, lists, str, int, float, bool, None) and a :class:`SourceMap` that
knows the line each key and list item was written on.

It never constructs Python objects from YAML tags: the text is only *composed*
into YAML nodes (ruamel.yaml, YAML 1.2, pure-Python safe loader), every tag is
checked against the plain YAML types, and only then are scalars converted. A
file with ``!!python/object/apply:os.system [...]`` is reported, never run.

Problems found here (syntax errors, tabs, duplicate keys, unknown tags, empty
or non-UTF-8 files, a top level that is not a mapping) come back as
:class:`~resilience.config._errors.Problem` s with line numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from ._errors import Location, Problem, format_path
from ._messages import Message

__all__ = ["MAX_FILE_BYTES", "SourceMap", "YamlResult", "read_yaml", "size_problem"]

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_MERGE_TAG = _CORE + "merge"
_MAX_VALUES = 100_000
#: A scenario is a few kilobytes; a file this large is not one, and is refused before it is parsed.
MAX_FILE_BYTES = 1_000_000
_EMPTY = "the file is empty; a scenario needs at least schema_version, name, municipality and run"
_BINARY = "this looks like a binary file, not YAML text"
#: How much of the start of a file is looked at to tell a binary file from text (as much as git looks at).
_SNIFF_BYTES = 8192
#: The line breaks of YAML 1.2, as ruamel counts them in its marks: an editor shows the same lines.
_LINE_BREAK = re.compile(r"\r\n?|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n?|\n")


@dataclass(frozen=True)
class SourceMap:
    """Line numbers (1-based) of the keys and list items of a YAML document.

    Locations are tuples of mapping keys and list positions, e.g.
    ``("employers", 0, "jobs")``. For a location that was not written in the
    file (e.g. a missing key), :meth:`line` falls back to the line of the
    nearest enclosing location that was.

    >>> sm = SourceMap({(): 1, ("run",): 7, ("run", "horizon"): 8})
    >>> sm.line(("run", "horizon")), sm.line(("run", "seed")), sm.line(("shocks", 0))
    (8, 7, 1)
    """

    lines: Mapping[Location, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its nearest written parent."""
        location = tuple(path)
        while True:
            found = self.lines.get(location)
            if found is not None:
                return found
            if not location:
                return None
            location = location[:-1]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and path in self.lines


@dataclass(frozen=True)
class YamlResult:
    """What :func:`read_yaml` found: data and lines, or problems."""

    data: Any
    source_map: SourceMap
    problems: list[Problem]


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


def _line_of_offset(text: str | bytes, offset: int) -> int:
    """The 1-based line of ``text[offset]``, counting ``\\n``, ``\\r\\n`` and a lone ``\\r`` as YAML does.

    >>> _line_of_offset("a\\r\\nb\\rc\\nd", 7), _line_of_offset(b"a\\nb", 2)
    (4, 2)
    """
    if isinstance(text, bytes):
        return len(_LINE_BREAK_BYTES.findall(text, 0, offset)) + 1
    return len(_LINE_BREAK.findall(text, 0, offset)) + 1


# --------------------------------------------------------------------------
# Text level: encoding, binary, tabs
# --------------------------------------------------------------------------


def _decode(source: str | bytes, filename: str) -> tuple[str | None, list[Problem]]:
    if isinstance(source, bytes) and source.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = Message("the file is saved as UTF-16; save it as UTF-8 instead")
        return None, [Problem(filename, 1, "(root)", message)]
    if _looks_binary(source):
        return None, [Problem(filename, 1, "(root)", Message(_BINARY))]
    if isinstance(source, str):
        text = source
    else:
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = _line_of_offset(source, exc.start)
            byte = source[exc.start]
            message = Message(
                "the file is not valid UTF-8 text (byte 0x{byte} cannot be read); "
                "save it with the UTF-8 encoding (letters like æ, ø, å are then kept)",
                byte=f"{byte:02X}",
            )
            return None, [Problem(filename, line, "(root)", message)]
    # A NUL byte further on is left to the YAML reader, which reports it on its line like any character it refuses.
    return text.removeprefix("\ufeff"), []


def _looks_binary(source: str | bytes) -> bool:
    """Whether a file starting with ``source`` is binary (an image, an archive, UTF-16 without its mark), not text.

    A NUL byte near the start means binary, as for git, unless a whole line of UTF-8 text comes before it: then it
    is a stray NUL in a scenario, to be reported on its own line rather than on line 1 as "binary".

    >>> _looks_binary(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00"), _looks_binary("n\\x00a\\x00m\\x00e\\x00")
    (True, True)
    >>> _looks_binary(b"schema_version: 1\\nname: x\\x00y\\n"), _looks_binary(b"name: x\\n")
    (False, False)
    """
    if isinstance(source, bytes):
        nul = source.find(b"\x00", 0, _SNIFF_BYTES)
        if nul < 0:
            return False
        try:
            before = source[:nul].decode("utf-8")
        except UnicodeDecodeError:
            return True
    else:
        nul = source.find("\x00", 0, _SNIFF_BYTES)
        if nul < 0:
            return False
        before = source[:nul]
    return _LINE_BREAK.search(before) is None


def _tab_lines(text: str) -> list[int]:
    """0-based numbers of the lines whose indentation contains a tab."""
    out: list[int] = []
    # Not str.splitlines(), which also breaks at characters YAML keeps on the line (U+2028, U+0085, ...).
    for number, line in enumerate(_LINE_BREAK.split(text)):
        stripped = line.lstrip(" \t")
        if stripped and "\t" in line[: len(line) - len(stripped)]:
            out.append(number)
    return out


# --------------------------------------------------------------------------
# Syntax errors
# --------------------------------------------------------------------------


def _syntax_problem(exc: Exception, text: str, filename: str) -> Problem:
    if isinstance(exc, ReaderError):
        line = _line_of_offset(text, exc.position)
        char = exc.character
        point = char if isinstance(char, int) else ord(char) if char else None
        code = "?" if point is None else f"U+{point:04X}"
        if point is None or unicodedata.category(chr(point)) == "Cc":
            message = Message("the file contains a control character ({code}) that YAML does not allow", code=code)
        else:  # e.g. U+FFFE, or a lone surrogate in text given to parse_scenario
            message = Message("the file contains a character ({code}) that YAML does not allow", code=code)
        return Problem(filename, line, "(root)", message)
    if not isinstance(exc, MarkedYAMLError):
        if isinstance(exc, RecursionError):
            return Problem(filename, 1, "(root)", Message("the file is nested too deeply to be read"))
        return Problem(filename, 1, "(root)", Message("invalid YAML: {detail}", detail=str(exc)))
    problem = str(exc.problem or "")
    context = str(exc.context or "")
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    opened = exc.context_mark.line + 1 if exc.context_mark is not None else None
    if "'\\t'" in problem or "\t" in problem:
        message = Message("a tab character is used where YAML expects spaces; indent with spaces only")
    elif problem == "mapping values are not allowed here":
        message = Message("unexpected ':' (a text containing ': ' must be put in quotes)")
    elif problem.startswith("could not find expected ':'"):
        message = Message("expected 'key: value' (is a ':' missing?)")
    elif "quoted scalar" in context:
        message = Message("a quoted text is not closed (the quote opened on line {line} has no end)", line=opened)
        line = opened or line
    elif "flow sequence" in context or "flow mapping" in context:
        bracket = "[" if "sequence" in context else "{"
        message = Message(
            "the '{bracket}' opened on line {line} is not closed, or a ',' is missing", bracket=bracket, line=opened
        )
        if "stream end" in problem:  # found only at the end of the file: point at the opening
            line = opened or line
    elif "expected a single document" in context:
        message = Message("the file contains more than one YAML document ('---'); a scenario file holds exactly one")
    elif problem.startswith("found undefined alias"):
        alias = problem.removeprefix("found undefined alias").strip().strip("'")
        message = Message("undefined alias '{alias}': an alias '*name' needs an anchor '&name' above it", alias=alias)
    elif problem.startswith("expected <block end>") or "block mapping" in context:
        message = Message("the indentation does not line up with the lines above")
    elif problem.startswith("found character") and "cannot start any token" in problem:
        character = problem.removeprefix("found character").removesuffix("that cannot start any token").strip()
        message = Message("character {character} cannot start any token (put the text in quotes)", character=character)
    elif problem.startswith("expected the node content"):
        found = problem.partition("but found")[2].strip()
        message = Message(
            "unexpected {found} where a value was expected (put the text in quotes if it is meant as text)",
            found=found,
        )
    elif problem.startswith("expected '<document start>'"):
        message = Message(
            "unexpected text after the end of the document (is a bracket closed too early, or a line not indented?)"
        )
    elif "while scanning an anchor" in context or "while scanning an alias" in context:
        message = Message(
            "'&' and '*' start an anchor or an alias and must be followed by a name (put the text in quotes)"
        )
    elif "while scanning a directive" in context:
        message = Message("'%' at the start of a line begins a YAML directive (put the text in quotes)")
    elif "while scanning a block scalar" in context:
        message = Message("'|' and '>' begin a block of text and must end their line (put the text in quotes)")
    elif problem == "sequence entries are not allowed here":
        message = Message("a list item ('- ') is not allowed here; check the indentation")
    elif problem == "mapping keys are not allowed here":
        message = Message("a '? ' key is not allowed here; check the indentation, or put the text in quotes")
    elif context.endswith(" tag"):  # ruamel writes both "a tag" and "an tag"
        message = Message("'!' begins a YAML tag (put the text in quotes)")
    else:
        # ruamel's own wording, for the rare errors not recognised above.
        message = Message("the YAML reader says: {problem}", problem=problem + (f" ({context})" if context else ""))
    return Problem(filename, line, "(root)", Message("invalid YAML: {detail}", detail=message))


# --------------------------------------------------------------------------
# Node level: tags, duplicate keys, lines, conversion to plain data
# --------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


class _Builder:
    """Converts a composed YAML node tree to plain data, recording lines."""

    def __init__(self, yaml: YAML, filename: str) -> None:
        self.yaml = yaml
        self.filename = filename
        self.lines: dict[Location, int] = {}
        self.problems: list[Problem] = []
        self.scalar_lines: set[int] = set()  # 0-based lines inside multi-line scalars
        self._active: set[int] = set()
        self._count = 0
        self._reported: set[tuple[int, str]] = set()

    def problem(self, node: Node, path: Location, message: str) -> None:
        line = node.start_mark.line + 1
        # A value reached again through an alias is reported once, where it is written.
        if (line, message) not in self._reported:
            self._reported.add((line, message))
            self.problems.append(Problem(self.filename, line, format_path(path), message))

    def _check_tag(self, node: Node, path: Location) -> bool:
        tag = str(node.tag)
        if isinstance(node, ScalarNode):
            allowed = tag in _SCALAR_TAGS
        elif isinstance(node, SequenceNode):
            allowed = tag == _CORE + "seq"
        else:
            allowed = tag == _CORE + "map"
        if allowed:
            return True
        name = _tag_name(tag)
        if "python/" in tag:
            message = Message(
                "the YAML tag '{tag}' is not allowed: a scenario file may only contain plain values "
                "(text, numbers, true/false, lists and key: value mappings)",
                tag=name,
            )
        else:
            message = Message(
                "unknown YAML tag '{tag}'; a scenario file may only contain plain values "
                "(text, numbers, true/false, lists and key: value mappings)",
                tag=name,
            )
        self.problem(node, path, message)
        return False

    def build(self, node: Node, path: Location) -> Any:
        self._count += 1
        if self._count > _MAX_VALUES:
            raise _TooLarge
        if not self._check_tag(node, path):
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if id(node) in self._active:
            self.problem(node, path, Message("an alias ('*name') refers to a value that contains itself"))
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                out: list[Any] = []
                for index, item in enumerate(node.value):
                    self.lines.setdefault((*path, index), item.start_mark.line + 1)
                    out.append(self.build(item, (*path, index)))
                return out
            assert isinstance(node, MappingNode)
            return self._mapping(node, path)
        finally:
            self._active.discard(id(node))

    def _scalar(self, node: ScalarNode) -> Any:
        start, end = node.start_mark, node.end_mark
        last = end.line if end.column > 0 else end.line - 1
        self.scalar_lines.update(range(start.line + 1, last + 1))
        tag = str(node.tag)
        if tag in (_CORE + "str", _CORE + "timestamp"):
            return str(node.value)  # dates are kept as written
        if tag in (_CORE + "int", _CORE + "float") and node.style is None and "_" in str(node.value):
            # ruamel reads 1_000 as a number, but YAML 1.2's core schema reads it as text (only YAML 1.1
            # allowed '_' in numbers). Keep it text, so that the schema reports it with a hint.
            return str(node.value)
        try:
            return self.yaml.constructor.construct_object(node, deep=True)
        except Exception:  # e.g. a number too odd for the constructor: keep the text
            return str(node.value)

    def _entries(self, node: MappingNode, path: Location) -> Iterator[tuple[str, Node, Node, bool]]:
        """(key, key node, value node, explicit) with merge keys ('<<') flattened."""
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and str(key_node.tag) == _MERGE_TAG:
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, path, Message("a key must be plain text, not a list or mapping"))
                continue
            if not self._check_tag(key_node, path):
                continue
            self._scalar(key_node)
            yield str(key_node.value), key_node, value_node, True
        for merged in merges:
            sources = merged.value if isinstance(merged, SequenceNode) else [merged]
            for source in sources:
                if not isinstance(source, MappingNode):
                    self.problem(
                        merged, path, Message("'<<' must be followed by an alias to a mapping, e.g. <<: *name")
                    )
                    continue
                if id(source) in self._active:
                    self.problem(merged, path, Message("an alias ('*name') refers to a value that contains itself"))
                    continue
                self._active.add(id(source))
                try:
                    for key, key_node, value_node, _ in self._entries(source, path):
                        yield key, key_node, value_node, False
                finally:
                    self._active.discard(id(source))

    def _mapping(self, node: MappingNode, path: Location) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key, key_node, value_node, explicit in self._entries(node, path):
            line = key_node.start_mark.line + 1
            if key in out:
                if explicit and key in first_line:
                    message = Message(
                        "duplicate key '{key}': it is also written on line {line}; keep only one",
                        key=key,
                        line=first_line[key],
                    )
                    self.problem(key_node, (*path, key), message)
                continue
            if explicit:
                first_line[key] = line
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key))
        return out


def _describe(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return Message("a list")
    if isinstance(node, ScalarNode):
        return Message("the single value '{value}'", value=node.value)
    return Message("something else")


def read_yaml(source: str | bytes, filename: str = "<string>") -> YamlResult:
    """Read one YAML document safely.

    Returns plain data and its :class:`SourceMap`, or (with ``data=None``)
    the problems that prevent reading it.

    >>> result = read_yaml("run:\\n  horizon: 2050\\n", "s.yaml")
    >>> result.data, result.source_map.line(("run", "horizon")), result.problems
    ({'run': {'horizon': 2050}}, 2, [])
    >>> print(read_yaml("run: [1, 2\\n", "s.yaml").problems[0])
    s.yaml:1: (root): invalid YAML: the '[' opened on line 1 is not closed, or a ',' is missing
    """
    empty = SourceMap({})
    # "surrogatepass": a lone surrogate in the text is counted here and reported by the YAML reader, not a crash.
    size = len(source.encode("utf-8", "surrogatepass")) if isinstance(source, str) else len(source)
    if size > MAX_FILE_BYTES:
        return YamlResult(None, empty, [size_problem(filename, size)])
    text, problems = _decode(source, filename)
    if text is None:
        return YamlResult(None, empty, problems)

    tabs = _tab_lines(text)
    yaml = YAML(typ="safe", pure=True)
    try:
        root = yaml.compose(text)
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        problems = [_tab_problem(filename, n) for n in tabs]
        syntax = _syntax_problem(exc, text, filename)
        # A syntax error at or after a tab-indented line is most likely caused by it.
        if not tabs or (syntax.line is not None and syntax.line < tabs[0] + 1):
            problems.append(syntax)
        return YamlResult(None, empty, problems)

    if root is None:
        message = Message(_EMPTY)
        return YamlResult(None, empty, [Problem(filename, 1, "(root)", message)])

    builder = _Builder(yaml, filename)
    builder.lines[()] = root.start_mark.line + 1
    try:
        data = builder.build(root, ())
    except _TooLarge:
        message = Message(
            "the file expands to more than {count} values; check its aliases ('*name')", count=_MAX_VALUES
        )
        return YamlResult(None, empty, [Problem(filename, 1, "(root)", message)])
    problems = builder.problems
    problems.extend(_tab_problem(filename, n) for n in tabs if n not in builder.scalar_lines)
    if not problems and not isinstance(root, MappingNode):
        if isinstance(root, ScalarNode) and str(root.tag) == _CORE + "null":
            message = Message(_EMPTY)
        else:
            message = Message(
                "the top level of a scenario must be a mapping of keys such as 'schema_version: 1' and "
                "'name: ...', but this file holds {what}",
                what=_describe(root),
            )
        problems.append(Problem(filename, root.start_mark.line + 1, "(root)", message))
    if problems:
        return YamlResult(None, empty, problems)
    return YamlResult(data, SourceMap(builder.lines), [])


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


def size_problem(filename: str, size: int) -> Problem:
    """The problem of a file too large to be a scenario."""
    message = Message(
        "the file is {size} MB, more than the {limit} MB a scenario file may have "
        "(a scenario is a few kilobytes); is this the right file?",
        size=_megabytes(size),
        limit=_megabytes(MAX_FILE_BYTES),
    )
    return Problem(filename, None, "(root)", message)


def _tab_problem(filename: str, line0: int) -> Problem:
    message = Message("a tab is used for indentation; indent with spaces only")
    return Problem(filename, line0 + 1, "(root)", message)
