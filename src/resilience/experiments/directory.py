"""Results directories: starting one, replacing one (``--force``), resuming one, and checking one before use.

Nothing a user owns is ever destroyed. A directory is taken for new results only when it is new or empty; it
is replaced (``--force``) only when it is a results directory this tool wrote: it has ``ensemble.json`` and
nothing but the files resilience writes (:mod:`resilience.experiments.layout`), and then only those files are
deleted, without following a symbolic link. Every step runs under the directory's lock
(:mod:`resilience.experiments.lock`), so a second process never writes the same directory::

    manifest = EnsembleManifest(scenario_checksum(scenario), root_seed=1, replications=4, horizon=2030,
                                strategies=["baseline", "no_shock"], package_version="0.1.0", created="2026-11-28")
    with hold_results_dir("results/x"):
        prepare_results_dir("results/x", manifest=manifest)          # a new ensemble (force=True: replace one)
        ...
    stored = resume_results_dir("results/x", manifest)               # later: the same ensemble, interrupted
    verify_results("results/x")                                      # before a report: whole and complete
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from itertools import islice
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.parquet as pq

from resilience.config import Scenario
from resilience.experiments.layout import (
    LEDGER,
    LOCK,
    MANIFEST,
    RESOLVED,
    RUN_FILE,
    RUNS,
    SUMMARY,
    TIMESERIES,
    Entry,
    foreign_entries,
    is_owned,
    owned_entries,
)
from resilience.experiments.lock import ResultsPathError, check_not_link, hold_results_dir
from resilience.experiments.store import DERIVED, atomic_write_text

__all__ = [
    "EnsembleManifest",
    "ResultsDamagedError",
    "ResultsExistError",
    "ResumeError",
    "check_results_dir",
    "check_resumable",
    "discard_unfinished",
    "file_checksum",
    "prepare_results_dir",
    "resume_results_dir",
    "scenario_checksum",
    "verify_results",
]

#: How many of a directory's entries a refusal names.
_NAMED = 3


class ResultsExistError(FileExistsError):
    """The results directory cannot be used as asked: it holds results (and ``force`` was not given), or it
    holds files that are not results (``force`` or not). The message is one line saying what is there."""


class ResumeError(ResultsExistError):
    """An ensemble cannot be resumed: nothing to resume, already complete, or other options than before.

    The message is one line that names the directory and what differs.
    """


class ResultsDamagedError(ValueError):
    """A results directory whose files cannot be used: incomplete, damaged, or not results at all.

    The message is one line naming the file, what is wrong with it, and how to repair it.
    """


def scenario_checksum(scenario: Scenario) -> str:
    """A checksum of every field of the scenario (defaults included): the same scenario, the same checksum.

    >>> scenario_checksum(load_scenario("scenarios/traena.yaml"))[:8]   # doctest: +SKIP
    '3f1c9a07'
    """
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_checksum(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class EnsembleManifest:
    """What defines the ensemble of a results directory (``ensemble.json``), and whether it is complete.

    Two ensembles with equal definitions (every field but ``created``, ``complete`` and the checksum of the
    finished time series) give the same bytes, so an interrupted one may be completed by the other
    (:func:`resume_results_dir`). ``created`` is the date the ensemble began: the resolved scenario and the
    report show it, so a resumed ensemble keeps it. ``kind`` is ``ensemble`` (``run``, ``demo``, ``hindcast``)
    or ``calibration``. A complete ensemble records the SHA-256 of its ``timeseries.parquet``, so that a file
    damaged afterwards is recognised as such.

    >>> manifest = EnsembleManifest("ab12", 1, 4, 2030, ["baseline", "no_shock"], "0.1.0", "2026-11-28")
    >>> manifest.total
    8
    """

    scenario_checksum: str
    root_seed: int
    replications: int
    horizon: int
    strategies: list[str]
    package_version: str
    created: str
    scenario_name: str = ""
    complete: bool = False
    kind: str = "ensemble"
    timeseries_sha256: str = ""
    #: The fields that define the runs, with how the command line names each.
    _LABELS: ClassVar[dict[str, str]] = {
        "scenario_checksum": "the scenario (its file or its defaults changed)",
        "root_seed": "--seed",
        "replications": "--replications",
        "horizon": "--horizon",
        "strategies": "the strategies run (--strategy)",
        "package_version": "the version of resilience",
    }

    @property
    def total(self) -> int:
        """The number of runs of the ensemble: strategies × replications."""
        return len(self.strategies) * self.replications

    def differences(self, other: EnsembleManifest) -> list[str]:
        """What ``other`` defines differently, one phrase per field: ``--replications 6, not 4``."""
        found = []
        for name, label in self._LABELS.items():
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine == theirs:
                continue
            if name == "scenario_checksum":
                found.append(label)
            elif name == "strategies":
                found.append(f"{label}: {', '.join(theirs)}, not {', '.join(mine)}")
            else:
                found.append(f"{label} {theirs}, not {mine}")
        return found

    def to_json(self) -> str:
        """The manifest as the text of ``ensemble.json``."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        return json.dumps({"format": 1, **data}, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> EnsembleManifest | None:
        """The manifest of ``directory``, or None when it has none (or one that cannot be read)."""
        path = Path(directory) / MANIFEST
        try:
            if path.is_symlink():
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
            data.pop("format", None)
            manifest = cls(**data)
        except (OSError, ValueError, TypeError):
            return None
        return manifest if isinstance(manifest.strategies, list) else None

    def write(self, directory: str | os.PathLike[str]) -> None:
        """Write ``ensemble.json`` in ``directory`` atomically."""
        atomic_write_text(Path(directory) / MANIFEST, self.to_json())

    def completed(self, timeseries_sha256: str = "") -> EnsembleManifest:
        """The same manifest, marked complete (with the checksum of the finished ``timeseries.parquet``)."""
        return replace(self, complete=True, timeseries_sha256=timeseries_sha256)

    def describe(self) -> str:
        """What the directory holds, for a message: ``the results of 'Træna' (120 runs, 2026-11-28)``."""
        name = f" of '{self.scenario_name}'" if self.scenario_name else ""
        if self.kind == "calibration":
            return f"a calibration{name} ({self.created})"
        return f"the results{name} ({self.total} runs, {self.created})"


@contextmanager
def _opened(out: Path) -> Iterator[int]:
    """``out`` open as a directory descriptor, never through a symbolic link."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        yield fd
    finally:
        os.close(fd)


@dataclass(frozen=True)
class _Contents:
    """What a directory holds, sorted into resilience's entries and the rest."""

    owned: frozenset[str]
    foreign: tuple[Entry, ...]  # the first few, in name order
    more_foreign: bool
    run_files: int

    @property
    def empty(self) -> bool:
        return not self.foreign and self.owned <= {LOCK}


def _contents(out: Path) -> _Contents:
    with _opened(out) as fd:
        found = list(islice(foreign_entries(fd), _NAMED + 1))
        owned = owned_entries(fd)
    paths = frozenset(entry.path for entry in owned)
    runs = sum(1 for path in paths if path.startswith(f"{RUNS}/") and RUN_FILE.match(path[len(RUNS) + 1 :]))
    return _Contents(paths, tuple(found[:_NAMED]), len(found) > _NAMED, runs)


def _listing(contents: _Contents) -> str:
    named = ", ".join(entry.describe() for entry in contents.foreign)
    return named + (", …" if contents.more_foreign else "")


def _holds_nothing(contents: _Contents, manifest: EnsembleManifest | None) -> bool:
    """Whether the directory holds only an ensemble interrupted before any run finished: nothing to lose."""
    if manifest is None or manifest.complete or manifest.kind != "ensemble" or contents.foreign:
        return False
    allowed = {MANIFEST, LOCK, RUNS, f"{RUNS}/{LEDGER}"}
    return contents.run_files == 0 and all(
        path in allowed or os.path.basename(path).endswith(".tmp") for path in contents.owned
    )


def _refusal(out: Path, *, force: bool, resumable: bool) -> str | None:
    """Why ``out`` cannot take new results (with ``force``: be replaced), or None when it can."""
    check_not_link(out)
    if not out.exists():
        return None
    contents = _contents(out)
    if contents.empty:
        return None
    has_manifest = MANIFEST in contents.owned
    manifest = EnsembleManifest.read(out) if has_manifest else None
    if contents.foreign:
        first = contents.foreign[0].describe()
        if force:
            why = f"it holds {first}, which resilience did not write" + ("" if has_manifest else f", and no {MANIFEST}")
            return (
                f"refusing --force: {out} is not a results directory of resilience ({why}); --force replaces only "
                "results this tool wrote and deletes nothing else: give --out a new or empty directory"
            )
        if has_manifest:
            return (
                f"{out} holds results and other files too ({_listing(contents)}); move those files out, "
                "or give --out another directory"
            )
        return (
            f"{out} is not empty and is not a results directory (it holds {_listing(contents)}): "
            "give --out a new or empty directory"
        )
    if not has_manifest:
        shown = ", ".join(sorted(path for path in contents.owned if "/" not in path and path != LOCK)[:_NAMED])
        refusal = "refusing --force: " if force else ""
        return (
            f"{refusal}{out} holds files named like results ({shown}) but no {MANIFEST}, so it is not known to be "
            "a results directory of resilience: delete them yourself, or give --out a new or empty directory"
        )
    if _holds_nothing(contents, manifest) or force:
        return None
    return _occupied(out, manifest, contents, resumable=resumable)


def _occupied(out: Path, manifest: EnsembleManifest | None, contents: _Contents, *, resumable: bool) -> str:
    """Why a results directory is refused without --force, and what to do: --force, or --resume."""
    if manifest is None:
        return f"{out} holds results whose {MANIFEST} cannot be read; use --force to replace them"
    if resumable and not manifest.complete and manifest.kind == "ensemble":
        return (
            f"{out} holds an interrupted ensemble ({contents.run_files} of {manifest.total} runs finished); "
            "use --resume to complete it, or --force to replace it"
        )
    also = " (--resume completes an interrupted ensemble)" if resumable and manifest.complete else ""
    them = "it" if manifest.kind == "calibration" else "them"
    return f"{out} already holds {manifest.describe()}; use --force to replace {them}, or another --out{also}"


def check_results_dir(path: str | os.PathLike[str], *, force: bool = False, resumable: bool = False) -> None:
    """Raise the :class:`ResultsExistError` that :func:`prepare_results_dir` would, without changing anything.

    For a command that works a long time before it writes (``calibrate``): it refuses before, not after.
    """
    refusal = _refusal(Path(path), force=force, resumable=resumable)
    if refusal is not None:
        raise ResultsExistError(refusal)


def prepare_results_dir(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    manifest: EnsembleManifest | None = None,
) -> Path:
    """Create ``path``, or take it when empty, or replace it with ``force``; refuse anything else.

    ``force`` replaces only a results directory this tool wrote (``ensemble.json`` and nothing but its own
    files), deleting only those files; a directory with anything else in it is refused, naming the first
    foreign entry. A symbolic link is refused whatever the options. With ``manifest`` (an ensemble's results
    directory), it is written to ``ensemble.json`` before any run, and a refusal says that ``--resume``
    completes an interrupted ensemble. Runs under the directory's lock.

    >>> prepare_results_dir("results/x", force=True)   # doctest: +SKIP
    PosixPath('results/x')
    """
    with hold_results_dir(path) as out:
        refusal = _refusal(out, force=force, resumable=manifest is not None)
        if refusal is not None:
            raise ResultsExistError(refusal)
        _remove_owned(out)
        if manifest is not None:
            manifest.write(out)
    return out


def _remove_owned(out: Path) -> None:
    """Delete resilience's entries in ``out`` (not its lock), judged again one by one as they are deleted:
    an entry that is not resilience's, or a link, is left alone whatever happened since the check."""
    with _opened(out) as fd:
        for name in sorted(os.listdir(fd)):
            mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
            if name == LOCK:
                continue
            if stat.S_ISDIR(mode):
                if is_owned(name, directory=True):
                    _empty_owned_folder(fd, name)
            elif stat.S_ISREG(mode) and is_owned(name):
                os.unlink(name, dir_fd=fd)


def _empty_owned_folder(parent: int, folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    try:
        for name in os.listdir(fd):
            mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
            if stat.S_ISREG(mode) and is_owned(name, folder=folder):
                os.unlink(name, dir_fd=fd)
        left = os.listdir(fd)
    finally:
        os.close(fd)
    if not left:
        os.rmdir(folder, dir_fd=parent)


def discard_unfinished(path: str | os.PathLike[str]) -> bool:
    """Remove what a start that failed before any run finished wrote into ``path`` (its manifest and an empty
    ``runs/``); returns whether it did. A directory with a finished run, or anything else, is left alone."""
    out = Path(path)
    try:
        contents = _contents(out)
    except OSError:
        return False
    if not _holds_nothing(contents, EnsembleManifest.read(out)):
        return False
    _remove_owned(out)
    return True


def check_resumable(path: str | os.PathLike[str]) -> None:
    """Raise :class:`ResumeError` when there is no directory at ``path`` to resume (nothing, or a link)."""
    out = Path(path)
    if out.is_symlink() or not out.is_dir():
        what = "is a symbolic link" if out.is_symlink() else "does not exist"
        raise ResumeError(f"{out} {what}: there is nothing to resume (run without --resume)")


def resume_results_dir(path: str | os.PathLike[str], manifest: EnsembleManifest) -> EnsembleManifest:
    """Check that ``path`` holds an interrupted ensemble defined as ``manifest``; return its stored manifest.

    Raises :class:`ResumeError` (one line) when there is nothing to resume, when the ensemble is already
    complete and whole, or when it was defined otherwise (another scenario, seed, number of replications,
    horizon, strategies or package version: its runs would not be the same). A complete ensemble whose
    ``timeseries.parquet`` is damaged is rebuilt from its run files when they are still there; when they are
    gone, the refusal says so. Left-over temporary files and the files made from an earlier, incomplete attempt
    are removed; the finished runs in ``runs/`` are kept (and verified by
    :meth:`~resilience.experiments.RunStore.verify` before they count). Runs under the directory's lock.
    """
    out = Path(path)
    check_resumable(out)
    with hold_results_dir(out, create=False):
        contents = _contents(out)
        stored = EnsembleManifest.read(out)
        if stored is None:
            if MANIFEST in contents.owned:
                raise ResumeError(f"{out / MANIFEST} cannot be read; use --force to run the ensemble again")
            if contents.empty:
                raise ResumeError(f"{out} is empty: there is nothing to resume (run without --resume)")
            raise ResumeError(
                f"{out} holds files ({_listing(contents) or 'of resilience'}) without a record of their ensemble "
                f"({MANIFEST}): there is nothing to resume"
            )
        if contents.foreign:
            raise ResumeError(
                f"{out} holds files that resilience did not write ({_listing(contents)}); move them out first"
            )
        if stored.kind != "ensemble":
            raise ResumeError(f"{out} holds {stored.describe()}, not an ensemble: there is nothing to resume")
        differences = stored.differences(manifest)
        if differences:
            raise ResumeError(
                f"{out} holds an interrupted ensemble of other options: {'; '.join(differences)}; "
                "resume with the same scenario and options, or use --force to replace it"
            )
        if stored.complete:
            damage = _timeseries_damage(out, stored)
            if damage is None:
                raise ResumeError(
                    f"{out} is already complete: there is nothing to resume (use --force to run it again)"
                )
            if contents.run_files == 0:
                raise ResumeError(
                    f"{out / TIMESERIES} is damaged ({damage}) and the run files it was made from are gone: "
                    "run the ensemble again with --force"
                )
            stored = replace(stored, complete=False, timeseries_sha256="")
            stored.write(out)  # from here on it is an interrupted ensemble whose runs are all on disk
        for name in DERIVED:
            if _is_file_nofollow(out / name):
                (out / name).unlink()
        for folder in (out, out / RUNS):
            if folder.is_dir() and not folder.is_symlink():
                for leftover in folder.glob(".*.tmp"):  # a write that was cut off before its rename
                    if _is_file_nofollow(leftover) and is_owned(leftover.name, folder=None if folder == out else RUNS):
                        leftover.unlink(missing_ok=True)
    return stored


def _is_file_nofollow(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _timeseries_damage(out: Path, manifest: EnsembleManifest) -> str | None:
    """Why ``timeseries.parquet`` of a complete ensemble cannot be used, or None when it is whole."""
    path = out / TIMESERIES
    if not path.exists():
        return "it is missing"
    if not _is_file_nofollow(path):
        return "it is not a regular file"
    if manifest.timeseries_sha256 and file_checksum(path) != manifest.timeseries_sha256:
        return "its checksum differs from the one recorded when it was written: cut short or changed"
    try:
        pq.ParquetFile(path).metadata  # noqa: B018  (reading the footer is the check)
    except (OSError, pa.ArrowException):
        return "it is not a whole Parquet file: cut short or overwritten"
    return None


def verify_results(path: str | os.PathLike[str]) -> EnsembleManifest | None:
    """Check that ``path`` holds the whole results of a finished ensemble; return its manifest (None for
    results from before manifests were written).

    Raises :class:`ResultsDamagedError`, one line naming the file and the way to repair it, when the ensemble
    was interrupted, when ``timeseries.parquet`` is missing or damaged (a checksum that differs from the one
    recorded, a file cut short), or when the summary or the resolved scenario is missing.

    >>> verify_results("results/demo")   # doctest: +SKIP
    """
    out = Path(path)
    try:
        check_not_link(out)
    except ResultsPathError as error:
        raise ResultsDamagedError(str(error)) from None
    if not out.is_dir():
        raise ResultsDamagedError(f"{out} is not a directory of results")
    manifest = EnsembleManifest.read(out)
    if manifest is None and (out / MANIFEST).exists():
        raise ResultsDamagedError(f"{out / MANIFEST} cannot be read: run the ensemble again with --force")
    if manifest is not None and manifest.kind != "ensemble":
        raise ResultsDamagedError(f"{out} holds {manifest.describe()}, not the results of an ensemble")
    runs = _contents(out).run_files
    if manifest is not None and not manifest.complete:
        raise ResultsDamagedError(
            f"{out} holds an interrupted ensemble ({runs} of {manifest.total} runs finished), so there are no "
            "results to report yet: complete it with the same `resilience run` command and --resume"
        )
    if manifest is None and not (out / TIMESERIES).exists():
        raise ResultsDamagedError(
            f"{out} holds no results of resilience (no {MANIFEST}, no {TIMESERIES}): give the --out directory "
            "of a finished `resilience run`"
        )
    damage = _timeseries_damage(out, manifest) if manifest is not None else None
    if manifest is None:
        damage = _timeseries_damage(out, EnsembleManifest("", 0, 0, 0, [], "", ""))
    if damage is not None:
        repair = (
            "rebuild it with the same `resilience run` command and --resume"
            if runs
            else "its run files are gone, so run the ensemble again with --force"
        )
        raise ResultsDamagedError(f"{out / TIMESERIES} is damaged ({damage}): {repair}")
    for name in (SUMMARY, RESOLVED):
        if not _is_file_nofollow(out / name):
            raise ResultsDamagedError(
                f"{out / name} is missing: run the ensemble again with --force (its time series alone is kept "
                f"in {TIMESERIES})"
            )
    return manifest
