"""Firms: creation, entrepreneurship and the exit of young firms."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from resilience.config import Sector
from resilience.model.sampling import weighted_sample
from resilience.model.state import Status

if TYPE_CHECKING:
    from resilience.model.agents import Firm
    from resilience.model.model import MunicipalityModel

__all__ = ["BASIC_SECTORS", "SECTORS", "create_firm", "sector_code", "step"]

#: Sectors in the scenario schema's order (a person's ``sector`` code is a position in this tuple).
SECTORS: tuple[str, ...] = tuple(sector.value for sector in Sector)
#: Basic (exporting) sectors: their jobs bring money in and drive the local multiplier.
BASIC_SECTORS: tuple[str, ...] = tuple(s for s in SECTORS if s not in (Sector.LOCAL_SERVICES, Sector.PUBLIC))


def sector_code(sector: str) -> int:
    """Position of ``sector`` in :data:`SECTORS`."""
    return SECTORS.index(sector)


def create_firm(
    model: MunicipalityModel,
    name: str,
    sector: str,
    jobs: int,
    *,
    cornerstone: bool = False,
    founded: int | None = None,
) -> Firm:
    """Add a firm (an instance of ``model.firm_class``) and return it."""
    firm = model.firm_class(model, len(model.firms), name, sector, jobs, cornerstone=cornerstone, founded=founded)
    model.firms.append(firm)
    return firm


def step(model: MunicipalityModel) -> None:
    """Young firms close with ``new_firm_exit_hazard``; residents start new firms at ``new_firm_rate``.

    A founder is a resident aged 25–60 in the labour force (the unemployed twice as likely: necessity
    entrepreneurship); the new firm has 1–3 jobs in tourism or local services, the founder holding one.
    """
    rng = model.streams["firms"]
    p = model.params
    for firm in model.firms:
        if firm.open and firm.founded is not None and rng.random() < p.new_firm_exit_hazard:
            firm.close()
            model.flows["firm_exits"] += 1

    pt = model.persons
    residents = pt.resident_rows()
    age = pt.age[residents]
    working_age = int(np.count_nonzero((age >= 20) & (age <= 66)))
    expected = p.new_firm_rate * working_age / 1000.0 * model.entrepreneurship
    status = pt.status[residents]
    eligible = residents[(age >= 25) & (age <= 60) & ((status == Status.EMPLOYED) | (status == Status.UNEMPLOYED))]
    # Founders are drawn at once, without replacement, in proportion to their weights.
    founders_wanted = min(int(rng.poisson(expected)), eligible.size)
    if founders_wanted == 0:
        return
    weights = np.where(pt.status[eligible] == Status.UNEMPLOYED, 2.0, 1.0)
    founders = eligible[weighted_sample(rng, weights, founders_wanted)]
    tourism = rng.random(founders_wanted) < p.new_firm_tourism_share
    jobs = rng.integers(1, 4, size=founders_wanted)
    for founder, in_tourism, size in zip(founders.tolist(), tourism.tolist(), jobs.tolist(), strict=True):
        sector = "tourism" if in_tourism else "local_services"
        firm = create_firm(model, f"New firm {model.year}-{len(model.firms)}", sector, size, founded=model.year)
        old = int(pt.employer[founder])
        if old >= 0:
            model.firms[old].note_departure()
        model.hire(firm, founder, np.empty(0, dtype=np.int64))
        model.flows["new_firms"] += 1
