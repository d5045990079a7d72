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
                f"Give --budget {MIN_BUDGET_SECONDS:.0f}s or more (a minute or more gives useful models)",
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


@dataclass
class Deadline:
    """A point in time ``seconds`` from creation, on a monotonic clock."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    start: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.start < 0:
            self.start = self.clock()

    def elapsed(self) -> float:
        return self.clock() - self.start

    def remaining(self) -> float:
        return max(0.0, self.seconds - self.elapsed())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def child(self, seconds: float) -> "Deadline":
        """A deadline that ends ``seconds`` from now, or at this one's end if sooner."""
        return Deadline(min(seconds, self.remaining()), clock=self.clock)
