"""Every model parameter is described for the report in both of its languages."""

from __future__ import annotations

from resilience.model.parameters import Parameters


def test_every_parameter_is_described_in_bokmal_and_english():
    specs = Parameters.specs()
    assert specs
    for name, spec in specs.items():
        assert spec.description.strip(), f"{name} has no English description"
        assert spec.description_nb.strip(), f"{name} has no bokmål description"
        assert spec.description_nb != spec.description, f"{name}: the bokmål description is the English one"
