"""How worker processes start: one place, importable without importing the model (the CLI uses it first).

Not "fork": forking a process that may hold threads (pyarrow's pools, BLAS, tqdm's monitor) can deadlock a
child on a lock some thread held at the moment of the fork. The fork server is a fresh, single-threaded
process that imports the model once and forks each worker from that state, so workers start at once instead
of each importing numpy, pandas and Mesa anew as under "spawn". Where there is no fork server (Windows):
"spawn".
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

__all__ = ["WORKER_MODULES", "process_context", "start_worker_server"]

#: What every worker needs, imported once by the fork server.
WORKER_MODULES = ["resilience.experiments"]


def process_context() -> BaseContext:
    """The multiprocessing context of the process pools: the fork server, preloaded, else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(WORKER_MODULES)
        return context
    return multiprocessing.get_context("spawn")


def start_worker_server() -> None:
    """Start the fork server now, so that it imports the model while this process does other work.

    The command line calls it first in the commands that run ensembles on local processes: on two cores the
    fork server's imports overlap the command's own, and the pool's workers then start without importing
    anything. A no-op where there is no fork server.

    >>> start_worker_server()   # doctest: +SKIP
    """
    if process_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
