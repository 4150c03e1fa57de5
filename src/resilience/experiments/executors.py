"""Where the runs of an ensemble execute: inline, on local processes, or on a Dask cluster.

Every backend is a :class:`concurrent.futures.Executor`, so the ensemble runner has one code path for all of
them. Runs are seeded on their own, so the results do not depend on the executor or the number of workers.

    >>> from resilience.experiments.executors import open_executor
    >>> with open_executor("sequential") as executor:
    ...     executor.submit(pow, 2, 10).result()
    1024

Local processes (``workers`` defaults to every core) and Dask (a local cluster, or an existing one)::

    with open_executor("process", workers=4) as executor: ...
    with open_executor("dask") as executor: ...                              # a LocalCluster on this machine
    with open_executor("dask", scheduler="tcp://10.0.0.5:8786") as executor: ...   # an existing cluster

Dask is an optional extra: ``pip install 'resilience[dask]'`` (``uv sync --extra dask``).
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal, ParamSpec, TypeVar, get_args

__all__ = [
    "EXECUTOR_KINDS",
    "ExecutorKind",
    "SchedulerError",
    "SequentialExecutor",
    "executor_capacity",
    "open_executor",
    "scheduler_address_problem",
]

P = ParamSpec("P")
T = TypeVar("T")

#: The kinds of executor :func:`open_executor` opens.
ExecutorKind = Literal["sequential", "process", "dask"]
EXECUTOR_KINDS: tuple[str, ...] = get_args(ExecutorKind)

_DASK_MISSING = (
    "the Dask executor needs the optional dependency dask[distributed]: "
    "install resilience[dask] (pip install 'resilience[dask]', or uv sync --extra dask)"
)


#: The transports of a Dask scheduler's address (``tcp://10.0.0.5:8786``); ``tcp`` when none is written.
_SCHEDULER_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})/?$"
)
_SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def scheduler_address_problem(address: str) -> str | None:
    """Why ``address`` is not the address of a Dask scheduler, or None when it reads as one (whether a
    scheduler answers there is only known when it is contacted).

    >>> scheduler_address_problem("tcp://10.0.0.5:8786") is None
    True
    >>> scheduler_address_problem("10.0.0.5")
    "'10.0.0.5' is not a Dask scheduler address: write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
    """
    match = _SCHEDULER_ADDRESS.match(address)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        return f"{address!r} is not a Dask scheduler address: write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
    if match["scheme"] is not None and match["scheme"] not in _SCHEDULER_SCHEMES:
        return f"{match['scheme']}:// is not a transport of Dask: use one of {', '.join(_SCHEDULER_SCHEMES)}"
    return None


class SchedulerError(RuntimeError):
    """No Dask scheduler answers at the address given (a mistyped address, a cluster that is not running)."""


class SequentialExecutor(Executor):
    """An executor that runs each call inline, in :meth:`submit`, and returns an already completed future.

    An exception of the call is set on the future (as other executors do), not raised by ``submit``.

    >>> executor = SequentialExecutor()
    >>> executor.submit(int, "12").result()
    12
    >>> executor.submit(int, "twelve").exception()
    ValueError("invalid literal for int() with base 10: 'twelve'")
    """

    def __init__(self) -> None:
        self._shutdown = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` now; a done future holds its result or its exception."""
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args, **kwargs)
        except BaseException as error:  # a KeyboardInterrupt too: re-raised below after the future holds it
            future.set_exception(error)
            if not isinstance(error, Exception):
                raise
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No new calls after this (every call has already finished)."""
        with self._lock:
            self._shutdown = True


def executor_capacity(executor: Executor) -> int:
    """How many calls ``executor`` runs at once: its workers (threads, for Dask), at least 1.

    The ensemble runner keeps about twice this many runs in flight, so that workers never wait while the
    memory held by submitted-but-unfinished runs stays bounded.
    """
    if isinstance(executor, SequentialExecutor):
        return 1
    if isinstance(executor, ProcessPoolExecutor | ThreadPoolExecutor):
        return max(1, int(getattr(executor, "_max_workers", 1)))
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None:
        try:
            threads = sum(int(n) for n in client.nthreads().values())
        except Exception:  # an unreachable scheduler fails later, where the runs are submitted
            threads = 0
        return max(1, threads)
    return max(1, os.cpu_count() or 1)


@contextmanager
def open_executor(
    kind: ExecutorKind = "process",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Executor]:
    """Open an executor of ``kind`` and close it (and what it started) on leaving the ``with`` block.

    ``process``: a pool of ``workers`` processes (default: every core; 1 runs inline). ``dask``: a client of
    the Dask scheduler at ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``; its workers are the cluster's), or,
    without ``scheduler``, a local cluster of ``workers`` single-threaded worker processes (default: every
    core). ``sequential``: every run inline, in this process.

    >>> with open_executor("process", workers=2) as pool:                  # doctest: +SKIP
    ...     rows = run_ensemble(scenario, plan_runs(scenario), executor=pool)
    >>> with open_executor("dask", scheduler="tcp://10.0.0.5:8786") as pool:  # doctest: +SKIP
    ...     rows = run_ensemble(scenario, plan_runs(scenario), executor=pool)
    """
    if scheduler is not None and kind != "dask":
        raise ValueError(f"a scheduler address is for the dask executor, not {kind!r}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if kind == "sequential" or (kind == "process" and workers == 1):
        executor: Executor = SequentialExecutor()
        try:
            yield executor
        finally:
            executor.shutdown()
    elif kind == "process":
        _start_resource_tracker()
        # "spawn", not "fork": forking a process that holds threads (pyarrow's pools, BLAS, tqdm's monitor)
        # can deadlock the child on a lock that some thread held at the moment of the fork.
        pool = ProcessPoolExecutor(
            max_workers=workers or os.cpu_count() or 1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )
        completed = False
        try:
            yield pool
            completed = True
        except KeyboardInterrupt:
            # Ctrl-C: the runs in progress will not be collected, so stop them now rather than wait for them.
            _terminate_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=not completed)
    elif kind == "dask":
        with _dask_executor(workers, scheduler) as executor:
            yield executor
    else:
        raise ValueError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTOR_KINDS)}")


#: How often (seconds) a worker process checks that the process that started it is still alive.
_PARENT_CHECK_SECONDS = 1.0


def _init_worker() -> None:
    """Prepare a worker process of the pool: ignore Ctrl-C, and exit when its parent is gone.

    The terminal sends SIGINT to every process of the command; the parent alone decides what to do (cancel,
    stop the workers, say how to resume), and a worker that took it would die printing a traceback of its
    own. SIGTERM and SIGHUP keep their default, a silent exit: the pool itself stops a broken pool's workers
    with SIGTERM, and when they reach every process of the command the parent handles them like Ctrl-C.
    A parent killed outright (SIGKILL, the OOM killer) cannot stop its workers, which would otherwise wait
    for work for ever: each one watches for the parent to change and then exits.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)  # nothing to clean up: the run in progress is abandoned, its file never renamed

    threading.Thread(target=watch, name="resilience-parent-watch", daemon=True).start()


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's worker processes at once (their runs are abandoned, not worth any clean-up), without
    waiting for them."""
    kill = getattr(pool, "kill_workers", None)  # Python ≥ 3.14
    if kill is not None:
        kill()
        return
    # Before 3.14 only the private table of processes reaches them; without it, shutdown waits for the runs.
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.kill()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (if it is not running) so that it ignores SIGHUP.

    The tracker, a process of its own that frees the pools' semaphores, ignores SIGINT and SIGTERM but not
    SIGHUP: when the terminal closes it would die with the command's other processes, and the command, which
    handles SIGHUP like Ctrl-C and stops cleanly, would then print the tracker's warnings and tracebacks about
    resources it can no longer find. A signal ignored when a process is started stays ignored in it.
    """
    from multiprocessing import resource_tracker

    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None or threading.current_thread() is not threading.main_thread():
        resource_tracker.ensure_running()
        return
    previous = signal.signal(hangup, signal.SIG_IGN)
    try:
        resource_tracker.ensure_running()
    finally:
        signal.signal(hangup, signal.SIG_DFL if previous is None else previous)


@contextmanager
def _interrupts_ignored_by_children() -> Iterator[None]:
    """Start processes that ignore Ctrl-C: a local Dask cluster's workers, which would otherwise each print a
    traceback of their own when the terminal sends SIGINT to every process of the command.

    A signal ignored at exec stays ignored (and Python then installs no handler of its own), so SIGINT is
    ignored in this process while the cluster starts its workers; a Ctrl-C in those seconds is lost. The
    parent closes the cluster itself when it is interrupted. Outside the main thread signals cannot be set,
    and nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _dask_executor(workers: int | None, scheduler: str | None) -> Iterator[Executor]:
    try:
        # Typed as Any: distributed ships no type information.
        distributed: Any = importlib.import_module("distributed")
    except ImportError as error:
        raise ImportError(_DASK_MISSING) from error
    cluster: Any = None
    _start_resource_tracker()
    if scheduler is None:
        with _interrupts_ignored_by_children():
            cluster = distributed.LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        client = distributed.Client(cluster)
    else:
        problem = scheduler_address_problem(scheduler)
        if problem is not None:
            raise SchedulerError(problem)
        try:
            client = distributed.Client(scheduler)
        except (OSError, TimeoutError) as error:
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise SchedulerError(
                f"no Dask scheduler answers at {scheduler} ({reason}): check that it is running and that the "
                "address is right"
            ) from None
    try:
        # pure=False: every run is its own task (no hashing of the arguments into a shared key).
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
