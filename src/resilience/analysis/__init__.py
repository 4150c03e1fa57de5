"""Analysis of ensemble results: fans, paired comparisons with baseline, summaries (no Mesa here)."""

from resilience.analysis.summary import OUTCOMES, fan, paired_difference, summarise

__all__ = ["OUTCOMES", "fan", "paired_difference", "summarise"]
