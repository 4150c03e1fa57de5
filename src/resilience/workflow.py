"""The end-to-end workflows the CLI and notebooks share: check, run, summarise and report.

This module sits above every layer (config → model → experiments → analysis → reporting) and only wires
them together.

    >>> from resilience.workflow import run_scenario_file
    >>> out = run_scenario_file("scenarios/traena.yaml", "results/traena", replications=4)  # doctest: +SKIP
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd
from ruamel.yaml import YAML

from resilience.analysis import compare, summarise
from resilience.config import (
    Document,
    EnsembleEstimate,
    Message,
    Problem,
    Scenario,
    ScenarioError,
    did_you_mean,
    dump_scenario,
    estimate_ensemble,
    join_messages,
    load_scenario,
    machine_memory_bytes,
    parse_scenario,
    scenario_problem,
    sort_problems,
)
from resilience.data import SSB_ATTRIBUTION, population_series
from resilience.experiments import (
    COMPARISON,
    FAILURES,
    FIGURES,
    NO_SHOCK,
    REPORT,
    REPORT_PDF,
    RESOLVED,
    SUMMARY,
    TIMESERIES,
    EnsembleFailures,
    EnsembleInterrupted,
    EnsembleManifest,
    ExecutorKind,
    ResultsDamagedError,
    ResultsWriteError,
    RunStore,
    RunTask,
    atomic_write,
    atomic_write_text,
    check_resumable,
    discard_unfinished,
    file_checksum,
    hold_results_dir,
    open_executor,
    plan_runs,
    prepare_results_dir,
    raise_if_stopped,
    read_timeseries,
    resume_results_dir,
    scenario_checksum,
    signal_of,
    stream_ensemble,
    verify_results,
)
from resilience.levers import intervention_problems, lever_name_problems
from resilience.model import Parameters
from resilience.reporting import (
    LeverUse,
    ReportContext,
    ScenarioDetails,
    Setting,
    Uncertainty,
    build_figures,
    render_report,
)
from resilience.starting import starting_scenario  # re-exported: the writer lives in resilience.starting

__all__ = [
    "check_scenario",
    "estimate_scenario",
    "load_checked",
    "package_version",
    "parse_checked",
    "report_inputs",
    "run_scenario",
    "run_scenario_file",
    "starting_scenario",
    "write_report",
]


def package_version() -> str:
    """The installed version of resilience."""
    return version("resilience")


def check_scenario(scenario: Scenario) -> list[Problem]:
    """Problems the schema cannot see: parameter names, levers, data for the municipality and year.

    >>> check_scenario(load_scenario("scenarios/traena.yaml"))   # doctest: +SKIP
    []
    """
    from resilience.data import UnknownMunicipalityError, YearNotAvailableError, municipality_population

    problems: list[Problem] = []
    known = Parameters.names()
    for section in ("parameters", "uncertainties"):
        for name in getattr(scenario, section):
            if section == "uncertainties" and "." in name:
                continue  # a lever setting, checked with the levers
            if name not in known:
                problems.append(scenario_problem(scenario, (section, name), _unknown_parameter(name, known)))
    problems.extend(scenario_problem(scenario, where, message) for where, message in intervention_problems(scenario))
    if NO_SHOCK in scenario.strategies:
        message = Message("'{name}' is reserved for the reference run without shocks", name=NO_SHOCK)
        problems.append(scenario_problem(scenario, ("strategies", NO_SHOCK), message))
    kommune = scenario.municipality.kommunenummer
    try:
        municipality_population(kommune, scenario.municipality.base_year)
    except UnknownMunicipalityError as error:
        problems.append(scenario_problem(scenario, ("municipality", "kommunenummer"), _unknown_kommune(error)))
    except YearNotAvailableError as error:
        problems.append(scenario_problem(scenario, ("municipality", "base_year"), _year_not_available(error)))
    return problems


def estimate_scenario(
    scenario: Scenario, *, cores: int | None = None, memory_bytes: int | None = None
) -> EnsembleEstimate:
    """About how long ``resilience run`` of ``scenario`` takes and how much memory it needs, on this machine.

    The starting population comes from the bundled SSB data; ``cores`` and ``memory_bytes`` default to this
    machine's (the run command starts one worker per core). See :func:`resilience.config.estimate_ensemble`.

    >>> print(estimate_scenario(load_checked("scenarios/traena.yaml")).message())   # doctest: +SKIP
    estimate: 140 runs, about 15 s on 2 cores, peak memory about 1.1 GB (from benchmark figures)
    """
    from resilience.data import municipality_population

    residents = municipality_population(scenario.municipality.kommunenummer, scenario.municipality.base_year).total
    return estimate_ensemble(
        scenario,
        residents,
        cores=cores or os.cpu_count() or 1,
        memory_bytes=machine_memory_bytes() if memory_bytes is None else memory_bytes,
    )


def _document_problems(document: Document) -> list[Problem]:
    """The name checks of :func:`check_scenario` on a document the schema refused: lever names, and the
    model parameters named in ``parameters`` and ``uncertainties``."""
    data = document.data if isinstance(document.data, dict) else {}
    found = [document.problem(where, message) for where, message in lever_name_problems(data.get("strategies"))]
    known = Parameters.names()
    for section in ("parameters", "uncertainties"):
        names = data.get(section)
        if not isinstance(names, dict):
            continue
        for name in names:
            if isinstance(name, str) and "." not in name and name not in known:
                found.append(document.problem((section, name), _unknown_parameter(name, known)))
    return found


def _unknown_parameter(name: str, known: Sequence[str]) -> str:
    return join_messages(Message("unknown model parameter '{name}'", name=name), did_you_mean(name, list(known)))


def _year_spans(years: Sequence[int]) -> str:
    """``[2005, 2006, 2007, 2010]`` -> ``"2005–2007, 2010"``."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _unknown_kommune(error: Any) -> str:
    """The data layer's refusal of a kommunenummer, as a message in English and bokmål."""
    from resilience.data import available_years, municipalities

    table = municipalities()
    names = dict(zip(table["kommunenummer"], table["name"], strict=True))
    years = available_years()
    return Message(
        "unknown kommunenummer '{code}': SSB table 07459 has no such municipality in {first}–{last}; "
        "nearest codes: {nearest}",
        code=error.kommunenummer,
        first=years[0],
        last=years[-1],
        nearest=", ".join(f"{code} {names.get(code, '')}".strip() for code in error.nearest),
    )


def _year_not_available(error: Any) -> str:
    """The data layer's refusal of a base year, as a message in English and bokmål."""
    from resilience.data import municipalities

    span = _year_spans(list(error.available))
    if error.kommunenummer is None:
        return Message("no SSB 07459 population for {year}: available years are {span}", year=error.year, span=span)
    table = municipalities()
    name = dict(zip(table["kommunenummer"], table["name"], strict=True)).get(error.kommunenummer, "")
    # Codes change when municipalities merge or split: point to the code the same name has that year.
    successors = sorted(
        str(code)
        for code, other, first, last in zip(
            table["kommunenummer"], table["name"], table["first_year"], table["last_year"], strict=True
        )
        if other == name and first <= error.year <= last
    )
    message = Message(
        "{code} {name} has no population for {year} (available: {span})",
        code=error.kommunenummer,
        name=name,
        year=error.year,
        span=span,
    )
    if successors:
        hint = Message("in {year} {name} has code {codes}", year=error.year, name=name, codes=", ".join(successors))
        return join_messages(message, hint)
    return message


def load_checked(path: str | os.PathLike[str]) -> Scenario:
    """Load a scenario and run :func:`check_scenario`; raise :class:`ScenarioError` with every problem.

    When the schema refuses the file, the names it cannot check (levers, model parameters) are still
    checked on what was read, so that every problem is reported at once.
    """
    return _checked(lambda: load_scenario(path))


def parse_checked(text: str | bytes, filename: str = "<string>") -> Scenario:
    r""":func:`load_checked` for the text of a scenario (``filename`` is only used in messages).

    >>> parse_checked("schema_version: 1\nname: x\nmunicipality: {kommunenummer: '1835', base_year: 2024}\n"
    ...               "run: {horizon: 2030}\nparameters: {out_migration_scael: 1.0}\n", "x.yaml")
    Traceback (most recent call last):
    ...
    resilience.config._errors.ScenarioError: x.yaml:5: parameters.out_migration_scael: unknown model parameter ...
    """
    return _checked(lambda: parse_scenario(text, filename))


def _checked(read: Callable[[], Scenario]) -> Scenario:
    try:
        scenario = read()
    except ScenarioError as error:
        if error.document is None:
            raise
        more = _document_problems(error.document)
        if not more:
            raise
        raise ScenarioError(sort_problems([*error.problems, *more]), document=error.document) from None
    problems = check_scenario(scenario)
    if problems:
        # In file order, like the schema's problems (sorted is stable: same line, order found).
        raise ScenarioError(sorted(problems, key=lambda problem: problem.line or 0))
    return scenario


def _scenario_hash(text: str) -> str:
    """Checksum of a resolved scenario: its text without the date it was run (same run, same checksum)."""
    kept = [line for line in text.splitlines(keepends=True) if not line.startswith(_CREATED_LINE)]
    return hashlib.sha256("".join(kept).encode("utf-8")).hexdigest()[:16]


#: How ``resolved.created`` is written in scenario.resolved.yaml (two-space indent under ``resolved:``).
_CREATED_LINE = "  created: "


@contextmanager
def _ensemble_executor(
    executor: ExecutorKind | Executor, workers: int | None, scheduler: str | None, runs: int
) -> Iterator[Executor]:
    """The executor to run ``runs`` runs on: the caller's own, or one opened (and closed) here."""
    if isinstance(executor, Executor):
        yield executor
        return
    wanted = workers or os.cpu_count() or 1
    with open_executor(executor, workers=max(1, min(wanted, runs)), scheduler=scheduler) as pool:
        yield pool


def run_scenario(
    scenario: Scenario,
    out: str | os.PathLike[str],
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: int | None = None,
    strategies: Sequence[str] | None = None,
    executor: ExecutorKind | Executor = "process",
    workers: int | None = 1,
    scheduler: str | None = None,
    force: bool = False,
    resume: bool = False,
    on_done: Callable[[RunTask, bool], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Path:
    """Run the ensemble and write the results directory; returns its path.

    Runs go to ``executor``: ``"process"`` (``workers`` local processes; None: every core; 1: inline, the
    default), ``"sequential"``, ``"dask"`` (the cluster at ``scheduler``, else a local one of ``workers``
    processes), or any :class:`concurrent.futures.Executor` you opened yourself. Each run is written to disk
    as it finishes, so memory does not grow with the number of runs; the results are the same bytes whatever
    the executor. ``on_plan(total)`` is called once the runs to do are known, ``on_done(task, ok)`` after
    each, and ``on_note(text)`` for what the user should know (a run file that failed its checks on resume).

    The directory is locked from the first write to the last: another process that tries to write it gets
    :class:`~resilience.experiments.ResultsBusyError`. ``force`` replaces only a results directory this tool
    wrote (``ensemble.json`` and nothing but its files), never anything else, never through a symbolic link.

    An existing results directory is refused unless ``force`` (replace it) or ``resume``: an ensemble that
    was interrupted (:class:`~resilience.experiments.EnsembleInterrupted` on Ctrl-C, or the process killed)
    keeps its finished runs, and ``resume=True`` with the same scenario and options runs only the missing
    ones, after checking every run file kept against the checksum and seed recorded when it was written; the
    results are the same bytes as those of an uninterrupted run
    (:class:`~resilience.experiments.ResumeError` when there is nothing to resume or the options differ).
    SIGTERM and SIGHUP stop it like Ctrl-C when :func:`resilience.experiments.stop_on_signals` is in effect (the
    command line sets it); a write that fails (a full disk) raises
    :class:`~resilience.experiments.ResultsWriteError`, and the finished runs are kept for a resume too.

    If some runs raised, everything else is still written (``failures.csv`` lists the failed runs with their
    seeds and errors) and :class:`~resilience.experiments.EnsembleFailures` is raised at the end.

    >>> run_scenario(scenario, "results/traena", replications=40, executor="dask")   # doctest: +SKIP
    >>> run_scenario(scenario, "results/traena", replications=40, resume=True)       # doctest: +SKIP
    """
    if force and resume:
        raise ValueError("force replaces a results directory and resume completes it: give one of them, not both")
    n = scenario.run.replications if replications is None else replications
    root = scenario.run.seed if seed is None else seed
    last = scenario.run.horizon if horizon is None else horizon
    tasks = plan_runs(scenario, replications=n, seed=root, strategies=strategies)
    strategies_run = list(dict.fromkeys(t.strategy for t in tasks))
    manifest = EnsembleManifest(
        scenario_checksum=scenario_checksum(scenario),
        root_seed=root,
        replications=n,
        horizon=last,
        strategies=strategies_run,
        package_version=package_version(),
        # The report's date: the day the ensemble began (kept when it resumes), never read from the clock again.
        created=datetime.now(UTC).strftime("%Y-%m-%d"),
        scenario_name=scenario.name,
    )
    if resume:
        check_resumable(out)
    # One writer: the lock is taken before anything is written and held until the ensemble is complete.
    with hold_results_dir(out, create=not resume) as out_dir:
        if resume:
            manifest = resume_results_dir(out_dir, manifest)
        else:
            prepare_results_dir(out_dir, force=force, manifest=manifest)
        store = RunStore(out_dir, strategies_run)
        try:
            checked = store.verify(tasks)
            if on_note is not None:
                for name, why in checked.rejected:
                    on_note(f"{out_dir / name} is run again: {why}")
            todo = [t for t in tasks if (t.strategy, t.replication) not in checked.done]
            if on_plan:
                on_plan(len(todo))
            with _ensemble_executor(executor, workers, scheduler, len(todo)) as pool:
                stream_ensemble(scenario, todo, executor=pool, horizon=last, sink=store, on_done=on_done)
            raise_if_stopped()  # a stop that came as the last run finished: the runs are kept, say so
            notes = _write_results(scenario, out_dir, store, tasks, manifest)
        except KeyboardInterrupt as interrupt:
            if isinstance(interrupt, EnsembleInterrupted):
                raise
            # The finished runs stay in runs/ (each whole, or absent): --resume completes the ensemble.
            raise EnsembleInterrupted(
                _runs_on_disk(store), len(tasks), out_dir, signal_number=signal_of(interrupt)
            ) from None
        except OSError as error:
            if error.errno not in _WRITE_ERRORS or discard_unfinished(out_dir):
                raise
            raise ResultsWriteError(error, _runs_on_disk(store), len(tasks), out_dir) from error
        except Exception:
            # A start that failed before any run finished (a Dask scheduler that does not answer, say) leaves
            # nothing behind: a directory this call created goes too.
            discard_unfinished(out_dir)
            raise
        timeseries = out_dir / TIMESERIES
        checksum = file_checksum(timeseries) if timeseries.is_file() else ""
        manifest.completed(checksum).write(out_dir)
        store.discard()  # after the manifest says complete: an interruption here leaves complete results
    if store.failures:
        raise EnsembleFailures(
            store.failures, len(tasks), results_dir=out_dir, failures_file=out_dir / FAILURES, notes=notes
        )
    return out_dir


#: Errors of writing the results (a full disk or quota, a read-only or lost file system, a permission taken
#: away): the finished runs are kept, and the command says how to resume once the cause is fixed.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG, errno.EACCES, errno.EPERM})


def _runs_on_disk(store: RunStore) -> int:
    try:
        return len(store.run_files()) if store.runs_dir.is_dir() else 0
    except OSError:
        return 0


def _write_results(
    scenario: Scenario, out_dir: Path, store: RunStore, tasks: Sequence[RunTask], manifest: EnsembleManifest
) -> list[str]:
    """Time series, summary, comparison, resolved scenario and report from the runs in ``store``.

    Returns notes for the message about failed runs; the runs stay in ``runs/``.
    """
    timeseries_path = store.finalize(keep_runs=True)
    notes: list[str] = []
    summarised = False
    if timeseries_path is None:
        notes.append("no run finished, so there is no timeseries, summary or report")
    else:
        try:
            timeseries = read_timeseries(timeseries_path)
            shock_year = min((s.year for s in scenario.shocks), default=None)
            summary = summarise(timeseries, shock_year=shock_year)
            comparison = compare(timeseries, shock_year=shock_year)
            atomic_write(out_dir / SUMMARY, lambda tmp: summary.to_csv(tmp, index=False, float_format="%.6g"))
            atomic_write(out_dir / COMPARISON, lambda tmp: comparison.to_csv(tmp, index=False, float_format="%.6g"))
            del timeseries
            summarised = True
        except Exception as error:
            if not store.failures:
                raise
            notes.append(f"summary and report not written without the failed runs: {type(error).__name__}: {error}")
    seeds = sorted({(t.replication, t.seed) for t in tasks})
    resolved = dump_scenario(
        scenario,
        extra={
            "resolved": {
                "package_version": manifest.package_version,
                "created": manifest.created,  # the report's date: read back, never the clock
                "root_seed": manifest.root_seed,
                "replications": manifest.replications,
                "horizon": manifest.horizon,
                "strategies_run": manifest.strategies,
                "replication_seeds": [s for _, s in seeds],
                "parameters": Parameters().replace(**dict(scenario.parameters)).as_dict(),
                "uncertain_parameters_drawn": {
                    r: dict(t.drawn) for r, t in {t.replication: t for t in tasks if t.drawn}.items()
                },
            }
        },
    )
    atomic_write_text(out_dir / RESOLVED, resolved)
    if summarised:
        _render_report(out_dir)
    return notes


def run_scenario_file(path: str | os.PathLike[str], out: str | os.PathLike[str], **options: object) -> Path:
    """:func:`load_checked` then :func:`run_scenario`."""
    return run_scenario(load_checked(path), out, **options)  # type: ignore[arg-type]


def _read_resolved(text: str, filename: str) -> tuple[Scenario, dict[str, Any]]:
    """Split a ``scenario.resolved.yaml`` into the scenario and its ``resolved`` section (run metadata)."""
    from resilience.config import parse_scenario

    yaml = YAML(typ="safe")
    document = yaml.load(text)
    meta = document.pop("resolved", {}) if isinstance(document, dict) else {}
    stream = io.StringIO()
    YAML().dump(document, stream)
    return parse_scenario(stream.getvalue(), filename=filename), meta


def _scenario_details(scenario: Scenario, strategies: Sequence[str]) -> ScenarioDetails:
    """The scenario's assumptions for the report: levers used, uncertainties, model parameters."""
    from resilience.levers import get_lever, lever_catalogue

    catalogue = lever_catalogue()
    strategy_levers = {
        name: tuple(dict.fromkeys(i.lever for i in scenario.strategies.get(name, []))) for name in strategies
    }
    uses: dict[str, list[str]] = {}
    for name in strategies:
        for lever in strategy_levers[name]:
            uses.setdefault(lever, []).append(name)
    drawn = set(scenario.uncertainties)
    levers = []
    for lever, users in uses.items():
        interventions = [i for s in users for i in scenario.strategies[s] if i.lever == lever]
        settings = []
        for row in (r for r in catalogue if r.lever == lever):
            written = [i.lever_parameters()[row.setting] for i in interventions if row.setting in i.lever_parameters()]
            if row.setting in ("start", "years"):
                written = [getattr(i, row.setting) for i in interventions if getattr(i, row.setting) is not None]
            used = list(written)
            if len(written) < len(interventions) and row.default is not None:
                used.append(row.default)  # an intervention that leaves the setting at its default
            settings.append(
                Setting(
                    name=row.setting,
                    values=tuple({str(v): v for v in used}.values()),
                    low=row.low,
                    high=row.high,
                    source=row.source,
                    description=row.description,
                    description_nb=row.description_nb,
                    changed=bool(written) or f"{lever}.{row.setting}" in drawn,
                )
            )
        levers.append(LeverUse(lever, dict(get_lever(lever).titles), tuple(users), tuple(settings)))
    specs = Parameters.specs()
    lever_sources = {f"{r.lever}.{r.setting}": r.source for r in catalogue}
    uncertainties = tuple(
        Uncertainty(
            name,
            distribution.model_dump(),
            specs[name].source if name in specs else lever_sources.get(name, ""),
        )
        for name, distribution in scenario.uncertainties.items()
    )
    values = Parameters().replace(**dict(scenario.parameters)).as_dict()
    parameters = tuple(
        Setting(
            name=spec.name,
            values=(values[spec.name],),
            low=spec.low,
            high=spec.high,
            source=spec.source,
            description=spec.description,
            description_nb=spec.description_nb,
            unit=spec.unit,
            changed=spec.name in scenario.parameters or spec.name in drawn,
        )
        for spec in specs.values()
    )
    return ScenarioDetails(
        description=scenario.description,
        strategy_levers=strategy_levers,
        levers=tuple(levers),
        uncertainties=uncertainties,
        parameters=parameters,
    )


def report_inputs(
    results_dir: str | os.PathLike[str], lang: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, ReportContext, ScenarioDetails]:
    """What the report of ``results_dir`` is made from: timeseries, summary, context and assumptions.

    A file that cannot be read or parsed raises :class:`~resilience.experiments.ResultsDamagedError` naming it.
    """
    directory = Path(results_dir)
    with _damaged_as(directory / RESOLVED):
        resolved_text = (directory / RESOLVED).read_text(encoding="utf-8")
        scenario, meta = _read_resolved(resolved_text, str(directory / RESOLVED))
    with _damaged_as(directory / TIMESERIES):
        timeseries = read_timeseries(directory / TIMESERIES)
    with _damaged_as(directory / SUMMARY):
        summary = pd.read_csv(directory / SUMMARY)
        strategies = [str(s) for s in summary["strategy"]]
    lang = lang or scenario.language
    kommune = scenario.municipality.kommunenummer
    history = population_series(kommune)
    history = history[history.index <= scenario.municipality.base_year]
    context = ReportContext(
        municipality=scenario.municipality.name or kommune,
        scenario_name=scenario.name,
        scenario_hash=_scenario_hash(resolved_text),
        version=str(meta.get("package_version", package_version())),
        seed=int(meta.get("root_seed", scenario.run.seed)),
        replications=int(meta.get("replications", scenario.run.replications)),
        # The date the results were made, as stored: never the clock or a file's time, so the same results
        # give the same report. Results from before it was stored have none.
        created=str(meta.get("created", "")),
        attribution=SSB_ATTRIBUTION[lang],
        lang=lang,
        shock_years=sorted({s.year for s in scenario.shocks}),
        history=history,
    )
    return timeseries, summary, context, _scenario_details(scenario, strategies)


@contextmanager
def _damaged_as(path: Path) -> Iterator[None]:
    """Turn a failure to read or parse ``path`` into a :class:`ResultsDamagedError` that names it."""
    import pyarrow as pa

    try:
        yield
    except FileNotFoundError:
        raise ResultsDamagedError(f"{path} is missing: run the ensemble again with --force") from None
    except (OSError, ValueError, KeyError, pa.ArrowException, ScenarioError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ResultsDamagedError(f"{path} cannot be read ({first}): run the ensemble again with --force") from None


def write_report(results_dir: str | os.PathLike[str], lang: str | None = None, formats: Sequence[str] = ()) -> Path:
    """(Re)write ``report.html`` from the stored results of ``results_dir``; returns its path.

    The results are checked first (:func:`~resilience.experiments.verify_results`: a complete ensemble, a
    whole ``timeseries.parquet``), and the directory is locked while the report is written, so that it is
    never written into a directory another process is still filling. ``formats`` ("png", "pdf") also writes
    each figure as a static image in ``figures/`` (and, for "pdf", the whole report as ``report.pdf``) with
    kaleido and a Chromium browser (:class:`resilience.reporting.export.ExportError` when there is none).

    >>> write_report("results/demo", lang="en")   # doctest: +SKIP
    PosixPath('results/demo/report.html')
    """
    # A link named on purpose (results/latest → results/2026-12-01) is the directory it names: only the
    # report, a file of resilience's own, is written there.
    directory = Path(results_dir).resolve() if Path(results_dir).is_symlink() else Path(results_dir)
    # The lock first: a directory another process is still writing is refused as such, not as incomplete.
    with hold_results_dir(directory, create=False):
        verify_results(directory)
        return _render_report(directory, lang, formats)


def _render_report(directory: Path, lang: str | None = None, formats: Sequence[str] = ()) -> Path:
    timeseries, summary, context, details = report_inputs(directory, lang)
    figures = build_figures(timeseries, context)
    path = directory / REPORT
    atomic_write_text(path, render_report(timeseries, summary, context, details, figures=figures))
    if formats:
        from resilience.reporting.export import export_figures, export_report_pdf, find_browser

        browser = find_browser()
        for fmt in dict.fromkeys(formats):
            export_figures(figures, directory / FIGURES, fmt, browser=browser)
            if fmt == "pdf":
                export_report_pdf(path, directory / REPORT_PDF, browser=browser)
    return path
