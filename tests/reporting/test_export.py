"""Static export: each figure as PNG/PDF with kaleido, the whole report as PDF; a clear exit without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from resilience.cli import main
from tests.reporting.results import browser_or_fail, copy_results


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_png_export_writes_every_figure(results_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    browser = browser_or_fail()
    monkeypatch.setenv("BROWSER_PATH", str(browser))
    directory = copy_results(results_dir, tmp_path / "results")
    code, out, err = _invoke("report", str(directory), "--lang", "en", "--format", "png")
    assert code == 0, err
    html = (directory / "report.html").read_text(encoding="utf-8")
    pngs = sorted((directory / "figures").glob("*.png"))
    assert len(pngs) >= 2 and len(pngs) == html.count("<figcaption>")
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
    assert "figures" in out


def test_pdf_export_writes_figures_and_the_whole_report(
    results_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    browser = browser_or_fail()
    monkeypatch.setenv("BROWSER_PATH", str(browser))
    directory = copy_results(results_dir, tmp_path / "results")
    code, _, err = _invoke("report", str(directory), "--format", "pdf")
    assert code == 0, err
    pdfs = sorted((directory / "figures").glob("*.pdf"))
    assert len(pdfs) >= 2 and all(p.read_bytes()[:5] == b"%PDF-" for p in pdfs)
    report = directory / "report.pdf"
    assert report.read_bytes()[:5] == b"%PDF-" and report.stat().st_size > 20_000


def test_export_without_a_browser_says_so_in_one_line(
    results_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    directory = copy_results(results_dir, tmp_path / "results")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    code, _, err = _invoke("report", str(directory), "--format", "png")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "browser" in err and "Traceback" not in err
    assert not (directory / "figures").exists()
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on PATH either
    code, _, err = _invoke("report", str(directory), "--format", "pdf")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "apt-get install chromium" in err
