"""docs/ODD.md describes the model as the code is: generated blocks current, every section there, nothing missing."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from resilience import odd
from resilience.model import COLUMNS, PROCESS_NAMES, Parameters

ROOT = Path(__file__).resolve().parents[2]
ODD_PATH = ROOT / "docs" / "ODD.md"
MODEL_PY = ROOT / "src" / "resilience" / "model" / "model.py"
REGENERATE = "docs/ODD.md is out of date: run `uv run python -m resilience.odd`"

SECTIONS = [
    "1. Purpose and patterns",
    "2. Entities, state variables and scales",
    "3. Process overview and scheduling",
    "4. Design concepts",
    "5. Initialisation",
    "6. Input data",
    "7. Submodels",
]
DESIGN_CONCEPTS = [
    "Basic principles",
    "Emergence",
    "Adaptation",
    "Objectives",
    "Learning",
    "Prediction",
    "Sensing",
    "Interaction",
    "Stochasticity",
    "Collectives",
    "Observation",
]


@pytest.fixture(scope="module")
def text() -> str:
    return ODD_PATH.read_text(encoding="utf-8")


def _headings(text: str, level: int) -> list[str]:
    return re.findall(rf"^{'#' * level} (.+?)\s*$", text, flags=re.MULTILINE)


def _section(text: str, title: str) -> str:
    """The text of the level-2 section ``title`` up to the next level-2 heading."""
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def _split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _table_rows(block: str) -> list[list[str]]:
    lines = [line for line in block.splitlines() if line.startswith("|")]
    return [_split_row(line) for line in lines[2:]]


def _parameter_rows(text: str) -> dict[str, list[str]]:
    rows = _table_rows(odd.block(text, "parameters"))
    return {row[0].strip("`"): row for row in rows}


def _schedule_in_code() -> list[tuple[str, ast.expr]]:
    """The ``self._run(name, process)`` calls of ``MunicipalityModel.step``, in order."""
    tree = ast.parse(MODEL_PY.read_text(encoding="utf-8"))
    step = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "step" and node.args.args[0].arg == "self"
    )
    calls = []
    for node in ast.walk(step):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "_run"
            and isinstance(node.args[0], ast.Constant)
        ):
            calls.append((str(node.args[0].value), node.args[1]))
    return sorted(calls, key=lambda call: (call[1].lineno, call[1].col_offset))


# -- the generated blocks ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(odd.BLOCKS))
def test_generated_block_is_what_the_code_generates(text, name):
    assert odd.block(text, name) == odd.BLOCKS[name]().strip(), f"block '{name}': {REGENERATE}"


def test_regenerating_changes_nothing(text):
    assert odd.render_blocks(text) == text, REGENERATE


def test_update_and_check_on_a_copy(tmp_path, text):
    copy = tmp_path / "ODD.md"
    copy.write_text(text.replace("| `total_fertility_rate` | 1.44 |", "| `total_fertility_rate` | 9.99 |"), "utf-8")
    assert odd.main([str(copy), "--check"]) == 1
    assert odd.update_odd(copy) is True
    assert copy.read_text(encoding="utf-8") == text
    assert odd.update_odd(copy) is False
    assert odd.main([str(copy), "--check"]) == 0


def test_missing_markers_are_reported(tmp_path):
    path = tmp_path / "ODD.md"
    path.write_text("# nothing generated here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="parameters:start"):
        odd.update_odd(path)
    assert odd.main([str(path)]) == 2


# -- the parameter table ------------------------------------------------------------------------------
def test_every_parameter_is_in_the_table_with_its_exact_default(text):
    rows = _parameter_rows(text)
    specs = Parameters.specs()
    assert list(rows) == list(specs), f"parameters in the table differ from Parameters: {REGENERATE}"
    for name, spec in specs.items():
        default, low, high, unit = rows[name][1:5]
        assert float(default) == spec.default, f"{name}: table says {default}, code {spec.default}; {REGENERATE}"
        assert (float(low), float(high)) == (spec.low, spec.high), f"{name}: range differs; {REGENERATE}"
        assert unit == spec.unit, f"{name}: unit differs; {REGENERATE}"


def test_a_changed_default_makes_the_document_stale(text, monkeypatch):
    specs = dict(Parameters.specs())
    spec = specs["local_multiplier"]
    specs["local_multiplier"] = dataclasses.replace(spec, default=spec.default + 0.1)
    monkeypatch.setattr(Parameters, "_specs_cache", specs)
    assert odd.parameter_table() != odd.block(text, "parameters")
    with pytest.raises(AssertionError, match="local_multiplier"):
        test_every_parameter_is_in_the_table_with_its_exact_default(text)


def test_every_parameter_is_used_in_the_prose(text):
    prose = text
    for name in odd.BLOCKS:
        prose = prose.replace(odd.block(text, name), "")
    missing = [name for name in Parameters.names() if f"`{name}`" not in prose]
    assert not missing, f"parameters never mentioned outside the generated table: {missing}"


def test_numbers_are_written_exactly():
    assert odd.format_number(70_000.0) == "70000"
    assert odd.format_number(0.0002) == "0.0002"
    assert odd.format_number(1.279) == "1.279"
    for spec in Parameters.specs().values():
        assert float(odd.format_number(spec.default)) == spec.default


def test_pipes_in_cells_are_escaped():
    table = odd._table(("a", "b"), [("x | y", "z")])
    assert _table_rows(table) == [["x | y", "z"]]
    assert "x \\| y" in table


# -- sections, schedule, submodels --------------------------------------------------------------------
def test_every_odd_section_is_present_in_order(text):
    headings = _headings(text, 2)
    positions = [headings.index(title) for title in SECTIONS]
    assert positions == sorted(positions)


def test_every_design_concept_has_a_subheading(text):
    concepts = _section(text, "4. Design concepts")
    subheadings = [re.sub(r"^4\.\d+ ", "", h) for h in _headings(concepts, 3)]
    assert subheadings == DESIGN_CONCEPTS


def test_the_schedule_in_the_code_is_process_names():
    assert [name for name, _ in _schedule_in_code()] == list(PROCESS_NAMES)


def test_every_process_is_documented_with_the_function_that_runs_it():
    assert list(odd.PROCESSES) == list(PROCESS_NAMES)
    for name, target in _schedule_in_code():
        function = odd.PROCESSES[name][0]
        assert isinstance(target, ast.Attribute)
        assert function.__qualname__.split(".")[-1] == target.attr, name
        if isinstance(target.value, ast.Name) and target.value.id != "self":
            assert function.__module__ == f"resilience.model.{target.value.id}", name


def test_every_process_appears_in_the_scheduling_section_in_order(text):
    scheduling = _section(text, "3. Process overview and scheduling")
    positions = []
    for name in PROCESS_NAMES:
        assert f"`{name}`" in scheduling, f"process {name} is not in section 3"
        positions.append(scheduling.index(f"`{name}`"))
    assert positions == sorted(positions)


def test_every_module_with_a_process_has_a_submodel(text):
    submodels = _section(text, "7. Submodels")
    modules = {
        f"{target.value.id}.py" if target.value.id != "self" else "model.py"
        for _, target in _schedule_in_code()
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
    }
    assert {"demography.py", "labour.py", "migration.py", "firms.py", "budget.py", "model.py"} <= modules
    subheadings = "\n".join(_headings(submodels, 3))
    for module in sorted(modules | {"network.py", "parameters.py"}):
        assert f"`{module}`" in subheadings, f"no subsection of section 7 names {module}"


def test_every_builtin_lever_has_its_equations(text):
    submodels = _section(text, "7. Submodels")
    for name in odd.builtin_lever_names():
        assert f"\n- `{name}`:" in submodels, f"lever {name} has no equations in section 7.8"


def test_every_output_column_is_documented(text):
    columns = {row[0].strip("`") for row in _table_rows(odd.block(text, "columns"))}
    assert set(COLUMNS) <= columns


def test_relative_links_point_to_files_that_exist(text):
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        assert (ODD_PATH.parent / target.split("#")[0]).exists(), target
