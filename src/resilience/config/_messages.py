"""Problem messages in English and Norwegian bokmål.

A :class:`Message` is a ``str`` (its English text, so that every existing use
of a problem message keeps working) that also remembers the English template
it was made from and the values filled in. :meth:`Message.render` looks the
template up in the bokmål catalogue (``locale/nb.po``, a gettext PO file read
with Babel) and fills in the same values, translating those that are
themselves messages::

    >>> m = Message("must be at least {minimum}, got {value}", minimum=0, value=-5)
    >>> print(m)
    must be at least 0, got -5
    >>> print(m.render("nb"))
    må være minst 0, fikk -5

Values quoted from the scenario file (keys, names, numbers) are plain ``str``
or numbers and are never translated. A template that has no words of its own,
such as ``"{message}; {hint}"``, needs no entry in the catalogue.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

__all__ = [
    "LANGUAGES",
    "Amount",
    "Language",
    "Message",
    "MissingTranslationError",
    "catalogue",
    "join_messages",
    "render_message",
]

type Language = Literal["en", "nb"]

#: The languages problem messages can be shown in; English is the default.
LANGUAGES: Final[tuple[Language, ...]] = ("en", "nb")

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_WORD = re.compile(r"[^\W\d_]{2,}")


class MissingTranslationError(LookupError):
    """A message template has no entry in a language's catalogue."""


@cache
def catalogue(language: Language) -> Mapping[str, str]:
    """English template -> translated template for ``language`` (empty for English).

    >>> catalogue("nb")["required field is missing"]
    'obligatorisk felt mangler'
    """
    if language == "en":
        return {}
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    with (files(__package__) / "locale" / f"{language}.po").open("rb") as handle:
        po = read_po(handle, locale=language)
    out: dict[str, str] = {}
    for entry in po:
        # Fuzzy entries are guesses awaiting review: better English than a wrong translation.
        if (
            isinstance(entry.id, str)
            and entry.id
            and isinstance(entry.string, str)
            and entry.string
            and not entry.fuzzy
        ):
            out[entry.id] = entry.string
    return out


def _needs_translation(template: str) -> bool:
    return bool(_WORD.search(_PLACEHOLDER.sub("", template)))


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


#: Babel's locale of each language (numbers: decimal point or comma).
_LOCALES: Final[dict[Language, str]] = {"en": "en_GB", "nb": "nb_NO"}


class Amount(float):
    """A number the message computed (not one quoted from the file), written with the language's decimal sign.

    English keeps the point and bokmål takes the comma (Babel), without grouping, so that an English
    message reads as before:

    >>> size = Amount(54.37, digits=1)
    >>> str(size), size.render("nb")
    ('54.4', '54,4')
    """

    digits: int

    def __new__(cls, value: float, /, *, digits: int) -> Amount:
        self = super().__new__(cls, value)
        self.digits = digits
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_amount, (float(self), self.digits))

    def __str__(self) -> str:
        return self.render("en")

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else format(float(self), spec)

    def render(self, language: Language) -> str:
        """The number in ``language``'s notation."""
        pattern = "0." + "0" * self.digits if self.digits else "0"
        return format_decimal(float(self), format=pattern, locale=_LOCALES[language])


def _amount(value: float, digits: int) -> Amount:
    return Amount(value, digits=digits)


class Message(str):
    """English text of a problem message that can be rendered in bokmål too.

    ``Message(template, **values)``: ``template`` uses ``str.format`` fields
    named after ``values``. Messages nest: a value that is a ``Message`` is
    translated along with the template.

    >>> hint = Message("did you mean '{choice}'?", choice="jobs")
    >>> m = join_messages(Message("unknown key '{key}'", key="jobz"), hint)
    >>> str(m), m.render("nb")
    ("unknown key 'jobz'; did you mean 'jobs'?", "ukjent nøkkel 'jobz'; mente du 'jobs'?")
    """

    template: str
    values: tuple[tuple[str, Any], ...]

    def __new__(cls, template: str, /, **values: Any) -> Message:
        missing = [name for name in _fields(template) if name not in values]
        if missing:
            raise KeyError(f"message template {template!r} needs the value(s) {', '.join(missing)}")
        self = super().__new__(cls, template.format(**values))
        self.template = template
        self.values = tuple(values.items())
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Messages travel to worker processes inside errors; keep what is needed to translate them.
        return (_rebuild, (self.template, self.values))

    def render(self, language: Language, *, strict: bool = False) -> str:
        """This message in ``language`` ("en" or "nb").

        A template missing from the catalogue stays English, or raises
        :class:`MissingTranslationError` with ``strict=True`` (for the tests
        that every message has its translation).
        """
        if language == "en":
            return str(self)
        template = self.template
        if _needs_translation(template):
            translated = catalogue(language).get(template)
            if translated is None:
                if strict:
                    raise MissingTranslationError(f"no {language} translation of the message template {template!r}")
            else:
                template = translated
        values = {
            name: value.render(language, strict=strict)
            if isinstance(value, Message)
            else value.render(language)
            if isinstance(value, Amount)
            else value
            for name, value in self.values
        }
        return template.format(**values)

    def templates(self) -> Iterator[str]:
        """Every template in this message and the messages nested in it."""
        yield self.template
        for _, value in self.values:
            if isinstance(value, Message):
                yield from value.templates()


def _rebuild(template: str, values: tuple[tuple[str, Any], ...]) -> Message:
    return Message(template, **dict(values))


def render_message(message: str, language: Language, *, strict: bool = False) -> str:
    """``message`` in ``language`` if it is a :class:`Message`; a plain ``str`` stays as it is."""
    if isinstance(message, Message):
        return message.render(language, strict=strict)
    if strict and language != "en":
        raise MissingTranslationError(f"the message {message!r} is plain text, not a Message with a translation")
    return message


def join_messages(message: str, hint: str, separator: str = "; ") -> str:
    """``message; hint``, or ``message`` when ``hint`` is empty, keeping both translatable."""
    if not hint:
        return message
    return Message("{message}" + separator + "{hint}", message=message, hint=hint)
