"""The usage examples in the docstrings of resilience.analysis are run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "resilience.analysis.frames",
    "resilience.analysis.quantiles",
    "resilience.analysis.paired",
    "resilience.analysis.resilience_measures",
    "resilience.analysis.costs",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
