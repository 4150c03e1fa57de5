"""Validation: the model checked against published stylised facts (``resilience validate-model``)."""

from resilience.validation.stylised_facts import (
    STYLISED_FACTS,
    CheckResult,
    StylisedFact,
    ValidationRuns,
    format_results,
    run_validation,
    simulate,
    validation_replication,
)

__all__ = [
    "STYLISED_FACTS",
    "CheckResult",
    "StylisedFact",
    "ValidationRuns",
    "format_results",
    "run_validation",
    "simulate",
    "validation_replication",
]
