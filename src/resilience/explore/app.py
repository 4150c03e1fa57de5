"""The explorer's page (Solara): a strategy, its levers' sliders, the uncertainties, and live figures.

The Solara server imports this module with the scenario's path in ``RESILIENCE_EXPLORE_SCENARIO`` (the
``resilience explore`` command sets it; see :mod:`resilience.explore._server`). Every change of a slider
re-runs the strategy and baseline in a thread (:func:`solara.use_thread`; a newer change cancels the run in
progress), on a small pool of local processes, and redraws the figures.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import solara as _solara

from resilience.config import Scenario
from resilience.explore._core import (
    Slider,
    WhatIf,
    default_values,
    explore_strategies,
    figures,
    run_what_if,
    strategy_sliders,
)
from resilience.explore._messages import text
from resilience.explore._pool import open_pool
from resilience.levers import get_lever
from resilience.reporting import format_number, format_percent
from resilience.reporting.figures import strategy_label

__all__ = ["SCENARIO_ENV", "WORKERS_ENV", "Page"]

#: Solara, to mypy: its stubs are partial, so the page treats it as untyped.
solara: Any = _solara

#: Environment variable with the scenario file's path.
SCENARIO_ENV = "RESILIENCE_EXPLORE_SCENARIO"
#: Environment variable with the number of worker processes (default: 2, or 1 on a one-core machine; 1 runs
#: in the server's own process).
WORKERS_ENV = "RESILIENCE_EXPLORE_WORKERS"
#: Where the page loads plotly.js from: the Solara server serves the plotly package's own copy.
PLOTLY_URL = "static/assets/plotly.min.js"


def _scenario() -> Scenario:
    from resilience.workflow import load_checked

    path = os.environ.get(SCENARIO_ENV)
    if not path:
        raise RuntimeError(f"set {SCENARIO_ENV} to a scenario file (or start with `resilience explore SCENARIO`)")
    return load_checked(Path(path))


SCENARIO = _scenario()


def _executor() -> Executor | None:
    """The shared pool of worker processes (started on first use), or None to run in this process."""
    workers = int(os.environ.get(WORKERS_ENV) or min(2, os.cpu_count() or 1))
    return open_pool(workers) if workers > 1 else None


def _humanise(name: str) -> str:
    words = name.replace("_", " ").replace(".", ": ")
    return words[:1].upper() + words[1:]


def _slider_label(slider: Slider, lang: str) -> str:
    if slider.kind == "run" or slider.name in ("start", "years"):
        return text(lang, slider.name)
    if slider.kind == "uncertainty" and "." in slider.name:  # lever.setting: the setting's name is enough
        return _humanise(slider.name.partition(".")[2])
    return _humanise(slider.name)


def _heading(tag: str, words: str) -> None:
    """A heading or paragraph of plain text (scenario names are text, never HTML; no Markdown, whose
    component would load mermaid from a CDN)."""
    solara.v.Html(tag=tag, children=[words])


@solara.component_vue("plotly_figure.vue")  # type: ignore[untyped-decorator]
def PlotlyFigure(figure: dict[str, Any], plotly_url: str, name: str, revision: int) -> None:
    """A plotly figure drawn by plotly.js in the browser (see plotly_figure.vue)."""


@solara.component  # type: ignore[untyped-decorator]
def SliderControl(slider: Slider, value: float, on_value: Any, lang: str) -> None:
    """One slider; integers step by one."""
    label = _slider_label(slider, lang)
    if slider.options is not None:
        solara.SliderValue(label, value=value, values=list(slider.options), on_value=on_value)
    elif slider.integer:
        solara.SliderInt(label, value=round(value), min=round(slider.low), max=round(slider.high), on_value=on_value)
    else:
        solara.SliderFloat(label, value=value, min=slider.low, max=slider.high, step=slider.step, on_value=on_value)


def _run(strategy: str, values: dict[str, float]) -> tuple[WhatIf, float]:
    started = time.perf_counter()
    result = run_what_if(SCENARIO, strategy, values, executor=_executor())
    return result, time.perf_counter() - started


@solara.component  # type: ignore[untyped-decorator]
def Page() -> None:
    """The explorer's page."""
    scenario = SCENARIO
    lang, set_lang = solara.use_state(scenario.language)
    names = explore_strategies(scenario)
    strategy, set_strategy = solara.use_state(names[0])
    sliders = solara.use_memo(lambda: strategy_sliders(scenario, strategy), [strategy])
    values, set_values = solara.use_state(default_values(sliders))
    if set(values) != {s.key for s in sliders}:  # a new strategy: its own sliders at their starting values
        values = default_values(sliders)
    frozen = json.dumps(sorted(values.items()))
    run = solara.use_thread(lambda: _run(strategy, values), dependencies=[strategy, frozen])
    revision = solara.use_memo(lambda: int(time.monotonic() * 1000), [strategy, frozen, lang, run.state])

    def choose(name: str) -> None:
        set_strategy(name)
        set_values(default_values(strategy_sliders(scenario, name)))

    def setter(key: str) -> Any:
        return lambda value: set_values({**values, key: float(value)})

    title = text(lang, "title", municipality=scenario.municipality.name or scenario.municipality.kommunenummer)
    solara.Title(title)
    with solara.Sidebar():
        solara.Select(
            label=text(lang, "strategy"),
            value=strategy,
            values=names,
            on_value=choose,
        )
        solara.Button(
            text(lang, "language"),
            on_click=lambda: set_lang("en" if lang == "nb" else "nb"),
            text=True,
            classes=["resilience-language"],
        )
        groups = (
            ("levers", [s for s in sliders if s.kind == "lever"]),
            ("uncertainties", [s for s in sliders if s.kind == "uncertainty"]),
            ("run", [s for s in sliders if s.kind == "run"]),
        )
        for group, members in groups:
            if not members:
                continue
            _heading("h3", text(lang, group))
            last_intervention = None
            for slider in members:
                intervention = slider.key.split(":")[1] if slider.kind == "lever" else None
                if intervention is not None and intervention != last_intervention and slider.lever:
                    _heading("h4", get_lever(slider.lever).titles.get(lang) or _humanise(slider.lever))
                last_intervention = intervention
                SliderControl(slider, values[slider.key], setter(slider.key), lang)

    with solara.Column(classes=["resilience-explore"]):
        _heading("h2", title)
        _heading("p", text(lang, "note"))
        if run.state == solara.ResultState.RUNNING or run.value is None:
            solara.ProgressLinear(True)
            solara.Text(text(lang, "running"), classes=["resilience-running"])
        if run.state == solara.ResultState.ERROR:
            solara.Error(text(lang, "failed", error=run.error))
        if run.value is not None:
            result, seconds = run.value
            _Results(scenario, result, seconds, lang, revision)


@solara.component  # type: ignore[untyped-decorator]
def _Results(scenario: Scenario, result: WhatIf, seconds: float, lang: str, revision: int) -> None:
    built = solara.use_memo(lambda: figures(scenario, result, lang), [result, lang])
    medians = result.medians()
    with solara.Row(classes=["resilience-numbers"]):
        for name in ("baseline", result.strategy):
            if name in medians:
                with solara.Card(strategy_label(name, lang), margin=0):
                    solara.Text(
                        format_number(medians[name], lang, 0 if medians[name].is_integer() else 1),
                        classes=[f"resilience-median-{'baseline' if name == 'baseline' else 'strategy'}"],
                        style={"font-size": "2em"},
                    )
                    solara.Text(text(lang, "population", year=result.horizon))
        if result.strategy != "baseline":
            paired = result.paired()
            with solara.Card(text(lang, "difference", year=result.horizon), margin=0):
                solara.Text(
                    text(
                        lang,
                        "difference_value",
                        median=format_number(paired["median"], lang, 1, sign=True),
                        low=format_number(paired["q05"], lang, 1, sign=True),
                        high=format_number(paired["q95"], lang, 1, sign=True),
                        p=format_percent(paired["p_better"], lang),
                    ),
                    classes=["resilience-difference"],
                )
    solara.Text(
        text(lang, "seconds", replications=result.replications, seconds=format_number(seconds, lang, 1)),
        classes=["resilience-timing"],
    )
    for key, title in (("population", "fan_title"), ("difference", "difference_title")):
        if key in built:
            _heading("h3", text(lang, title))
            PlotlyFigure(figure=json.loads(built[key].to_json()), plotly_url=PLOTLY_URL, name=key, revision=revision)
