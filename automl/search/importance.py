"""Which inputs a classical model leans on, computed once at fit time and recorded in run.json.

Each classical model says it itself (``importance(X, y, metric, seed,
max_seconds)``): XGBoost's gain, the largest TF-IDF coefficients, the gain of
named image or audio features. What is shared lives here: permutation
importance on the test rows under a time cap (how much the run's metric drops
when one column is shuffled), and the record's shape. The report only reads
the record, so re-rendering never loads a model.

Example:
    >>> import pandas as pd
    >>> X = pd.DataFrame({"signal": [0.0, 1.0, 2.0, 3.0] * 5, "noise": [1.0] * 20})
    >>> score = lambda frame: float(((frame["signal"] > 1.5) == (X["signal"] > 1.5)).mean())
    >>> ranked, done = permutation(score, X, greater=True, seed=0)
    >>> ranked[0][0], ranked[1], done
    ('signal', ['noise', 0.0], True)
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ..metrics import greater_is_better, score_output

TOP = 50  # features kept in the record
MAX_ROWS = 2000  # test rows used for permutation importance
REPEATS = 3
MIN_COLUMNS = 3  # done past the time cap: a busy machine still gets a ranking, not an empty one
LONGEST = 3.0  # ... up to this many times the cap (a network on 4,000 columns took 1-2 s a shuffle)


def importance_of(model: Any, X: Any, y: Any, task: str, metric: str, seed: int = 0,
                  max_seconds: float = 5.0, sample_weight: Any = None) -> dict[str, Any]:
    """``{"method", "features": [[name, value], ...], "note"}``; method None says why there is none.
    ``sample_weight``: how much each of the rows counts (``--weight``) where importance is measured on them."""
    if not hasattr(model, "importance"):
        return result(None, [], "This model does not expose feature importance.")
    try:
        return model.importance(X, y, metric, seed, max_seconds, sample_weight)
    except Exception as exc:  # importance is a report detail: a failure is noted, never fatal
        return result(None, [], f"Not computed: {type(exc).__name__}: {exc}")


def permutation(score: Callable[[Any], float], X: Any, greater: bool, seed: int, repeats: int = REPEATS,
                max_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic
                ) -> tuple[list[list[Any]], bool]:
    """Mean drop of ``score(frame)`` when each column of ``X`` is shuffled, best first.

    Returns the ranking and whether every column was done before ``max_seconds`` (the first
    ``MIN_COLUMNS`` are done past it, up to ``LONGEST`` times it).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    start = clock()
    base = score(X)
    drops: list[list[Any]] = []
    for column in X.columns:
        spent = clock() - start
        if spent > max_seconds and (len(drops) >= MIN_COLUMNS or spent > LONGEST * max_seconds):
            return _ranked(drops), False
        values = X[column].to_numpy()
        lost = []
        for _ in range(repeats):
            shuffled = X.copy()
            shuffled[column] = values[rng.permutation(len(values))]
            value = score(shuffled)
            lost.append(base - value if greater else value - base)
        drops.append([str(column), round(float(np.mean(lost)), 6)])
    return _ranked(drops), True


def permuted(model: Any, X: Any, y: Any, task: str, metric: str, seed: int, max_seconds: float,
             sample_weight: Any = None) -> dict:
    """Permutation importance of ``model``'s columns on (at most ``MAX_ROWS`` of) the test rows, each counting its
    ``sample_weight`` (``--weight``) in the score when given."""
    import numpy as np

    y = np.asarray(y)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if len(y) > MAX_ROWS:
        keep = np.sort(np.random.default_rng(seed).choice(len(y), MAX_ROWS, replace=False))
        X, y, w = X.iloc[keep].reset_index(drop=True), y[keep], None if w is None else w[keep]

    def scores(frame: Any) -> dict[str, float | None]:
        output = model.predict(frame) if task == "regression" else model.predict_proba(frame)
        return score_output(task, y, output, sample_weight=w)

    used = metric if scores(X)[metric] is not None else "accuracy"  # ROC AUC is undefined on one class
    ranked, done = permutation(lambda frame: float(scores(frame)[used]), X, greater_is_better(used), seed,
                               max_seconds=max_seconds)
    if not ranked:
        return result(None, [], f"Not computed: scoring the test rows once took longer than the {max_seconds:.0f}s "
                                "kept for it.")
    note = (f"Permutation importance: the drop in test {used} when one column is shuffled "
            f"(mean of {REPEATS} shuffles on {len(y):,} test rows{', weighted by `weight`' if w is not None else ''}).")
    if not done:
        note += f" Stopped after {len(ranked)} of {X.shape[1]} columns to stay within {max_seconds:.0f}s."
    return result("permutation", ranked, note)


def _ranked(pairs: list[list[Any]]) -> list[list[Any]]:
    return sorted(pairs, key=lambda kv: -kv[1])


def result(method: str | None, ranked: Any, note: str) -> dict[str, Any]:
    return {"method": method, "features": [[str(k), round(float(v), 6)] for k, v in list(ranked)[:TOP]],
            "note": note}
