"""Wall-clock budgets: parsing ``90s``/``10m``/``1h`` and counting down.

Example:
    >>> parse_budget("1m30s")
    90.0
    >>> d = Deadline(60.0, clock=lambda: 0.0)
    >>> d.remaining()
    60.0
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Callable

from .errors import BudgetError, invalid

MIN_BUDGET_SECONDS = 10.0
_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hr": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(hr|h|min|m|sec|s)")


def parse_budget(value: object) -> float:
    """Seconds in ``value``: a number of seconds, or text like ``90s``, ``10m``, ``1h30m``."""
    expected = "a positive duration such as 90s, 10m, 1h or plain seconds"
    if isinstance(value, bool):
        raise BudgetError(invalid("budget", expected, value))
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip().lower().replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif text and _PART.sub("", text) == "":
            seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text))
        else:
            raise BudgetError(invalid("budget", expected, value))
    if not seconds > 0 or seconds != seconds or seconds == float("inf"):
        raise BudgetError(invalid("budget", expected, value))
    if seconds < MIN_BUDGET_SECONDS:
        raise BudgetError(
            invalid(
                "budget",
                f"at least {MIN_BUDGET_SECONDS:.0f}s to train anything",
                value,
                f"Give a budget of {MIN_BUDGET_SECONDS:.0f}s or more (a minute or more gives useful models)",
            )
        )
    return seconds


def format_seconds(seconds: float) -> str:
    """``75`` -> ``1m15s``; ``9.5`` -> ``9.5s``."""
    if round(seconds, 1) < 10:
        return f"{seconds:.1f}s"
    if round(seconds) < 60:
        return f"{seconds:.0f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"


def process_started(now: float | None = None, wall: float | None = None, created: float | None = None) -> float:
    """The monotonic time at which this process started, so a command's budget counts Python start-up and imports.

    ``psutil`` gives the start as wall-clock epoch seconds; it is moved onto the
    monotonic clock through the current offset between the two, and never later
    than now (``now``, ``wall``, ``created``: the clocks' readings, for tests).
    When the start cannot be read, now.

    >>> process_started(now=100.0, wall=1_000_050.0, created=1_000_047.5)
    97.5
    >>> process_started(now=100.0, wall=1_000_050.0, created=1_000_051.0)   # a clock step: never after now
    100.0
    """
    now = time.monotonic() if now is None else now
    wall = time.time() if wall is None else wall
    if created is None:
        try:
            import psutil

            created = psutil.Process().create_time()
        except Exception:  # psutil missing or the process table unreadable: count from now
            return now
    return min(now, now - (wall - created))


@dataclass
class Deadline:
    """A point in time ``seconds`` from creation, on a monotonic clock, never later than its parent's.

    A run's deadlines form one tree: the run's budget, the searches inside it
    (the time kept for scoring and the report held back), each approach's
    share of those, each route's search (its time to save the finalist held
    back). ``child`` makes the next level; no child can outlive its parent.

    >>> now = [0.0]
    >>> run = Deadline(100.0, clock=lambda: now[0])
    >>> search = run.child(keep=10.0)          # all but the last 10 s of the run
    >>> step = search.child(30.0)              # 30 s of that
    >>> now[0] = 95.0
    >>> search.remaining(), step.remaining(), step.root is run
    (0.0, 0.0, True)
    """

    seconds: float
    clock: Callable[[], float] = time.monotonic
    start: float = field(default=-1.0)
    parent: "Deadline | None" = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.start < 0:
            self.start = self.clock()

    @property
    def root(self) -> "Deadline":
        """The run's own deadline: the top of the tree, whose start is the run's time zero."""
        return self if self.parent is None else self.parent.root

    def elapsed(self) -> float:
        return self.clock() - self.start

    def remaining(self) -> float:
        own = max(0.0, self.seconds - self.elapsed())
        return own if self.parent is None else min(own, self.parent.remaining())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def child(self, seconds: float | None = None, keep: float = 0.0) -> "Deadline":
        """A deadline inside this one: ``seconds`` from now (all that is left by default), ending at least
        ``keep`` seconds before this one."""
        left = max(0.0, self.remaining() - keep)
        return Deadline(left if seconds is None else min(seconds, left), clock=self.clock, parent=self)
