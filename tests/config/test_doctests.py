"""The usage examples in the docstrings of resilience.config are run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "resilience.config._errors",
    "resilience.config._yaml",
    "resilience.config._load",
    "resilience.config._jsonschema",
    "resilience.config._messages",
    "resilience.config._limits",
    "resilience.config._estimate",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
