"""The command line: parse, call the workflow, print, exit code. Nothing else lives here.

Exit codes: 0 success; 2 bad input (scenario, arguments, data) with one line per problem; 1 anything else.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from functools import wraps
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import click

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1

#: Where the runs of an ensemble execute (``resilience.experiments.EXECUTOR_KINDS``).
EXECUTORS = ("process", "dask", "sequential")
#: Failed runs listed one per line on stderr; the rest are in failures.csv.
MAX_FAILURES_LISTED = 20

F = TypeVar("F", bound=Callable[..., Any])


def _echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print one line, its control characters escaped: a file name, a directory, a scenario's name or an
    error's text may hold line breaks or escape sequences, and must neither forge another line of output nor
    move the cursor or clear the screen. A terminal that is gone (SIGHUP) is not an error of its own."""
    from resilience.config import one_line

    _write(one_line(text), err=err, nl=nl)


def _echo_block(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text made of several lines (a table, a scenario, a schema), each line's control characters
    escaped (its own line breaks kept)."""
    from resilience.config import one_line

    _write("\n".join(one_line(line) for line in text.split("\n")), err=err, nl=nl)


def _write(text: str, *, err: bool, nl: bool) -> None:
    with suppress(OSError):  # the terminal closed under us (SIGHUP): nothing left to tell
        click.echo(text, err=err, nl=nl)


def _error_line(text: str) -> None:
    """One line on stderr, with control characters escaped (an error's text may quote a scenario or come from
    a plug-in)."""
    _echo(text, err=True)


def _os_error(error: OSError) -> str:
    """An operating-system error as a sentence, never an errno: ``cannot use results/x: permission denied``."""
    if error.strerror is None:  # raised with a message of its own, which is already a sentence
        return str(error)
    reason = (error.strerror or str(error) or type(error).__name__).rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    where = f" {error.filename}" if error.filename is not None else ""
    if error.filename2 is not None:
        where += f" or {error.filename2}"
    return f"cannot use{where}: {reason}"


#: OSErrors that say a path given on the command line is wrong: bad input, exit 2. Others (a full disk, an
#: I/O error) are failures of the machine: exit 1.
_BAD_PATH_ERRORS = (FileNotFoundError, PermissionError, NotADirectoryError, IsADirectoryError, FileExistsError)


def _handle_errors[F: Callable[..., Any]](command: F) -> F:
    """Turn expected failures into one-line messages and exit codes, never tracebacks; stop on SIGTERM and
    SIGHUP as on Ctrl-C (exit 128 + the signal's number)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from resilience.config import ScenarioError
        from resilience.data import UnknownMunicipalityError, YearNotAvailableError
        from resilience.data.integrity import DataIntegrityError
        from resilience.experiments import (
            EnsembleFailures,
            ResultsDamagedError,
            ResultsExistError,
            ResultsWriteError,
            RunFileError,
            SchedulerError,
            exit_status,
            stop_on_signals,
        )
        from resilience.experiments.lock import ResultsBusyError, ResultsPathError
        from resilience.levers import LeverRegistryError

        try:
            with stop_on_signals():
                return command(*args, **kwargs)
        except EnsembleFailures as error:
            _report_failures(error)
            sys.exit(EXIT_FAILURE)
        except ScenarioError as error:
            language = _messages_language()
            for problem in error.problems:
                _echo(problem.render(language), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (
            ResultsExistError,
            ResultsBusyError,
            ResultsPathError,
            ResultsDamagedError,
            SchedulerError,
            UnknownMunicipalityError,
            YearNotAvailableError,
            LeverRegistryError,
            DataIntegrityError,  # a damaged data file: the message names the file and how to restore it
        ) as error:
            _error_line(f"error: {error}")
            sys.exit(EXIT_BAD_INPUT)
        except (ResultsWriteError, RunFileError) as error:
            _error_line(f"error: {error}")
            sys.exit(EXIT_FAILURE)
        except KeyboardInterrupt as interrupt:
            # One line: an interrupted ensemble says how many runs finished and the command that resumes it.
            _error_line(str(interrupt) or "interrupted")
            sys.exit(exit_status(interrupt))
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except OSError as error:
            _error_line(f"error: {_os_error(error)}")
            sys.exit(EXIT_BAD_INPUT if isinstance(error, _BAD_PATH_ERRORS) else EXIT_FAILURE)
        except Exception as error:
            text = str(error).strip()
            _error_line(
                f"error: an unexpected {type(error).__name__}{': ' + text if text else ''} "
                "(a fault in resilience: please report it with the command you ran)"
            )
            sys.exit(EXIT_FAILURE)

    return wrapper  # type: ignore[return-value]


class _Commands(click.Group):
    """The command group, with click's own errors (a misspelt option, a bad value) as one line each, like
    every other error: ``error: Invalid value for '--workers': 0 is not in the range 1<=x<=4096.``"""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            returned = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            name = error.ctx.command_path if error.ctx is not None else "resilience"
            _error_line(f"error: {error.format_message()} (see: {name} --help)")
            sys.exit(error.exit_code)
        except click.ClickException as error:
            _error_line(f"error: {error.format_message()}")
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            _error_line("aborted")
            sys.exit(EXIT_FAILURE)
        except BrokenPipeError:
            # stdout closed early (`resilience schema | head`): nothing left to say, and nothing to complain of
            # when Python flushes stdout on its way out.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_FAILURE)
        sys.exit(returned if isinstance(returned, int) else 0)


#: Where the chosen language of problem messages is kept for the commands (``click.Context.meta`` is shared).
_MESSAGES_KEY = "resilience.messages"


def _messages_language() -> Any:
    """The language chosen with ``resilience --messages`` (English when no command line is running)."""
    context = click.get_current_context(silent=True)
    return context.meta.get(_MESSAGES_KEY, "en") if context is not None else "en"


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="resilience")
@click.option(
    "--messages",
    type=click.Choice(["en", "nb"]),
    default="en",
    show_default=True,
    envvar="RESILIENCE_MESSAGES",
    show_envvar=True,
    help="Language of the messages about problems in a scenario file: en (English) or nb (Norwegian bokmål).",
)
@click.pass_context
def main(context: click.Context, messages: str) -> None:
    """resilience — what happens to a small municipality when its cornerstone company closes."""
    context.meta[_MESSAGES_KEY] = messages


def _report_failures(error: Any) -> None:
    """One line per failed run (``strategy replication seed: error``), then where the details are."""
    for failure in error.failures[:MAX_FAILURES_LISTED]:
        _error_line(str(failure))
    if len(error.failures) > MAX_FAILURES_LISTED:
        _echo(f"… and {len(error.failures) - MAX_FAILURES_LISTED} more", err=True)
    where = f"; errors, seeds and tracebacks in {error.failures_file}" if error.failures_file else ""
    _echo(f"error: {len(error.failures)} of {error.total} runs failed{where}", err=True)
    for note in error.notes:
        _echo(f"note: {note}", err=True)
    if error.results_dir is not None and (Path(error.results_dir) / "timeseries.parquet").exists():
        _echo(f"The results of the other runs are in {error.results_dir}/", err=True)


def _progress(total: int, file: Any = None) -> Any:
    """A progress bar on stderr (runs done, runs/s, time left); silent when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, unit="run", disable=None, file=file or sys.stderr, dynamic_ncols=True)


def _executor_kind(executor: str | None, scheduler: str | None) -> str:
    """``--executor`` (default process); ``--scheduler`` implies dask and goes with no other executor."""
    if scheduler is not None:
        if executor not in (None, "dask"):
            raise click.BadParameter(
                f"a scheduler address is for --executor dask, not --executor {executor}", param_hint="--scheduler"
            )
        from resilience.experiments import scheduler_address_problem

        problem = scheduler_address_problem(scheduler)
        if problem is not None:
            raise click.BadParameter(problem, param_hint="--scheduler")
        return "dask"
    return executor or "process"


def _executor_options[F: Callable[..., Any]](command: F) -> F:
    """The options that say where runs execute: --workers, --executor, --scheduler."""
    command = click.option(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask).",
    )(command)
    command = click.option(
        "--executor",
        type=click.Choice(EXECUTORS),
        default=None,
        help="Where runs execute: process (local processes; the default), dask (a local Dask cluster, or the "
        "one at --scheduler), sequential (one by one in this process).",
    )(command)
    command = click.option(
        "--workers",
        type=click.IntRange(1, 4096),
        default=None,
        show_default=f"all cores, {os.cpu_count()}",
        help="Worker processes (for process, and for a local Dask cluster).",
    )(command)
    return command


def _resume_command(command: Sequence[str], out: Path, options: dict[str, Any]) -> str:
    """The command line that resumes this ensemble: the same scenario and options, ``--out``, ``--resume``."""
    import shlex

    words = ["resilience", *command, "--out", str(out)]
    for name in ("replications", "seed", "horizon", "executor", "workers", "scheduler"):
        if options.get(name) is not None and not (name == "executor" and options.get("scheduler")):
            words += [f"--{name}", str(options[name])]
    for strategy in options.get("strategies") or ():
        words += ["--strategy", strategy]
    return shlex.join([*words, "--resume"])


def _check_memory(scenario: Any, options: Mapping[str, Any]) -> None:
    """Refuse an ensemble whose results would not fit in memory once the command line's --replications,
    --horizon and --strategy are applied (the scenario file's own values were checked when it was loaded)."""
    from resilience.config import machine_memory_bytes, memory_message

    if all(options.get(name) in (None, ()) for name in ("replications", "horizon", "strategies")):
        return
    memory = machine_memory_bytes()
    if memory is None:
        return
    chosen = options.get("strategies") or ()
    strategies = len(set(chosen) | {"baseline"}) if chosen else len(scenario.strategies)
    if scenario.shocks and "no_shock" not in scenario.strategies:
        strategies += 1  # the no-shock reference the runner adds
    replications = options.get("replications") or scenario.run.replications
    years = (options.get("horizon") or scenario.run.horizon) - scenario.municipality.base_year + 1
    message = memory_message(strategies, replications, years, memory)
    if message is not None:
        raise click.BadParameter(message.render(_messages_language()), param_hint="--replications")


def _run(scenario_path: Path, out: Path, command: Sequence[str], **options: Any) -> Path:
    """Run the ensemble of ``scenario_path`` into ``out``; ``command`` (e.g. ``["run", "x.yaml"]``) is how
    the user started it, so that an interruption can print the command that resumes it.
    """
    from resilience.experiments import EnsembleInterrupted, ResultsWriteError
    from resilience.workflow import load_checked, run_scenario

    if options.get("force") and options.get("resume"):
        raise click.UsageError("--force replaces the results directory and --resume completes it: give one of them")
    scenario = load_checked(scenario_path)
    horizon = options.get("horizon")
    if horizon is not None and horizon <= scenario.municipality.base_year:
        raise click.BadParameter(
            f"{horizon} is not after the base year {scenario.municipality.base_year}", param_hint="--horizon"
        )
    _check_memory(scenario, options)
    resume_command = _resume_command(command, out, options)
    # The command as given (above) names --executor only if the user did; the runs need the resolved kind.
    options["executor"] = options.pop("kind")
    strategies: Sequence[str] = options.pop("strategies", ()) or ()
    unknown = [s for s in strategies if s not in scenario.strategies]
    if unknown:
        raise click.BadParameter(
            f"unknown strategy {', '.join(map(repr, unknown))}; the scenario has: {', '.join(scenario.strategies)}",
            param_hint="--strategy",
        )
    bar: list[Any] = []
    failed = 0

    def on_plan(total: int) -> None:
        bar.append(_progress(total))

    def on_done(_task: Any, ok: bool) -> None:
        nonlocal failed
        if not ok:
            failed += 1
            bar[0].set_postfix(failed=failed, refresh=False)
        bar[0].update(1)

    def on_note(text: str) -> None:
        if bar:
            bar[0].clear()
        _error_line(f"note: {text}")

    try:
        return run_scenario(
            scenario, out, strategies=strategies, on_plan=on_plan, on_done=on_done, on_note=on_note, **options
        )
    except (EnsembleInterrupted, ResultsWriteError) as stopped:
        stopped.resume_command = resume_command
        raise
    finally:
        if bar:
            bar[0].close()


def _free_dir(base: Path) -> Path:
    """``base`` if it is new or empty, else the first ``base-N`` that does not exist (a link never counts as
    free: results are never written through one)."""
    if not base.is_symlink() and (not base.exists() or (base.is_dir() and not any(base.iterdir()))):
        return base
    n = 2
    while (candidate := base.with_name(f"{base.name}-{n}")).exists() or candidate.is_symlink():
        n += 1
    return candidate


def bundled_scenario() -> Path:
    """Path of the bundled Træna scenario."""
    return Path(str(files("resilience") / "scenarios" / "traena.yaml"))


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Results directory (default: results/demo, or the next free results/demo-N).",
)
@click.option("--replications", type=click.IntRange(1, 100_000), default=None, help="Replications per strategy.")
@_executor_options
@click.option(
    "--resume",
    is_flag=True,
    help="Complete the interrupted demo in --out (default results/demo): run only its missing runs.",
)
@_handle_errors
def demo(
    out: Path | None,
    replications: int | None,
    workers: int | None,
    executor: str | None,
    scheduler: str | None,
    resume: bool,
) -> None:
    """Run the bundled Træna scenario and write its report."""
    kind = _executor_kind(executor, scheduler)
    default = Path("results") / "demo"
    target = out or (default if resume else _free_dir(default))
    directory = _run(
        bundled_scenario(),
        target,
        ["demo"],
        replications=replications,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        kind=kind,
        resume=resume,
    )
    _echo(f"Results in {directory}/ — open {directory / 'report.html'}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Results directory (default: results/<scenario file name>).",
)
@click.option("--replications", type=click.IntRange(1, 100_000), default=None, help="Replications per strategy.")
@click.option("--seed", type=click.IntRange(0, None), default=None, help="Root seed (overrides run.seed).")
@click.option("--horizon", type=click.IntRange(1900, 2200), default=None, help="Last simulated year.")
@click.option("--strategy", "strategies", multiple=True, help="Run only this strategy (repeatable).")
@_executor_options
@click.option(
    "--force",
    is_flag=True,
    help="Replace an earlier results directory of resilience (one with ensemble.json and nothing but its files); "
    "anything else is refused, and a symbolic link always is.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Complete an interrupted ensemble in --out: run only its missing runs (same scenario and options).",
)
@_handle_errors
def run(
    scenario: Path,
    out: Path | None,
    replications: int | None,
    seed: int | None,
    horizon: int | None,
    strategies: tuple[str, ...],
    workers: int | None,
    executor: str | None,
    scheduler: str | None,
    force: bool,
    resume: bool,
) -> None:
    """Run SCENARIO (a YAML file) and write timeseries, summary, resolved scenario and report.

    Runs execute on local processes (--workers, default every core), one by one (--executor sequential) or
    on Dask (--executor dask starts a local cluster; --scheduler tcp://HOST:PORT uses a running one).
    An existing results directory is refused unless --force (replace it) or --resume (complete an
    interrupted ensemble: Ctrl-C keeps the finished runs and prints the command that resumes it).
    """
    kind = _executor_kind(executor, scheduler)
    target = out if out is not None else Path("results") / scenario.stem
    directory = _run(
        scenario,
        target,
        ["run", str(scenario)],
        replications=replications,
        seed=seed,
        horizon=horizon,
        strategies=strategies,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        kind=kind,
        force=force,
        resume=resume,
    )
    _echo(f"Results in {directory}/ — open {directory / 'report.html'}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--history", required=True, metavar="FROM-TO", help="Historical window to fit, e.g. 2005-2013.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Directory for the calibration files.")
@click.option("--samples", type=click.IntRange(1, 1_000_000), default=100, show_default=True, help="Parameter sets.")
@click.option(
    "--replications", type=click.IntRange(1, 10_000), default=5, show_default=True, help="Runs per parameter set."
)
@click.option(
    "--acceptance",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.2,
    show_default=True,
    help="Share of parameter sets accepted (the closest).",
)
@click.option(
    "--fit",
    "fit",
    multiple=True,
    metavar="PARAMETER",
    help="Fit this model parameter with a uniform prior over its plausible range (repeatable); "
    "default: the scenario's uncertain migration parameters with their own distributions.",
)
@_executor_options
@click.option(
    "--force",
    is_flag=True,
    help="Replace an earlier calibration or results directory of resilience; anything else is refused.",
)
@_handle_errors
def calibrate(
    scenario: Path,
    history: str,
    out: Path,
    samples: int,
    replications: int,
    acceptance: float,
    fit: tuple[str, ...],
    workers: int | None,
    executor: str | None,
    scheduler: str | None,
    force: bool,
) -> None:
    """Fit SCENARIO's uncertain migration parameters to the real population over --history (ABC rejection).

    Writes calibration.yaml (parameters and uncertainties to paste into the scenario), calibration.csv (every
    parameter set with its distance), fit.csv and fit.html (observed vs simulated band).
    """
    from resilience import calibration as cal
    from resilience.experiments import ExecutorKind, check_results_dir, hold_results_dir, open_executor
    from resilience.workflow import load_checked

    kind = _executor_kind(executor, scheduler)
    try:
        window = cal.parse_history(history)
        loaded = load_checked(scenario)
        cal.check_history(loaded.municipality.kommunenummer, window)
        priors = cal.calibration_priors(loaded, list(fit), plausible_ranges=True) if fit else None
    except ValueError as error:  # HistoryError, or a --fit name that is not a model parameter
        _error_line(f"error: {error}")
        sys.exit(EXIT_BAD_INPUT)
    pool_kind: ExecutorKind = kind  # type: ignore[assignment]  # one of EXECUTORS
    # One writer from before the first run to the last file; an occupied directory is refused before the runs.
    with hold_results_dir(out) as directory:
        check_results_dir(directory, force=force)
        with open_executor(pool_kind, workers=workers, scheduler=scheduler) as pool:
            result = cal.calibrate(
                loaded,
                window,
                samples=samples,
                replications=replications,
                acceptance=acceptance,
                executor=pool,
                priors=priors,
            )
        cal.write_calibration(result, directory, force=force, language=loaded.language)
    for name, value in result.fitted.items():
        low, high = result.spread[name]
        _echo(f"{name} = {value:.4g} (5–95 %: {low:.4g} … {high:.4g})")
    _echo(f"Calibration in {directory}/ — merge {cal.CALIBRATION_YAML} into the scenario; see {cal.FIT_HTML}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Results directory.")
@click.option("--replications", type=click.IntRange(1, 100_000), default=None, help="Replications per strategy.")
@click.option(
    "--workers",
    type=click.IntRange(1, 4096),
    default=None,
    show_default=f"all cores, {os.cpu_count()}",
    help="Worker processes.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an earlier results directory of resilience (one with ensemble.json and nothing but its files); "
    "anything else is refused, and a symbolic link always is.",
)
@click.option(
    "--lang", type=click.Choice(["nb", "en"]), default=None, help="Figure language (default: the scenario's)."
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["png", "pdf"]),
    multiple=True,
    help="Also write the figure as hindcast.png or .pdf (kaleido and a Chromium or Chrome browser). Repeatable.",
)
@_handle_errors
def hindcast(
    scenario: Path,
    out: Path,
    replications: int | None,
    workers: int | None,
    force: bool,
    lang: str | None,
    formats: tuple[str, ...],
) -> None:
    """Run SCENARIO (a scenario of the past with an `actual` strategy) and compare it with SSB's series.

    Writes hindcast.csv (year, observed, median, p05, p95) and hindcast.html in OUT and prints the table,
    the years inside the simulated 90 % band, the median's mean absolute percentage error and the
    2013→2020 change. The exit code does not depend on how well the hindcast fits.
    """
    from resilience.hindcast import run_hindcast
    from resilience.reporting.export import ExportError

    try:
        result = run_hindcast(
            scenario, out, replications=replications, workers=workers, force=force, language=lang, formats=formats
        )
    except (ValueError, ExportError) as error:
        _error_line(f"error: {error}")
        sys.exit(EXIT_BAD_INPUT)
    _echo(f"{'year':>4}  {'observed':>8}  {'median':>7}  {'90 % band':>15}  inside")
    for row in result.table.to_dict("records"):
        year, observed, median, p05, p95 = (float(row[c]) for c in ("year", "observed", "median", "p05", "p95"))
        inside = "yes" if p05 <= observed <= p95 else "no"
        band = f"{p05:.0f}–{p95:.0f}"
        _echo(f"{year:>4.0f}  {observed:>8.0f}  {median:>7.0f}  {band:>15}  {inside}")
    _echo(f"inside the 90 % band: {result.inside} of {result.years} years ({result.inside_share:.0%})")
    _echo(f"mean absolute percentage error of the median: {result.mape:.1f} %")
    if result.simulated_change is not None and result.observed_change is not None:
        _echo(
            f"change {result.drop_from}→{result.drop_to}: simulated {result.simulated_change:+.1f} %, "
            f"real {result.observed_change:+.1f} %"
        )
    _echo(f"Table in {result.csv}, figure in {result.html}")
    for fmt in formats:
        _echo(f"Figure as {fmt.upper()} in {result.results_dir / ('hindcast.' + fmt)}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@_handle_errors
def validate(scenario: Path) -> None:
    """Check SCENARIO without running it, and estimate the time and memory its runs need on this machine.

    A warning (exit code still 0) when the runs would take more than an hour or more than half the memory.
    """
    from resilience.workflow import estimate_scenario, load_checked

    loaded = load_checked(scenario)
    from resilience.config import Message

    language = _messages_language()
    valid = Message(
        "{file}: valid ({strategies} strategies, horizon {horizon})",
        file=str(scenario),
        strategies=len(loaded.strategies),
        horizon=loaded.run.horizon,
    )
    _echo(valid.render(language))
    estimate = estimate_scenario(loaded)
    _echo(estimate.message().render(language))
    for warning in estimate.warnings():
        _echo(warning.render(language), err=True)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="One address of this machine to serve on (not 0.0.0.0); the default is reachable from this machine only. "
    "Requests must name it (or localhost, for a loopback address); others are refused.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to serve on.")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a web browser.")
@click.option(
    "--fetch-assets",
    is_flag=True,
    help="Fetch Solara's browser assets once from the npm registry (checked against its checksums); "
    "afterwards it runs offline.",
)
@_handle_errors
def explore(scenario: Path, host: str, port: int, no_browser: bool, fetch_assets: bool) -> None:
    """Open a workshop explorer of SCENARIO: sliders for a strategy's levers and the uncertainties, live fans.

    Every change re-runs the strategy and baseline with the same random numbers (8 replications by
    default) and redraws the population fan and the paired difference. Serves on 127.0.0.1 (this machine
    only) unless --host says otherwise; Ctrl-C stops it. A port in use exits 2 with one line (choose another
    with --port); a request that names another host than the one served (DNS rebinding) is refused with 400.
    """
    from resilience.workflow import load_checked

    load_checked(scenario)  # bad input: exit 2 with one line per problem, before anything starts
    from importlib.util import find_spec

    # Solara reads its settings when imported: only look for it here; the server configures, then imports it.
    if find_spec("solara") is None or find_spec("uvicorn") is None:
        _echo(
            "error: the explorer needs Solara: install the `explore` extra (uv sync --extra explore, "
            "or pip install 'resilience[explore]')",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    from resilience.explore import AssetsError, assets_dir, missing_assets
    from resilience.explore import fetch_assets as fetch
    from resilience.explore._server import ServeError, serve

    directory = assets_dir()
    if fetch_assets:
        try:
            fetch(directory)
        except AssetsError as error:
            _error_line(f"error: {error}")
            sys.exit(EXIT_BAD_INPUT)
    if missing := missing_assets(directory):
        _echo(
            f"error: Solara's browser assets ({', '.join(missing)}) are not in {directory}; fetch them once with "
            f"`resilience explore {scenario} --fetch-assets` (npm registry), then the explorer runs offline",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)

    def ready(url: str) -> None:
        _echo(f"Explorer of {scenario} at {url} (Ctrl-C stops it)")

    try:
        serve(scenario, directory, host=host, port=port, on_ready=ready, open_browser=not no_browser)
    except ServeError as error:
        _error_line(f"error: {error}")  # a busy port or an address not on this machine: pick another
        sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.argument("lever", required=False)
@_handle_errors
def levers(lever: str | None) -> None:
    """List the intervention levers, or one LEVER's settings with defaults, ranges and sources."""
    from resilience.levers import get_lever, lever_catalogue, lever_names

    if lever is None:
        for name in lever_names():
            cls = get_lever(name)
            _echo(f"{name:24} {cls.titles.get('en', '')}")
        _echo_block("\n`resilience levers NAME` shows a lever's mechanism and settings.")
        return
    cls = get_lever(lever)
    _echo_block(f"{cls.name}: {cls.titles.get('en', '')} / {cls.titles.get('nb', '')}\n")
    _echo_block(inspect.cleandoc(cls.__doc__ or ""))
    _echo_block("\nSettings (default; plausible range; source):")
    for row in (r for r in lever_catalogue() if r.lever == lever):
        default = getattr(row.default, "value", row.default)
        span = f"; range {row.low:g}–{row.high:g}" if row.low is not None and row.high is not None else ""
        _echo(f"  {row.setting} = {default}{span} — {row.description}")
        if row.source:
            _echo(f"      source: {row.source}")


@main.command()
@_handle_errors
def schema() -> None:
    """Print the scenario JSON Schema (for editor autocompletion)."""
    from resilience.config import scenario_json_schema

    _echo_block(json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--strategy", default="baseline", show_default=True, help="Strategy to run (or no_shock).")
@click.option("--seed", type=int, default=None, help="Model seed (default: the scenario's run.seed).")
@click.option("--horizon", type=int, default=None, help="Last simulated year (default: the scenario's).")
@click.option("--sort", type=click.Choice(["cumulative", "tottime", "ncalls"]), default="cumulative", show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=25, show_default=True, help="Functions listed.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Save the raw .prof.")
@_handle_errors
def profile(
    scenario: Path, strategy: str, seed: int | None, horizon: int | None, sort: str, limit: int, out: Path | None
) -> None:
    """Show where one run of SCENARIO spends its time: by point of the yearly schedule, then by function."""
    from resilience.profiling import profile_run
    from resilience.workflow import load_checked

    loaded = load_checked(scenario)
    try:
        result = profile_run(loaded, strategy=strategy, seed=seed, horizon=horizon, sort=sort, limit=limit, out=out)
    except ValueError as error:
        _error_line(f"error: {error}")
        sys.exit(EXIT_BAD_INPUT)
    _echo_block(result.table())
    _echo("")
    _echo_block(result.functions.strip())
    if out is not None:
        _echo(f"Raw profile in {out} (e.g. python -m pstats {out}, or snakeviz)")


@main.command("validate-model")
@click.option("--workers", type=click.IntRange(1, 512), default=2, show_default=True, help="Local processes.")
@_handle_errors
def validate_model(workers: int) -> None:
    """Check the model against published stylised facts (EVIDENCE.md §2–3); exit 1 if any fails."""
    from resilience.validation import format_results, run_validation

    results = run_validation(workers=workers)
    _echo_block(format_results(results))
    if not all(result.passed for result in results):
        sys.exit(EXIT_FAILURE)


@main.command()
@click.argument("results_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--lang", type=click.Choice(["nb", "en"]), default=None, help="Language (default: the scenario's).")
@click.option(
    "--format",
    "formats",
    type=click.Choice(["html", "png", "pdf"]),
    multiple=True,
    help="Also write each figure as png or pdf in RESULTS_DIR/figures/ (pdf: the whole report as report.pdf "
    "too). Needs kaleido (the 'export' extra) and a Chromium or Chrome browser (BROWSER_PATH). Repeatable.",
)
@_handle_errors
def report(results_dir: Path, lang: str | None, formats: tuple[str, ...]) -> None:
    """(Re)write report.html from the stored results in RESULTS_DIR."""
    from resilience.reporting.export import ExportError
    from resilience.workflow import write_report

    static = [f for f in formats if f != "html"]
    try:
        path = write_report(results_dir, lang, formats=static)
    except ExportError as error:
        _error_line(f"error: {error}")
        sys.exit(EXIT_BAD_INPUT)
    _echo(f"Report in {path}")
    if "png" in static or "pdf" in static:
        _echo(f"Figures in {results_dir / 'figures'}")
    if "pdf" in static:
        _echo(f"PDF in {results_dir / 'report.pdf'}")


@main.command()
@click.option("--kommune", required=True, help="Kommunenummer, four digits, e.g. 1835 (K-1835 works too).")
@click.option("--year", type=int, default=None, help="Base year (default: the latest year of that code).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Scenario file to write; never overwritten (default: print it).",
)
@_handle_errors
def init(kommune: str, year: int | None, out: Path | None) -> None:
    """Write a starting scenario for any municipality in the bundled SSB data."""
    from resilience.starting import renumbered_note, starting_scenario, write_starting_scenario

    text = starting_scenario(kommune, year)
    if year is None and (note := renumbered_note(kommune)):
        _echo(f"note: {note}; this scenario starts in the code's last year", err=True)
    if out is None:
        _echo_block(text, nl=False)
        return
    try:
        write_starting_scenario(out, text)
    except FileExistsError as error:
        _error_line(f"error: {error}")
        sys.exit(EXIT_BAD_INPUT)
    _echo(f"Wrote {out}")


@main.group()
def ssb() -> None:
    """Fetch from Statistics Norway (SSB) over the network; scenario runs never do."""


def _selection(values: tuple[str, ...]) -> dict[str, list[str]]:
    """``("Region=K-1835,K-1836", "Tid=2024")`` → ``{"Region": ["K-1835", "K-1836"], "Tid": ["2024"]}``."""
    selection: dict[str, list[str]] = {}
    for value in values:
        dimension, sep, codes = value.partition("=")
        if not sep or not dimension.strip() or not codes.strip():
            raise click.BadParameter(f"{value!r} is not DIM=CODES (e.g. Region=K-1835,K-1836)", param_hint="--select")
        selection[dimension.strip()] = [code.strip() for code in codes.split(",") if code.strip()]
    return selection


@ssb.command("refresh-population")
@click.option(
    "--target",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Parquet file to replace (default: the one in use, in $RESILIENCE_DATA_DIR or bundled); the names file "
    "and checksums.json are written next to it.",
)
@_handle_errors
def ssb_refresh_population(target: Path | None) -> None:
    """Fetch table 07459 for every municipality, check it, then replace the population file atomically."""
    from resilience.data import SSBClient, refresh_population

    written = refresh_population(SSBClient(), target)
    _echo(f"Wrote {written}")


@ssb.command("fetch")
@click.argument("table")
@click.option("--select", "select", multiple=True, metavar="DIM=CODES", help="Codes of one dimension; repeatable.")
@click.option("--lang", default="en", show_default=True, help="Language of the labels (en or no).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="CSV file to write; never overwritten (default: print).",
)
@_handle_errors
def ssb_fetch(table: str, select: tuple[str, ...], lang: str, out: Path | None) -> None:
    """Fetch any SSB table as CSV: resilience ssb fetch 07459 --select Region=K-1835 --select Tid=2024."""
    from resilience.data import SSBClient

    selection = _selection(select)
    if out is not None and os.path.lexists(out):
        raise FileExistsError(f"{out} exists; choose another file name (fetch never overwrites a file)")
    frame = SSBClient().fetch(table, selection, lang=lang)
    if out is None:
        _echo_block(frame.to_csv(index=False), nl=False)
        return
    from resilience.experiments import atomic_write

    atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False))
    _echo(f"Wrote {out} ({len(frame)} rows)")


if __name__ == "__main__":  # pragma: no cover
    main()
