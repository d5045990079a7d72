"""Choosing on validation: the rows every finalist predicted out of sample, and greedy ensemble selection.

Every route hands back its model's predictions on training rows it did not
fit (out-of-fold, or its validation holdout). The rows all finalists share
are where they are compared and where the ensemble's weights are chosen; the
test rows only score what was chosen. Greedy ensemble selection (Caruana,
Niculescu-Mizil, Crew and Ksikes, ICML 2004) adds, one step at a time and
with replacement, the member whose addition most improves the average's
validation score; the weights are how often each member was added. It never
does worse on those rows than the best member alone (the first step picks
it), and on ties the fewer, earlier members are kept. The run chooses by
its metric; ``by`` chooses by another (``recipes/selection_criterion.py``
measures log loss against accuracy). Pure functions.

Example:
    >>> import numpy as np
    >>> y = np.array([0, 1, 1])
    >>> a = np.array([[.9, .1], [.1, .9], [.6, .4]])  # wrong on the last row
    >>> b = np.array([[.4, .6], [.1, .9], [.1, .9]])  # wrong on the first
    >>> chosen = greedy_weights({"a": a, "b": b}, y, "binary", "accuracy")
    >>> chosen.weights, chosen.scores, chosen.score
    ({'a': 0.5, 'b': 0.5}, {'a': 0.6666666666666666, 'b': 0.6666666666666666}, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..decision import ranking_score
from ..metrics import LABELS, greater_is_better

ROUNDS = 25
MIN_ROWS = 20  # fewer shared validation rows than this and the weights would be noise: equal weights instead


@dataclass
class Selection:
    """The ensemble's weights (by member, summing to one), its score on the shared rows and how it was made."""

    weights: dict[str, float]
    score: float | None
    rows: int
    how: str
    scores: dict[str, float | None] = field(default_factory=dict)  # each member alone on the same rows
    output: Any = None  # the weighted predictions on those rows
    by: str | None = None  # the criterion that chose: the metric unless told otherwise; None for equal weights
    value: float | None = None  # the ensemble in ``by`` on those rows
    values: dict[str, float | None] = field(default_factory=dict)  # each member alone in ``by``


def shared_rows(validation: dict[str, tuple[Any, Any]]) -> Any:
    """The training-row positions every finalist predicted out of sample (sorted), or None if one has none.

    >>> import numpy as np
    >>> shared_rows({"a": (np.array([0, 1, 2, 3]), None), "b": (np.array([3, 1, 7]), None)}).tolist()
    [1, 3]
    """
    import numpy as np

    rows = None
    for found, _ in validation.values():
        if found is None:
            return None
        rows = np.asarray(found) if rows is None else np.intersect1d(rows, found)
    return None if rows is None else np.sort(rows)


def on_rows(found: Any, output: Any, rows: Any) -> Any:
    """``output`` (one entry per position in ``found``) at the positions ``rows``."""
    import numpy as np

    order = np.argsort(found)
    at = order[np.searchsorted(np.asarray(found)[order], rows)]
    return np.asarray(output)[at]


def greedy_weights(outputs: dict[str, Any], y: Any, task: str, metric: str, rounds: int = ROUNDS,
                   max_seconds: float | None = None, by: str | None = None, sample_weight: Any = None) -> Selection:
    """Caruana's forward selection with replacement over ``outputs`` (member -> predictions on the same rows).

    Each step adds the member that makes the running average score best by
    ``by`` (default: ``metric``; ties: the smaller log loss or squared error,
    then the earlier member); the weights are the counts over ``rounds``
    steps, or over the steps done in ``max_seconds`` (the best mix so far is
    kept). ``score`` and ``scores`` are in ``metric``. ``sample_weight``: how much each row counts.
    """
    import time

    import numpy as np

    stop = None if max_seconds is None else time.monotonic() + max_seconds
    by = by or metric
    names = list(outputs)
    preds = {n: np.asarray(outputs[n], dtype="float64") for n in names}
    w = sample_weight
    alone = {n: _score(task, y, preds[n], metric, w) for n in names}
    counts = dict.fromkeys(names, 0)
    total, best_score, best_counts = None, None, None
    for step in range(1, rounds + 1):
        candidates = []
        for i, n in enumerate(names):
            mix = preds[n] if total is None else (total + preds[n]) / step
            candidates.append((_key(task, y, mix, by, w), i, n))
        key, _, chosen = min(candidates)
        counts[chosen] += 1
        total = preds[chosen].copy() if total is None else total + preds[chosen]
        if best_score is None or key < best_score:
            best_score, best_counts = key, dict(counts)
        if stop is not None and time.monotonic() > stop:
            rounds = step
            break
    assert best_counts is not None
    used = sum(best_counts.values())
    weights = {n: round(c / used, 4) for n, c in best_counts.items() if c}
    output = sum(preds[n] * w for n, w in weights.items())
    score = _score(task, y, output, metric, w)
    kept = ", ".join(f"{n} {w:.2f}" for n, w in weights.items())
    judged = f", by {LABELS[by]}" if by != metric else ""
    how = (f"greedy ensemble selection (Caruana et al. 2004, {rounds} steps with replacement{judged}) on "
           f"{len(y):,} validation rows every finalist predicted out of sample: {kept}")
    values = alone if by == metric else {n: _score(task, y, preds[n], by, w) for n in names}
    return Selection(weights, score, len(y), how, alone, output, by, _score(task, y, output, by, w), values)


def equal_weights(names: list[str], why: str) -> Selection:
    """The fallback when there are no shared validation rows to choose weights on."""
    return Selection({n: round(1.0 / len(names), 4) for n in names}, None, 0, f"equal weights ({why})")


def _score(task: str, y: Any, output: Any, metric: str, sample_weight: Any = None) -> float | None:
    value = ranking_score(task, y, output, metric, sample_weight)
    return None if value is None else float(value)


def _key(task: str, y: Any, output: Any, metric: str, sample_weight: Any = None) -> tuple[float, float]:
    """Smaller is better: the metric (sign-flipped where greater is better), then a smooth loss (RMSE or log
    loss) to break ties."""
    value = _score(task, y, output, metric, sample_weight)
    main = float("inf") if value is None else (-value if greater_is_better(metric) else value)
    smooth = _score(task, y, output, "rmse" if task == "regression" else "log_loss", sample_weight)
    return main, float("inf") if smooth is None else smooth
