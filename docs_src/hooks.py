"""MkDocs hooks: pages generated at build time, never written into ``docs/`` nor committed.

``mkdocs.yml`` loads this module under ``hooks:``. On every build :func:`on_files` adds:

* ``index.md``: the repository's ``README.md``, with links into ``docs/`` made relative to the site root and
  links to other repository files turned into plain text (they are not part of the site);
* ``reference/scenario.md``: the scenario file reference, from the pydantic models' JSON Schema
  (:func:`resilience.config.scenario_json_schema`), the model parameters
  (:meth:`resilience.model.Parameters.specs`) and the lever settings (:func:`resilience.levers.lever_catalogue`);
* ``reference/notebooks.md`` and a copy of every ``notebooks/*.ipynb`` to download.

``watch:`` in ``mkdocs.yml`` makes ``mkdocs serve`` rebuild them when the README, the notebooks or the source change.
"""

from __future__ import annotations

import enum
import inspect
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NOTEBOOKS = ROOT / "notebooks"

INDEX_PAGE = "index.md"
SCENARIO_PAGE = "reference/scenario.md"
NOTEBOOKS_PAGE = "reference/notebooks.md"

# ---------------------------------------------------------------------------------------------------------------
# MkDocs events


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages (and the notebooks, as downloads) to the build."""
    docs_dir = config["docs_dir"]
    for uri, content in (
        (INDEX_PAGE, readme_page(README.read_text(encoding="utf-8"), docs_dir)),
        (SCENARIO_PAGE, scenario_page()),
        (NOTEBOOKS_PAGE, notebooks_page(sorted(NOTEBOOKS.glob("*.ipynb")))),
    ):
        _replace(files, File.generated(config, uri, content=content))
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        _replace(files, File.generated(config, f"notebooks/{notebook.name}", abs_src_path=str(notebook)))
    return files


def _replace(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)


# ---------------------------------------------------------------------------------------------------------------
# Home: the README

_LINK = re.compile(r"(?P<open>!?\[[^\]]*\]\()(?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
_HTML_SRC = re.compile(r"(?P<attr>\b(?:src|href)=\")(?P<target>[^\"]+)\"")
_FENCE = re.compile(r"^(```|~~~)")


def readme_page(readme: str, docs_dir: str | Path) -> str:
    """The README as the site's home page.

    Links into ``docs/`` (``docs/report.png``) become relative to the docs directory (``report.png``); links to
    other repository files keep their text but lose the link; web links and anchors stay. Code blocks and
    code spans are left alone.
    """
    docs = Path(docs_dir).resolve()
    lines: list[str] = []
    in_fence = False
    for line in readme.splitlines():
        if _FENCE.match(line.lstrip()):
            in_fence = not in_fence
        lines.append(line if in_fence else _rewrite_line(line, docs))
    return "\n".join(lines) + "\n"


def _rewrite_line(line: str, docs: Path) -> str:
    # Leave code spans alone: only the parts between them are rewritten.
    parts = re.split(r"(`+[^`]*`+)", line)
    for index in range(0, len(parts), 2):
        parts[index] = _HTML_SRC.sub(
            lambda m: _rewrite_html(m, docs), _LINK.sub(lambda m: _rewrite_link(m, docs), parts[index])
        )
    return "".join(parts)


def _site_target(target: str, docs: Path) -> str | None:
    """The target relative to the docs directory, ``target`` itself if not a repository path, None if outside."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith(("#", "/")):
        return target
    path, _, anchor = target.partition("#")
    resolved = (ROOT / path).resolve()
    if not resolved.is_relative_to(docs):
        return None
    relative = resolved.relative_to(docs).as_posix()
    return f"{relative}#{anchor}" if anchor else relative


def _rewrite_link(match: re.Match[str], docs: Path) -> str:
    target = _site_target(match["target"], docs)
    if target is not None:
        return f"{match['open']}{target}{match['title'] or ''})"
    text = match["open"][:-2].lstrip("!")[1:]
    return text


def _rewrite_html(match: re.Match[str], docs: Path) -> str:
    target = _site_target(match["target"], docs)
    return f'{match["attr"]}{target if target is not None else "#"}"'


# ---------------------------------------------------------------------------------------------------------------
# Scenario files: the JSON Schema, the model parameters and the levers


def scenario_page() -> str:
    """The scenario file reference, generated from the code that checks scenario files."""
    from resilience.config import SCHEMA_VERSION, scenario_json_schema

    schema = scenario_json_schema()
    definitions: dict[str, Any] = schema.get("$defs", {})
    out = [
        "# Scenario files",
        "",
        "<!-- Generated by docs_src/hooks.py from the package's pydantic models; do not edit. -->",
        "",
        f"A scenario is a YAML file with `schema_version: {SCHEMA_VERSION}`. This page is generated from the code",
        "that checks scenario files, so it lists every section and every field the current version accepts.",
        'Unknown keys are refused with a "did you mean" hint; `resilience validate FILE` checks a file and',
        "`resilience schema` prints the JSON Schema for editors (completion and hover help).",
        "",
        "## Top level",
        "",
        _text(schema.get("description", "")),
        "",
        *_fields_table(schema),
        "",
    ]
    used_in = _used_in(schema, definitions)
    for name in _definition_order(schema, definitions):
        out += _definition_section(name, definitions[name], used_in.get(name, []))
    out += _parameters_section()
    out += _levers_section()
    return "\n".join(out) + "\n"


def _anchor(name: str) -> str:
    return "schema-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _definition_order(schema: dict[str, Any], definitions: dict[str, Any]) -> list[str]:
    """Definitions in the order a reader meets them, walking the schema from the top; then any left over."""
    order: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name not in order and name in definitions:
                    order.append(name)
                    walk(definitions[name])
            for key, value in node.items():
                if key not in ("$defs", "discriminator"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({key: value for key, value in schema.items() if key != "$defs"})
    return order + [name for name in definitions if name not in order]


def _used_in(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, list[str]]:
    """For each definition, the fields (``section.field``) whose values it describes."""
    used: dict[str, list[str]] = {}

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"].removeprefix("#/$defs/")] if isinstance(node.get("$ref"), str) else []
            return found + [ref for key, value in node.items() if key != "discriminator" for ref in refs(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in refs(value)]
        return []

    owners = [("", schema)] + [(name, definition) for name, definition in definitions.items()]
    for owner, node in owners:
        for field, spec in node.get("properties", {}).items():
            where = f"`{field}` in [{owner}](#{_anchor(owner)})" if owner else f"`{field}` (top level)"
            for ref in dict.fromkeys(refs(spec)):
                used.setdefault(ref, []).append(where)
    return used


def _definition_section(name: str, definition: dict[str, Any], used_in: list[str]) -> list[str]:
    out = [f"## {name} {{#{_anchor(name)}}}", ""]
    if used_in:
        out += ["Used for: " + ", ".join(used_in) + ".", ""]
    if definition.get("description"):
        out += [_text(definition["description"]), ""]
    if "enum" in definition:
        out += ["One of: " + ", ".join(f"`{_literal(value)}`" for value in definition["enum"]) + ".", ""]
    if "properties" in definition:
        out += _fields_table(definition)
        if definition.get("additionalProperties") is True:
            other = "the lever's own settings, listed under [Levers](#levers)" if name == "Intervention" else ""
            out += ["", "Other keys are allowed here" + (f": {other}." if other else ".")]
        out.append("")
    return out


def _fields_table(node: dict[str, Any]) -> list[str]:
    required = set(node.get("required", []))
    rows = [
        "| Field | Type | Required / default | Constraints | Description |",
        "|---|---|---|---|---|",
    ]
    for field, spec in node.get("properties", {}).items():
        default = (
            "required"
            if field in required
            else (f"default `{_literal(spec['default'])}`" if "default" in spec else "optional")
        )
        rows.append(
            "| "
            + " | ".join(
                _cell(cell)
                for cell in (
                    f"`{field}`",
                    _type(spec),
                    default,
                    _constraints(spec),
                    _text(spec.get("description", "")),
                )
            )
            + " |"
        )
    return rows


def _type(spec: dict[str, Any]) -> str:
    """A short human-readable type: links to sections, ``or null`` for optional values, lists and mappings."""
    if "$ref" in spec:
        name = spec["$ref"].removeprefix("#/$defs/")
        return f"[{name}](#{_anchor(name)})"
    if "const" in spec:
        return f"`{_literal(spec['const'])}`"
    if "enum" in spec:
        return " \\| ".join(f"`{_literal(value)}`" for value in spec["enum"])
    for key in ("anyOf", "oneOf"):
        if key in spec:
            options = [option for option in spec[key] if option.get("type") != "null"]
            text = " or ".join(dict.fromkeys(_type(option) for option in options))
            return text + (" or null" if len(options) < len(spec[key]) else "")
    kind = spec.get("type")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if kind == "object":
        values = spec.get("additionalProperties")
        if isinstance(values, dict):
            return f"mapping: name → {_type(values)}"
        return "mapping"
    names = {"string": "text", "integer": "integer", "number": "number", "boolean": "true/false", "null": "null"}
    return names.get(str(kind), str(kind) if kind else "any")


_CONSTRAINTS = {
    "minimum": "≥ {}",
    "maximum": "≤ {}",
    "exclusiveMinimum": "> {}",
    "exclusiveMaximum": "< {}",
    "minLength": "at least {} character(s)",
    "maxLength": "at most {} character(s)",
    "minItems": "at least {} item(s)",
    "maxItems": "at most {} item(s)",
    "pattern": "matches `{}`",
}


def _constraints(spec: dict[str, Any]) -> str:
    found: list[str] = []

    def collect(node: dict[str, Any], prefix: str = "") -> None:
        for key, template in _CONSTRAINTS.items():
            if key in node:
                found.append(
                    prefix + ("not empty" if key == "minLength" and node[key] == 1 else template.format(node[key]))
                )
        if isinstance(node.get("propertyNames"), dict):
            collect(node["propertyNames"], "names: ")
        if isinstance(node.get("items"), dict) and "$ref" not in node["items"]:
            collect(node["items"], "items: ")
        for option in node.get("anyOf", []):
            collect(option, prefix)

    collect(spec)
    if "examples" in spec:
        found.append("e.g. " + ", ".join(f"`{_literal(value)}`" for value in spec["examples"]))
    return "; ".join(dict.fromkeys(found))


def _literal(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _text(text: str) -> str:
    """Docstring text to Markdown: Sphinx roles and double backticks to code spans, one line."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return " ".join(text.split())


def _cell(text: str) -> str:
    """Escape what would end a table cell."""
    return text.replace("\n", " ").replace("|", "\\|").replace("\\\\|", "\\|")


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int | float):
        return f"`{value:,}`".replace(",", " ") if abs(value) >= 10_000 else f"`{value}`"
    return f"`{value}`"


def _range(low: Any, high: Any) -> str:
    if low is None and high is None:
        return ""
    return f"{_number(low)} … {_number(high)}"


def _parameters_section() -> list[str]:
    from resilience.model import Parameters

    out = [
        "## Model parameters {#model-parameters}",
        "",
        "Every name below may be given a fixed value under `parameters:` or a distribution under",
        "`uncertainties:` (drawn once per replication, the same draw for every strategy), e.g.",
        "",
        "```yaml",
        "parameters:",
        "  out_migration_scale: 1.2",
        "uncertainties:",
        "  local_multiplier: {distribution: uniform, low: 0.0, high: 1.0}",
        "```",
        "",
        "The range is the plausible range found in the evidence (a guide for `uncertainties:`), not a hard limit.",
        "",
        "| Parameter | Default | Range | Unit | Description | Source |",
        "|---|---|---|---|---|---|",
    ]
    for spec in Parameters.specs().values():
        cells = (
            f"`{spec.name}`",
            _number(spec.default),
            _range(spec.low, spec.high),
            spec.unit,
            _text(spec.description),
            _text(spec.source),
        )
        out.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return [*out, ""]


def _levers_section() -> list[str]:
    from resilience.levers import get_lever, lever_catalogue

    out = [
        "## Levers {#levers}",
        "",
        "A strategy under `strategies:` is a list of interventions; each names a `lever` and may set any of that",
        "lever's settings below (`start`, `years` and the payers' shares are common to all levers). A setting",
        "with a range may also be made uncertain as `LEVER.SETTING` under `uncertainties:`, e.g.",
        "",
        "```yaml",
        "strategies:",
        "  project:",
        "    - {lever: business_development, budget_nok_per_year: 2000000, years: 6}",
        "uncertainties:",
        "  business_development.jobs_per_million_nok: {distribution: triangular, low: 0.0, mode: 1.25, high: 2.5}",
        "```",
        "",
        "`resilience levers` prints the same list, including levers that other installed packages register.",
        "",
    ]
    by_lever: dict[str, list[Any]] = {}
    for row in lever_catalogue():
        by_lever.setdefault(row.lever, []).append(row)
    for name, rows in by_lever.items():
        lever = get_lever(name)
        title = getattr(lever, "titles", {}).get("en", "")
        out += [f"### `{name}`{': ' + title if title else ''} {{#lever-{_anchor(name)[7:]}}}", ""]
        summary = _first_paragraph(inspect.getdoc(lever) or "")
        if summary:
            out += [summary, ""]
        out += ["| Setting | Default | Range | Description | Source |", "|---|---|---|---|---|"]
        for row in rows:
            description = _text(row.description)
            if isinstance(row.default, enum.Enum):
                description += " One of: " + ", ".join(f"`{member.value}`" for member in type(row.default)) + "."
            cells = (
                f"`{row.setting}`",
                _number(row.default) if row.default is not None else "—",
                _range(row.low, row.high),
                description,
                _text(row.source),
            )
            out.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        out.append("")
    return out


def _first_paragraph(text: str) -> str:
    return _text(text.strip().split("\n\n")[0])


# ---------------------------------------------------------------------------------------------------------------
# Notebooks


def notebook_summary(path: Path) -> tuple[str, str]:
    """The notebook's title (its first Markdown heading) and a one-line description (the text after it)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    title, description = "", ""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        for paragraph in re.split(r"\n\s*\n", text):
            paragraph = paragraph.strip()
            if not paragraph:
                continue
            if not title and paragraph.startswith("#"):
                heading, _, rest = paragraph.partition("\n")
                title = heading.lstrip("#").strip()
                paragraph = rest.strip()
                if not paragraph:
                    continue
            if not description:
                description = _first_sentence(_text(paragraph))
            if title and description:
                return title, description
    return title or path.stem.replace("_", " "), description


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def notebooks_page(notebooks: Iterable[Path]) -> str:
    """A page listing the notebooks by title, each with a one-line description and a download link."""
    out = [
        "# Notebooks",
        "",
        "<!-- Generated by docs_src/hooks.py from notebooks/*.ipynb; do not edit. -->",
        "",
        "The notebooks in `notebooks/` use only the public API; run them with Jupyter from that folder (their",
        "paths, such as `../scenarios/traena.yaml`, are relative to it). The tests execute every one of them.",
        "",
    ]
    listed = False
    for path in notebooks:
        title, description = notebook_summary(path)
        out.append(
            f"- **[{title}](../notebooks/{path.name})** (`notebooks/{path.name}`)"
            + (f": {description}" if description else "")
        )
        listed = True
    if not listed:
        out.append("There are no notebooks yet.")
    return "\n".join(out) + "\n"
