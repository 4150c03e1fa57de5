"""Rules that involve more than one field of a scenario.

They work on *raw* data (what the YAML file holds), so that the loader can run
them even when some other field failed validation, and report all problems
of a file at once. A rule only looks at values that are themselves valid
(e.g. a shock year is compared with the base year only when both are
integers in range), so a single mistake is not reported twice.

The same functions guard the models when they are built directly in Python
(see the model validators in ``_schema``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ._errors import Location, did_you_mean, format_path
from ._messages import Message, join_messages

__all__ = ["Issue", "distribution_issues", "dwellings_issues", "scenario_issues"]

#: A rule violation: where (relative location) and what.
type Issue = tuple[Location, str]

type LineOf = Callable[[Location], int | None]

BASE_YEAR_RANGE = (1900, 2100)
YEAR_RANGE = (1900, 2200)


def _int(value: object, low: int | None = None, high: int | None = None) -> int | None:
    """``value`` if it is an int (not bool) within [low, high], else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def _num(value: object) -> float | None:
    """``value`` if it is a finite number (not bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _name(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def distribution_issues(data: object) -> list[Issue]:
    """Bounds rules of one uncertainty distribution (relative locations)."""
    d = _map(data)
    kind = d.get("distribution")
    low, high = _num(d.get("low")), _num(d.get("high"))
    issues: list[Issue] = []
    bounds_ok = low is None or high is None or low < high
    if not bounds_ok:
        issues.append(((), Message("low ({low}) must be less than high ({high})", low=low, high=high)))
    if kind == "triangular":
        mode = _num(d.get("mode"))
        if bounds_ok and low is not None and high is not None and mode is not None and not low <= mode <= high:
            message = Message(
                "must lie between low ({low}) and high ({high}), got {value}", low=low, high=high, value=mode
            )
            issues.append((("mode",), message))
    elif kind == "normal":
        mean = _num(d.get("mean"))
        if bounds_ok and mean is not None:
            if low is not None and mean < low:
                issues.append((("mean",), Message("must not be below low ({low}), got {value}", low=low, value=mean)))
            if high is not None and mean > high:
                issues.append(
                    (("mean",), Message("must not be above high ({high}), got {value}", high=high, value=mean))
                )
    elif kind == "choice":
        values, weights = d.get("values"), d.get("weights")
        if isinstance(values, list) and isinstance(weights, list):
            if values and len(weights) != len(values):
                message = Message(
                    "needs one weight per value: {values} values but {weights} weights",
                    values=len(values),
                    weights=len(weights),
                )
                issues.append((("weights",), message))
            else:
                numbers = [n for n in (_num(w) for w in weights) if n is not None and n >= 0]
                if weights and len(numbers) == len(weights) and sum(numbers) <= 0:
                    issues.append((("weights",), Message("the weights must not all be zero")))
    return issues


def dwellings_issues(data: object) -> list[Issue]:
    """Rules of the dwellings section (relative locations)."""
    d = _map(data)
    vacant, total = _int(d.get("vacant"), 0), _int(d.get("total"), 0)
    if vacant is not None and total is not None and vacant > total:
        message = Message(
            "cannot be more than the total number of dwellings ({total}), got {value}", total=total, value=vacant
        )
        return [(("vacant",), message)]
    return []


def _employer_issues(employers: list[Any], line_of: LineOf | None) -> list[Issue]:
    issues: list[Issue] = []
    first: dict[str, int] = {}
    for index, employer in enumerate(employers):
        name = _name(_map(employer).get("name"))
        if name is None:
            continue
        key = name.casefold()
        if key in first:
            where: Location = ("employers", first[key], "name")
            line = line_of(where) if line_of is not None else None
            place = Message("line {line}", line=line) if line is not None else format_path(where)
            message = Message("duplicate employer name '{name}'; first used on {place}", name=name, place=place)
            issues.append((("employers", index, "name"), message))
        else:
            first[key] = index
    return issues


def _shock_issues(shocks: list[Any], employers: object, base_year: int | None, horizon: int | None) -> list[Issue]:
    names: list[str] | None = None
    if isinstance(employers, list):
        found = [_name(_map(e).get("name")) for e in employers]
        # When an employer's name is itself broken, a reference to it cannot be judged.
        names = [n for n in found if n is not None] if None not in found else None
    issues: list[Issue] = []
    for index, shock in enumerate(shocks):
        s = _map(shock)
        employer = s.get("employer")
        if names is not None and isinstance(employer, str) and employer.strip():
            wanted = employer.strip()
            if wanted not in names:
                message = Message("no employer named '{name}'", name=wanted)
                hint = did_you_mean(wanted, names)
                if not hint:
                    if names:
                        hint = Message("the employers are: {names}", names=", ".join(names))
                    else:
                        hint = Message("no employers are listed")
                issues.append((("shocks", index, "employer"), join_messages(message, hint)))
        year = _int(s.get("year"), *YEAR_RANGE)
        if year is not None and base_year is not None and year < base_year:
            message = Message(
                "year {year} is before the base year {base_year} (municipality.base_year)",
                year=year,
                base_year=base_year,
            )
            issues.append((("shocks", index, "year"), message))
        elif year is not None and horizon is not None and year > horizon:
            message = Message(
                "year {year} is after the last simulated year {horizon} (run.horizon)", year=year, horizon=horizon
            )
            issues.append((("shocks", index, "year"), message))
    return issues


def scenario_issues(data: object, line_of: LineOf | None = None, *, nested: bool = True) -> list[Issue]:
    """All cross-field rules of a scenario, with absolute locations.

    ``line_of`` (location -> line) lets a message name the line of a related
    value, such as the first use of a duplicated employer name. With
    ``nested=False`` the rules of nested sections (distributions, dwellings)
    are left out, as their own models check them.
    """
    top = _map(data)
    municipality = _map(top.get("municipality"))
    run = _map(top.get("run"))
    base_year = _int(municipality.get("base_year"), *BASE_YEAR_RANGE)
    horizon = _int(run.get("horizon"), *YEAR_RANGE)
    issues: list[Issue] = []

    if base_year is not None and horizon is not None and horizon <= base_year:
        message: str = Message(
            "must be after the base year {base_year} (municipality.base_year), got {value}",
            base_year=base_year,
            value=horizon,
        )
        issues.append((("run", "horizon"), message))

    employers = top.get("employers")
    if isinstance(employers, list):
        issues.extend(_employer_issues(employers, line_of))
    shocks = top.get("shocks")
    if isinstance(shocks, list):
        issues.extend(_shock_issues(shocks, employers if "employers" in top else [], base_year, horizon))

    strategies = top.get("strategies")
    if isinstance(strategies, Mapping):
        baseline = strategies.get("baseline")
        if isinstance(baseline, list) and baseline:
            message = Message(
                "the baseline strategy means 'no interventions' and must be an empty list ([]); "
                "give these interventions their own strategy name"
            )
            issues.append((("strategies", "baseline"), message))

    if nested:
        for rel, message in dwellings_issues(municipality.get("dwellings")):
            issues.append((("municipality", "dwellings", *rel), message))
        uncertainties = top.get("uncertainties")
        if isinstance(uncertainties, Mapping):
            for name, distribution in uncertainties.items():
                for rel, message in distribution_issues(distribution):
                    issues.append((("uncertainties", name, *rel), message))
    return issues
