"""Inter-municipal knowledge sharing."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from resilience.levers._base import Lever, LeverSettings, effect
from resilience.levers._registry import register_lever

__all__ = ["KnowledgeSharing"]


class KnowledgeSharingSettings(LeverSettings):
    cost_reduction: float = effect(
        0.15,
        0.0,
        0.3,
        "Assumption (MODEL.md): reusing what other municipalities built (Distriktssenteret's shared experience) "
        "lowers the cost of other levers; not estimated",
        "Share by which the cost of the strategy's other levers falls.",
        "Hvor mye billigere strategiens andre virkemidler blir (andel).",
        ge=0,
        le=0.9,
    )
    cost_nok_per_year: float = Field(
        default=200_000,
        ge=0,
        le=1e10,
        description="Cost per year, NOK.",
        json_schema_extra={"x-description-nb": "Kostnad per år, kroner."},
    )


@register_lever
class KnowledgeSharing(Lever):
    """Inter-municipal knowledge sharing.

    Mechanism: none on the municipality itself; every other lever of the same strategy costs
    ``cost_reduction`` less (the strategy builder sets their ``cost_factor``).
    """

    name = "knowledge_sharing"
    titles: ClassVar[dict[str, str]] = {
        "nb": "Interkommunal kunnskapsdeling",
        "en": "Inter-municipal knowledge sharing",
    }
    Settings = KnowledgeSharingSettings
    settings: KnowledgeSharingSettings
