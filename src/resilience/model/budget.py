"""A simple municipal budget (NOK per year).

Revenue: income tax from employed residents + a block grant per resident.
Costs: kindergarten per child 1–5, school per pupil 6–15, care per resident 80+, and a fixed cost of running
the municipality (administration, buildings, the school and health centre that must stay open however few
use them), calibrated so that the base year balances. Because the fixed part does not shrink with the
population, a shrinking municipality runs a deficit: the small-municipality squeeze councils know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from resilience.model.state import Status

if TYPE_CHECKING:
    from resilience.model.model import MunicipalityModel

__all__ = ["accounts", "calibrate_fixed_cost", "step"]


def accounts(model: MunicipalityModel) -> dict[str, float]:
    """This year's revenue and variable costs, before the fixed cost."""
    p = model.params
    pt = model.persons
    residents = pt.resident_rows()
    age = pt.age[residents]
    employed = int(np.count_nonzero(pt.status[residents] == Status.EMPLOYED))
    tax = p.tax_per_employed_nok * employed
    grant = p.grant_per_resident_nok * residents.size
    variable = (
        p.cost_per_child_1_5_nok * int(np.count_nonzero((age >= 1) & (age <= 5)))
        + p.cost_per_pupil_nok * int(np.count_nonzero((age >= 6) & (age <= 15)))
        + p.cost_per_resident_80_plus_nok * int(np.count_nonzero(age >= 80))
    )
    return {"tax_revenue": float(tax), "grant_revenue": float(grant), "variable_costs": float(variable)}


def calibrate_fixed_cost(model: MunicipalityModel) -> float:
    """The fixed cost that balances the budget in the model's current state (the base year)."""
    a = accounts(model)
    return float(np.round(a["tax_revenue"] + a["grant_revenue"] - a["variable_costs"]))


def step(model: MunicipalityModel) -> None:
    """Compute this year's budget into ``model.budget``."""
    a = accounts(model)
    if model.year == model.base_year:
        # Calibrated on the base year's own accounts, so the base year balances exactly.
        model.budget_fixed_cost = calibrate_fixed_cost(model)
    intervention_costs = float(model.intervention_costs.get("municipality", 0.0))
    balance = a["tax_revenue"] + a["grant_revenue"] - a["variable_costs"] - model.budget_fixed_cost
    model.budget = {
        **a,
        "fixed_costs": model.budget_fixed_cost,
        "budget_balance": balance - intervention_costs,
    }
