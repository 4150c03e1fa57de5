"""Property tests: for any seed and any parameter values within their stated ranges, the model's
invariants hold every year and the accounting identity holds exactly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resilience.model import MunicipalityModel, Parameters
from resilience.testing import check_accounting_identity, check_model_invariants
from tests.conftest import scaled, traena_variant

SCENARIOS = {shock: traena_variant(shock=shock, horizon=2031) for shock in (True, False)}


@st.composite
def parameters(draw: st.DrawFn) -> Parameters:
    """Every parameter drawn from its own documented range."""
    values = {name: draw(st.floats(spec.low, spec.high, allow_nan=False)) for name, spec in Parameters.specs().items()}
    return Parameters().replace(**values)


@settings(max_examples=scaled(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), params=parameters(), shock=st.booleans())
def test_invariants_hold_for_any_seed_and_parameters_in_range(seed, params, shock):
    model = MunicipalityModel(SCENARIOS[shock], seed=seed, parameters=params)
    check_model_invariants(model)
    while model.running:
        model.step()
        check_model_invariants(model)
    frame = model.results()
    check_accounting_identity(frame)
    assert frame["population"].iloc[0] == 442
    assert (frame["jobs"] >= 0).all() and (frame["unemployed"] >= 0).all()


@settings(max_examples=scaled(8), deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_results(seed):
    a = MunicipalityModel(SCENARIOS[True], seed=seed).run()
    b = MunicipalityModel(SCENARIOS[True], seed=seed).run()
    assert a.equals(b)
