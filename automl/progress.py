"""Presenting progress events on a terminal: one live line on a TTY, every trial on a line of its own otherwise.

The live line counts the whole budget: time since the command started and
time left of its budget (when the printer is told the budget), so a user
sees at a glance how long a run still has. Plain mode (a pipe, a log file, a
CI job) writes each trial as one line, so the log holds the whole search.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> show = ProgressPrinter(out, live=False, budget=60.0, started=0.0, clock=lambda: 12.0)
    >>> show(Event("approach_start", approach="classical", message="up to 50s"))
    >>> show(Event("trial", approach="classical", trials=1, best=0.95, message="xgboost accuracy=0.9500"))
    >>> show(Event("trial", approach="classical", trials=2, best=0.95, message="hgb accuracy=0.9100"))
    >>> print(out.getvalue(), end="")
    [classical] up to 50s
    [classical] trial 1: 12s elapsed, 48s left | xgboost accuracy=0.9500 | best 0.9500
    [classical] trial 2: 12s elapsed, 48s left | hgb accuracy=0.9100 | best 0.9500
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Callable, TextIO

from .run.results import Event


class ProgressPrinter:
    """A listener for ``AutoML.fit`` that writes to ``stream``.

    ``live``: rewrite one line in place (a TTY) rather than append lines.
    ``budget``: the run's whole budget in seconds, for the time left (without
    it: the approach's own window). ``started``: when the budget's clock began
    (``clock()``'s time; default: now). A printer on the process's stderr keeps
    its own copy of the descriptor, for a search sends descriptor 2 to a log
    file while it runs (``run.capture``) and progress must still show.
    """

    def __init__(self, stream: TextIO, live: bool, budget: float | None = None, started: float | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = _lasting(stream)
        self.live = live
        self.budget = budget
        self.clock = clock
        self.started = clock() if started is None else started
        self._open_line = False

    def __call__(self, event: Event) -> None:
        tag = f"[{event.approach}] " if event.approach else ""
        if event.kind == "trial":
            best = "n/a" if event.best is None else f"{event.best:.4f}"
            text = f"{tag}trial {event.trials}: {self._times(event)} | {event.message} | best {best}"
            if self.live:
                limit = shutil.get_terminal_size((80, 24)).columns - 1  # a wrapped line cannot be rewritten
                self.stream.write("\r\033[K" + (text if len(text) <= limit else text[:limit - 1] + "…"))
                self._open_line = True
            else:
                self.stream.write(text + "\n")
        else:
            if self._open_line:
                self.stream.write("\n")
                self._open_line = False
            self.stream.write(f"{tag}{event.message}\n")
        self.stream.flush()

    def _times(self, event: Event) -> str:
        """Elapsed and left of the whole budget when known, else of the approach's window."""
        if self.budget is None:
            return f"{clock_time(event.elapsed)} / {clock_time(event.budget)} of this approach's time"
        elapsed = max(self.clock() - self.started, 0.0)
        return f"{clock_time(elapsed)} elapsed, {clock_time(max(self.budget - elapsed, 0.0))} left"


def clock_time(seconds: float) -> str:
    """A duration as a person reads a clock.

    >>> clock_time(42.4), clock_time(185), clock_time(3725)
    ('42s', '3m05s', '1h02m')
    """
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _lasting(stream: TextIO) -> TextIO:
    """``stream``, or for one on descriptor 2 a stream on a duplicate of it, which the search's redirection of
    descriptor 2 into its log leaves pointing at the terminal."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (tests, notebooks)
        return stream
    if fd != 2:
        return stream
    stream.flush()
    return open(os.dup(fd), "w", encoding=getattr(stream, "encoding", None) or "utf-8", errors="replace",
                buffering=1)
