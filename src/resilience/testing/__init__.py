"""Invariant checks for models and results, public so researchers can check their own extensions.

    >>> model = MunicipalityModel(scenario, seed=1)            # doctest: +SKIP
    >>> while model.running:                                     # doctest: +SKIP
    ...     model.step()
    ...     check_model_invariants(model)
    >>> check_accounting_identity(model.results())              # doctest: +SKIP

Each check raises :class:`InvariantError` naming what is wrong, where, and the values seen.
:mod:`resilience.testing.strategies` holds hypothesis strategies that generate valid scenarios from the
configuration's own models (it needs hypothesis: ``pip install 'resilience[testing]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from resilience.model import MunicipalityModel

__all__ = [
    "InvariantError",
    "check_accounting_identity",
    "check_dwellings",
    "check_employment",
    "check_model_invariants",
]


class InvariantError(AssertionError):
    """An invariant of the model or of its results does not hold."""


def _fail(message: str, **values: Any) -> None:
    detail = ", ".join(f"{k}={v!r}" for k, v in values.items())
    raise InvariantError(f"{message} ({detail})" if detail else message)


def check_model_invariants(model: MunicipalityModel) -> None:
    """Check the model's state: people, households, dwellings, jobs and the network agree with each other."""
    pt, households, dwellings = model.persons, model.households, model.dwellings
    residents = pt.resident_rows()
    if residents.size and int(pt.age[residents].min()) < 0:
        _fail("negative age", year=model.year, min_age=int(pt.age[residents].min()))

    # Employment: nobody works for a closed firm; employers are valid firm indices.
    employer = pt.employer[residents]
    firms = employer[employer >= 0]
    if firms.size and int(firms.max()) >= len(model.firms):
        _fail("employer index out of range", year=model.year, max_index=int(firms.max()))
    closed = [f.index for f in model.firms if not f.open]
    working_for_closed = np.isin(firms, closed)
    if working_for_closed.any():
        _fail("residents employed by a closed firm", year=model.year, count=int(working_for_closed.sum()))
    for firm in model.firms:
        if firm.nonresident_workers < 0 or (not firm.open and firm.nonresident_workers):
            _fail("bad non-resident workers", year=model.year, firm=firm.name, value=firm.nonresident_workers)
    check_employment(model)

    # Households: every resident belongs to a present household whose member list holds them, and back.
    present_hh = np.flatnonzero(households.present[: households.n])
    member_count = 0
    for hh_row in present_hh.tolist():
        agent = model.household_agents[hh_row]
        if agent is None or not agent.members:
            _fail("present household without members", year=model.year, household=hh_row)
            return
        member_count += len(agent.members)
        rows = np.asarray(agent.members)
        if not (pt.present[rows].all() and (pt.household[rows] == hh_row).all()):
            _fail("household member list disagrees with persons", year=model.year, household=hh_row)
    if member_count != residents.size:
        _fail(
            "residents and household members differ",
            year=model.year,
            residents=int(residents.size),
            members=member_count,
        )

    # Dwellings: one household per dwelling, and the dwelling points back at it.
    homes = households.dwelling[present_hh]
    if np.unique(homes).size != homes.size or (homes < 0).any():
        _fail("a dwelling holds two households (or a household has none)", year=model.year)
    if not (dwellings.occupant[homes] == present_hh).all():
        _fail("dwelling occupant disagrees with household", year=model.year)
    occupied = np.flatnonzero(dwellings.occupant[: dwellings.n] >= 0)
    if occupied.size != present_hh.size:
        _fail(
            "occupied dwellings and households differ",
            year=model.year,
            occupied=int(occupied.size),
            households=int(present_hh.size),
        )

    check_dwellings(model)

    # Network: nodes are exactly the residents, every tie is recorded at both ends between two of them, and the
    # tie counts mirror the degrees.
    network = model.network
    nodes = network.nodes()
    if network.number_of_nodes() != residents.size or not np.array_equal(nodes, residents):
        _fail(
            "network nodes are not the residents",
            year=model.year,
            nodes=network.number_of_nodes(),
            residents=int(residents.size),
        )
    indptr, indices = network.adjacency()
    sources = np.repeat(np.arange(indptr.size - 1, dtype=np.int64), np.diff(indptr))
    targets = indices.astype(np.int64)
    if targets.size and not pt.present[targets].all():
        _fail("network ties to a non-resident", year=model.year, count=int((~pt.present[targets]).sum()))
    span = max(indptr.size - 1, 1)
    forward = sources * span + targets
    backward = np.sort(targets * span + sources)
    if (targets == sources).any() or not np.array_equal(forward, backward) or (np.diff(forward) <= 0).any():
        _fail("network ties are not symmetric, sorted and without self-ties", year=model.year)
    degrees = network.degree(residents)
    if not np.array_equal(degrees, pt.ties[residents].astype(np.int64)):
        _fail("tie counts differ from network degrees", year=model.year)

    # Agents: Mesa's agent registry holds exactly the residents and present households.
    from resilience.model.agents import Household, Person

    n_person_agents = sum(1 for a in model.agents if isinstance(a, Person))
    n_household_agents = sum(1 for a in model.agents if isinstance(a, Household))
    if n_person_agents != residents.size or n_household_agents != present_hh.size:
        _fail(
            "Mesa agents differ from residents/households",
            year=model.year,
            persons=n_person_agents,
            households=n_household_agents,
        )


def check_employment(model: MunicipalityModel) -> None:
    """Jobs and workers agree: no firm has more workers than jobs, and only the employed have an employer.

    For every open firm, resident employees plus non-resident workers are at most its jobs (``target_jobs``,
    rounded as in the ``jobs`` column); a resident has an employer (a firm here, or a job outside) exactly
    when their status is employed. :func:`check_model_invariants` calls it; it is public for a researcher's
    own labour process::

        model.step()
        check_employment(model)     # InvariantError: more workers than jobs (year=2027, firm='Fiskeindustri', ...)
    """
    from resilience.model.state import NO_ROW, Status

    employees = model.employees()
    for firm in model.firms:
        if not firm.open:
            continue
        workers = int(employees[firm.index]) + int(firm.nonresident_workers)
        jobs = round(firm.target_jobs)
        if workers > jobs:
            _fail("more workers than jobs", year=model.year, firm=firm.name, workers=workers, jobs=jobs)
    pt = model.persons
    residents = pt.resident_rows()
    has_employer = pt.employer[residents] != NO_ROW
    employed = pt.status[residents] == Status.EMPLOYED
    mismatch = has_employer != employed
    if mismatch.any():
        row = int(residents[np.flatnonzero(mismatch)[0]])
        _fail(
            "employer and labour status disagree",
            year=model.year,
            count=int(mismatch.sum()),
            person=row,
            status=Status(int(pt.status[row])).name,
            employer=int(pt.employer[row]),
        )


def check_dwellings(model: MunicipalityModel) -> None:
    """Each occupied dwelling holds a different household that is still present.

    With the checks in :func:`check_model_invariants` that every present household has a dwelling of its own,
    this makes occupied dwellings one-to-one with households, so never more than the dwellings there are.
    :func:`check_model_invariants` calls it::

        check_dwellings(model)      # InvariantError: dwelling occupied by a household that is gone (...)
    """
    dwellings, households = model.dwellings, model.households
    occupant = dwellings.occupant[: dwellings.n]
    occupied = occupant[occupant >= 0]
    if occupied.size and (int(occupied.max()) >= households.n or not households.present[occupied].all()):
        _fail("dwelling occupied by a household that is gone", year=model.year)
    if np.unique(occupied).size != occupied.size:
        _fail("one household occupies two dwellings", year=model.year)


def check_accounting_identity(timeseries: pd.DataFrame) -> None:
    """``population[y+1] = population[y] + births − deaths + in_migrants − out_migrants`` in every run."""
    from resilience.model.outputs import accounting_breaks

    keys = [k for k in ("strategy", "replication") if k in timeseries.columns]
    groups = timeseries.groupby(keys, sort=False) if keys else [((), timeseries)]
    for key, run in groups:
        columns = ("year", "population", "births", "deaths", "in_migrants", "out_migrants")
        bad = accounting_breaks(*(run[name].to_numpy() for name in columns))
        if bad.size:
            _fail("accounting identity broken", run=key, years=bad.tolist())
        if not (np.diff(np.sort(run["year"].to_numpy())) == 1).all():
            _fail("years are not consecutive", run=key)
