"""How sure is the gap? A paired bootstrap of the score difference between two models on the same test rows.

Each resample draws the test rows with replacement, once, and scores both
models on that same draw, so the interval reflects the test set's size and
how often the two models disagree. Pure numpy and seeded: the same inputs
give the same interval. Most metrics are computed for a block of resamples at
once from per-row counts (``W @ per_row_values``); multiclass ROC AUC is
scored one resample at a time. Work is capped by ``max_seconds``; the number
of resamples done is part of the answer.

Example:
    >>> import numpy as np
    >>> y = np.array([0, 1] * 50)
    >>> right = np.eye(2)[y] * 0.8 + 0.1
    >>> coin = np.full((100, 2), 0.5)
    >>> out = paired_difference(y, right, right, "binary", "accuracy", resamples=200)
    >>> out["difference"], out["low"], out["high"], out["resamples"]
    (0.0, 0.0, 0.0, 200)
    >>> out = paired_difference(y, right, coin, "binary", "log_loss", resamples=200)
    >>> out["high"] < 0  # lower log loss: the first model is better on every resample
    True
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from ..decision import labels

RESAMPLES = 1000
LEVEL = 0.95
MAX_CELLS = 4_000_000  # resamples x rows held in memory at once
MAX_SECONDS = 5.0
LOOP_CHUNK = 20  # resamples between time checks when they are scored one at a time


def paired_difference(y: Any, out_a: Any, out_b: Any, task: str, metric: str, resamples: int = RESAMPLES,
                      seed: int = 0, level: float = LEVEL, max_seconds: float = MAX_SECONDS,
                      clock: Callable[[], float] = time.monotonic, weights: tuple[Any, Any] = (None, None),
                      sample_weight: Any = None) -> dict[str, Any]:
    """``metric(a) - metric(b)`` on all rows and its ``level`` percentile interval over paired resamples.

    ``y`` holds class indices (or values); ``out_a``/``out_b`` are n x classes probabilities (or predicted
    values); ``weights``: a's and b's decision rules (``automl.decision``), None for the most probable class;
    ``sample_weight``: how much each row counts (``--weight``), a row drawn twice counting twice that.
    The interval is None when the metric is undefined on too many resamples.

    >>> y = np.array([0, 1] * 50)
    >>> a, b = np.eye(2)[y], np.eye(2)[np.r_[y[:50], 1 - y[50:]]]  # b is wrong on the second half only
    >>> paired_difference(y, a, b, "binary", "accuracy", resamples=50)["difference"]
    0.5
    >>> first_half = np.r_[np.ones(50), np.zeros(50)]
    >>> paired_difference(y, a, b, "binary", "accuracy", resamples=50, sample_weight=first_half)["difference"]
    0.0
    """
    y = np.asarray(y)
    n = len(y)
    score_a = _scorer(task, metric, y, np.asarray(out_a), weights[0], sample_weight)
    score_b = _scorer(task, metric, y, np.asarray(out_b), weights[1], sample_weight)
    ones = np.ones((1, n))
    point = float(score_a(ones)[0] - score_b(ones)[0])
    rng = np.random.default_rng(seed)
    start = clock()
    looped = task != "regression" and metric == "roc_auc" and len(np.unique(y)) > 2
    chunk = LOOP_CHUNK if looped else max(1, min(resamples, MAX_CELLS // max(n, 1)))
    diffs: list[np.ndarray] = []
    done = 0
    while done < resamples and (done == 0 or clock() - start <= max_seconds):
        b = min(chunk, resamples - done)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + n * np.arange(b)[:, None]).ravel(), minlength=b * n).reshape(b, n)
        weights = counts.astype("float64")
        with np.errstate(divide="ignore", invalid="ignore"):  # a draw of rows that weigh nothing: NaN, left out
            diffs.append(score_a(weights) - score_b(weights))
        done += b
    values = np.concatenate(diffs) if diffs else np.empty(0)
    finite = values[np.isfinite(values)]
    out = {"difference": _round(point) if np.isfinite(point) else None, "low": None, "high": None, "level": level,
           "resamples": done, "rows": int(n), "seed": seed, "method": "paired bootstrap, percentile interval"}
    if len(finite) >= max(10, 0.9 * done):
        tail = (1.0 - level) / 2.0 * 100.0
        out["low"], out["high"] = _round(np.percentile(finite, tail)), _round(np.percentile(finite, 100.0 - tail))
    return out


def _round(value: float) -> float:
    return float(round(float(value), 10))


def _scorer(task: str, metric: str, y: np.ndarray, output: np.ndarray, weights: Any = None,
            sample_weight: Any = None) -> Callable[[np.ndarray], np.ndarray]:
    """A function from row counts ``W`` (resamples x rows) to the metric of each resample, each row counted
    ``sample_weight`` times as much where given; the predicted classes follow the decision rule ``weights`` where
    given."""
    if task != "regression" and metric == "roc_auc" and len(np.unique(y)) > 2:
        return _looped(lambda idx: _auc_at(y, output.astype("float64"), idx, sample_weight))
    counted = _counted(task, metric, y, output, weights)
    if sample_weight is None:
        return counted
    row = np.asarray(sample_weight, dtype="float64").ravel()[None, :]
    return lambda W: counted(W * row)


def _counted(task: str, metric: str, y: np.ndarray, output: np.ndarray, weights: Any = None
             ) -> Callable[[np.ndarray], np.ndarray]:
    """``_scorer`` for rows counted by ``W`` (resamples x rows, any non-negative numbers)."""

    def n(W: np.ndarray) -> np.ndarray:  # what the rows count for, in each resample
        return W.sum(axis=1)

    if task == "regression":
        pred = output.astype("float64").ravel()
        err = pred - y.astype("float64")
        if metric == "rmse":
            return lambda W: np.sqrt(W @ (err**2) / n(W))
        if metric == "mae":
            return lambda W: W @ np.abs(err) / n(W)
        if metric == "r2":
            yf = y.astype("float64")

            def r2(W: np.ndarray) -> np.ndarray:
                sst = W @ (yf**2) - (W @ yf) ** 2 / n(W)
                with np.errstate(divide="ignore", invalid="ignore"):
                    return np.where(sst > 0, 1.0 - (W @ (err**2)) / sst, np.nan)

            return r2
        raise ValueError(f"no bootstrap for metric {metric!r}")
    proba = output.astype("float64")
    k = proba.shape[1]
    pred = labels(proba, weights)
    correct = (pred == y).astype("float64")
    truth = np.eye(k)[y.astype(int)]
    if metric == "accuracy":
        return lambda W: W @ correct / n(W)
    if metric == "balanced_accuracy":
        return lambda W: _nanmean(W @ (truth * correct[:, None]), W @ truth)
    if metric == "f1_macro":
        guessed = np.eye(k)[pred]
        return lambda W: _nanmean(2 * (W @ (truth * correct[:, None])), W @ truth + W @ guessed)
    if metric == "log_loss":
        clipped = np.clip(proba, 1e-15, 1.0)
        clipped = clipped / clipped.sum(axis=1, keepdims=True)
        loss = -np.log(clipped[np.arange(len(y)), y.astype(int)])
        return lambda W: W @ loss / n(W)
    if metric == "roc_auc":
        present = np.unique(y)
        return _binary_auc(y == present[-1], proba[:, present[-1]])
    raise ValueError(f"no bootstrap for metric {metric!r}")


def _nanmean(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Mean over classes of ``top / bottom``, leaving out classes absent from a resample."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)
    present = np.isfinite(ratio).sum(axis=1)
    total = np.nansum(ratio, axis=1)
    return np.where(present > 0, total / np.maximum(present, 1), np.nan)


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Weighted Mann-Whitney AUC: for each positive, the weight of negatives scored lower (ties count half)."""
    order = np.argsort(score, kind="mergesort")
    ranked = score[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    pos = positive[order].astype("float64")
    neg = 1.0 - pos

    def auc(W: np.ndarray) -> np.ndarray:
        Wo = W[:, order]
        p = np.add.reduceat(Wo * pos, starts, axis=1)
        q = np.add.reduceat(Wo * neg, starts, axis=1)
        below = np.cumsum(q, axis=1) - q
        top = (p * (below + 0.5 * q)).sum(axis=1)
        bottom = p.sum(axis=1) * q.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)

    return auc


def _looped(score_at: Callable[[np.ndarray], float | None]) -> Callable[[np.ndarray], np.ndarray]:
    """A per-resample metric from row counts, one resample at a time."""

    def scores(W: np.ndarray) -> np.ndarray:
        out = np.empty(len(W))
        for i, row in enumerate(W):
            value = score_at(np.repeat(np.arange(len(row)), row.astype(int)))
            out[i] = np.nan if value is None else value
        return out

    return scores


def _auc_at(y: np.ndarray, proba: np.ndarray, idx: np.ndarray, sample_weight: Any = None) -> float | None:
    from ..metrics import _roc_auc

    return _roc_auc(y[idx], proba[idx], None if sample_weight is None else np.asarray(sample_weight)[idx])
