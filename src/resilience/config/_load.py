"""Loading scenario files: YAML, then the schema, then the cross-field rules."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import Final

from pydantic import ValidationError

from ._checks import scenario_issues
from ._errors import (
    Document,
    Location,
    Problem,
    ScenarioError,
    format_path,
    problems_from_validation_error,
    sort_problems,
)
from ._limits import ensemble_memory_bytes, machine_memory_bytes, memory_message, result_rows
from ._messages import Amount, Message, join_messages
from ._schema import MAX_REPLICATIONS, SKIP_CROSS_CHECKS, Scenario
from ._yaml import MAX_FILE_BYTES, read_yaml, size_problem

__all__ = ["load_scenario", "parse_scenario", "scenario_problem"]

#: Opening never waits: a named pipe with no writer would block open() forever. (Windows has no such flag, and
#: no named pipes among its files.)
_NONBLOCK: Final[int] = getattr(os, "O_NONBLOCK", 0)
#: A terminal given as the scenario must not become this process's controlling terminal.
_OPEN_FLAGS: Final[int] = os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)

#: What a path that is not a regular file is, for the message refusing it.
_SPECIAL_FILES: Final[tuple[tuple[Callable[[int], bool], Message], ...]] = (
    (stat.S_ISDIR, Message("a directory")),
    (stat.S_ISFIFO, Message("a named pipe (FIFO)")),
    (stat.S_ISSOCK, Message("a socket")),
    (stat.S_ISCHR, Message("a character device")),
    (stat.S_ISBLK, Message("a block device")),
)


def parse_scenario(text: str | bytes, filename: str = "<string>", *, memory_bytes: int | None = None) -> Scenario:
    """Read a scenario from YAML text (or the raw bytes of a file).

    ``filename`` is only used in messages. Raises :class:`ScenarioError` with
    every problem found (one line each, ``FILE:LINE: path: message``); print
    ``error.render("nb")`` for the messages in bokmål.

    A scenario whose results would not fit in memory when summarised is
    refused with the estimate; ``memory_bytes`` is the memory to compare with
    (default: this machine's).

    >>> s = parse_scenario('''
    ... schema_version: 1
    ... name: Træna
    ... municipality: {kommunenummer: "1835", base_year: 2024}
    ... run: {horizon: 2050}
    ... ''')
    >>> s.run.replications, list(s.strategies)
    (20, ['baseline'])
    >>> parse_scenario(
    ...     "schema_version: 1\\nname: x\\nmunicipality: {kommunenummer: '1835', base_year: 2024}\\n"
    ...     "run: {horizn: 2050}\\n",
    ...     "s.yaml",
    ... )
    Traceback (most recent call last):
    ...
    resilience.config._errors.ScenarioError: s.yaml:4: run.horizon: required field is missing
    s.yaml:4: run.horizn: unknown key 'horizn'; did you mean 'horizon'?
    """
    result = read_yaml(text, filename)
    if result.problems:
        raise ScenarioError(sort_problems(result.problems))
    source_map = result.source_map

    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(result.data, context={SKIP_CROSS_CHECKS: True})
    except ValidationError as exc:
        problems.extend(problems_from_validation_error(exc, Scenario, filename, source_map.line))
        problems = [_with_estimate(problem, result.data) for problem in problems]
    # The cross-field rules run on the raw data, so that they are reported
    # together with any field errors elsewhere in the file.
    for location, message in scenario_issues(result.data, source_map.line):
        problems.append(Problem(filename, source_map.line(location), format_path(location), message))
    if problems or scenario is None:
        raise ScenarioError(sort_problems(problems), document=Document(result.data, source_map.line, filename))
    too_large = _memory_problem(scenario, memory_bytes)
    if too_large is not None:
        raise ScenarioError(
            [Problem(filename, source_map.line(("run", "replications")), "run.replications", too_large)]
        )

    scenario._source_map = source_map
    scenario._source_file = filename
    return scenario


def load_scenario(path: str | os.PathLike[str], *, memory_bytes: int | None = None) -> Scenario:
    """Read and check a scenario file.

    Raises :class:`ScenarioError` listing every problem in the file, each as
    ``FILE:LINE: field.path: message``; print ``str(error)`` to the user::

        from resilience.config import ScenarioError, load_scenario

        try:
            scenario = load_scenario("scenarios/traena.yaml")
        except ScenarioError as error:
            print(error)  # scenarios/traena.yaml:14: employers[0].jobs: must be at least 0, got -5
            raise SystemExit(1)
        scenario.run.horizon           # 2050
        scenario.cornerstones()        # [Employer(name='Fiskeindustri', ...)]
        scenario.source_line(("employers", 0, "jobs"))  # 14

    The file name in messages is ``path`` as given. Only a regular file is read: a directory, a named pipe, a
    socket or a device (``/dev/zero`` never ends, a pipe may never be written) is refused without waiting.

    >>> scenario = load_scenario("scenarios/traena.yaml")   # doctest: +SKIP
    >>> scenario.municipality.kommunenummer, list(scenario.strategies)[:2]   # doctest: +SKIP
    ('1835', ['baseline', 'tenk_traena'])
    """
    filename = os.fspath(path)
    try:
        # Checked before opening too, as opening some devices acts (a tape rewinds, a pipe's waiting writer
        # goes ahead); the open descriptor is checked again, as the path may have been replaced in between.
        _refuse_special_file(os.stat(path).st_mode, filename)
        descriptor = os.open(path, _OPEN_FLAGS)
        try:
            info = os.fstat(descriptor)
            _refuse_special_file(info.st_mode, filename)
            if _NONBLOCK:
                os.set_blocking(descriptor, True)  # a regular file ignores it anyway: read it exactly as ever
            with os.fdopen(descriptor, "rb", closefd=False) as handle:
                # Read no more than the limit: a huge file is refused without being loaded whole.
                data = handle.read(MAX_FILE_BYTES + 1)
        finally:
            os.close(descriptor)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = Message("cannot read the file: {reason}", reason=reason)
        raise ScenarioError([Problem(filename, None, "(root)", message)]) from None
    size = info.st_size
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError([size_problem(filename, max(size, len(data)))])
    return parse_scenario(data, filename, memory_bytes=memory_bytes)


def _refuse_special_file(mode: int, filename: str) -> None:
    """Raise :class:`ScenarioError` unless ``mode`` (of ``os.stat``) is a regular file's, naming what it is.

    >>> _refuse_special_file(os.stat("/").st_mode, "/")
    Traceback (most recent call last):
    ...
    resilience.config._errors.ScenarioError: /: (root): is a directory, not a file: give the path of a scenario file
    """
    if stat.S_ISREG(mode):
        return
    what = next((kind for is_kind, kind in _SPECIAL_FILES if is_kind(mode)), Message("a special file"))
    message = Message("is {what}, not a file: give the path of a scenario file", what=what)
    raise ScenarioError([Problem(filename, None, "(root)", message)])


def _with_estimate(problem: Problem, data: object) -> Problem:
    """The hard bound on run.replications, with what that many replications would need in memory."""
    if problem.path != "run.replications" or not isinstance(data, dict):
        return problem
    run, municipality = data.get("run"), data.get("municipality")
    replications = run.get("replications") if isinstance(run, dict) else None
    if not isinstance(replications, int) or isinstance(replications, bool) or replications <= MAX_REPLICATIONS:
        return problem
    horizon = run.get("horizon") if isinstance(run, dict) else None
    base_year = municipality.get("base_year") if isinstance(municipality, dict) else None
    if not (isinstance(horizon, int) and isinstance(base_year, int) and horizon > base_year):
        return problem
    written = data.get("strategies")
    names = set(written) if isinstance(written, dict) else set()
    shocks = data.get("shocks")
    strategies = len(names | {"baseline"}) + (1 if isinstance(shocks, list) and shocks else 0)
    need = ensemble_memory_bytes(result_rows(strategies, replications, horizon - base_year + 1))
    hint = Message("their results would need about {need} GB of memory to summarise", need=Amount(need / 1e9, digits=1))
    return Problem(problem.file, problem.line, problem.path, join_messages(problem.message, hint))


def _memory_problem(scenario: Scenario, memory_bytes: int | None) -> Message | None:
    """The message refusing an ensemble whose results would not fit in memory, if so."""
    memory = machine_memory_bytes() if memory_bytes is None else memory_bytes
    if memory is None:
        return None
    strategies = len(scenario.strategies) + (1 if scenario.shocks and "no_shock" not in scenario.strategies else 0)
    years = scenario.run.horizon - scenario.municipality.base_year + 1
    return memory_message(strategies, scenario.run.replications, years, memory)


def scenario_problem(scenario: Scenario, path: Location, message: str) -> Problem:
    """A :class:`Problem` at ``path`` of a loaded scenario, with its file and line.

    For later layers (e.g. a lever that finds a bad parameter)::

        problem = scenario_problem(scenario, ("strategies", "dev", 0, "budget"), "must be positive")
        # scenarios/traena.yaml:31: strategies.dev[0].budget: must be positive
    """
    return Problem(
        scenario.source_file or "<scenario>",
        scenario.source_line(path),
        format_path(path),
        message,
    )
