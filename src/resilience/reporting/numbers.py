"""Numbers as a council reads them: Babel's conventions for bokmål and English, in one place.

Bokmål: decimal comma, thousands grouped with a thin space that never breaks (U+202F) and a true minus sign
(U+2212); English: ``1,234.5``.

    >>> format_number(-1234567.5, "nb", 1)
    '\\u22121\\u202f234\\u202f567,5'
    >>> format_number(1234567.5, "en", 1)
    '1,234,567.5'
    >>> format_percent(0.125, "nb")
    '13 %'
"""

from __future__ import annotations

import functools
import math

from babel.numbers import format_decimal

__all__ = ["THOUSANDS_SEPARATOR", "format_number", "format_percent", "is_missing", "plotly_separators"]

_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
#: The bokmål thousands separator: a narrow (thin) no-break space.
THOUSANDS_SEPARATOR = "\u202f"
_MINUS = "\u2212"


def is_missing(value: object) -> bool:
    """None or NaN (what the report shows as "–")."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def format_number(value: object, lang: str, digits: int | None = 0, *, sign: bool = False) -> str:
    """``value`` with grouped thousands and ``digits`` decimals (None: up to 4 significant) for ``lang``.

    "–" for a missing value; non-numbers as text; a leading "+" on positive values when ``sign``.
    """
    if is_missing(value):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(getattr(value, "value", value))
    return _format_float(float(value), lang, digits, sign)


@functools.lru_cache(maxsize=65536)
def _format_float(number: float, lang: str, digits: int | None, sign: bool) -> str:
    # Cached: a report formats the same few thousand values (hover texts of every fan) many times over.
    if digits is None:
        digits = 0 if number == int(number) else max(0, 3 - math.floor(math.log10(abs(number))))
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
    else:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(number, format=pattern, locale=_LOCALES[lang])
    if lang == "nb":
        text = text.replace("\xa0", THOUSANDS_SEPARATOR).replace("-", _MINUS)
    if sign and number > 0 and not text.startswith("+"):
        text = "+" + text
    return text


def format_percent(share: object, lang: str, digits: int = 0) -> str:
    """A share (0.125) as a percentage ("13 %"; bokmål and English both put a space before %)."""
    return "–" if is_missing(share) else f"{format_number(100 * float(share), lang, digits)} %"  # type: ignore[arg-type]


def plotly_separators(lang: str) -> str:
    """plotly's ``layout.separators`` (decimal mark, then thousands separator) for ``lang``."""
    return f",{THOUSANDS_SEPARATOR}" if lang == "nb" else ".,"
