"""Texts of the report's figures (titles, captions, axis labels, legends) in bokmål and English.

Kept apart from :mod:`resilience.reporting.messages` (the rest of the report) so each catalogue stays readable;
:func:`resilience.reporting.messages.message` looks in both.
"""

from __future__ import annotations

__all__ = ["FIGURE_MESSAGES"]

FIGURE_MESSAGES: dict[str, dict[str, str]] = {"nb": {}, "en": {}}
