"""The explorer's own texts, in Norwegian bokmål and English (the figures' texts are the report's)."""

from __future__ import annotations

__all__ = ["EXPLORE_MESSAGES", "text"]

EXPLORE_MESSAGES: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Hva om? {municipality}",
        "strategy": "Strategi",
        "language": "English",
        "levers": "Virkemidler",
        "uncertainties": "Usikre størrelser (låst til én verdi)",
        "run": "Kjøring",
        "horizon": "Siste år",
        "replications": "Simuleringer",
        "start": "Første år",
        "years": "Antall år",
        "running": "Regner …",
        "failed": "Kjøringen feilet: {error}",
        "population": "Folketall {year}, median",
        "difference": "Forskjell fra «Ikke gjøre noe» i {year} (samme simulering)",
        "difference_value": "{median} (90 %: {low} til {high}); {p} sjanse for flere",
        "seconds": "{replications} simuleringer per strategi, samme tilfeldige tall for begge, {seconds} s",
        "note": (
            "Hver skyveknapp kjører strategien og «Ikke gjøre noe» på nytt med de samme tilfeldige tallene, "
            "så forskjellen skyldes virkemidlene, ikke tilfeldighetene."
        ),
        "fan_title": "Folketallet: strategien mot «Ikke gjøre noe»",
        "difference_title": "Flere eller færre innbyggere enn å ikke gjøre noe",
    },
    "en": {
        "title": "What if? {municipality}",
        "strategy": "Strategy",
        "language": "Norsk",
        "levers": "Levers",
        "uncertainties": "Uncertain quantities (fixed at one value)",
        "run": "Run",
        "horizon": "Last year",
        "replications": "Replications",
        "start": "First year",
        "years": "Years",
        "running": "Running …",
        "failed": "The run failed: {error}",
        "population": "Population {year}, median",
        "difference": "Difference from “Do nothing” in {year} (same replication)",
        "difference_value": "{median} (90 %: {low} to {high}); {p} chance of more",
        "seconds": "{replications} replications per strategy, the same random numbers for both, {seconds} s",
        "note": (
            "Every slider runs the strategy and “Do nothing” again with the same random numbers, so the "
            "difference comes from the levers, not from chance."
        ),
        "fan_title": "Population: the strategy against “Do nothing”",
        "difference_title": "More or fewer residents than doing nothing",
    },
}


def text(lang: str, key: str, **values: object) -> str:
    """The explorer's text ``key`` in ``lang`` ('nb' or 'en'), formatted with ``values``."""
    return EXPLORE_MESSAGES[lang][key].format(**values)
