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
        "how_to_read_title": "Slik leser du dette",
        "how_to_read": (
            "I en liten kommune avgjør tilfeldigheter mye – noen få familier som flytter "
            "endrer folketallet merkbart. Derfor viser vi spennet av mulige utfall, ikke ett tall."
        ),
        "how_to_read_small": (
            "Hver strategi er simulert mange ganger med de samme tilfeldige trekningene. Medianen er det midterste "
            "utfallet; 90 % av utfallene ligger i spennet. Med få hundre innbyggere er spennet bredt, og en "
            "forskjell på noen få personer mellom to strategier kan være tilfeldig. Se etter forskjeller som holder "
            "i de fleste simuleringene (sannsynligheten for flere innbyggere enn å ikke gjøre noe), ikke bare i "
            "medianen. Jo færre simuleringer, jo mer usikre er tallene selv."
        ),
        "cost": "Kostnad i alt",
        "cost_per_resident": "Kostnad per innbygger beholdt",
        "resistance": "Motstandskraft (endring i folketall mot referansen ved sjokket)",
        "recovery": "Gjenhenting (andel simuleringer; median år)",
        "recovery_value": "{share} (median {years} år)",
        "nok_amount": "{amount} kr",
        "assumptions": "Forutsetninger",
        "levers_used": "Virkemidler som brukes",
        "no_levers": "Ingen strategi bruker virkemidler.",
        "used_by": "Brukes i",
        "setting": "Innstilling",
        "value": "Verdi",
        "range": "Rimelig spenn",
        "unit": "Enhet",
        "source": "Kilde",
        "no_source": "forutsetning (ingen kilde oppgitt)",
        "uncertainties": "Usikre størrelser (trekkes på nytt i hver simulering)",
        "no_uncertainties": "Scenariet har ingen usikre størrelser.",
        "parameter": "Parameter",
        "distribution": "Fordeling",
        "dist_uniform": "jevn fordeling {low} – {high}",
        "dist_triangular": "trekantfordeling {low} – {high}, mest sannsynlig {mode}",
        "dist_normal": "normalfordeling, gjennomsnitt {mean}, standardavvik {sd}",
        "dist_bounds": ", avgrenset til {low} – {high}",
        "dist_choice": "én av {values}",
        "model_parameters": "Modellens parametere",
        "parameters_summary": "Alle {n} parametere med verdi, rimelig spenn og kilde",
        "changed_note": "Uthevede verdier er satt eller gjort usikre i scenariet.",
        "figures": "Figurer",
        "contents": "Innhold",
        "unknown": "ukjent",
        "export_no_browser": (
            "fant ingen Chromium- eller Chrome-nettleser for eksport (installer f.eks. med "
            "'apt-get install chromium', eller sett BROWSER_PATH)"
        ),
        "provenance": "Om beregningen",
        "scenario": "Scenario",
        "scenario_hash": "Scenario-sjekksum",
        "version": "Programversjon",
        "seed": "Rotfrø",
        "replications": "Replikasjoner",
        "created": "Laget",
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
        "how_to_read_title": "How to read this",
        "how_to_read": (
            "In a small municipality chance matters a lot — a few families moving change the "
            "population noticeably. So we show the spread of possible outcomes, not one number."
        ),
        "how_to_read_small": (
            "Each strategy is simulated many times with the same random draws. The median is the middle outcome; "
            "90 % of the outcomes lie in the range. With a few hundred residents the range is wide, and a "
            "difference of a few people between two strategies may be chance. Look for differences that hold in "
            "most simulations (the probability of more residents than doing nothing), not only in the median. "
            "The fewer the simulations, the less certain the numbers themselves."
        ),
        "cost": "Total cost",
        "cost_per_resident": "Cost per resident retained",
        "resistance": "Resistance (change in population against the reference at the shock)",
        "recovery": "Recovery (share of simulations; median years)",
        "recovery_value": "{share} (median {years} years)",
        "nok_amount": "NOK {amount}",
        "assumptions": "Assumptions",
        "levers_used": "Levers used",
        "no_levers": "No strategy uses a lever.",
        "used_by": "Used in",
        "setting": "Setting",
        "value": "Value",
        "range": "Plausible range",
        "unit": "Unit",
        "source": "Source",
        "no_source": "assumption (no source given)",
        "uncertainties": "Uncertain quantities (drawn anew in each simulation)",
        "no_uncertainties": "The scenario has no uncertain quantities.",
        "parameter": "Parameter",
        "distribution": "Distribution",
        "dist_uniform": "uniform {low} – {high}",
        "dist_triangular": "triangular {low} – {high}, most likely {mode}",
        "dist_normal": "normal, mean {mean}, standard deviation {sd}",
        "dist_bounds": ", bounded to {low} – {high}",
        "dist_choice": "one of {values}",
        "model_parameters": "Model parameters",
        "parameters_summary": "All {n} parameters with value, plausible range and source",
        "changed_note": "Values in bold are set or made uncertain by the scenario.",
        "figures": "Figures",
        "contents": "Contents",
        "unknown": "unknown",
        "export_no_browser": (
            "no Chromium or Chrome browser found for export (install one, e.g. 'apt-get install chromium', "
            "or set BROWSER_PATH)"
        ),
        "provenance": "About this calculation",
        "scenario": "Scenario",
        "scenario_hash": "Scenario checksum",
        "version": "Package version",
        "seed": "Root seed",
        "replications": "Replications",
        "created": "Created",
    },
}


def message(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` ('nb' or 'en'), formatted with ``values`` (report or figure catalogue)."""
    catalogue = MESSAGES[lang] if key in MESSAGES[lang] else FIGURE_MESSAGES[lang]
    return catalogue[key].format(**values)
