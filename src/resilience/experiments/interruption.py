"""Stopping cleanly: SIGTERM and SIGHUP are handled like Ctrl-C.

Ctrl-C raises :class:`KeyboardInterrupt` in the main thread, and everything that runs an ensemble already
stops cleanly on it: the runs in progress are abandoned, the workers stopped, the finished runs kept, and the
command says how to resume. :func:`stop_on_signals` makes SIGTERM (``kill``, a scheduler's time limit,
``systemctl stop``) and SIGHUP (the terminal closed) take the same path, by raising :class:`Stopped`, a
``KeyboardInterrupt`` that remembers its signal; the command then exits with 128 + the signal's number, as a
shell reports a process that a signal ended (130, 143, 129)::

    with stop_on_signals():
        try:
            run_scenario(scenario, "results/x")
        except KeyboardInterrupt as interrupt:
            sys.exit(exit_status(interrupt))    # 143 after SIGTERM
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["HANDLED_SIGNALS", "Stopped", "exit_status", "raise_if_stopped", "signal_of", "stop_on_signals"]

#: The signals handled like Ctrl-C (besides SIGINT itself, which Python already turns into KeyboardInterrupt).
HANDLED_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Stopped(KeyboardInterrupt):
    """The process was asked to stop by a signal (SIGTERM, SIGHUP): handled exactly like Ctrl-C."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number

    def __str__(self) -> str:
        return f"stopped by {signal_name(self.signal_number)}"


def signal_name(number: int) -> str:
    """``SIGTERM`` for 15."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def signal_of(interrupt: BaseException) -> int:
    """The signal behind an interruption: SIGINT for Ctrl-C, else the one a :class:`Stopped` remembers."""
    number = getattr(interrupt, "signal_number", None)
    return int(number) if number is not None else int(signal.SIGINT)


def exit_status(interrupt: BaseException) -> int:
    """The exit status of a command that ``interrupt`` stopped: 128 + the signal's number."""
    return 128 + signal_of(interrupt)


#: The signal that asked this process to stop, once one has (see :func:`raise_if_stopped`).
_pending: list[int] = []


def raise_if_stopped() -> None:
    """Raise the interruption of a signal that came within :func:`stop_on_signals`, if one has.

    A signal handler's exception surfaces wherever the main thread happens to be, and Python swallows an
    exception raised inside a garbage-collector callback or a ``__del__`` (Dask installs such callbacks). Long
    loops call this at points where raising is safe, so that a stop is never lost.
    """
    if _pending:
        number = _pending[-1]
        raise KeyboardInterrupt() if number == signal.SIGINT else Stopped(number)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Stopped` in the main thread, as Ctrl-C raises
    :class:`KeyboardInterrupt`; each is also remembered for :func:`raise_if_stopped`.

    Outside the main thread nothing changes (signal handlers can only be set there). The previous handlers
    come back after.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, _frame: FrameType | None) -> None:
        _pending.append(number)
        raise KeyboardInterrupt() if number == signal.SIGINT else Stopped(number)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, *HANDLED_SIGNALS)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        _pending.clear()
