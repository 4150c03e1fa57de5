"""JSON Schema of scenario files, for editors (completion, hover help, checks)."""

from __future__ import annotations

from typing import Any, Final

from ._schema import SCHEMA_VERSION, Scenario

__all__ = ["SCHEMA_ID", "scenario_json_schema"]

SCHEMA_ID: Final = f"urn:resilience:scenario-schema:v{SCHEMA_VERSION}"


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file.

    Save it as JSON and point the editor at it, e.g. with the line
    ``# yaml-language-server: $schema=scenario.schema.json`` at the top of a
    scenario file (VS Code's YAML extension)::

        >>> schema = scenario_json_schema()
        >>> schema["$schema"]
        'https://json-schema.org/draft/2020-12/schema'
        >>> schema["required"]
        ['schema_version', 'name', 'municipality', 'run']
    """
    body = Scenario.model_json_schema(mode="validation")
    body.pop("title", None)
    body.pop("description", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"resilience scenario (schema_version {SCHEMA_VERSION})",
        "description": (
            "A scenario for the resilience model: a municipality whose cornerstone company closes, "
            "its employers, the shocks that hit them, uncertain parameters and the strategies to compare."
        ),
        **body,
    }
