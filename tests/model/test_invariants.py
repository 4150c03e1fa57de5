"""Invariants hold in every simulated year, with and without the closure."""

from __future__ import annotations

import pytest

from resilience.model import MunicipalityModel
from resilience.testing import check_accounting_identity, check_model_invariants
from tests.conftest import traena_variant


@pytest.mark.parametrize("shock", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_invariants_every_year(shock, seed):
    model = MunicipalityModel(traena_variant(shock=shock), seed=seed)
    check_model_invariants(model)
    while model.running:
        model.step()
        check_model_invariants(model)
    frame = model.results()
    check_accounting_identity(frame)
    assert list(frame["year"]) == list(range(2024, 2051))
    assert (frame[["population", "births", "deaths", "in_migrants", "out_migrants"]] >= 0).all().all()


def test_closed_firm_employs_nobody_after_closure():
    model = MunicipalityModel(traena_variant(shock=True), seed=4)
    while model.year <= 2026:
        model.step()
    firm = model.firm_named("Fiskeindustri")
    assert not firm.open
    assert int(model.employees()[firm.index]) == 0
    assert model.results().set_index("year").loc[2026, "displaced"] > 0


def test_identity_check_detects_a_broken_row(traena):
    frame = MunicipalityModel(traena_variant(horizon=2028), seed=1).run()
    frame.loc[2, "births"] += 1
    with pytest.raises(AssertionError, match="accounting identity"):
        check_accounting_identity(frame)
