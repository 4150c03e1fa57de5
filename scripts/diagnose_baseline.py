"""Diagnose the no-shock path: the model's births, deaths and net migration by age against SSB's history.

For each municipality, runs the scenario `resilience init` writes, without shocks or strategies, from the
base year, and sets each demographic component beside what SSB 07459 shows for the same years: births (the
0-year-olds a year later), deaths (the national mortality the model uses, applied to the real population), net
migration (the cohort-component residual). Prints one table; docs/diagnosis.md holds its findings.

    uv run python scripts/diagnose_baseline.py --base 2014 --years 5 --replications 10 1835 1834 1804 ...
"""

from __future__ import annotations

import argparse
import io

import numpy as np
import pandas as pd
from ruamel.yaml import YAML

from resilience.config import parse_scenario
from resilience.data import age_totals, population_series
from resilience.model import MunicipalityModel
from resilience.model.local_demography import AGE_GROUPS, cohort_residual, group_of_age, national_death_probability
from resilience.model.parameters import Parameters
from resilience.starting import starting_scenario

_GROUP_LABELS = [f"{first}-{last}" if last < 105 else f"{first}+" for first, last in AGE_GROUPS]


def _no_shock(kommune: str, base: int, horizon: int) -> str:
    yaml = YAML()
    document = yaml.load(starting_scenario(kommune, base))
    document["shocks"] = []
    document["strategies"] = {"baseline": []}
    document["uncertainties"] = {}
    document["run"]["horizon"] = horizon
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def observed(kommune: str, base: int, years: int) -> dict[str, float]:
    q = national_death_probability(Parameters())
    net_groups = np.zeros(len(AGE_GROUPS))
    births = deaths = net = 0.0
    for year in range(base, base + years):
        before, after = age_totals(year)[kommune], age_totals(year + 1)[kommune]
        n, _ = cohort_residual(before, after, q)
        net_groups += np.bincount(group_of_age(), weights=n, minlength=len(AGE_GROUPS))
        births += after[0]
        deaths += float((before * q).sum())
        net += n.sum()
    return {"births": births / years, "deaths": deaths / years, "net": net / years, "groups": net_groups / years}


def _ages(model: MunicipalityModel) -> np.ndarray:
    residents = model.persons.resident_rows()
    return np.bincount(np.minimum(model.persons.age[residents], 105), minlength=106)


def simulated(kommune: str, base: int, years: int, replications: int) -> dict[str, float]:
    scenario = parse_scenario(_no_shock(kommune, base, base + years - 1), f"{kommune}.yaml")
    q = national_death_probability(Parameters())
    rows = []
    groups = np.zeros(len(AGE_GROUPS))
    for seed in range(replications):
        model = MunicipalityModel(scenario, seed=seed)
        # The model's own net migration by age, measured as SSB's is: the cohort residual of its 1 January counts.
        before = _ages(model)
        while model.running:
            model.step()
            after = _ages(model)
            n, _ = cohort_residual(before, after, q)
            groups += np.bincount(group_of_age(), weights=n, minlength=len(AGE_GROUPS))
            before = after
        rows.append(model.results())
    frame = pd.concat(rows)
    keys = ["births", "deaths", "in_migrants", "out_migrants", "job_migrants", "return_migrants", "population"]
    mean = frame.groupby("year")[keys].mean()
    result: dict[str, float] = {k: float(mean[k].mean()) for k in keys}
    return result | {"end": float(mean["population"].iloc[-1]), "groups": groups / (replications * years)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kommuner", nargs="+")
    parser.add_argument("--base", type=int, default=2014)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    lines = []
    by_age: list[dict[str, object]] = []
    for kommune in args.kommuner:
        real = observed(kommune, args.base, args.years)
        model = simulated(kommune, args.base, args.years, args.replications)
        series = population_series(kommune)
        lines.append(
            {
                "kommune": kommune,
                "pop": int(series[args.base]),
                "births obs": round(real["births"], 1),
                "births sim": round(model["births"], 1),
                "deaths exp": round(real["deaths"], 1),
                "deaths sim": round(model["deaths"], 1),
                "net obs": round(real["net"], 1),
                "net sim": round(model["in_migrants"] - model["out_migrants"], 1),
                "in sim": round(model["in_migrants"], 1),
                "out sim": round(model["out_migrants"], 1),
                "job-led sim": round(model["job_migrants"], 1),
                "end obs": int(series[args.base + args.years]),
                "end sim": round(model["end"]),
            }
        )
        print(pd.DataFrame(lines[-1:]).to_string(index=False, header=len(lines) == 1), flush=True)
        by_age.append(
            {"kommune": kommune, "source": "SSB"} | dict(zip(_GROUP_LABELS, np.round(real["groups"], 1), strict=True))
        )
        by_age.append(
            {"kommune": kommune, "source": "model"}
            | dict(zip(_GROUP_LABELS, np.round(model["groups"], 1), strict=True))
        )
    print("\nNet migration a year by age group at the end of the year (persons):")
    print(pd.DataFrame(by_age).to_string(index=False))


if __name__ == "__main__":
    main()
