"""Loading scenario files: YAML, then the schema, then the cross-field rules."""

from __future__ import annotations

import os

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

    The file name in messages is ``path`` as given.

    >>> scenario = load_scenario("scenarios/traena.yaml")   # doctest: +SKIP
    >>> scenario.municipality.kommunenummer, list(scenario.strategies)[:2]   # doctest: +SKIP
    ('1835', ['baseline', 'tenk_traena'])
    """
    filename = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            # Read no more than the limit: a huge file is refused without being loaded whole.
            data = handle.read(MAX_FILE_BYTES + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = Message("cannot read the file: {reason}", reason=reason)
        raise ScenarioError([Problem(filename, None, "(root)", message)]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError([size_problem(filename, max(size, len(data)))])
    return parse_scenario(data, filename, memory_bytes=memory_bytes)


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
