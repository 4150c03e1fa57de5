"""The generated parts of the model's ODD description (``docs/ODD.md``).

The ODD protocol (Grimm et al. 2006, 2020) describes the model in prose; the tables that must never drift
from the code — every parameter with its default, range, unit and source, the output columns, the yearly
schedule and the levers — are generated here and written into ``docs/ODD.md`` between marker comments such
as ``<!-- parameters:start -->`` and ``<!-- parameters:end -->``. After changing a default, a column, the
schedule or a lever, regenerate them::

    uv run python -m resilience.odd            # rewrites the blocks of docs/ODD.md
    uv run python -m resilience.odd --check    # exit 1 if docs/ODD.md is out of date

Usage in Python::

    >>> from resilience.odd import parameter_table
    >>> parameter_table().splitlines()[0]
    '| parameter | default | low | high | unit | source | description |'
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from resilience.levers import get_lever, lever_catalogue, lever_names
from resilience.model import (
    COLUMNS,
    PROCESS_NAMES,
    MunicipalityModel,
    Parameters,
    budget,
    demography,
    firms,
    labour,
    migration,
)

__all__ = [
    "BLOCKS",
    "PROCESSES",
    "block",
    "builtin_lever_names",
    "column_table",
    "format_number",
    "lever_table",
    "parameter_table",
    "process_list",
    "render_blocks",
    "update_odd",
]

#: Where ``python -m resilience.odd`` looks by default (relative to the working directory: the repository root).
DEFAULT_PATH = Path("docs") / "ODD.md"

#: Each schedule point (:data:`resilience.model.PROCESS_NAMES`): the function the model runs there and what it does.
PROCESSES: dict[str, tuple[Callable[..., object], str]] = {
    "events": (
        MunicipalityModel.apply_scheduled_events,
        "yearly modifiers reset to the scenario's values; every intervention of the strategy acts (in the "
        "strategy's order); then the shocks scheduled for the year strike (closures — which a rescue may take "
        "over — and layoffs)",
    ),
    "demography": (
        demography.step,
        "deaths and births at 1 January ages, ageing by one year, entry into the labour market at 16/20, young "
        "adults leaving the parental home",
    ),
    "labour_demand": (
        labour.update_demand,
        "targets of local-service firms (local multiplier on basic jobs) and public firms (children, elderly, "
        "population) move part of the way to what the economy supports",
    ),
    "hiring": (
        labour.layoffs_and_hiring,
        "each open firm moves its workforce to its target: layoffs (non-residents first), hiring of resident "
        "job-seekers, commuters, recruitment from outside (which brings a household if a dwelling is vacant)",
    ),
    "labour_exits": (labour.exits, "retirement and disability, both raised after displacement"),
    "out_migration": (
        migration.out_migration,
        "young adults living with their parents leave alone, other households leave together",
    ),
    "in_migration": (
        migration.in_migration,
        "unavailable dwellings may be released; return migrants, amenity-led households and remote workers move "
        "in while dwellings are vacant",
    ),
    "new_firms": (firms.step, "young firms may exit; residents start new firms"),
    "budget": (budget.step, "the municipal budget of the year: tax, grant, service costs, fixed cost, levers"),
}

#: Marker name → generator of the block's content.
BLOCKS: dict[str, Callable[[], str]] = {}


def format_number(value: object) -> str:
    """A default as written in the tables: integers without a decimal point, other floats as Python prints them.

    >>> format_number(70000.0), format_number(0.0002), format_number(1.279), format_number(None)
    ('70000', '0.0002', '1.279', '—')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    value = getattr(value, "value", value)  # enums: their scenario spelling
    return str(value)


def _cell(text: object) -> str:
    """Text for one table cell: one line, ``|`` escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def parameter_table() -> str:
    """Every parameter of :class:`resilience.model.Parameters`, in declaration order, as a Markdown table."""
    rows = [
        (
            f"`{spec.name}`",
            format_number(spec.default),
            format_number(spec.low),
            format_number(spec.high),
            spec.unit,
            spec.source,
            spec.description,
        )
        for spec in Parameters.specs().values()
    ]
    return _table(("parameter", "default", "low", "high", "unit", "source", "description"), rows)


def column_table() -> str:
    """The output columns (:data:`resilience.model.COLUMNS`), led by the three the runner adds."""
    led = [
        ("strategy", "strategy name (`baseline`, the scenario's strategies, `no_shock`)"),
        ("replication", "replication number (the same under every strategy)"),
        ("seed", "the replication's model seed (the same under every strategy)"),
    ]
    rows = [(f"`{name}`", meaning) for name, meaning in [*led, *COLUMNS.items()]]
    return _table(("column", "meaning"), rows)


def process_list() -> str:
    """The yearly schedule, one numbered line per point of :data:`resilience.model.PROCESS_NAMES`, in order.

    Raises KeyError if a schedule point has no entry in :data:`PROCESSES` (document it there).
    """
    lines = []
    for number, name in enumerate(PROCESS_NAMES, start=1):
        function, what = PROCESSES[name]
        where = f"{function.__module__}.{function.__qualname__}"
        lines.append(f"{number}. `{name}` — `{where}`: {what}.")
    lines.append(
        f"{len(PROCESS_NAMES) + 1}. data collection — `resilience.model.outputs.collect_year`: one row of the output "
        "columns for the year; then `years_here` of every resident grows by one and the year advances."
    )
    return "\n".join(lines)


def builtin_lever_names() -> list[str]:
    """Names of the levers that ship with the package (plug-ins and levers registered at run time left out)."""
    return [name for name in lever_names() if get_lever(name).__module__.startswith("resilience.levers.")]


def _mechanism(doc: str | None) -> str:
    text = inspect.cleandoc(doc or "")
    match = re.search(r"Mechanism:(.*?)(?:\n\s*\n|$)", text, flags=re.DOTALL)
    sentence = " ".join((match.group(1) if match else text.split("\n\n")[0]).split())
    sentence = re.sub(r"``(.+?)``", r"`\1`", sentence)  # reStructuredText literals → Markdown
    return sentence[:1].upper() + sentence[1:]


def lever_table() -> str:
    """The built-in levers — what each does — then every setting with its default, range and source."""
    names = builtin_lever_names()
    summary = _table(
        ("lever", "title", "mechanism"),
        [(f"`{name}`", get_lever(name).titles.get("en", ""), _mechanism(get_lever(name).__doc__)) for name in names],
    )
    settings = _table(
        ("lever", "setting", "default", "low", "high", "description", "source"),
        [
            (
                f"`{row.lever}`",
                f"`{row.setting}`",
                format_number(row.default),
                format_number(row.low),
                format_number(row.high),
                row.description,
                row.source,
            )
            for row in lever_catalogue()
            if row.lever in names
        ],
    )
    return f"{summary}\n\nSettings of each lever (`resilience levers NAME` prints the same):\n\n{settings}"


BLOCKS.update(
    {
        "parameters": parameter_table,
        "columns": column_table,
        "processes": process_list,
        "levers": lever_table,
    }
)


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", flags=re.DOTALL)


def render_blocks(text: str) -> str:
    """``text`` with every generated block replaced by what the code generates now.

    Raises ValueError if a block's markers are missing.
    """
    for name, generate in BLOCKS.items():
        match = _pattern(name).search(text)
        if match is None:
            raise ValueError(f"markers <!-- {name}:start --> … <!-- {name}:end --> not found")
        replacement = f"{match.group(1)}\n{generate()}\n\n{match.group(3)}"
        text = text[: match.start()] + replacement + text[match.end() :]
    return text


def block(text: str, name: str) -> str:
    """The content between the markers of block ``name`` in ``text`` (stripped); raises ValueError if absent."""
    match = _pattern(name).search(text)
    if match is None:
        raise ValueError(f"markers <!-- {name}:start --> … <!-- {name}:end --> not found")
    return match.group(2).strip()


def update_odd(path: str | Path = DEFAULT_PATH) -> bool:
    """Rewrite the generated blocks of the ODD document at ``path``; return whether the file changed."""
    path = Path(path)
    old = path.read_text(encoding="utf-8")
    new = render_blocks(old)
    if new == old:
        return False
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(new)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m resilience.odd [PATH] [--check]``."""
    parser = argparse.ArgumentParser(prog="python -m resilience.odd", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH, help="the ODD document")
    parser.add_argument("--check", action="store_true", help="only check: exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    path: Path = args.path
    if not path.is_file():
        print(f"{path}: no such file (run from the repository root, or give the path)", file=sys.stderr)
        return 2
    try:
        if args.check:
            text = path.read_text(encoding="utf-8")
            if render_blocks(text) != text:
                print(f"{path} is out of date: run `uv run python -m resilience.odd`", file=sys.stderr)
                return 1
            print(f"{path} is up to date")
            return 0
        changed = update_odd(path)
    except ValueError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    print(f"{path} {'updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
