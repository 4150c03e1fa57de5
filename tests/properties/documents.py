"""Hypothesis strategies for scenario *documents* (bytes of a YAML file), most of them invalid.

- :func:`invalid_documents`: always invalid, by construction — mutations of the bundled scenarios at the data
  level (a wrong type, an unknown key, a value out of range, a required key removed), random YAML structures
  that lack a required section, and junk bytes;
- :func:`edited_documents`: text-level edits of real scenario files (lines deleted, duplicated, re-indented,
  garbled; characters inserted) — valid or not, whatever comes out;
- :func:`any_documents`: all of the above, for the fuzzer (``tests/properties/fuzz_loader.py``).

    >>> from tests.properties.documents import invalid_documents   # doctest: +SKIP
    >>> @given(invalid_documents())                                 # doctest: +SKIP
    ... def test_refused(document: bytes): ...
"""

from __future__ import annotations

import copy
import io
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

from resilience.config import scenario_json_schema

ROOT = Path(__file__).resolve().parents[2]
#: Real scenario files, the seeds of every mutation.
SEED_FILES = (
    ROOT / "scenarios" / "traena.yaml",
    ROOT / "scenarios" / "traena_hindcast.yaml",
    ROOT / "tests" / "config" / "data" / "traena_full.yaml",
)

type Path_ = tuple[str | int, ...]


@cache
def seed_texts() -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8") for path in SEED_FILES if path.exists())


@cache
def _seed_data() -> tuple[Any, ...]:
    yaml = YAML(typ="safe", pure=True)
    return tuple(yaml.load(text) for text in seed_texts())


@cache
def schema_keys() -> tuple[str, ...]:
    """Every property name in the scenario JSON Schema (for structure-aware junk)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                found.update(properties)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(scenario_json_schema())
    return tuple(sorted(found))


def dump(data: Any) -> bytes:
    """Plain data as YAML bytes (block style, UTF-8)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    buffer = io.BytesIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def _paths(node: Any, prefix: Path_ = ()) -> list[tuple[Path_, Any]]:
    out = [(prefix, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_paths(value, (*prefix, index)))
    return out


def _get(data: Any, path: Path_) -> Any:
    for step in path:
        data = data[step]
    return data


def _set(data: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    _get(data, path[:-1])[path[-1]] = value
    return data


# Fields whose values must be whole numbers of at least 0 (or years in 1900–2200): any negative is out of range.
_COUNTED = {"jobs", "vacant", "replications", "seed", "years", "horizon", "base_year", "year", "dwellings"}
# Keys required where they occur (removing one is always an error).
_REQUIRED = {
    (): ("schema_version", "name", "municipality", "run"),
    ("municipality",): ("kommunenummer", "base_year"),
    ("run",): ("horizon",),
}
_REQUIRED_IN_LISTS = {"employers": ("name", "sector", "jobs"), "shocks": ("type", "employer", "year")}

junk_keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12).map(
    lambda s: "zz_" + s
)


@st.composite
def _mutation(draw: st.DrawFn, data: Any) -> Any:
    """One change that makes a valid scenario invalid, whatever else is in it."""
    paths = _paths(data)
    kind = draw(st.sampled_from(["wrong_type", "unknown_key", "out_of_range", "remove_required"]))
    if kind == "wrong_type":
        path, value = draw(st.sampled_from(paths))
        if isinstance(value, dict):
            wrong: Any = draw(st.sampled_from([[1, 2], "text", 3]))
        elif isinstance(value, list):
            wrong = draw(st.sampled_from(["text", 3, {"zz_key": 1}]))
        else:  # no scalar field takes a mapping
            wrong = {"zz_key": [1]}
        return _set(data, path, wrong)
    if kind == "unknown_key":
        mappings = [(p, v) for p, v in paths if isinstance(v, dict)]
        path, mapping = draw(st.sampled_from(mappings))
        # A junk key with a number: an unknown key, an unknown parameter or lever setting, or a strategy or
        # uncertainty that is not a list or mapping — an error wherever it lands.
        mapping[draw(junk_keys)] = 1
        return data
    if kind == "out_of_range":
        counted = [(p, v) for p, v in paths if p and p[-1] in _COUNTED and isinstance(v, int) and p[0] != "parameters"]
        if counted:
            path, _ = draw(st.sampled_from(counted))
            return _set(data, path, draw(st.integers(max_value=-1)))
        return _set(data, ("run",), {"horizon": -1})
    required = [(parent, key) for parent, keys in _REQUIRED.items() for key in keys]
    for section, keys in _REQUIRED_IN_LISTS.items():
        items = data.get(section)
        for index, item in enumerate(items if isinstance(items, list) else []):
            required.extend(((section, index), key) for key in keys if isinstance(item, dict) and key in item)
    present = [(parent, key) for parent, key in required if key in _mapping_at(data, parent)]
    if not present:
        return [data]  # nothing left to remove: a top level that is a list is just as wrong
    parent, key = draw(st.sampled_from(present))
    del _get(data, parent)[key]
    return data


def _mapping_at(data: Any, path: Path_) -> dict[Any, Any]:
    try:
        found = _get(data, path)
    except (KeyError, IndexError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> bytes:
    """A bundled scenario with one to three changes, each of which alone makes it invalid."""
    data = copy.deepcopy(draw(st.sampled_from(_seed_data())))
    for _ in range(draw(st.integers(1, 3))):
        if not isinstance(data, dict) or not data:
            break
        data = draw(_mutation(data))
    return dump(data)


_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
)


@st.composite
def random_structures(draw: st.DrawFn) -> bytes:
    """Random YAML made of the schema's own key names and junk, nested; never with a ``run`` section."""
    keys = st.sampled_from([k for k in schema_keys() if k != "run"]) | junk_keys
    tree = st.recursive(
        _scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
        max_leaves=25,
    )
    top = draw(st.dictionaries(keys, tree, max_size=8) | tree)
    return dump(top)


junk_bytes = st.binary(max_size=400)


def invalid_documents() -> st.SearchStrategy[bytes]:
    """Documents that are never a valid scenario."""
    return mutated_scenarios() | random_structures() | junk_bytes


@st.composite
def edited_documents(draw: st.DrawFn) -> bytes:
    """A real scenario file with one to five text edits (lines or characters)."""
    lines = draw(st.sampled_from(seed_texts())).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 5))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        action = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "garble", "insert", "swap"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "indent":
            lines[index] = draw(st.sampled_from(["  ", " ", "\t", "    "])) + line
        elif action == "dedent":
            lines[index] = line.lstrip(" ")
        elif action == "garble":
            pos = draw(st.integers(0, max(len(line) - 1, 0)))
            char = draw(st.sampled_from([*":-[]{}#&*!|>'\"%@`,?~ \t", "x", "0", "\x00", "\x1b", "\ufeff", "é"]))
            lines[index] = line[:pos] + char + line[pos + 1 :]
        elif action == "insert":
            lines.insert(index, draw(st.text(max_size=40)) + "\n")
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    return "".join(lines).encode("utf-8", errors="surrogatepass")


def any_documents() -> st.SearchStrategy[bytes]:
    """Everything: always-invalid documents, edited real files, and YAML-like junk text."""
    yaml_like = st.text(st.sampled_from(list("ab:-[]{}#&*!|>'\" \t\n,?%@`0.~<\\")), max_size=120).map(
        lambda s: s.encode("utf-8")
    )
    return invalid_documents() | edited_documents() | yaml_like
