"""The explorer's worker processes: a small pool that never outlives the server.

Kept apart from :mod:`resilience.explore.app` so that a worker (started with "spawn") imports only this and
the model, not Solara and the page.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

__all__ = ["open_pool", "shutdown_pool"]

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _exit_with(parent: int) -> None:
    """In a worker: exit as soon as the server that started it is gone (killed, not only stopped)."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def open_pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool of ``workers`` processes, started on first use."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with,
                initargs=(os.getpid(),),
            )
        return _pool


def shutdown_pool() -> None:
    """Stop the pool's processes now (runs in progress are dropped)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
