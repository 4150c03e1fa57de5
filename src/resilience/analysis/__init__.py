"""Analysis of ensemble results: fans, paired comparisons with baseline, resilience measures, costs and the
summary tables (plain pandas; no Mesa, no model here).

>>> from resilience.analysis import compare, summarise                    # doctest: +SKIP
>>> summary = summarise(timeseries, shock_year=2026)                     # summary.csv, doctest: +SKIP
>>> comparison = compare(timeseries, shock_year=2026)                    # comparison.csv, doctest: +SKIP
"""

from resilience.analysis.costs import COST_COLUMNS, PAYERS, cost_per_unit, cost_summary, total_costs
from resilience.analysis.frames import (
    BASELINE,
    JANUARY_STOCKS,
    QUANTILES,
    REFERENCE,
    base_year,
    default_years,
    horizon,
    quantile_label,
    quantile_values,
    require_columns,
    strategies,
    values_by_replication,
)
from resilience.analysis.paired import paired_difference, paired_quantiles, probability_better
from resilience.analysis.quantiles import fan, level_quantiles
from resilience.analysis.resilience_measures import (
    SECTOR_COLUMNS,
    herfindahl,
    hhi_change,
    recovery,
    resilience_summary,
    resistance,
    sector_columns,
)
from resilience.analysis.summary import KEY_OUTCOMES, OUTCOMES, compare, summarise

__all__ = [
    "BASELINE",
    "COST_COLUMNS",
    "JANUARY_STOCKS",
    "KEY_OUTCOMES",
    "OUTCOMES",
    "PAYERS",
    "QUANTILES",
    "REFERENCE",
    "SECTOR_COLUMNS",
    "base_year",
    "compare",
    "cost_per_unit",
    "cost_summary",
    "default_years",
    "fan",
    "herfindahl",
    "hhi_change",
    "horizon",
    "level_quantiles",
    "paired_difference",
    "paired_quantiles",
    "probability_better",
    "quantile_label",
    "quantile_values",
    "recovery",
    "require_columns",
    "resilience_summary",
    "resistance",
    "sector_columns",
    "strategies",
    "summarise",
    "total_costs",
    "values_by_replication",
]
