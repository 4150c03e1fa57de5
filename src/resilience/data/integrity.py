"""Checksums of the data files: a truncated or corrupted file is refused with a message that says how to restore it.

The data directory (the package's own, or the one named by ``$RESILIENCE_DATA_DIR``) holds a manifest,
``checksums.json``, with the size and SHA-256 of each data file. :func:`verified_bytes` reads a file and checks
it against the manifest before anything parses it; the loaders in :mod:`resilience.data.population` keep what
they read, so each file is read and checked once per process (about 3 ms for the 1.3 MB population table).

Files and manifest are replaced together by :func:`replace_files` (used by the dataset build and by
``resilience ssb refresh-population``) so that a crash at any point leaves a manifest that accepts the files on
disk: the manifest first accepts both the old and the incoming version, then the files are replaced one by one,
each atomically, then the manifest accepts only the new versions.

Usage::

    >>> from resilience.data.integrity import data_dir, verify_data
    >>> sorted(path.name for path in verify_data())
    ['ssb_07459_municipalities.json', 'ssb_07459_population.parquet']
    >>> data_dir().name
    'data'
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

__all__ = [
    "DATA_DIR_ENV",
    "MANIFEST_FILE",
    "DataIntegrityError",
    "bundled_data_dir",
    "data_dir",
    "manifest_bytes",
    "replace_files",
    "verified_bytes",
    "verify_data",
    "write_atomically",
]

#: The manifest of sizes and SHA-256 checksums, next to the data files it describes.
MANIFEST_FILE: Final = "checksums.json"
#: Environment variable naming another data directory (same file names, with its own manifest).
DATA_DIR_ENV: Final = "RESILIENCE_DATA_DIR"

_ABOUT: Final = (
    "Size in bytes and SHA-256 of each data file in this directory. resilience checks a file against it "
    "before reading it; resilience ssb refresh-population rewrites it together with the files."
)


class DataIntegrityError(Exception):
    """A data file is missing, truncated or corrupted, or its manifest is; the message says how to restore it.

    Attributes:
        path: the file that failed the check (a data file or the manifest).
        problem: what is wrong, without the advice (e.g. ``"truncated: 1000 bytes, expected 1318000"``).

    >>> error = DataIntegrityError(Path("data/x.parquet"), "truncated: 10 bytes, expected 20", "restore it")
    >>> str(error)
    'data/x.parquet: truncated: 10 bytes, expected 20; restore it'
    """

    def __init__(self, path: Path, problem: str, remedy: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}; {remedy}")


def bundled_data_dir() -> Path:
    """The data directory shipped inside the package."""
    return Path(str(resources.files("resilience.data")))


def data_dir() -> Path:
    """The data directory in use: ``$RESILIENCE_DATA_DIR`` if set (and not empty), else the bundled one.

    >>> data_dir() == bundled_data_dir() or DATA_DIR_ENV in os.environ
    True
    """
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured) if configured else bundled_data_dir()


@dataclass(frozen=True)
class _Entry:
    size: int
    sha256: str

    @classmethod
    def of(cls, content: bytes) -> _Entry:
        return cls(len(content), hashlib.sha256(content).hexdigest())

    def as_json(self) -> dict[str, Any]:
        return {"size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class _Manifest:
    files: dict[str, _Entry]
    incoming: dict[str, _Entry]


def verified_bytes(name: str, directory: Path | None = None) -> bytes:
    """The content of data file ``name`` after checking its size and SHA-256 against the manifest.

    The bytes that were checked are the bytes returned, so a file replaced in between cannot slip through.

    Raises:
        DataIntegrityError: the file or the manifest is missing, unreadable, truncated or corrupted.
    """
    directory = data_dir() if directory is None else directory
    path = directory / name
    manifest = _read_manifest(directory)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise DataIntegrityError(path, "missing", _remedy(directory, path)) from None
    except OSError as error:
        raise DataIntegrityError(path, f"cannot be read ({error.strerror})", _remedy(directory, path)) from None
    try:
        _check(path, content, manifest, directory)
    except DataIntegrityError:
        # A refresh in another process may have replaced manifest and file between the two reads above: the
        # manifest read now accepts whatever file a refresh can have written since, so check against it once.
        _check(path, content, _read_manifest(directory), directory)
    return content


def verify_data(directory: Path | None = None) -> list[Path]:
    """Check every file the manifest lists; returns their paths (sorted by name).

    Raises:
        DataIntegrityError: the first file (by name) that fails.
    """
    directory = data_dir() if directory is None else directory
    names = sorted(_read_manifest(directory).files)
    for name in names:
        verified_bytes(name, directory)
    return [directory / name for name in names]


def manifest_bytes(files: Mapping[str, bytes], incoming: Mapping[str, bytes] | None = None) -> bytes:
    """The manifest for data files with these contents (and, during a replacement, their incoming versions).

    Same contents, same bytes: names sorted, no dates.

    >>> print(manifest_bytes({"a.json": b"{}"}).decode())  # doctest: +ELLIPSIS
    {
      "about": "Size in bytes and SHA-256 of each data file ...",
      "files": {
        "a.json": {"size": 2, "sha256": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}
      }
    }
    <BLANKLINE>
    """
    return _manifest_text({name: _Entry.of(content) for name, content in files.items()}, _entries(incoming or {}))


def replace_files(directory: Path, contents: Mapping[str, bytes]) -> dict[str, Path]:
    """Write ``contents`` (file name → bytes) into ``directory`` and keep its manifest true at every moment.

    1. The manifest is rewritten to accept, for each file, the version on disk (if it passes its check) and the
       incoming one; 2. each file is written to a temporary file and renamed over the old one; 3. the manifest
       is rewritten to accept only the new versions. Each step is atomic, so a crash anywhere leaves every file
       either old or new, and accepted. Entries of other files in the manifest are kept.
    """
    directory.mkdir(parents=True, exist_ok=True)
    current = _good_entries_on_disk(directory)
    incoming = _entries(contents)
    write_atomically(directory / MANIFEST_FILE, _manifest_text(current, incoming))
    written = {name: write_atomically(directory / name, content) for name, content in contents.items()}
    write_atomically(directory / MANIFEST_FILE, _manifest_text({**current, **incoming}, {}))
    return written


# --- helpers ------------------------------------------------------------------------------------------------


def _check(path: Path, content: bytes, manifest: _Manifest, directory: Path) -> None:
    expected = manifest.files.get(path.name)
    accepted = [entry for entry in (expected, manifest.incoming.get(path.name)) if entry is not None]
    if not accepted:
        raise DataIntegrityError(path, f"not listed in {directory / MANIFEST_FILE}", _remedy(directory, path))
    actual = _Entry.of(content)
    if actual in accepted:
        return
    reference = expected or accepted[0]
    if actual.size < reference.size:
        problem = f"truncated: {actual.size} bytes, expected {reference.size}"
    elif actual.size > reference.size:
        problem = f"{actual.size} bytes, expected {reference.size}: it was changed or appended to"
    else:
        problem = (
            f"corrupted: its SHA-256 is {actual.sha256[:16]}…, expected {reference.sha256[:16]}… "
            f"(same size, {actual.size} bytes)"
        )
    raise DataIntegrityError(path, problem, _remedy(directory, path))


def _read_manifest(directory: Path) -> _Manifest:
    path = directory / MANIFEST_FILE
    try:
        document = json.loads(path.read_bytes())
        return _Manifest(_parse_entries(document["files"]), _parse_entries(document.get("incoming", {})))
    except FileNotFoundError:
        problem = "missing, so the data files next to it cannot be checked"
    except OSError as error:
        problem = f"cannot be read ({error.strerror})"
    except (ValueError, KeyError, TypeError) as error:
        problem = f"not a valid checksum manifest ({type(error).__name__}: {error})"
    raise DataIntegrityError(path, problem, _remedy(directory, path))


def _parse_entries(raw: Any) -> dict[str, _Entry]:
    if not isinstance(raw, dict):
        raise TypeError(f"expected an object of files, got {type(raw).__name__}")
    entries: dict[str, _Entry] = {}
    for name, entry in raw.items():
        size, sha256 = entry["size"], entry["sha256"]
        if not (isinstance(size, int) and isinstance(sha256, str) and len(sha256) == 64):
            raise ValueError(f"bad entry for {name}: {entry!r}")
        entries[str(name)] = _Entry(size, sha256.lower())
    return entries


def _entries(contents: Mapping[str, bytes]) -> dict[str, _Entry]:
    return {name: _Entry.of(content) for name, content in contents.items()}


def _good_entries_on_disk(directory: Path) -> dict[str, _Entry]:
    """The manifest's entries whose file on disk passes its check now, as the entry of what is on disk."""
    try:
        manifest = _read_manifest(directory)
    except DataIntegrityError:
        return {}  # no usable manifest: nothing on disk can be vouched for, the new manifest starts afresh
    good: dict[str, _Entry] = {}
    for name in sorted({*manifest.files, *manifest.incoming}):
        try:
            content = (directory / name).read_bytes()
        except OSError:
            continue
        entry = _Entry.of(content)
        if entry in (manifest.files.get(name), manifest.incoming.get(name)):
            good[name] = entry
    return good


def _manifest_text(files: Mapping[str, _Entry], incoming: Mapping[str, _Entry]) -> bytes:
    def block(entries: Mapping[str, _Entry]) -> str:
        lines = [f"    {json.dumps(name)}: {json.dumps(entries[name].as_json())}" for name in sorted(entries)]
        return "{\n" + ",\n".join(lines) + "\n  }"

    parts = [f'  "about": {json.dumps(_ABOUT)}', f'  "files": {block(files)}']
    if incoming:
        parts.append(f'  "incoming": {block(incoming)}')
    return ("{\n" + ",\n".join(parts) + "\n}\n").encode("utf-8")


def _remedy(directory: Path, path: Path) -> str:
    if directory.resolve() == bundled_data_dir().resolve():
        return (
            "restore it by reinstalling the package (uv sync --reinstall-package resilience, or pip install "
            f"--force-reinstall resilience; in a git checkout: git checkout -- {path}), or fetch the data again "
            "from SSB with `resilience ssb refresh-population` (needs the network)"
        )
    configured = os.environ.get(DATA_DIR_ENV)
    if configured and Path(configured).resolve() == directory.resolve():
        return (
            f"this data directory is set by {DATA_DIR_ENV}: fetch the data into it again with "
            f"`resilience ssb refresh-population` (needs the network), or unset {DATA_DIR_ENV} to use the data "
            "shipped with the package"
        )
    return (
        "fetch the data into this directory again with `resilience ssb refresh-population --target FILE` "
        "(FILE in this directory; needs the network)"
    )


def write_atomically(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` via a temporary file in the same directory and :func:`os.replace`."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; the file is package data everyone reads
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
