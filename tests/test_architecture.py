"""The architecture in the folders: Mesa only inside the model, data flowing one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "resilience"

# Lower layers never import higher ones (config → model → levers → experiments → analysis → reporting).
LAYERS = ["config", "data", "model", "levers", "experiments", "analysis", "reporting", "validation"]
ALLOWED = {
    "config": set(),
    "data": set(),
    "model": {"config", "data"},
    "levers": {"config", "data", "model"},
    "experiments": {"config", "data", "model", "levers"},
    "analysis": {"config", "data"},
    "reporting": {"config", "data", "analysis"},
    "validation": {"config", "data", "model", "levers", "experiments", "analysis"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


#: Top layers: they wire the others together and nothing imports them (the CLI only inside a command).
TOP = {"explore"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_mesa_is_imported_only_in_the_model_package(path):
    if path.relative_to(PACKAGE).parts[0] == "model":
        return
    assert not any(name == "mesa" or name.startswith("mesa.") for name in _imports(path)), path


@pytest.mark.parametrize("layer", LAYERS)
def test_layers_import_only_lower_layers(layer):
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "resilience" or len(parts) < 2 or parts[1] == layer:
                continue
            assert parts[1] in ALLOWED[layer], f"{path.relative_to(PACKAGE)} imports {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_imports_a_top_layer(path):
    parts = path.relative_to(PACKAGE).parts
    if parts[0] in TOP or parts == ("cli.py",):
        return
    for name in _imports(path):
        bits = name.split(".")
        assert not (bits[0] == "resilience" and len(bits) > 1 and bits[1] in TOP), f"{path} imports {name}"


def test_the_cli_imports_the_explorer_only_inside_its_command():
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert not any(
        (node.module or "").startswith("resilience.explore") if isinstance(node, ast.ImportFrom) else False
        for node in top_level
    )
