"""Griffe extensions for the API reference (``extensions:`` of the mkdocstrings Python handler in ``mkdocs.yml``).

Only the rendered text changes; the source and the doctests are untouched.

:class:`CommentDocstrings`: the package documents constants with ``#:`` comments above them (the Sphinx
convention), which Griffe does not read; this extension makes them the attributes' docstrings, so that
``COLUMNS`` or ``FIGURES`` are documented rather than hidden.

:class:`DoctestFences`: the package's docstrings are prose with ``>>>`` examples, not in an ``Examples:``
section. Left as they are, Markdown would reflow an example into a paragraph and read ``['a', 'b']`` as a
link or ``<html>`` as HTML. This extension wraps every run of doctest lines (a ``>>>`` line, its ``...``
continuations and the expected output, up to a blank line) in a fenced ``pycon`` block. A reST ``::`` that
introduces such a block becomes ``:``.

:class:`SphinxRoles`: reST roles such as ``:func:`load_scenario``` or ``:data:`~pkg.NAME``` would show the
role; they become plain code spans (```load_scenario```, ```NAME```).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import griffe

_PROMPT = re.compile(r"^(?P<indent>\s*)>>>( |$)")


def fence_doctests(text: str) -> str:
    """``text`` with each run of doctest lines fenced as ``pycon`` code, at the docstring's left margin."""
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    in_fence = False
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _PROMPT.match(line)
        if match is None:
            out.append(line)
            index += 1
            continue
        indent = match["indent"]
        block: list[str] = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index].strip())
            index += 1
        # A reST literal-block marker before the example: "like this::" reads "like this:".
        previous = next((i for i in range(len(out) - 1, -1, -1) if out[i].strip()), None)
        if previous is not None and out[previous].rstrip().endswith("::"):
            out[previous] = out[previous].rstrip()[:-1]
        if out and out[-1].strip():
            out.append("")
        out += ["```pycon", *block, "```"]
        if index < len(lines):
            out.append("")
            index += 1
    return "\n".join(out)


class _DocstringText(griffe.Extension):
    """Rewrite the text of every docstring: of each object, and of the top package (which has no ``on_object``)."""

    def rewrite(self, text: str) -> str:
        raise NotImplementedError

    def _apply(self, obj: griffe.Object) -> None:
        if not obj.is_alias and obj.docstring is not None:
            obj.docstring.value = self.rewrite(obj.docstring.value)

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        self._apply(obj)

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        self._apply(pkg)


class DoctestFences(_DocstringText):
    """Fence the doctest examples of every docstring (see the module docstring)."""

    def rewrite(self, text: str) -> str:
        return fence_doctests(text) if ">>>" in text else text


class CommentDocstrings(griffe.Extension):
    """``#:`` comment lines right above an attribute become its docstring when it has none."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.is_alias or not obj.is_attribute or obj.docstring is not None or not obj.lineno:
            return
        filepath = obj.filepath
        if not isinstance(filepath, Path) or filepath not in obj.lines_collection:
            return
        lines = obj.lines_collection[filepath]
        comment: list[str] = []
        index = obj.lineno - 2  # the line above the assignment, 0-based
        while index >= 0 and lines[index].lstrip().startswith("#:"):
            comment.insert(0, lines[index].lstrip()[2:].strip())
            index -= 1
        if comment:
            obj.docstring = griffe.Docstring(
                "\n".join(comment),
                lineno=index + 2,
                endlineno=obj.lineno - 1,
                parent=obj,
                parser=loader.docstring_parser,
                parser_options=loader.docstring_options,
            )


_ROLE = re.compile(r":(?:[a-z]+:)?[a-z]+:`~?(?P<target>[^`<]+?)(?:\s*<[^`>]+>)?`")


def strip_roles(text: str) -> str:
    """``text`` with each reST role replaced by a code span of its target (the last part for ``~a.b``)."""

    def code(match: re.Match[str]) -> str:
        target = match["target"].strip()
        if match.group(0).count("~") and "." in target:
            target = target.rsplit(".", 1)[1]
        return f"`{target}`"

    return _ROLE.sub(code, text)


class SphinxRoles(_DocstringText):
    """reST roles in docstrings become code spans (see the module docstring)."""

    def rewrite(self, text: str) -> str:
        return strip_roles(text)
