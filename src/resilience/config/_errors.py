"""Problems found in scenario files, and their plain-language messages.

Every problem in a scenario file becomes one :class:`Problem`, printed as one
line ``FILE:LINE: field.path: message``. All problems of a file are collected
and raised together in one :class:`ScenarioError`, so that a planner can fix
them in one go::

    >>> p = Problem("scenario.yaml", 12, "employers[0].jobs", "must be at least 0, got -5")
    >>> print(p)
    scenario.yaml:12: employers[0].jobs: must be at least 0, got -5

This module also turns pydantic's validation errors into such messages
(:func:`problems_from_validation_error`), without pydantic's jargon.
"""

from __future__ import annotations

import difflib
import enum
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

__all__ = [
    "Location",
    "Problem",
    "ScenarioError",
    "TagLabel",
    "did_you_mean",
    "format_path",
    "problems_from_validation_error",
    "show_value",
    "sort_problems",
]

#: A location inside a scenario: mapping keys (str) and list positions (int),
#: e.g. ``("strategies", "development_project", 0, "lever")``.
type Location = tuple[str | int, ...]

_SIMPLE_KEY = re.compile(r"[\w\-]+")


def format_path(path: Sequence[str | int]) -> str:
    """Render a location the way a planner reads it.

    >>> format_path(("strategies", "development_project", 0, "lever"))
    'strategies.development_project[0].lever'
    >>> format_path(("uncertainties", "a b"))
    'uncertainties["a b"]'
    >>> format_path(())
    '(root)'
    """
    out: list[str] = []
    for item in path:
        if isinstance(item, int):
            out.append(f"[{item}]")
        elif _SIMPLE_KEY.fullmatch(item):
            out.append(f".{item}" if out else item)
        else:
            out.append(f"[{json.dumps(item, ensure_ascii=False)}]")
    return "".join(out) or "(root)"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a scenario file, printed as ``FILE:LINE: path: message``.

    ``line`` is 1-based, or ``None`` when the problem concerns the file as a
    whole (e.g. it cannot be read); the line part is then left out.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return _one_line(f"{where}: {self.path or '(root)'}: {self.message}")


# C0 and C1 controls (a terminal obeys U+009B as it does ESC [), line and paragraph separators, and the
# bidirectional overrides that would make a line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _one_line(text: str) -> str:
    """Escape line breaks and other control characters (values quoted from the file may hold them)."""
    names = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return _CONTROL.sub(lambda m: names.get(m.group(), m.group().encode("unicode_escape").decode("ascii")), text)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file order (by line, stable), without exact duplicates."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: 0 if p.line is None else p.line)


class ScenarioError(Exception):
    """A scenario file has one or more problems.

    ``str(error)`` gives the problems one per line, ready to print for the user.

    >>> try:                                                   # doctest: +SKIP
    ...     load_scenario("my.yaml")
    ... except ScenarioError as error:
    ...     print(error)          # my.yaml:12: employers[0].jobs: must be at least 0 (got -5)
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("ScenarioError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` (case-insensitive), if any is close."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.casefold(), choice)
    folded = word.casefold()
    if folded in by_folded:
        return by_folded[folded]
    matches = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.55)
    return by_folded[matches[0]] if matches else None


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the choice closest to ``word``, or ``""``.

    >>> did_you_mean("horizn", ["horizon", "replications", "seed"])
    "did you mean 'horizon'?"
    >>> did_you_mean("colour", ["horizon", "replications", "seed"])
    ''
    """
    if not isinstance(word, str):
        return ""
    best = _closest(word, choices)
    return f"did you mean '{best}'?" if best is not None and best != word else ""


def _join_hint(message: str, hint: str) -> str:
    return f"{message}; {hint}" if hint else message


def show_value(value: object) -> str:
    """A short, plain description of a value read from YAML, with its type.

    >>> show_value("abc")
    "'abc' (str)"
    >>> show_value(True)
    'true (bool)'
    >>> show_value(None)
    'an empty value'
    """
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (bool)"
    if isinstance(value, int | float):
        return f"{value} ({type(value).__name__})"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"'{text}' (str)"
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _plain(value: object) -> str:
    """A value as the planner wrote it (for bounds messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def _bound(value: object) -> str:
    """A limit from the schema: ``1`` rather than ``1.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class TagLabel:
    """Annotated metadata naming a discriminated union for messages.

    ``Annotated[A | B, Field(discriminator="type"), TagLabel("shock type")]``
    makes a bad tag read ``unknown shock type 'closing'``.
    """

    label: str


# --------------------------------------------------------------------------
# Walking the model types along a pydantic error location
# --------------------------------------------------------------------------


@dataclass
class _Step:
    """What we learn about one position of a pydantic error location."""

    path: list[str | int]
    model: type[BaseModel] | None = None  # model whose field is the last element
    leaf: Any = None  # the (unwrapped) type at the end of the location
    is_key: bool = False  # the error is about a mapping key, not a value
    union_label: str | None = None  # when the leaf is a discriminated union
    union_discriminator: str | None = None


def _unwrap(tp: Any) -> tuple[Any, str | None, str | None]:
    """Strip Annotated and Optional; return (type, discriminator, label)."""
    discriminator: str | None = None
    label: str | None = None
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            args = get_args(tp)
            for meta in args[1:]:
                if isinstance(meta, FieldInfo) and isinstance(meta.discriminator, str):
                    discriminator = meta.discriminator
                elif isinstance(meta, TagLabel):
                    label = meta.label
            tp = args[0]
            continue
        if origin is Union or origin is types.UnionType:
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        if isinstance(tp, typing.TypeAliasType):
            tp = tp.__value__
            continue
        return tp, discriminator, label


def _union_members(tp: Any) -> list[type[BaseModel]]:
    if get_origin(tp) is Union or get_origin(tp) is types.UnionType:
        out: list[type[BaseModel]] = []
        for arg in get_args(tp):
            member, _, _ = _unwrap(arg)
            if isinstance(member, type) and issubclass(member, BaseModel):
                out.append(member)
        return out
    return []


def union_tags(tp: Any, discriminator: str) -> list[str]:
    """The tag values of a discriminated union of models, in order."""
    tags: list[str] = []
    for member in _union_members(tp):
        field = member.model_fields.get(discriminator)
        if field is not None and get_origin(field.annotation) is Literal:
            tags.extend(str(a) for a in get_args(field.annotation))
    return tags


def _walk(root: type[BaseModel], loc: Sequence[str | int]) -> _Step:
    """Follow a pydantic error location through the model types.

    Drops the union member tags that pydantic inserts into locations inside
    discriminated unions, and the ``[key]`` marker of mapping-key errors.
    """
    step = _Step(path=[])
    tp: Any = root
    discriminator: str | None = None
    label: str | None = None
    for element in loc:
        if tp is None:
            if element != "[key]":
                step.path.append(element)
            else:
                step.is_key = True
            continue
        tp, discriminator, label = _unwrap(tp)
        origin = get_origin(tp)
        members = _union_members(tp)
        if members and discriminator is not None and isinstance(element, str):
            chosen = None
            for member in members:
                field = member.model_fields.get(discriminator)
                if field is not None and element in get_args(field.annotation):
                    chosen = member
            if chosen is not None:  # pydantic's tag segment: not part of the user's path
                tp, discriminator, label = chosen, None, None
                continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            step.model = tp
            step.path.append(element)
            field = tp.model_fields.get(element) if isinstance(element, str) else None
            if field is None:
                tp = None
            else:
                tp = field.annotation
                if isinstance(field.discriminator, str):
                    tp = Annotated[tp, field]
            continue
        if origin in (list, tuple) and isinstance(element, int):
            step.path.append(element)
            tp = get_args(tp)[0]
            continue
        if origin is dict:
            if element == "[key]":
                step.is_key = True
                tp = get_args(tp)[0]
            else:
                step.path.append(element)
                tp = get_args(tp)[1]
            continue
        if element == "[key]":
            step.is_key = True
        else:
            step.path.append(element)
        tp = None
    if tp is not None:
        leaf, discriminator2, label2 = _unwrap(tp)
        step.leaf = leaf
        step.union_discriminator = discriminator2 or discriminator
        step.union_label = label2 or label
    return step


# --------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------

_NUMERIC_WORDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "str": "text",
}


def _choices_message(value: object, choices: list[str], what: str) -> str:
    shown = value if isinstance(value, str) else _plain(value)
    message = f"'{shown}' is not a {what}; choose one of: {', '.join(choices)}"
    return _join_hint(message, did_you_mean(value, choices) if isinstance(value, str) else "")


def _leaf_choices(step: _Step, ctx: dict[str, Any]) -> list[str]:
    leaf = step.leaf
    if isinstance(leaf, type) and issubclass(leaf, enum.Enum):
        return [str(m.value) for m in leaf]
    if get_origin(leaf) is Literal:
        return [str(a) for a in get_args(leaf)]
    expected = str(ctx.get("expected", ""))
    return re.findall(r"'([^']*)'", expected)


def _field_word(path: Sequence[str | int]) -> str:
    for element in reversed(path):
        if isinstance(element, str):
            return element.replace("_", " ")
    return "value"


def _message(error: ErrorDetails, step: _Step) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")

    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = list(step.model.model_fields) if step.model is not None else []
        key = step.path[-1] if step.path else value
        message = f"unknown key '{key}'"
        hint = did_you_mean(key, allowed)
        if not hint and allowed:
            hint = f"allowed keys are: {', '.join(allowed)}"
        return _join_hint(message, hint)
    if kind in ("int_type", "int_parsing"):
        return f"expected an integer, got {show_value(value)}"
    if kind == "int_from_float":
        return f"expected a whole number, got {_plain(value)}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {show_value(value)}"
    if kind == "finite_number":
        return f"must be a finite number, got {_plain(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {show_value(value)}"
    if kind == "string_type":
        message = f"expected text, got {show_value(value)}"
        if isinstance(value, int | float | bool):
            message += "; put it in quotes if it is meant as text"
        return message
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return "must not be empty" if minimum == 1 else f"must have at least {minimum} characters"
    if kind == "string_too_long":
        return f"must have at most {ctx.get('max_length')} characters, got {len(str(value))}"
    if kind == "string_pattern_mismatch":
        return f"{_plain(value)} does not have the required form (pattern {ctx.get('pattern')})"
    if kind == "greater_than_equal":
        return f"must be at least {_bound(ctx.get('ge'))}, got {_plain(value)}"
    if kind == "greater_than":
        return f"must be greater than {_bound(ctx.get('gt'))}, got {_plain(value)}"
    if kind == "less_than_equal":
        return f"must be at most {_bound(ctx.get('le'))}, got {_plain(value)}"
    if kind == "less_than":
        return f"must be less than {_bound(ctx.get('lt'))}, got {_plain(value)}"
    if kind in ("enum", "literal_error"):
        return _choices_message(value, _leaf_choices(step, ctx), _field_word(step.path))
    if kind in ("list_type", "tuple_type"):
        return f"expected a list (lines starting with '- '), got {show_value(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping (key: value lines), got {show_value(value)}"
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return f"must have at least {minimum} item{'s' if minimum != 1 else ''}"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = step.union_discriminator or str(ctx.get("discriminator", "")).strip("'")
        tags = union_tags(step.leaf, discriminator) if discriminator else []
        if not tags:
            tags = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        what = step.union_label or discriminator or "type"
        if kind == "union_tag_not_found":
            return f"required field is missing; choose one of: {', '.join(tags)}"
        tag = value.get(discriminator) if isinstance(value, dict) else ctx.get("tag")
        shown = tag if isinstance(tag, str) else _plain(tag)
        message = f"unknown {what} '{shown}'"
        hint = did_you_mean(tag, tags) if isinstance(tag, str) else ""
        return _join_hint(message, hint or f"choose one of: {', '.join(tags)}")
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "assertion_error":
        return str(error["msg"]).removeprefix("Assertion failed, ")
    return str(error["msg"])


def problems_from_validation_error(
    error: ValidationError,
    root: type[BaseModel],
    filename: str,
    line_of: Callable[[Location], int | None],
) -> list[Problem]:
    """Translate a pydantic ``ValidationError`` into :class:`Problem` s.

    Each pydantic error becomes exactly one problem. ``root`` is the model that
    was validated (used to find allowed keys, enum choices and union tags);
    ``line_of`` maps a location to its line in the file.
    """
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        step = _walk(root, item["loc"])
        path: list[str | int] = list(step.path)
        if item["type"] in ("union_tag_not_found", "union_tag_invalid") and step.union_discriminator:
            path.append(step.union_discriminator)
        location: Location = tuple(path)
        message = _message(item, step)
        if step.is_key and not item["type"].startswith("scenario_"):
            message = f"invalid name: {message}"
        problems.append(Problem(filename, line_of(location), format_path(location), message))
    return problems
