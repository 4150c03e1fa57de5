"""CITATION.cff is valid Citation File Format metadata and cites the version being shipped."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ("cff-version", "message", "title", "authors")


@pytest.fixture(scope="module")
def citation() -> dict[str, Any]:
    data = YAML(typ="safe").load(StringIO((ROOT / "CITATION.cff").read_text(encoding="utf-8")))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return dict(tomllib.load(handle)["project"])


def test_has_the_required_keys(citation):
    missing = [key for key in REQUIRED if not citation.get(key)]
    assert not missing, f"CITATION.cff lacks {missing}"
    assert citation["cff-version"] == "1.2.0"
    assert citation.get("type", "software") == "software"


def test_authors_are_named(citation):
    assert isinstance(citation["authors"], list) and citation["authors"]
    for author in citation["authors"]:
        assert author.get("name") or author.get("family-names"), author


def test_version_is_the_package_version(citation, project):
    assert str(citation["version"]) == project["version"] == version("resilience")


def test_licence_and_keywords_agree_with_pyproject(citation, project):
    if "license" in project:
        assert citation["license"] == project["license"]
    assert set(project.get("keywords", [])) <= set(citation["keywords"])
