"""One writer per results directory: an advisory lock, taken before anything is written and held to the end.

    >>> with hold_results_dir("results/traena") as directory:         # doctest: +SKIP
    ...     ...   # another process that tries now gets ResultsBusyError, naming this one

The lock is ``flock`` on ``DIR/.resilience.lock``, a file that exists only while the directory is written.
The kernel releases the lock when the process that holds it exits, however it exits (kill -9, the OOM killer,
a power cut), so a lock file left behind by a dead process is simply taken: no time-out to guess. The file
also says who holds the lock (pid, host, command, since when), for the message a second writer gets. It is
taken with ``fcntl`` directly rather than the ``filelock`` package because that package truncates the lock file
on every attempt, which would erase the holder's name that a refused writer reads.

Within one process the lock is reentrant: :func:`resilience.workflow.run_scenario` holds it for the whole
ensemble and calls :func:`~resilience.experiments.directory.prepare_results_dir`, which holds it as well.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from resilience.experiments.layout import LOCK

try:
    import fcntl
except ImportError:  # pragma: no cover  (Windows: no advisory locks of this kind; one writer is not checked)
    fcntl = None  # type: ignore[assignment]

__all__ = ["ResultsBusyError", "ResultsPathError", "check_not_link", "hold_results_dir"]


class ResultsPathError(FileExistsError):
    """``--out`` cannot be a results directory: a symbolic link, or something that is not a directory."""


class ResultsBusyError(FileExistsError):
    """Another process is writing the results directory (it holds its lock).

    ``holder`` is what that process wrote about itself (``pid``, ``host``, ``command``, ``since``), or empty.
    """

    def __init__(self, directory: Path, holder: dict[str, object]) -> None:
        self.directory = directory
        self.holder = holder
        super().__init__(self._message())

    def _message(self) -> str:
        pid, command, since = self.holder.get("pid"), self.holder.get("command"), self.holder.get("since")
        who = f"process {pid}" if pid else "another process"
        if self.holder.get("host") not in (None, socket.gethostname()):
            who += f" on {self.holder['host']}"
        if command:
            who += f" ({command})"
        if since:
            who += f", since {since}"
        return f"{self.directory} is being written by {who}; wait for it to finish, or stop it, then try again"


@dataclass
class _Held:
    fd: int
    count: int
    created: bool


#: The directories this process holds, by (device, inode): the lock is reentrant within the process.
_held: dict[tuple[int, int], _Held] = {}
_guard = threading.Lock()


def check_not_link(path: Path) -> None:
    """Refuse a symbolic link, or anything but a directory, as a results directory (:class:`ResultsPathError`)."""
    if path.is_symlink():
        target = os.readlink(path)
        raise ResultsPathError(
            f"{path} is a symbolic link (to {target}); resilience writes results only into a real directory, "
            "never through a link: give --out the directory itself, or a new one"
        )
    if path.exists() and not path.is_dir():
        raise ResultsPathError(f"{path} exists and is not a directory: give --out a new or empty directory")


@contextmanager
def hold_results_dir(path: str | os.PathLike[str], *, create: bool = True) -> Iterator[Path]:
    """Create ``path`` if needed (``create``) and hold its lock until the block ends; yields the path.

    Raises :class:`ResultsPathError` when ``path`` is a symbolic link or not a directory, and
    :class:`ResultsBusyError` (naming the holder) when another process holds the lock. A directory this call
    created is removed again at the end if nothing but the lock file was written into it.
    """
    out = Path(path)
    check_not_link(out)
    created = False
    if create and not out.exists():
        try:
            out.mkdir(parents=True)
            created = True
        except FileExistsError:  # made by another process at the same moment: the lock decides who writes
            pass
    dir_fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        info = os.fstat(dir_fd)
        key = (info.st_dev, info.st_ino)
        with _guard:
            held = _held.get(key)
            if held is not None:
                held.count += 1
        if held is not None:
            try:
                yield out
            finally:
                with _guard:
                    held.count -= 1
            return
        lock_fd = _lock(out, dir_fd)
        with _guard:
            _held[key] = _Held(lock_fd, 1, created)
        try:
            yield out
        finally:
            with _guard:
                del _held[key]
            _release(lock_fd, dir_fd, out, created)
    finally:
        os.close(dir_fd)


def _lock(out: Path, dir_fd: int) -> int:
    """Take the lock of the directory open as ``dir_fd``; return the lock file's descriptor."""
    while True:
        # By its whole path, so that audit hooks see where it is written (an open relative to a directory
        # descriptor does not say which directory); O_NOFOLLOW: never through a link planted under its name.
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        if fcntl is None:  # pragma: no cover
            return fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ResultsBusyError(out, holder) from None
        except BaseException:
            os.close(fd)
            raise
        if _still_the_lock_file(fd, dir_fd):
            break
        # The holder removed the file between our open and our lock: the lock now lives in a new file.
        os.close(fd)
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": " ".join(["resilience", *sys.argv[1:]]) if _is_cli() else "",
        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(me, ensure_ascii=False) + "\n").encode("utf-8"), 0)
    return fd


def _still_the_lock_file(fd: int, dir_fd: int) -> bool:
    """Whether ``fd`` is the file now at ``DIR/.resilience.lock`` (not one removed by its last holder)."""
    try:
        current = os.stat(LOCK, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino)


def _is_cli() -> bool:
    """Whether this process is the command line (its arguments then describe what it is doing)."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return name in ("resilience", "__main__.py")


def _read_holder(fd: int) -> dict[str, object]:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
    except (OSError, ValueError):
        return {}  # the holder has not written its name yet, or an older version wrote none
    return data if isinstance(data, dict) else {}


def _release(fd: int, dir_fd: int, out: Path, created: bool) -> None:
    try:
        # The lock file goes with the lock, so that a results directory holds only results (a writer that opened
        # it just before sees, once it has the lock, that the file is gone, and takes a new one). Removed while
        # the lock is still held, so that no other process ever holds a lock on a file that is gone.
        if _still_the_lock_file(fd, dir_fd):
            os.unlink(LOCK, dir_fd=dir_fd)
        if created and not os.listdir(dir_fd):
            os.rmdir(out)  # a directory this command made and wrote nothing into
    except OSError:
        pass
    finally:
        os.close(fd)  # releases the flock
