"""Static export of the report: each figure as PNG or PDF (kaleido) and the whole report as PDF (Chromium).

kaleido ≥ 1.0 drives a Chromium or Chrome browser that must be installed separately (Debian:
``apt-get install chromium``); kaleido itself is the optional extra ``resilience[export]``.

    >>> from resilience.reporting.export import find_browser
    >>> find_browser()                        # doctest: +SKIP
    PosixPath('/usr/bin/chromium')
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from resilience.reporting.report import FigureOut

__all__ = ["BROWSER_FLAGS", "FORMATS", "ExportError", "export_figures", "export_report_pdf", "find_browser"]

#: Static formats of ``resilience report --format``.
FORMATS = ("png", "pdf")
#: Where a Chromium or Chrome browser usually is, after ``BROWSER_PATH`` (the variable kaleido also reads).
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Flags for headless Chromium in containers and CI (no sandbox as root, no GPU, no background traffic).
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
#: Pixel size of an exported figure (the report's figures are responsive; a file needs a size).
_WIDTH, _HEIGHT, _SCALE = 1000, 560, 2


class ExportError(Exception):
    """Static export is not possible here (no browser, no kaleido) or failed; the message says why in a line."""


def find_browser() -> Path:
    """The Chromium/Chrome executable: ``BROWSER_PATH`` if set, else the first one on ``PATH``.

    Raises :class:`ExportError` when there is none (or ``BROWSER_PATH`` names no executable file).
    """
    from resilience.reporting.messages import message

    configured = os.environ.get("BROWSER_PATH")
    if configured:
        path = Path(configured)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ExportError(
            f"BROWSER_PATH={configured} is not an executable browser; {message('en', 'export_no_browser')}"
        )
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ExportError(message("en", "export_no_browser"))


def export_figures(
    figures: Sequence[FigureOut], directory: Path, fmt: str, *, browser: Path | None = None
) -> list[Path]:
    """Write each figure as ``directory/<figure id>.<fmt>`` with kaleido; returns the paths written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    browser = browser or find_browser()
    try:
        import kaleido  # noqa: F401  (only to say clearly when it is missing)
        import plotly.io as pio
    except ImportError:
        raise ExportError(
            "static export needs kaleido: install the extra, e.g. `uv sync --extra export` or "
            "`pip install 'resilience[export]'`"
        ) from None
    os.environ["BROWSER_PATH"] = str(browser)  # kaleido (choreographer) starts this browser
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for figure in figures:
        path = directory / f"{figure.id.removeprefix('fig-')}.{fmt}"
        try:
            data = pio.to_image(figure.figure, format=fmt, width=_WIDTH, height=_HEIGHT, scale=_SCALE)
        except Exception as error:  # kaleido's errors are many and private
            raise ExportError(f"exporting {figure.id} as {fmt} failed: {type(error).__name__}: {error}") from error
        _write_bytes(path, data)
        written.append(path)
    return written


def export_report_pdf(report: Path, target: Path, *, browser: Path | None = None, timeout: float = 120) -> Path:
    """Print ``report`` (report.html) to ``target`` with headless Chromium's ``--print-to-pdf``."""
    browser = browser or find_browser()
    with tempfile.TemporaryDirectory(prefix="resilience-pdf-") as tmp:
        out = Path(tmp) / "report.pdf"
        command = [
            str(browser),
            *BROWSER_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            "--virtual-time-budget=10000",  # let plotly draw before printing
            f"--print-to-pdf={out}",
            report.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ExportError(f"printing the report to PDF failed: {error}") from error
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ExportError(f"printing the report to PDF failed ({browser} exit {done.returncode}): {last}")
        _write_bytes(target, out.read_bytes())
    return target


def _write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never a half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
