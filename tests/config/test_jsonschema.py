"""The JSON Schema that editors use."""

from __future__ import annotations

import json
import re
from typing import Any

from resilience.config import SCHEMA_ID, Scenario, scenario_json_schema


def walk(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        out.append(node)
        for value in node.values():
            out.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(walk(value))
    return out


def test_schema_is_json_with_the_draft_and_id() -> None:
    schema = scenario_json_schema()
    again = json.loads(json.dumps(schema, ensure_ascii=False))
    assert again == schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] and schema["description"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False


def test_schema_lists_the_top_level_keys_in_order() -> None:
    schema = scenario_json_schema()
    assert list(schema["properties"]) == [
        "schema_version",
        "name",
        "description",
        "language",
        "municipality",
        "employers",
        "shocks",
        "uncertainties",
        "parameters",
        "strategies",
        "run",
    ]
    assert schema["required"] == ["schema_version", "name", "municipality", "run"]


def test_every_property_has_a_description() -> None:
    schema = scenario_json_schema()
    for node in walk(schema):
        for name, prop in (node.get("properties") or {}).items():
            assert isinstance(prop, dict)
            assert prop.get("description"), f"property {name!r} has no description"


def test_every_ref_resolves_and_unions_are_discriminated() -> None:
    schema = scenario_json_schema()
    defs = schema["$defs"]
    for node in walk(schema):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.startswith("#/$defs/") and ref.removeprefix("#/$defs/") in defs
    shocks = schema["properties"]["shocks"]["items"]
    assert shocks["discriminator"]["propertyName"] == "type"
    assert set(shocks["discriminator"]["mapping"]) == {"closure", "layoff"}
    distributions = schema["properties"]["uncertainties"]["additionalProperties"]
    assert set(distributions["discriminator"]["mapping"]) == {"uniform", "triangular", "normal", "choice"}


def test_schema_patterns_agree_with_validation() -> None:
    schema = scenario_json_schema()
    strategy = re.compile(schema["properties"]["strategies"]["propertyNames"]["pattern"])
    for good in ("baseline", "development_project", "bolig_og_næring", "plan-2", "2026"):
        assert strategy.search(good)
    for bad in ("my plan", "-x", ""):
        assert not strategy.search(bad)
    kommunenummer = schema["$defs"]["Municipality"]["properties"]["kommunenummer"]
    assert kommunenummer["pattern"] == "^[0-9]{4}$" and kommunenummer["type"] == "string"


def test_intervention_allows_lever_parameters() -> None:
    schema = scenario_json_schema()
    intervention = schema["$defs"]["Intervention"]
    assert intervention.get("additionalProperties", True) is not False
    assert intervention["required"] == ["lever"]
    assert Scenario.model_json_schema()["properties"].keys() == schema["properties"].keys()
