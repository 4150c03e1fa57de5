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

from ._messages import Language, Message, join_messages, render_message

__all__ = [
    "Document",
    "Location",
    "Problem",
    "ScenarioError",
    "TagLabel",
    "did_you_mean",
    "format_path",
    "one_line",
    "problems_from_validation_error",
    "show_value",
    "sort_problems",
    "validation_issues",
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
        return self.render("en")

    def render(self, language: Language = "en", *, strict: bool = False) -> str:
        """This problem as one line with its message in ``language`` ("en" or "nb").

        >>> from resilience.config import Message
        >>> Problem("s.yaml", 3, "run.seed", Message("required field is missing")).render("nb")
        's.yaml:3: run.seed: obligatorisk felt mangler'
        """
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        message = render_message(self.message, language, strict=strict)
        return one_line(f"{where}: {self.path or '(root)'}: {message}")


# C0 and C1 controls (a terminal obeys U+009B as it does ESC [), line and paragraph separators, and the
# bidirectional overrides that would make a line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    r"""``text`` safe to print on one terminal line: line breaks and other control characters escaped
    (values quoted from a scenario file, or an error raised by a plug-in, may hold them).

    >>> print(one_line("Fisk\x1b[2J\nAS"))
    Fisk\x1b[2J\nAS
    """
    names = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return _CONTROL.sub(lambda m: names.get(m.group(), m.group().encode("unicode_escape").decode("ascii")), text)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file order (by line, stable), without exact duplicates."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: 0 if p.line is None else p.line)


@dataclass(frozen=True)
class Document:
    """A scenario file read as YAML but refused by the schema: its data, where each location is, its name."""

    data: Any
    line: Callable[[Location], int | None]
    filename: str

    def problem(self, location: Location, message: str) -> Problem:
        """A :class:`Problem` at ``location`` of this document."""
        return Problem(self.filename, self.line(location), format_path(location), message)


class ScenarioError(Exception):
    """A scenario file has one or more problems.

    ``str(error)`` gives the problems one per line, ready to print for the user.

    >>> try:                                                   # doctest: +SKIP
    ...     load_scenario("my.yaml")
    ... except ScenarioError as error:
    ...     print(error)          # my.yaml:12: employers[0].jobs: must be at least 0 (got -5)
    """

    def __init__(self, problems: Sequence[Problem], *, document: Document | None = None) -> None:
        if not problems:
            raise ValueError("ScenarioError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        #: The parsed YAML the schema refused (None when the file could not be read as YAML at all), so that
        #: checks above the schema (lever names, model parameters) can still report their problems with these.
        self.document = document
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.render("en")

    def render(self, language: Language = "en") -> str:
        """The problems one per line, their messages in ``language`` ("en" or "nb")."""
        return "\n".join(p.render(language) for p in self.problems)


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
    return Message("did you mean '{choice}'?", choice=best) if best is not None and best != word else ""


def _join_hint(message: str, hint: str) -> str:
    return join_messages(message, hint)


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
        return Message("an empty value")
    if isinstance(value, bool):
        return Message("{value} (bool)", value="true" if value else "false")
    if isinstance(value, int):
        return Message("{value} (int)", value=value)
    if isinstance(value, float):
        return Message("{value} (float)", value=value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return Message("'{text}' (str)", text=text)
    if isinstance(value, dict):
        return Message("a mapping (key: value pairs)")
    if isinstance(value, list):
        return Message("a list")
    return Message("a value of type {type}", type=type(value).__name__)


def _plain(value: object) -> str:
    """A value as the planner wrote it (for bounds messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return Message("nothing")
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


def _choices_message(value: object, choices: list[str], what: str) -> str:
    shown = value if isinstance(value, str) else _plain(value)
    message = Message(
        "'{value}' is not a valid {what}; choose one of: {choices}", value=shown, what=what, choices=", ".join(choices)
    )
    hint = did_you_mean(value, choices) if isinstance(value, str) else ""
    if not hint and what == _FIELD_WORDS["language"] and isinstance(value, str) and value.casefold() == "no":
        # YAML 1.1 read a bare NO as false; YAML 1.2 keeps it as text, Norway's country code.
        hint = Message("'{value}' is Norway's country code; for Norwegian bokmål write nb", value=value)
    return _join_hint(message, hint)


def _leaf_choices(step: _Step, ctx: dict[str, Any]) -> list[str]:
    leaf = step.leaf
    if isinstance(leaf, type) and issubclass(leaf, enum.Enum):
        return [str(m.value) for m in leaf]
    if get_origin(leaf) is Literal:
        return [str(a) for a in get_args(leaf)]
    expected = str(ctx.get("expected", ""))
    return re.findall(r"'([^']*)'", expected)


#: The words for the fields whose value is chosen from a list, as messages name them.
_FIELD_WORDS: dict[str, str] = {
    "sector": Message("sector"),
    "language": Message("language"),
    "distribution": Message("distribution"),
    "type": Message("type"),
    "shock type": Message("shock type"),
}


def _field_word(path: Sequence[str | int]) -> str:
    for element in reversed(path):
        if isinstance(element, str):
            return _FIELD_WORDS.get(element, Message("value for {field}", field=element))
    return Message("value")


# YAML 1.1 read these as booleans; YAML 1.2 (which resilience reads) keeps them as text.
_YAML11_BOOLEANS = {"yes": True, "y": True, "on": True, "no": False, "n": False, "off": False}
_NORWEGIAN_BOOLEANS = {"ja": True, "sant": True, "nei": False, "usant": False}
_UNDERSCORE_NUMBER = re.compile(r"[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")


def _sexagesimal(text: str) -> float:
    sign = -1 if text.startswith("-") else 1
    total = 0.0
    for part in text.lstrip("+-").replace("_", "").split(":"):
        total = total * 60 + float(part)
    return sign * total


def _number_text_hint(value: object) -> str:
    """Why a text that looks like a number is text, for a field that wants a number."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if "_" in text and any(c.isdigit() for c in text) and _UNDERSCORE_NUMBER.fullmatch(text):
        return Message(
            "a number with '_' is text in YAML 1.2 (YAML 1.1 read it as a number); write {number}",
            number=text.replace("_", ""),
        )
    if _SEXAGESIMAL.fullmatch(text):
        read = _sexagesimal(text)
        shown = int(read) if read.is_integer() else read
        return Message(
            "YAML 1.1 read '{text}' as {number} (base 60, like a clock); write the number you mean without ':'",
            text=text,
            number=shown,
        )
    try:
        float(text)
    except ValueError:
        return ""
    return Message("remove the quotes to write it as a number")


def _boolean_text_hint(value: object) -> str:
    """What to write instead of yes/no/on/off/ja/nei where true or false is wanted."""
    if not isinstance(value, str):
        return ""
    word = value.strip().casefold()
    if word in _YAML11_BOOLEANS:
        meant = "true" if _YAML11_BOOLEANS[word] else "false"
        return Message("YAML 1.2 reads only true and false as yes/no values; write {meant}", meant=meant)
    if word in _NORWEGIAN_BOOLEANS:
        meant = "true" if _NORWEGIAN_BOOLEANS[word] else "false"
        return Message("write {meant}: yes/no values are written true or false, in English", meant=meant)
    return ""


def _message(error: ErrorDetails, step: _Step) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")

    if kind == "missing":
        return Message("required field is missing")
    if kind == "extra_forbidden":
        allowed = list(step.model.model_fields) if step.model is not None else []
        key = step.path[-1] if step.path else value
        message = Message("unknown key '{key}'", key=key)
        hint = did_you_mean(key, allowed)
        if not hint and allowed:
            hint = Message("allowed keys are: {keys}", keys=", ".join(allowed))
        return _join_hint(message, hint)
    if kind in ("int_type", "int_parsing"):
        message = Message("expected an integer, got {value}", value=show_value(value))
        return _join_hint(message, _number_text_hint(value))
    if kind == "int_from_float":
        return Message("expected a whole number, got {value}", value=_plain(value))
    if kind in ("float_type", "float_parsing"):
        message = Message("expected a number, got {value}", value=show_value(value))
        return _join_hint(message, _number_text_hint(value))
    if kind == "finite_number":
        return Message("must be a finite number, got {value}", value=_plain(value))
    if kind in ("bool_type", "bool_parsing"):
        message = Message("expected true or false, got {value}", value=show_value(value))
        return _join_hint(message, _boolean_text_hint(value))
    if kind == "string_type":
        message = Message("expected text, got {value}", value=show_value(value))
        if isinstance(value, int | float | bool):
            return _join_hint(message, Message("put it in quotes if it is meant as text"))
        return message
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        if minimum == 1:
            return Message("must not be empty")
        return Message("must have at least {minimum} characters", minimum=minimum)
    if kind == "string_too_long":
        return Message(
            "must have at most {maximum} characters, got {count}", maximum=ctx.get("max_length"), count=len(str(value))
        )
    if kind == "string_pattern_mismatch":
        return Message(
            "{value} does not have the required form (pattern {pattern})",
            value=_plain(value),
            pattern=ctx.get("pattern"),
        )
    if kind == "greater_than_equal":
        return Message("must be at least {minimum}, got {value}", minimum=_bound(ctx.get("ge")), value=_plain(value))
    if kind == "greater_than":
        return Message("must be greater than {limit}, got {value}", limit=_bound(ctx.get("gt")), value=_plain(value))
    if kind == "less_than_equal":
        return Message("must be at most {maximum}, got {value}", maximum=_bound(ctx.get("le")), value=_plain(value))
    if kind == "less_than":
        return Message("must be less than {limit}, got {value}", limit=_bound(ctx.get("lt")), value=_plain(value))
    if kind in ("enum", "literal_error"):
        return _choices_message(value, _leaf_choices(step, ctx), _field_word(step.path))
    if kind in ("list_type", "tuple_type"):
        return Message("expected a list (lines starting with '- '), got {value}", value=show_value(value))
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Message("expected a mapping (key: value lines), got {value}", value=show_value(value))
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        if minimum == 1:
            return Message("must have at least 1 item")
        return Message("must have at least {minimum} items", minimum=minimum)
    if kind == "too_long":
        return Message("must have at most {maximum} items", maximum=ctx.get("max_length"))
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = step.union_discriminator or str(ctx.get("discriminator", "")).strip("'")
        tags = union_tags(step.leaf, discriminator) if discriminator else []
        if not tags:
            tags = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        what = step.union_label or discriminator or "type"
        what_word = _FIELD_WORDS.get(what, what)
        if kind == "union_tag_not_found":
            return Message("required field is missing; choose one of: {choices}", choices=", ".join(tags))
        tag = value.get(discriminator) if isinstance(value, dict) else ctx.get("tag")
        shown = tag if isinstance(tag, str) else _plain(tag)
        message = Message("unknown {what} '{value}'", what=what_word, value=shown)
        hint = did_you_mean(tag, tags) if isinstance(tag, str) else ""
        return _join_hint(message, hint or Message("choose one of: {choices}", choices=", ".join(tags)))
    detail = ctx.get("detail")
    if kind.startswith("scenario_") and isinstance(detail, Message):
        return detail  # our own validators' messages, kept translatable
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "assertion_error":
        return str(error["msg"]).removeprefix("Assertion failed, ")
    return str(error["msg"])


def validation_issues(error: ValidationError, root: type[BaseModel]) -> list[tuple[Location, str]]:
    """Plain-language (location, message) pairs for a pydantic ``ValidationError`` of ``root``.

    For later layers that validate models of their own (a lever's settings) and report the problems
    with :func:`scenario_problem`; the messages render in English and bokmål like the scenario's own.
    Each pydantic error becomes exactly one issue; locations are relative to ``root``.

    >>> from pydantic import BaseModel, ConfigDict, Field, ValidationError
    >>> class Settings(BaseModel):
    ...     model_config = ConfigDict(extra="forbid")
    ...     budget: int = Field(ge=0)
    >>> try:
    ...     Settings.model_validate({"budget": -5, "budgte": 1})
    ... except ValidationError as error:
    ...     for where, message in validation_issues(error, Settings):
    ...         print(where, message, "|", Message.render(message, "nb"))
    ('budget',) must be at least 0, got -5 | må være minst 0, fikk -5
    ('budgte',) unknown key 'budgte'; did you mean 'budget'? | ukjent nøkkel 'budgte'; mente du 'budget'?
    """
    issues: list[tuple[Location, str]] = []
    for item in error.errors(include_url=False):
        step = _walk(root, item["loc"])
        path: list[str | int] = list(step.path)
        if item["type"] in ("union_tag_not_found", "union_tag_invalid") and step.union_discriminator:
            path.append(step.union_discriminator)
        message = _message(item, step)
        if step.is_key and not item["type"].startswith("scenario_"):
            message = Message("invalid name: {message}", message=message)
        issues.append((tuple(path), message))
    return issues


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
    return [
        Problem(filename, line_of(location), format_path(location), message)
        for location, message in validation_issues(error, root)
    ]
