"""The catalogue of levers: every setting with its default, range and source, for people to read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resilience.levers._registry import get_lever, lever_names

__all__ = ["LeverSetting", "lever_catalogue"]


@dataclass(frozen=True)
class LeverSetting:
    """One setting of one lever."""

    lever: str
    setting: str
    default: object
    low: float | None
    high: float | None
    description: str
    source: str
    description_nb: str = ""  # the description in Norwegian bokmål


def lever_catalogue() -> list[LeverSetting]:
    """Every setting of every registered lever, lever by lever in name order.

    >>> rows = lever_catalogue()
    >>> next(r for r in rows if r.lever == "attractiveness" and r.setting == "attractiveness_gain").low
    0.0
    """
    rows: list[LeverSetting] = []
    for name in lever_names():
        settings = get_lever(name).Settings
        defaults = settings()
        for field_name, field in settings.model_fields.items():
            extra: dict[str, Any] = dict(field.json_schema_extra) if isinstance(field.json_schema_extra, dict) else {}
            low, high = extra.get("x-range", (None, None))
            description = field.description or ""
            source = str(extra.get("x-source", ""))
            if source:
                description = description.split(" Source: ")[0]
            rows.append(
                LeverSetting(
                    lever=name,
                    setting=field_name,
                    default=getattr(defaults, field_name),
                    low=None if low is None else float(low),
                    high=None if high is None else float(high),
                    description=description,
                    source=source,
                    description_nb=str(extra.get("x-description-nb", "")),
                )
            )
    return rows
