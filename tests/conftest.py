"""Shared fixtures: the bundled Træna scenario and variants of it; the hypothesis profiles.

Hypothesis runs under one of two profiles, chosen with ``HYPOTHESIS_PROFILE``:

- ``fast`` (the default; CI and ``uv run pytest``): few examples, so the property tests stay cheap;
- ``thorough``: 25 times the examples and no deadline, for a long run before a release::

      HYPOTHESIS_PROFILE=thorough uv run pytest tests/properties tests/config/test_robustness.py

A test that needs its own number of examples writes ``@settings(max_examples=scaled(n))``: ``n`` in the fast
profile, ``25 * n`` in the thorough one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from resilience.config import Scenario, load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
TRAENA = ROOT / "scenarios" / "traena.yaml"

#: Examples per property test in the thorough profile, as a multiple of the fast profile's.
THOROUGH_FACTOR = 25
_FAST_EXAMPLES = 20

settings.register_profile(
    "fast",
    max_examples=_FAST_EXAMPLES,
    # Model runs take a fraction of a second; on a shared 2-core machine a tight deadline would only flake.
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=_FAST_EXAMPLES * THOROUGH_FACTOR,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


def scaled(examples: int) -> int:
    """``examples`` in the fast profile, ``THOROUGH_FACTOR`` times as many in the thorough one.

    >>> @settings(max_examples=scaled(12))          # doctest: +SKIP
    ... @given(seed=st.integers(0, 2**32 - 1))
    ... def test_something(seed): ...
    """
    return max(1, examples * settings.default.max_examples // _FAST_EXAMPLES)


@pytest.fixture(scope="session")
def traena() -> Scenario:
    return load_scenario(TRAENA)


def traena_variant(*, shock: bool = True, base_year: int = 2024, horizon: int = 2050, extra: str = "") -> Scenario:
    """The Træna scenario text with the closure on or off and another base year or horizon."""
    text = TRAENA.read_text(encoding="utf-8")
    text = text.replace("base_year: 2024", f"base_year: {base_year}").replace("horizon: 2050", f"horizon: {horizon}")
    if not shock:
        text = text.replace("shocks:\n  - type: closure\n    employer: Fiskeindustri\n    year: 2026\n", "shocks: []\n")
    return parse_scenario(text + extra, filename="traena-variant.yaml")


# --- no test deletes or overwrites anything outside a temporary directory -----------------------------------------

#: Where tests may delete, replace or rename files: temporary directories, and the caches of the test tools.
_DELETABLE = (
    Path(tempfile.gettempdir()).resolve(),
    ROOT / ".hypothesis",
    ROOT / ".pytest_cache",
    Path.home() / ".cache",
)
_DELETING = {"os.remove": (0,), "os.rmdir": (0,), "shutil.rmtree": (0,), "os.rename": (0, 1)}
_outside: list[str] = []


def _absolute(path: object, dir_fd: object) -> Path | None:
    if isinstance(path, int) or path is None:
        return None  # a descriptor: the directory it names was opened, and judged, by path
    name = os.fsdecode(path) if isinstance(path, bytes | os.PathLike) else str(path)
    if isinstance(dir_fd, int) and not os.path.isabs(name):
        try:
            name = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name)
        except OSError:
            return None
    return Path(os.path.abspath(name))


def _guard_deletions(event: str, args: tuple[object, ...]) -> None:
    """An audit hook: refuse (and record) a deletion, or a rename over a file, outside :data:`_DELETABLE`."""
    positions = _DELETING.get(event)
    if positions is None:
        return
    # os.rename: (src, dst, src_dir_fd, dst_dir_fd); the others: (path, dir_fd).
    dir_fds = {0: args[2], 1: args[3]} if event == "os.rename" else {0: args[1] if len(args) > 1 else None}
    for position in positions:
        path = _absolute(args[position], dir_fds[position])
        if path is None or "__pycache__" in path.parts:
            continue
        resolved = Path(os.path.realpath(path.parent)) / path.name
        if not any(resolved == root or root in resolved.parents for root in _DELETABLE):
            _outside.append(f"{event} {resolved}")
            raise PermissionError(f"a test tried {event} on {resolved}, outside every temporary directory")


if os.environ.get("RESILIENCE_TEST_DELETIONS_ANYWHERE") != "1":
    sys.addaudithook(_guard_deletions)  # cannot be removed: it stays for the whole session


@pytest.fixture(autouse=True)
def _deletes_only_in_temporary_directories() -> Iterator[None]:
    """Fail a test that deleted, replaced or renamed anything outside a temporary directory (the hook above
    also stopped it from doing so)."""
    start = len(_outside)
    yield
    found = _outside[start:]
    assert not found, f"deletions outside a temporary directory: {found}"
