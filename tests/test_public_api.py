"""The public API: one explicit list in ``resilience.__all__``, every name importable, typed and documented."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import resilience

PUBLIC = [name for name in resilience.__all__ if name != "__version__"]


def test_the_list_is_sorted_unique_and_complete() -> None:
    assert len(set(resilience.__all__)) == len(resilience.__all__)
    assert sorted(PUBLIC) == sorted(resilience._HOME)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_resolves_to_its_home(name: str) -> None:
    value = getattr(resilience, name)
    home = __import__(resilience._HOME[name], fromlist=[name])
    assert value is getattr(home, name)


@pytest.mark.parametrize("name", [n for n in PUBLIC if callable(getattr(resilience, n))])
def test_every_public_callable_is_documented_and_typed(name: str) -> None:
    value = getattr(resilience, name)
    doc = inspect.getdoc(value) or ""
    assert len(doc) > 40, f"{name} needs a docstring that says what it does"
    if inspect.isfunction(value):
        signature = inspect.signature(value)
        untyped = [p for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
        assert not untyped, f"{name}: parameters without a type: {[p.name for p in untyped]}"
        assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'run_everything'"):
        resilience.run_everything  # noqa: B018


def test_importing_the_package_does_not_import_mesa_or_plotly() -> None:
    code = "import sys, resilience; print('mesa' in sys.modules, 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert resilience.__version__ == version("resilience")
