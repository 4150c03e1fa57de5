"""The HTML report: contents in both languages, numbers for the language, escaping, same bytes every time."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.reporting import format_number, render_report
from resilience.reporting.messages import MESSAGES, message
from resilience.workflow import report_inputs, write_report
from tests.reporting.results import HOSTILE, copy_results


class _Page(HTMLParser):
    """Every element id, every external resource, every <script> and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.external: list[str] = []
        self.scripts = 0
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(f"<{tag} {name}={value}>")
        if tag == "script":
            self.scripts += 1
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:
            self.text.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _report(directory: Path, lang: str) -> str:
    return write_report(directory, lang).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def own_copy(results_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_results(results_dir, tmp_path_factory.mktemp("copy") / "results")


def test_message_catalogues_have_the_same_keys_in_both_languages():
    assert set(MESSAGES["nb"]) == set(MESSAGES["en"])


def test_numbers_are_formatted_for_the_language():
    # Bokmål: decimal comma and a narrow no-break space (a thin space) between thousands.
    assert format_number(1234567.5, "nb", 1) == "1\u202f234\u202f567,5"
    assert format_number(1234567.5, "en", 1) == "1,234,567.5"
    assert format_number(float("nan"), "nb") == "–"
    assert format_number(None, "en") == "–"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_report_has_every_part_in_the_language(own_copy: Path, lang: str):
    html = _report(own_copy, lang)
    page = _page(html)
    text = " ".join(page.text)
    assert f'<html lang="{lang}">' in html
    # Self-contained: plotly.js once, inline; nothing loaded from elsewhere.
    assert page.external == []
    assert html.count("plotly.js v") <= 2 and html.count("Plotly.newPlot") >= 2
    assert "cdn.plot.ly" not in html.split("</head>")[1]
    # Title, summary (every strategy's readable title), how to read it, assumptions, provenance.
    assert message(lang, "title", name="Træna") in text
    summary = pd.read_csv(own_copy / "summary.csv")
    assert "summary" in page.ids and "how-to-read" in page.ids and "provenance" in page.ids
    for column in ("strategy", "cost", "population_median", "population_range", "p_better", "cost_per_resident"):
        assert message(lang, column) in text
    assert message(lang, "fig_baseline") in text
    assert html.count("<tr data-strategy=") == len(summary)
    assert "Tenk traena" in text and "Aquaculture" in text
    assert message(lang, "how_to_read_small") in text
    # Assumptions: the levers used with their settings, ranges and sources; the uncertainties; the parameters.
    assert message(lang, "levers_used") in text
    assert "jobs_per_million_nok" in text and "Oxford Research 2017" in text
    assert ("Utviklingsprogram (omstilling)" if lang == "nb" else "Business development programme") in text
    assert "local_multiplier" in text and message(lang, "dist_uniform", low="0", high="1") in text
    assert "total_fertility_rate" in text and "SSB: TFR 1.40" in text
    assert "<details" in html
    # Provenance: scenario name and hash, version, seed, replications, date, SSB attribution.
    assert "Træna: the fish-processing plant closes" in text
    for key in ("scenario_hash", "version", "seed", "replications", "created"):
        assert message(lang, key) in text
    assert re.search(r"<dd>[0-9a-f]{16}</dd>", html)
    assert re.search(r"<dd>\d{4}-\d{2}-\d{2}</dd>", html)
    assert ("Statistisk sentralbyrå" if lang == "nb" else "Statistics Norway") in text
    # Every figure with its fixed id, title and caption.
    figure_ids = [i for i in page.ids if i.startswith("fig-") and not i.endswith("-figure")]
    assert len(figure_ids) >= 2 and len(set(figure_ids)) == len(figure_ids)
    assert html.count("<figcaption>") == len(figure_ids)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_settings_and_parameters_are_described_in_the_reports_language(own_copy: Path, lang: str):
    from resilience.levers import lever_catalogue
    from resilience.model.parameters import Parameters

    text = " ".join(_page(_report(own_copy, lang)).text)
    # A lever setting with a source (an effect) and one without, and a model parameter.
    rows = {(r.lever, r.setting): r for r in lever_catalogue()}
    spec = Parameters.spec("local_multiplier")
    effect = rows["business_development", "jobs_per_million_nok"]
    plain = rows["business_development", "budget_nok_per_year"]
    described = [(r.description_nb, r.description) for r in (effect, plain, spec)]
    for nb, en in described:
        shown, hidden = (nb, en) if lang == "nb" else (en, nb)
        assert shown in text
        assert hidden not in text
    # Each lever's settings fold away under its title and where it is used; the summary stays in view.
    html = _report(own_copy, lang)
    assert '<details class="lever-settings">' in html and "<details open" not in html
    assert html.index('id="summary"') < html.index('id="how-to-read"') < html.index('<details class="lever-settings">')


def test_bokmal_numbers_use_decimal_comma_and_thin_space(own_copy: Path):
    html = _report(own_copy, "nb")
    summary = pd.read_csv(own_copy / "summary.csv").set_index("strategy")
    cost = summary.loc["omstilling", "cost_nok"]
    assert f"{format_number(cost, 'nb')} kr" in html
    assert "\u202f" in format_number(cost, "nb") and "\xa0" not in format_number(cost, "nb")
    english = _report(own_copy, "en")
    assert f"NOK {format_number(cost, 'en')}" in english and "," in format_number(cost, "en")


def test_same_results_give_the_same_bytes(own_copy: Path):
    first = _report(own_copy, "en")
    (own_copy / "timeseries.parquet").touch()  # a newer file time changes nothing
    assert _report(own_copy, "en") == first


def test_default_language_is_the_scenarios_and_the_cli_rewrites_it(own_copy: Path):
    result = CliRunner().invoke(main, ["report", str(own_copy)])
    assert result.exit_code == 0, result.output
    assert '<html lang="nb">' in (own_copy / "report.html").read_text(encoding="utf-8")


def test_scenario_texts_are_escaped(hostile_results_dir: Path):
    for lang in ("nb", "en"):
        html = _report(hostile_results_dir, lang)
        assert HOSTILE not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        page = _page(html)
        text = " ".join(page.text)
        assert text.count(HOSTILE) >= 3  # scenario name, municipality (title), description: shown as text
        assert page.scripts == 1 + html.count("Plotly.newPlot")  # plotly.js, then one script per figure


def test_strategy_names_are_escaped(results_dir: Path):
    timeseries, summary, context, details = report_inputs(results_dir, "en")
    rename = {"tenk_traena": HOSTILE}
    timeseries = timeseries.assign(strategy=timeseries["strategy"].replace(rename))
    summary = summary.assign(strategy=summary["strategy"].replace(rename))
    html = render_report(timeseries, summary, context, details)
    assert HOSTILE not in html
    text = " ".join(_page(html).text)
    assert HOSTILE in text
