"""Writing a scenario back as YAML, with every default filled in."""

from __future__ import annotations

import datetime as _dt
import enum
import io
import math
import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ._schema import Scenario

__all__ = ["dump_scenario"]


def _plain(value: Any, where: str) -> Any:
    """Convert ``value`` to data that YAML can write (dict, list, str, numbers, bool, None)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: cannot write the non-finite number {value}")
        return value
    if isinstance(value, enum.Enum):
        return _plain(value.value, where)
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(mode="json"), where)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, _dt.date | _dt.datetime | _dt.time):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return _plain(item(), where)
    raise TypeError(f"{where}: cannot write a value of type {type(value).__name__} as YAML")


class _Representer(RoundTripRepresenter):
    """Writes ``None`` as ``null`` (clearer than an empty value for a reader)."""


def _represent_null(representer: RoundTripRepresenter, _value: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


# add_representer on the subclass leaves ruamel's own RoundTripRepresenter untouched.
_Representer.add_representer(type(None), _represent_null)


def dump_scenario(scenario: Scenario, extra: Mapping[str, Any] | None = None) -> str:
    """The scenario as YAML text, with every default written out.

    Keys come in the order of the schema, text is kept as written (æ, ø, å),
    and the kommunenummer is quoted. ``extra`` adds top-level sections after
    the scenario, e.g. what a run resolved::

        dump_scenario(scenario, {"resolved": {"package_version": "0.1.0", "seeds": [11, 12]}})

    Without ``extra``, ``parse_scenario(dump_scenario(s)) == s``.
    """
    data: dict[str, Any] = scenario.model_dump(mode="json")
    data["municipality"]["kommunenummer"] = DoubleQuotedScalarString(data["municipality"]["kommunenummer"])
    for key, value in (extra or {}).items():
        if key in data:
            raise ValueError(f"extra section {key!r} would replace the scenario's own {key!r}")
        data[str(key)] = _plain(value, str(key))

    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096  # keep long texts on one line
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.Representer = _Representer
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
