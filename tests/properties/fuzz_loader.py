"""Fuzz the scenario loader: many generated documents, each with a time limit, and a summary.

    uv run python tests/properties/fuzz_loader.py                      # 10 000 documents, 5 s limit each
    uv run python tests/properties/fuzz_loader.py --documents 50000 --seed 7 --timeout 2

Every document goes through what ``resilience validate`` does — :func:`resilience.workflow.parse_checked`: the
schema, then the checks above it — in a separate worker process, so that a hang is caught by the
time limit (the worker is killed and replaced) and a crash of the interpreter does not stop the run. A document
passes when it is accepted, or refused with a :class:`~resilience.config.ScenarioError` whose every problem is
one line ``fuzz.yaml:LINE: path: message``. Anything else — another exception (a traceback), a malformed
problem line, a dead worker, a document over the time limit — is a finding: it is counted, printed, and the
document saved under ``--findings`` (default ``fuzz-findings/``) to reproduce it.

The documents come from hypothesis (``tests/properties/documents.py``, seeded by ``--seed``): always-invalid
mutations of the bundled scenarios (wrong types, unknown keys, values out of range, required keys removed),
random YAML structures made of the schema's own keys, text edits of real scenario files, YAML-like junk text
and raw bytes. The exit code is 0 without findings, 1 with.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tests.` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

FILENAME = "fuzz.yaml"
WARM_UP = b'schema_version: 1\nname: w\nmunicipality: {kommunenummer: "1835", base_year: 2024}\nrun: {horizon: 2030}\n'
PROBLEM = re.compile(re.escape(FILENAME) + r":[1-9][0-9]*: \S.*?: \S.*")


def _worker(conn: Connection) -> None:
    """Check documents sent over ``conn`` until it closes; answer (outcome, detail, seconds) for each."""
    from resilience.config import ScenarioError
    from resilience.workflow import parse_checked

    while True:
        try:
            document = conn.recv_bytes()
        except EOFError:
            return
        start = time.perf_counter()
        try:
            try:
                parse_checked(document, FILENAME)
                problems = []
            except ScenarioError as error:
                problems = [str(p) for p in error.problems]
                if not problems:
                    raise AssertionError("ScenarioError without problems") from error
            bad = [p for p in problems if not PROBLEM.fullmatch(p)]
            if bad:
                outcome, detail = "malformed", bad
            else:
                outcome, detail = ("refused", problems) if problems else ("valid", [])
        except BaseException:
            outcome, detail = "traceback", [traceback.format_exc()]
        conn.send((outcome, detail, time.perf_counter() - start))


class Checker:
    """A worker process that checks one document at a time, replaced when it hangs or dies."""

    def __init__(self, timeout: float, target: Callable[[Connection], None] = _worker, warm_up: bool = True) -> None:
        self.timeout = timeout
        self.target = target  # another worker (and no warm-up) only in the tests of this harness
        self.warm_up = warm_up
        self.context = mp.get_context("spawn")
        self._start()

    def _start(self) -> None:
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=self.target, args=(child,), daemon=True)
        self.process.start()
        child.close()
        # The first document pays for imports and the population table; send one first so that the time limit
        # and "slowest document" measure the loader, not the start-up.
        if not self.warm_up:
            return
        self.conn.send_bytes(WARM_UP)
        if not self.conn.poll(max(self.timeout, 120.0)):
            raise RuntimeError("the fuzz worker did not start within 120 s")
        self.conn.recv()

    def check(self, document: bytes) -> tuple[str, list[str], float]:
        start = time.perf_counter()
        try:
            self.conn.send_bytes(document)
            if self.conn.poll(self.timeout):
                outcome, detail, seconds = self.conn.recv()
                return str(outcome), list(detail), float(seconds)
            outcome, detail = "hang", [f"no answer within {self.timeout:g} s"]
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self.process.join(self.timeout)
            outcome, detail = "crash", [f"the worker died (exit code {self.process.exitcode})"]
        self.restart()
        return outcome, detail, time.perf_counter() - start

    def restart(self) -> None:
        self.close()
        self._start()

    def close(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


#: Values quoted in messages vary with the document; the kinds of message do not.
_VARIABLE = re.compile(r"'[^']*'|\"[^\"]*\"|-?\d+(\.\d+)?(e[+-]?\d+)?|U\+[0-9A-F]{4}|0x[0-9A-F]{2}")


def message_kind(problem: str) -> str:
    """A problem line without its file, line, path and quoted values: one kind of message.

    >>> message_kind("fuzz.yaml:3: employers[0].jobs: must be at least 0, got -5")
    'must be at least #, got #'
    """
    message = problem.split(": ", 2)[-1]
    return _VARIABLE.sub("#", message)


@dataclass
class Summary:
    documents: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)
    slowest: tuple[float, bytes] = (0.0, b"")
    findings: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    def add(self, document: bytes, outcome: str, detail: list[str], seconds: float) -> None:
        self.documents += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if outcome == "refused":
            self.kinds.update(message_kind(p) for p in detail)
        if seconds > self.slowest[0]:
            self.slowest = (seconds, document)
        if outcome not in ("valid", "refused"):
            self.findings.append((outcome, detail, document))


def fuzz(documents: int, seed: int, timeout: float, progress: bool = True) -> Summary:
    """Check ``documents`` generated documents; see the module docstring."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from tests.properties.documents import any_documents, junk_bytes

    summary = Summary()
    checker = Checker(timeout)
    every = max(documents // 20, 1)

    def one(document: bytes) -> None:
        if summary.documents >= documents:
            return
        summary.add(document, *checker.check(document))
        if progress and summary.documents % every == 0:
            print(f"  {summary.documents} documents, {len(summary.findings)} findings", file=sys.stderr, flush=True)

    try:
        round_ = 0
        while summary.documents < documents:  # hypothesis may stop a round early; then another round, reseeded
            strategy = any_documents() | junk_bytes

            @hypothesis_seed(seed * 1_000 + round_)
            @settings(
                max_examples=documents - summary.documents,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(strategy)
            def feed(document: bytes) -> None:
                one(document)

            feed()
            round_ += 1
    finally:
        checker.close()
    return summary


def report(summary: Summary, elapsed: float, findings_dir: Path) -> str:
    outcomes = ", ".join(f"{name} {count}" for name, count in sorted(summary.outcomes.items()))
    seconds, document = summary.slowest
    lines = [
        f"documents: {summary.documents} in {elapsed:.0f} s ({summary.documents / max(elapsed, 1e-9):.0f} a second)",
        f"outcomes: {outcomes}",
        f"distinct messages (values masked): {len(summary.kinds)}",
        f"slowest document: {seconds * 1000:.0f} ms, {len(document)} bytes: {document[:80]!r}",
        f"findings (tracebacks, malformed lines, hangs, crashes): {len(summary.findings)}",
    ]
    if summary.findings:
        findings_dir.mkdir(parents=True, exist_ok=True)
        for number, (outcome, detail, doc) in enumerate(summary.findings):
            path = findings_dir / f"{number:04d}-{outcome}.yaml"
            path.write_bytes(doc)
            lines.append(f"  {outcome}: {path}: {detail[0].strip().splitlines()[-1][:200]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--documents", type=int, default=10_000, help="documents to check (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generator (default 0)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds allowed per document (default 5)")
    parser.add_argument("--findings", type=Path, default=Path("fuzz-findings"), help="where findings are saved")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    summary = fuzz(args.documents, args.seed, args.timeout, progress=not args.quiet)
    print(report(summary, time.perf_counter() - start, args.findings))
    return 1 if summary.findings else 0


if __name__ == "__main__":
    sys.exit(main())
