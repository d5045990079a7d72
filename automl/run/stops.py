"""Stops from outside the process (a scheduler's SIGTERM, a closed terminal's SIGHUP) handled like Ctrl-C.

Inside ``stops_as_interrupts()`` those signals raise ``Stopped``, a
``KeyboardInterrupt``, so every place that already keeps the best model and
marks the run ``interrupted`` on Ctrl-C does the same for them; the command
line then exits with 128 + the signal's number (143 for SIGTERM, 129 for
SIGHUP, 130 for Ctrl-C), as a shell would report it.

Example:
    >>> with stops_as_interrupts():
    ...     pass
    >>> exit_code(Stopped(15)), exit_code(KeyboardInterrupt())
    (143, 130)
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

SIGINT_EXIT = 130


class Stopped(KeyboardInterrupt):
    """The process was asked to stop by ``signum`` (SIGTERM, SIGHUP)."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def exit_code(stop: BaseException) -> int:
    """The exit status a shell expects after this stop: 128 + the signal's number."""
    return 128 + stop.signum if isinstance(stop, Stopped) else SIGINT_EXIT


def signal_name(stop: BaseException) -> str:
    """``SIGTERM``, ``SIGHUP`` or ``Ctrl-C``, for messages."""
    return signal.Signals(stop.signum).name if isinstance(stop, Stopped) else "Ctrl-C"


@contextlib.contextmanager
def stops_as_interrupts(signums: tuple[str, ...] = ("SIGTERM", "SIGHUP")) -> Iterator[None]:
    """While inside, the named signals raise ``Stopped`` in the main thread; the previous handlers come back
    after. Outside the main thread (where Python cannot set handlers) it changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_stop(signum: int, _frame: object) -> None:
        raise Stopped(signum)

    previous = {}
    for name in signums:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, raise_stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
