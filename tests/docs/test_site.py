"""The documentation site builds with warnings as errors, and its generated pages say what they must.

One ``mkdocs build --strict`` (offline: the default theme, no plugins that fetch anything) into a temporary
directory; the pages checked are the README as home page, the scenario reference generated from the pydantic
models, the command-line reference (mkdocs-click), the API reference (mkdocstrings) and the notebook list.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

import resilience
from resilience.cli import main
from resilience.config import scenario_json_schema
from resilience.levers import lever_names
from resilience.model import Parameters

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL_KEYS = (
    "schema_version",
    "name",
    "municipality",
    "employers",
    "shocks",
    "strategies",
    "uncertainties",
    "parameters",
    "run",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.stdout}\n{build.stderr}"
    return site_dir


def page_text(site: Path, page: str) -> str:
    """The page's text: tags removed, entities decoded, whitespace collapsed."""
    raw = (site / page).read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def test_home_is_the_readme(site: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_heading = next(line[2:].strip() for line in readme.splitlines() if line.startswith("# "))
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f">{html.escape(first_heading, quote=False)}" in index
    # The README's second heading is there too: the whole README, not just its title.
    second = next(line[3:].strip() for line in readme.splitlines() if line.startswith("## "))
    assert second in page_text(site, "index.html")
    # Images under docs/ are linked relative to the site root, and copied.
    for image in re.findall(r"\]\(docs/([^)\s]+\.png)\)", readme):
        assert f'src="{image}"' in index
        assert (site / image).is_file()


def test_generated_pages_are_not_in_the_docs_folder() -> None:
    for page in ("index.md", "reference/scenario.md", "reference/notebooks.md"):
        assert not (ROOT / "docs" / page).exists(), f"docs/{page} is generated at build time: do not commit it"


def test_scenario_reference_lists_every_section_field_parameter_and_lever(site: Path) -> None:
    text = page_text(site, "reference/scenario/index.html")
    schema = scenario_json_schema()
    assert set(TOP_LEVEL_KEYS) <= set(schema["properties"])
    for key in schema["properties"]:
        assert key in text, key
    for name, definition in schema["$defs"].items():
        assert name in text, name
        for field in definition.get("properties", {}):
            assert field in text, f"{name}.{field}"
    for name in Parameters.specs():
        assert name in text, name
    assert "out_migration_scale" in text
    for lever in lever_names():
        assert lever in text, lever


def command_paths(group: click.Group, prefix: str = "resilience") -> list[str]:
    """``resilience run``, ``resilience ssb refresh-population`` …: every command with its parents."""
    paths = []
    for name, command in group.commands.items():
        paths.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            paths += command_paths(command, f"{prefix} {name}")
    return paths


def test_cli_reference_lists_every_command(site: Path) -> None:
    text = page_text(site, "reference/cli/index.html")
    assert main.commands
    for path in command_paths(main):
        assert path in text, path


def test_api_reference_documents_the_public_api(site: Path) -> None:
    page = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("MunicipalityModel", "run_ensemble", "load_scenario", "summarise"):
        assert name in page, name
    for name in resilience.__all__:
        if not name.startswith("_"):
            assert f'id="resilience.{name}"' in page, name
    # Doctest examples are rendered as code, not as Markdown.
    assert "&gt;&gt;&gt;" in page
    assert "<p>&gt;&gt;&gt;" not in page


def test_notebooks_page_lists_every_notebook(site: Path) -> None:
    text = page_text(site, "reference/notebooks/index.html")
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "".join(next(cell["source"] for cell in cells if cell["cell_type"] == "markdown"))
        title = next(line.lstrip("#").strip() for line in source.splitlines() if line.startswith("#"))
        assert title in text, path.name
        assert (site / "notebooks" / path.name).is_file()


def test_nav_has_every_section() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for title, page in (
        ("Home", "index.md"),
        ("Model description (ODD)", "ODD.md"),
        ("Scenario files", "reference/scenario.md"),
        ("Command line", "reference/cli.md"),
        ("Python API", "reference/api.md"),
        ("Extending the model", "extending.md"),
        ("Notebooks", "reference/notebooks.md"),
    ):
        assert f"  - {title}: {page}" in config, title
