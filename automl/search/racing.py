"""Choosing among cheap candidates by successive halving over the folds of a k-fold split.

Every candidate is scored on the first fold. Then, rung by rung, the better
half (by mean over the folds done so far, ties kept) is scored on two more
folds, until the last fold; the best mean over all folds wins. With 5 folds
and 10 candidates: 10 on fold 1, 5 on folds 2-3, 3 on folds 4-5. A single 20%
split of a few thousand rows moves by a point when a handful of rows fall the
other way, so two models a row apart on it are a coin toss; a mean over five
folds is not, and halving spends most folds on the candidates that matter.

Pure decisions on recorded scores; fitting stays with the route.

Example:
    >>> a = Entry("nb", {"alpha": 0.3}, [0.90]); b = Entry("svm", {"C": 1}, [0.89]); c = Entry("sgd", {}, [0.80])
    >>> [e.family for e in survivors([a, b, c], keep=2, metric="accuracy")]
    ['nb', 'svm']
    >>> rungs(5)
    [1, 3, 5]
    >>> a.scores += [0.88, 0.88]; b.scores += [0.91, 0.90]
    >>> winner([a, b], "accuracy").family
    'svm'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..metrics import better, greater_is_better


@dataclass
class Entry:
    """One candidate and its validation score on each fold it has been scored on, in fold order."""

    family: str
    params: dict[str, Any]
    scores: list[float] = field(default_factory=list)
    seconds: float = 0.0  # fitting and scoring time over all its folds
    state: dict[str, Any] = field(default_factory=dict)  # what the route keeps per candidate (outputs, rounds)

    def mean(self, folds: int | None = None) -> float:
        taken = self.scores[:folds] if folds else self.scores
        return sum(taken) / len(taken)

    def label(self) -> str:
        shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.params.items())
        return f"{self.family} ({shown})" if shown else self.family


def rungs(folds: int) -> list[int]:
    """Folds done after each rung: the first fold, then two more per rung up to all of them."""
    return list(range(1, folds, 2)) + [folds] if folds > 1 else [1]


def halved(alive: int) -> int:
    """How many go on to the next rung."""
    return math.ceil(alive / 2)


def survivors(entries: list[Entry], keep: int, metric: str) -> list[Entry]:
    """The ``keep`` best by mean over the folds all have finished, plus any tied with the last; NaN never survives."""
    folds = common_folds(entries)
    scored = [e for e in entries if e.mean(folds) == e.mean(folds)]
    ranked = sorted(scored, key=lambda e: e.mean(folds), reverse=greater_is_better(metric))
    if len(ranked) <= keep:
        return ranked
    bar = ranked[keep - 1].mean(folds)
    return [e for e in ranked if not better(bar, e.mean(folds), metric)]


def common_folds(entries: list[Entry]) -> int:
    """How many folds every entry has been scored on."""
    return min(len(e.scores) for e in entries)


def winner(entries: list[Entry], metric: str) -> Entry:
    """Best mean over the folds all entries finished; ties go to the earlier entry."""
    folds = common_folds(entries)
    best = entries[0]
    for entry in entries[1:]:
        if better(entry.mean(folds), best.mean(folds), metric):
            best = entry
    return best
