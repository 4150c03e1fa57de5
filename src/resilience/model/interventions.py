"""What the model asks of an intervention (the levers package implements it).

The model knows nothing about particular levers: each year, at the ``events`` point of the schedule, it resets
the yearly modifiers (:meth:`MunicipalityModel.reset_modifiers`) and calls :meth:`Intervention.apply` of every
intervention of the run's strategy, in the strategy's order; when a shock would close a firm, each intervention
may take over the closure (:meth:`Intervention.on_closure`, e.g. a rescue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from resilience.model.agents import Firm
    from resilience.model.model import MunicipalityModel

__all__ = ["Intervention"]


@runtime_checkable
class Intervention(Protocol):
    """An intervention as the model sees it."""

    def apply(self, model: MunicipalityModel) -> None:
        """Act on this year (if active): change modifiers, add dwellings, firms or jobs, book the year's costs."""

    def on_closure(self, model: MunicipalityModel, firm: Firm) -> bool:
        """Called before a shock closes ``firm``; return True if this intervention handled it instead."""
        ...
