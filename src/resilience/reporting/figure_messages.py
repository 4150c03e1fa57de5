"""Texts of the report's figures (titles, captions, axis labels, legends) in bokmål and English.

Kept apart from :mod:`resilience.reporting.messages` (the rest of the report) so each catalogue stays readable;
:func:`resilience.reporting.messages.message` looks in both. Every key starts with ``fig_`` so that it never
shadows (or is shadowed by) a key of the report's own catalogue; both languages have the same keys.
"""

from __future__ import annotations

__all__ = ["FIGURE_MESSAGES"]

FIGURE_MESSAGES: dict[str, dict[str, str]] = {
    "nb": {
        # Names shared by the figures.
        "fig_baseline": "Ikke gjøre noe",
        "fig_no_shock": "Uten nedleggelsen (referanse)",
        "fig_observed": "Faktisk folketall (SSB)",
        "fig_shock": "Nedleggelse",
        "fig_year": "År",
        "fig_persons": "Personer",
        "fig_median": "Median",
        "fig_band50": "50 % av utfallene",
        "fig_band90": "90 % av utfallene",
        "fig_strategy": "Strategi",
        "fig_hover_fan": (
            "<b>{strategy}</b>, {year}<br>Median: {median}<br>50 % av utfallene: {q25} til {q75}<br>"
            "90 % av utfallene: {q05} til {q95}"
        ),
        "fig_hover_observed": "<b>Faktisk (SSB)</b>, {year}: {value}",
        # Outcomes of the small multiples.
        "fig_population": "Folketall",
        "fig_jobs": "Arbeidsplasser",
        "fig_unemployed": "Arbeidsledige",
        "fig_pupils": "Elever 6–15 år",
        "fig_budget_balance": "Budsjettbalanse (mill. kr)",
        # 1. History and projection.
        "fig_population_title": "Folketallet: historikk og framskriving",
        "fig_population_caption": (
            "Den svarte linjen er det faktiske folketallet fra SSB; hver farget linje er det midterste utfallet "
            "(medianen) med en strategi, og skyggen rundt viser hvor stort spennet av mulige utfall er – jo "
            "høyere en strategi ligger over «Ikke gjøre noe», jo flere bor igjen i kommunen."
        ),
        # 2. Small multiples.
        "fig_outcomes_title": "Folk, arbeid, skole og økonomi – strategi for strategi",
        "fig_outcomes_caption": (
            "Hver kolonne er én strategi og hver rad ett mål; den tynne linjen er «Ikke gjøre noe» og den grå "
            "stiplede er utviklingen uten nedleggelsen, så du kan se hvor mye hver strategi flytter kurven."
        ),
        "fig_hover_baseline_line": "<b>{strategy}</b>, {year}<br>Median: {median}",
        # 3. Difference from baseline.
        "fig_difference_title": "Flere eller færre innbyggere enn å ikke gjøre noe, ved slutten av perioden",
        "fig_difference_caption": (
            "Hvert punkt er én simulering med samme tilfeldigheter som «Ikke gjøre noe»; punkter over null "
            "betyr flere innbyggere med strategien, og prosenten sier hvor ofte strategien gir flere innbyggere."
        ),
        "fig_difference_axis": "Innbyggere mer enn «Ikke gjøre noe»",
        "fig_p_better": "{p} sjanse for flere",
        "fig_hover_difference": "<b>{strategy}</b><br>Simulering {replication}: {value} innbyggere",
        # 4. Pyramid.
        "fig_pyramid_title": "Alderssammensetning i startåret og ved slutten av perioden",
        "fig_pyramid_caption": (
            "Menn til venstre og kvinner til høyre, i femårsgrupper; de hule stolpene er befolkningen i "
            "startåret og de fylte er medianen ved slutten – smalere stolper nederst betyr færre barn og unge."
        ),
        "fig_men": "Menn {year}",
        "fig_women": "Kvinner {year}",
        "fig_age": "Alder",
        "fig_hover_pyramid": "<b>{group}</b> år, {year}: {value}",
        # 5. Sectors.
        "fig_sectors_title": "Arbeidsplasser etter næring",
        "fig_sectors_caption": (
            "Fargene viser hvor mange arbeidsplasser hver næring har (median av simuleringene) og den stiplede "
            "linjen hjørnesteinsbedriften; velg strategi i menyen for å se om kommunen blir mindre avhengig av "
            "én arbeidsgiver."
        ),
        "fig_cornerstone": "Hjørnesteinsbedrift",
        "fig_hover_sector": "<b>{sector}</b>, {year}: {value} ({share} av alle)",
        "fig_sector_fish_processing": "Fiskeindustri",
        "fig_sector_aquaculture": "Havbruk",
        "fig_sector_fishing": "Fiske",
        "fig_sector_tourism": "Reiseliv",
        "fig_sector_manufacturing": "Industri",
        "fig_sector_energy": "Energi",
        "fig_sector_other_basic": "Annen eksportnæring",
        "fig_sector_local_services": "Lokal tjenesteyting",
        "fig_sector_public": "Offentlig sektor",
        # 6. Components of change.
        "fig_components_title": "Hvorfor folketallet endrer seg",
        "fig_components_caption": (
            "Stolpene over null er fødte og innflyttere, under null døde og utflyttere (gjennomsnitt av "
            "simuleringene over hele perioden); diamanten er nettoendringen, så du ser om det er flytting "
            "eller aldring som driver utviklingen."
        ),
        "fig_births": "Fødte",
        "fig_deaths": "Døde",
        "fig_in_migrants": "Innflyttere",
        "fig_out_migrants": "Utflyttere",
        "fig_net": "Nettoendring",
        "fig_hover_component": "<b>{strategy}</b><br>{component}: {value}",
        # 7. Cost.
        "fig_cost_title": "Hva strategiene koster og hva de gir",
        "fig_cost_caption": (
            "Jo lenger til venstre, jo billigere, og jo høyere, jo flere innbyggere enn å ikke gjøre noe ved "
            "slutten av perioden; streken viser spennet som 90 % av simuleringene havner innenfor."
        ),
        "fig_cost_axis": "Samlet kostnad (mill. kr, gjennomsnitt)",
        "fig_hover_cost": (
            "<b>{strategy}</b><br>Kostnad: {cost} mill. kr<br>Innbyggere mer enn «Ikke gjøre noe»: {median}<br>"
            "90 % av utfallene: {q05} til {q95}"
        ),
        # Observed against simulated (the hindcast and the calibration fit; not one of the report's figures).
        "fig_fit_title": "Faktisk og simulert folketall",
        "fig_fit_observed": "observert (SSB 07459)",
        "fig_fit_median": "simulert median",
        "fig_fit_band": "simulert, 90 % av utfallene (5–95 %)",
        "fig_fit_year": "år (1. januar)",
        "fig_fit_residents": "innbyggere",
        "fig_hover_fit": (
            "{header}<br>observert (SSB 07459): {observed}<br>simulert median: {median}<br>"
            "90 % av utfallene: {p05} til {p95}"
        ),
        "fig_group_total": "alle aldre",
        "fig_group_age_0_15": "0–15 år",
        "fig_group_age_16_66": "16–66 år",
        "fig_group_age_67_plus": "67 år og eldre",
        "fig_hindcast_title": "{name}: faktisk folketall og simulert utvikling med tiltakene som faktisk ble gjort",
        "fig_calibration_title": "Kalibrering {start}–{end}: observert og simulert (aksepterte parametersett)",
        "fig_calibration_subtitle": "{method}, {accepted} av {samples} parametersett akseptert; {fitted}",
        "fig_abc_rejection": "ABC-forkastning",
    },
    "en": {
        "fig_baseline": "Do nothing",
        "fig_no_shock": "Without the closure (reference)",
        "fig_observed": "Observed population (SSB)",
        "fig_shock": "Closure",
        "fig_year": "Year",
        "fig_persons": "Persons",
        "fig_median": "Median",
        "fig_band50": "50 % of outcomes",
        "fig_band90": "90 % of outcomes",
        "fig_strategy": "Strategy",
        "fig_hover_fan": (
            "<b>{strategy}</b>, {year}<br>Median: {median}<br>50 % of outcomes: {q25} to {q75}<br>"
            "90 % of outcomes: {q05} to {q95}"
        ),
        "fig_hover_observed": "<b>Observed (SSB)</b>, {year}: {value}",
        "fig_population": "Population",
        "fig_jobs": "Jobs",
        "fig_unemployed": "Unemployed",
        "fig_pupils": "Pupils aged 6–15",
        "fig_budget_balance": "Budget balance (NOK million)",
        "fig_population_title": "Population: history and projection",
        "fig_population_caption": (
            "The black line is the real population from SSB; each coloured line is the middle outcome (the median) "
            "under a strategy and the shade around it shows how wide the range of possible outcomes is – the "
            "higher a strategy lies above “Do nothing”, the more people stay."
        ),
        "fig_outcomes_title": "People, work, school and money – strategy by strategy",
        "fig_outcomes_caption": (
            "Each column is one strategy and each row one measure; the thin line is “Do nothing” and the grey "
            "dashed one the path without the closure, so you can see how far each strategy moves the curve."
        ),
        "fig_hover_baseline_line": "<b>{strategy}</b>, {year}<br>Median: {median}",
        "fig_difference_title": "More or fewer residents than doing nothing, at the end of the period",
        "fig_difference_caption": (
            "Each dot is one simulation with the same chance events as “Do nothing”; dots above zero mean more "
            "residents with the strategy, and the percentage says how often the strategy gives more residents."
        ),
        "fig_difference_axis": "Residents more than “Do nothing”",
        "fig_p_better": "{p} chance of more",
        "fig_hover_difference": "<b>{strategy}</b><br>Simulation {replication}: {value} residents",
        "fig_pyramid_title": "Age structure in the first year and at the end of the period",
        "fig_pyramid_caption": (
            "Men on the left and women on the right, in five-year groups; the hollow bars are the population in "
            "the first year and the filled ones the median at the end – narrower bars at the bottom mean fewer "
            "children and young people."
        ),
        "fig_men": "Men {year}",
        "fig_women": "Women {year}",
        "fig_age": "Age",
        "fig_hover_pyramid": "<b>{group}</b> years, {year}: {value}",
        "fig_sectors_title": "Jobs by industry",
        "fig_sectors_caption": (
            "The colours show how many jobs each industry has (median of the simulations) and the dashed line "
            "the cornerstone firm; pick a strategy in the menu to see whether the municipality comes to depend "
            "less on one employer."
        ),
        "fig_cornerstone": "Cornerstone firm",
        "fig_hover_sector": "<b>{sector}</b>, {year}: {value} ({share} of all)",
        "fig_sector_fish_processing": "Fish processing",
        "fig_sector_aquaculture": "Aquaculture",
        "fig_sector_fishing": "Fishing",
        "fig_sector_tourism": "Tourism",
        "fig_sector_manufacturing": "Manufacturing",
        "fig_sector_energy": "Energy",
        "fig_sector_other_basic": "Other exporting industry",
        "fig_sector_local_services": "Local services",
        "fig_sector_public": "Public sector",
        "fig_components_title": "Why the population changes",
        "fig_components_caption": (
            "Bars above zero are births and people moving in, below zero deaths and people moving out (average "
            "of the simulations over the whole period); the diamond is the net change, so you see whether "
            "migration or ageing drives the trend."
        ),
        "fig_births": "Births",
        "fig_deaths": "Deaths",
        "fig_in_migrants": "Moving in",
        "fig_out_migrants": "Moving out",
        "fig_net": "Net change",
        "fig_hover_component": "<b>{strategy}</b><br>{component}: {value}",
        "fig_cost_title": "What the strategies cost and what they achieve",
        "fig_cost_caption": (
            "The further left, the cheaper, and the higher, the more residents than doing nothing at the end "
            "of the period; the whisker shows the range that 90 % of the simulations fall within."
        ),
        "fig_cost_axis": "Total cost (NOK million, average)",
        "fig_hover_cost": (
            "<b>{strategy}</b><br>Cost: NOK {cost} million<br>Residents more than “Do nothing”: {median}<br>"
            "90 % of outcomes: {q05} to {q95}"
        ),
        "fig_fit_title": "Observed and simulated population",
        "fig_fit_observed": "observed (SSB 07459)",
        "fig_fit_median": "simulated median",
        "fig_fit_band": "simulated, 90 % of outcomes (5–95 %)",
        "fig_fit_year": "year (1 January)",
        "fig_fit_residents": "residents",
        "fig_hover_fit": (
            "{header}<br>observed (SSB 07459): {observed}<br>simulated median: {median}<br>"
            "90 % of outcomes: {p05} to {p95}"
        ),
        "fig_group_total": "all ages",
        "fig_group_age_0_15": "ages 0–15",
        "fig_group_age_16_66": "ages 16–66",
        "fig_group_age_67_plus": "ages 67+",
        "fig_hindcast_title": "{name}: observed population and the simulated path with the interventions that happened",
        "fig_calibration_title": "Calibration {start}–{end}: observed and simulated (accepted parameter sets)",
        "fig_calibration_subtitle": "{method}, {accepted} of {samples} parameter sets accepted; {fitted}",
        "fig_abc_rejection": "ABC rejection",
    },
}
