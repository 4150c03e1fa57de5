"""Each municipality's own demography, estimated from its past in SSB 07459 up to the base year.

Two numbers drive a municipality's path when nothing happens to it: how many children are born, and how many
people move in and out at each age. The national schedules get both wrong for almost every municipality (a
remote island loses its young adults, a suburb gains families), so they are estimated from the municipality's
own population counts in the years before the base year, and never from a later year:

- **Fertility level**: the children aged 0 on 1 January of year t + 1 against the births the national
  age-specific fertility would give the women living there on 1 January of year t. Their ratio multiplies the
  national schedule (``fertility_factor``).
- **Net migration by age**: the cohort-component residual. Of the persons aged a on 1 January of year t,
  ``P(t, a) × (1 − q(a))`` are expected alive a year later at age a + 1; whatever differs in ``P(t + 1, a + 1)``
  moved in or out (net), ``q`` being the model's national mortality. Summed over the years and divided by the
  persons exposed, by five-year age group, it is a yearly net-migration rate per resident.
- **Shrinkage**: a municipality of 300 residents moves a handful of persons a year, so each estimate is pulled
  toward its size class (empirical Bayes: the weight of the municipality's own estimate is the share of the
  spread between municipalities in the spread of its estimate).
- **The spread of the level**: how uncertain the mean of the past years' net-migration rates is as the level
  of the years to come (their year-to-year variation over the number of years, at least what chance alone
  gives); a scenario draws the level per replication from it (``net_migration_shift``).

Usage::

    >>> estimate = estimate_local_demography("1835", 2014)
    >>> estimate.period
    (2009, 2014)
    >>> 0.5 < estimate.fertility_factor < 2.0
    True
    >>> len(estimate.net_migration) == len(AGE_GROUPS)
    True
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from resilience.data import age_totals, available_years, national_male_share
from resilience.model.parameters import MAX_AGE, Parameters, fertility_by_age, mortality_by_age, move_rate_by_age

__all__ = [
    "AGE_GROUPS",
    "SIZE_CLASSES",
    "WINDOW_YEARS",
    "LocalDemography",
    "cohort_residual",
    "estimate_local_demography",
    "group_of_age",
    "national_death_probability",
]

#: Years of change before the base year that the estimates use (fewer where the data start later).
WINDOW_YEARS = 5
#: Five-year groups of age at the end of a year, the last open: (first age, last age).
AGE_GROUPS: tuple[tuple[int, int], ...] = (*((a, a + 4) for a in range(0, 80, 5)), (80, MAX_AGE))
#: Upper bounds of the size classes (residents in the base year) that small municipalities are shrunk toward.
SIZE_CLASSES: tuple[int, ...] = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
#: Persons who move together, on average: moves of households make net migration noisier than persons'.
_MOVERS_PER_MOVE = 1.7
#: The least spread of the level that a replication draws from (per resident per year): even a municipality
#: whose past years were alike can change course.
_MIN_LEVEL_SD = 0.002


def group_of_age() -> NDArray[np.int64]:
    """The index in :data:`AGE_GROUPS` of every single-year age 0..MAX_AGE."""
    groups = np.empty(MAX_AGE + 1, dtype=np.int64)
    for index, (first, last) in enumerate(AGE_GROUPS):
        groups[first : last + 1] = index
    return groups


@dataclass(frozen=True)
class LocalDemography:
    """What the model needs of a municipality's own past: fertility level and net migration by age.

    ``net_migration`` is per resident per year, by :data:`AGE_GROUPS` (age at the end of the year);
    ``level_sd`` is the spread, per resident per year, of the net-migration level a replication draws;
    ``period`` the first and last 1 January counted; ``own_weight`` how much of each estimate is the
    municipality's own (the rest its size class).

    >>> LocalDemography.national().fertility_factor
    1.0
    """

    fertility_factor: float = 1.0
    net_migration: tuple[float, ...] = field(default_factory=lambda: (0.0,) * len(AGE_GROUPS))
    level_sd: float = _MIN_LEVEL_SD
    period: tuple[int, int] | None = None
    kommunenummer: str | None = None
    own_weight: tuple[float, ...] = field(default_factory=lambda: (0.0,) * len(AGE_GROUPS))
    fertility_weight: float = 0.0

    @classmethod
    def national(cls) -> LocalDemography:
        """The national schedules alone: fertility as the country's, no net migration."""
        return cls()

    def net_migration_by_age(self) -> NDArray[np.float64]:
        """``net_migration`` spread to every single-year age 0..MAX_AGE."""
        return np.asarray(self.net_migration, dtype=np.float64)[group_of_age()]

    @property
    def net_migration_rate(self) -> float:
        """The mean of ``net_migration`` over the groups (unweighted): for messages, not for the model."""
        return float(np.mean(self.net_migration))


def cohort_residual(
    before: NDArray[np.int64], after: NDArray[np.int64], death_probability: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Net migration in one year by age at its end, and the persons exposed, from two 1 January counts.

    ``before`` and ``after`` are persons by single-year age (the last the open group) a year apart;
    ``death_probability`` the yearly chance of dying at each age. Age 0 has no residual (its births are not
    counted apart): both arrays are 0 there.

    >>> before = np.array([10, 10, 10]); after = np.array([9, 12, 10])
    >>> net, exposed = cohort_residual(before, after, np.zeros(3))
    >>> net.tolist(), exposed.tolist()
    ([0.0, 2.0, -10.0], [0.0, 11.0, 15.0])
    """
    survive = 1.0 - np.asarray(death_probability, dtype=np.float64)
    expected = np.zeros(before.size, dtype=np.float64)
    expected[1:] = before[:-1] * survive[:-1]
    expected[-1] += before[-1] * survive[-1]  # the open group stays in it
    net = np.asarray(after, dtype=np.float64) - expected
    net[0] = 0.0
    exposed = (expected + after) / 2.0
    exposed[0] = 0.0
    return net, exposed


@dataclass(frozen=True)
class _Window:
    """Every municipality's residuals over one window of years, by age group (rows: codes)."""

    codes: tuple[str, ...]
    period: tuple[int, int]
    net: NDArray[np.float64]  # (codes, groups)
    exposed: NDArray[np.float64]  # (codes, groups)
    yearly_net: NDArray[np.float64]  # (codes, years): all ages
    yearly_exposed: NDArray[np.float64]  # (codes, years)
    newborns: NDArray[np.float64]  # (codes,): aged 0 on 1 January after each year, summed
    expected_births: NDArray[np.float64]  # (codes,): births the national schedule gives, summed
    base_population: NDArray[np.float64]  # (codes,)


def national_death_probability(params: Parameters) -> NDArray[np.float64]:
    """The yearly chance of dying at each age that the model uses, the mean of men's and women's."""
    male = mortality_by_age(params.life_expectancy_male, params.gompertz_slope, params.makeham_constant)
    female = mortality_by_age(params.life_expectancy_female, params.gompertz_slope, params.makeham_constant)
    return np.asarray((male + female) / 2.0, dtype=np.float64)


@functools.lru_cache(maxsize=8)
def _window(base_year: int, params: Parameters) -> _Window | None:
    years = [y for y in available_years() if base_year - WINDOW_YEARS <= y <= base_year]
    if len(years) < 2:
        return None
    counts = {year: age_totals(year) for year in years}
    # A municipality enters with every year of the window under one code (no renumbering inside it).
    codes = tuple(sorted(set.intersection(*(set(c) for c in counts.values()))))
    groups = group_of_age()
    n_groups = len(AGE_GROUPS)
    q = national_death_probability(params)
    fertility = fertility_by_age(params.total_fertility_rate) * (1.0 - q[0] / 2.0)
    net = np.zeros((len(codes), n_groups))
    exposed = np.zeros((len(codes), n_groups))
    yearly_net = np.zeros((len(codes), len(years) - 1))
    yearly_exposed = np.zeros((len(codes), len(years) - 1))
    newborns = np.zeros(len(codes))
    expected_births = np.zeros(len(codes))
    for j, (year, following) in enumerate(itertools.pairwise(years)):
        female_share = 1.0 - national_male_share(year)
        for i, code in enumerate(codes):
            before, after = counts[year][code], counts[following][code]
            n, e = cohort_residual(before, after, q)
            net[i] += np.bincount(groups, weights=n, minlength=n_groups)
            exposed[i] += np.bincount(groups, weights=e, minlength=n_groups)
            yearly_net[i, j] = n.sum()
            yearly_exposed[i, j] = e.sum()
            newborns[i] += after[0]
            expected_births[i] += float((before * female_share * fertility).sum())
    base = np.array([counts[years[-1]][code].sum() for code in codes], dtype=np.float64)
    return _Window(
        codes=codes,
        period=(years[0], years[-1]),
        net=net,
        exposed=exposed,
        yearly_net=yearly_net,
        yearly_exposed=yearly_exposed,
        newborns=newborns,
        expected_births=expected_births,
        base_population=base,
    )


def _size_class(population: NDArray[np.float64]) -> NDArray[np.int64]:
    return np.searchsorted(np.asarray(SIZE_CLASSES), population, side="right").astype(np.int64)


def _shrink(
    own: NDArray[np.float64], variance: NDArray[np.float64], prior: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Empirical Bayes: each estimate toward its prior, weighted by the spread between estimates.

    ``own``, ``variance`` (of each estimate by chance) and ``prior`` are (codes, k); returns the shrunk
    estimates and their weights. The spread between municipalities beyond chance is measured per column, over
    all of them, by DerSimonian and Laird's moment estimator: precision-weighted, so that the many small
    municipalities, whose estimates are mostly chance, do not hide the real differences between large ones.
    """
    deviation = own - prior
    precision = 1.0 / np.maximum(variance, 1e-12)
    q = (precision * deviation**2).sum(axis=0)
    total = precision.sum(axis=0)
    scale = total - (precision**2).sum(axis=0) / total
    between = np.maximum((q - (own.shape[0] - 1)) / np.maximum(scale, 1e-12), 1e-12)
    weight = between / (between + variance)
    return weight * own + (1.0 - weight) * prior, weight


@functools.lru_cache(maxsize=512)
def _estimate(kommunenummer: str, base_year: int, params: Parameters) -> LocalDemography:
    window = _window(base_year, params)
    if window is None or kommunenummer not in window.codes:
        return LocalDemography.national()
    classes = _size_class(window.base_population)
    n_classes = len(SIZE_CLASSES) + 1

    # Net migration by age group, toward the pooled rate of the size class.
    with np.errstate(invalid="ignore", divide="ignore"):
        own = np.where(window.exposed > 0, window.net / window.exposed, np.nan)
    class_rate = np.zeros((n_classes, len(AGE_GROUPS)))
    for c in range(n_classes):
        members = classes == c
        if members.any():
            class_rate[c] = window.net[members].sum(axis=0) / np.maximum(window.exposed[members].sum(axis=0), 1.0)
    prior = class_rate[classes]
    # A net flow is the difference of two gross flows, each about the national rate of moving at that age,
    # and households move together: its variance by chance is about 2 × rate × persons per move / exposure.
    gross = np.bincount(group_of_age(), weights=move_rate_by_age(params.out_migration_scale), minlength=len(AGE_GROUPS))
    gross /= np.bincount(group_of_age(), minlength=len(AGE_GROUPS))
    variance = 2.0 * gross * _MOVERS_PER_MOVE / np.maximum(window.exposed, 1.0)
    own = np.where(np.isnan(own), prior, own)
    shrunk, weight = _shrink(own, variance, prior)

    # Fertility level: newborns against the national schedule's births, toward the class's ratio.
    ratio = window.newborns / np.maximum(window.expected_births, 1e-9)
    class_ratio = np.array(
        [
            window.newborns[classes == c].sum() / max(window.expected_births[classes == c].sum(), 1e-9)
            for c in range(n_classes)
        ]
    )
    fertility, fertility_weight = _shrink(
        ratio[:, None], (1.0 / np.maximum(window.expected_births, 1.0))[:, None], class_ratio[classes][:, None]
    )

    i = window.codes.index(kommunenummer)
    # The spread of the level: how uncertain the mean of the past years is as the level of the years to come
    # (their year-to-year variation over the number of years; at least what chance alone gives).
    yearly = window.yearly_net[i] / np.maximum(window.yearly_exposed[i], 1.0)
    chance = 2.0 * 0.05 * _MOVERS_PER_MOVE / max(float(window.yearly_exposed[i].mean()), 1.0)
    years = yearly.size
    variation = max(float(np.var(yearly, ddof=1)) if years > 1 else chance, chance)
    level_sd = float(np.sqrt(variation / years))
    return LocalDemography(
        fertility_factor=float(fertility[i, 0]),
        net_migration=tuple(float(v) for v in shrunk[i]),
        level_sd=max(level_sd, _MIN_LEVEL_SD),
        period=window.period,
        kommunenummer=kommunenummer,
        own_weight=tuple(float(v) for v in weight[i]),
        fertility_weight=float(fertility_weight[i, 0]),
    )


def estimate_local_demography(kommunenummer: str, base_year: int, params: Parameters | None = None) -> LocalDemography:
    """The municipality's own fertility level and net migration by age, from SSB 07459 before ``base_year``.

    Uses the 1 January counts of ``base_year − 5`` … ``base_year`` (fewer where the data start later) and
    nothing after ``base_year``. A municipality whose code is missing from one of those years (a merger or
    renumbering inside the window), or a base year with no earlier data, gets the national schedules
    (:meth:`LocalDemography.national`).

    >>> est = estimate_local_demography("1835", 2014)
    >>> est.kommunenummer, est.period
    ('1835', (2009, 2014))
    """
    return _estimate(str(kommunenummer), int(base_year), params or Parameters())
