"""Texts of the report in Norwegian bokmål and English (one catalogue per language)."""

from __future__ import annotations

from resilience.reporting.figure_messages import FIGURE_MESSAGES

__all__ = ["MESSAGES", "message"]

MESSAGES: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Hva skjer med {name}?",
        "subtitle": "Befolkning, arbeidsplasser og kommuneøkonomi i {replications} simuleringer per strategi",
        "population_title": "Befolkning: historikk (SSB) og framskriving",
        "population_caption": (
            "Svart linje er SSBs faktiske folketall. Fargede linjer er medianen av simuleringene per strategi; "
            "skyggen viser 90 % av utfallene. Den stiplede linjen markerer sjokkåret."
        ),
        "jobs_title": "Arbeidsplasser i kommunen",
        "jobs_caption": "Median og 90 % av utfallene for antall arbeidsplasser per strategi.",
        "observed": "Faktisk (SSB)",
        "median": "median",
        "band": "90 % av utfallene",
        "shock": "sjokk",
        "year": "År",
        "persons": "Personer",
        "jobs": "Arbeidsplasser",
        "summary": "Sammendrag ved horisonten {horizon}",
        "strategy": "Strategi",
        "population_median": "Folketall (median)",
        "population_range": "90 % av utfallene",
        "jobs_median": "Arbeidsplasser (median)",
        "pupils_median": "Elever 6–15 år (median)",
        "p_better": "Sannsynlighet for flere innbyggere enn å ikke gjøre noe",
        "how_to_read": (
            "Slik leser du dette: I en liten kommune avgjør tilfeldigheter mye – noen få familier som flytter "
            "endrer folketallet merkbart. Derfor viser vi spennet av mulige utfall, ikke ett tall."
        ),
        "provenance": "Om beregningen",
        "scenario": "Scenario",
        "scenario_hash": "Scenario-sjekksum",
        "version": "Programversjon",
        "seed": "Rotfrø",
        "replications": "Replikasjoner",
        "created": "Laget",
        "baseline": "Ikke gjøre noe",
        "no_shock": "Uten nedleggelsen (referanse)",
    },
    "en": {
        "title": "What happens to {name}?",
        "subtitle": "Population, jobs and municipal budget in {replications} simulations per strategy",
        "population_title": "Population: history (SSB) and projection",
        "population_caption": (
            "The black line is SSB's real population. Coloured lines are the median of the simulations for "
            "each strategy; the shade holds 90 % of the outcomes. The dashed line marks the shock year."
        ),
        "jobs_title": "Jobs in the municipality",
        "jobs_caption": "Median and 90 % of outcomes of the number of jobs, per strategy.",
        "observed": "Observed (SSB)",
        "median": "median",
        "band": "90 % of outcomes",
        "shock": "shock",
        "year": "Year",
        "persons": "Persons",
        "jobs": "Jobs",
        "summary": "Summary at the horizon {horizon}",
        "strategy": "Strategy",
        "population_median": "Population (median)",
        "population_range": "90 % of outcomes",
        "jobs_median": "Jobs (median)",
        "pupils_median": "Pupils aged 6–15 (median)",
        "p_better": "Probability of more residents than doing nothing",
        "how_to_read": (
            "How to read this: in a small municipality chance matters a lot — a few families moving change the "
            "population noticeably. So we show the spread of possible outcomes, not one number."
        ),
        "provenance": "About this calculation",
        "scenario": "Scenario",
        "scenario_hash": "Scenario checksum",
        "version": "Package version",
        "seed": "Root seed",
        "replications": "Replications",
        "created": "Created",
        "baseline": "Do nothing",
        "no_shock": "Without the closure (reference)",
    },
}


def message(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` ('nb' or 'en'), formatted with ``values`` (report or figure catalogue)."""
    catalogue = MESSAGES[lang] if key in MESSAGES[lang] else FIGURE_MESSAGES[lang]
    return catalogue[key].format(**values)
