"""ROC, precision-recall and reliability curves of each finalist, from its test-row probabilities. Pure.

Binary tasks score the second class (the positive one, as ROC AUC does); multiclass tasks pool every
class one-vs-rest (the micro-average: each row counts once per class), and their reliability plot
compares the top class's probability with how often the top class was right. Curves are thinned to
at most ``MAX_POINTS`` points so ``report.json`` stays small.

Example:
    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 1])
    >>> proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.35, 0.65], [0.2, 0.8]])
    >>> c = approach_curves(y, proba)
    >>> c["roc"]["auc"], c["pr"]["average_precision"]
    (1.0, 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_POINTS = 200
BINS = 10  # reliability bins of equal width over [0, 1]


def curves(y: Any, probabilities: dict[str, Any], labels: list[str], sample_weight: Any = None) -> dict[str, Any]:
    """``{"average", "positive", "approaches": {name: approach_curves}}``, or ``{"missing": reason}``.

    ``y``: class indices of the test rows; ``probabilities``: per approach, rows x classes; ``sample_weight``: how
    much each row counts (``--weight``), None alike.
    """
    if not probabilities:
        return {"missing": "no finalist recorded class probabilities for the test rows"}
    present = np.unique(y)
    if len(present) < 2:
        return {"missing": "the test rows hold a single class, so no curve can be drawn"}
    binary = len(labels) == 2
    out: dict[str, Any] = {
        "average": "binary" if binary else "micro",
        "positive": labels[1] if binary else None,
        "approaches": {name: approach_curves(y, proba, sample_weight) for name, proba in probabilities.items()},
    }
    return out


def approach_curves(y: Any, proba: Any, sample_weight: Any = None) -> dict[str, Any]:
    """ROC (with AUC), precision-recall (with average precision) and reliability points of one model; with
    ``sample_weight``, each row counts that much in every one (the reliability bins' row counts stay counts)."""
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    y, proba = np.asarray(y), np.asarray(proba, dtype="float64")
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype="float64")
    if proba.shape[1] == 2:
        truth, score, pooled = (y == 1).astype(int), proba[:, 1], w
        confidence, hit = score, truth
    else:  # one-vs-rest, every class pooled; reliability of the top class
        truth = (y[:, None] == np.arange(proba.shape[1])[None, :]).astype(int).ravel()
        score, pooled = proba.ravel(), np.repeat(w, proba.shape[1])
        confidence, hit = proba.max(axis=1), (proba.argmax(axis=1) == y).astype(int)
    given = None if sample_weight is None else pooled
    fpr, tpr, _ = roc_curve(truth, score, sample_weight=given)
    precision, recall, _ = precision_recall_curve(truth, score, sample_weight=given)
    return {
        "roc": {"auc": _round(auc(fpr, tpr)), "points": _thin(fpr, tpr)},
        "pr": {"average_precision": _round(average_precision_score(truth, score, sample_weight=given)),
               "prevalence": _round(np.average(truth, weights=pooled)),
               "points": _thin(recall[::-1], precision[::-1])},
        "calibration": {"points": reliability(confidence, hit, w)},
    }


def reliability(confidence: Any, hit: Any, w: Any) -> list[list[float]]:
    """``[mean predicted probability, observed frequency, rows]`` per bin of ``BINS`` equal widths that holds
    weight, both means weighted by ``w`` (equal weights give scikit-learn's ``calibration_curve``, uniform).

    >>> reliability(np.array([0.05, 0.15, 0.95, 0.91]), np.array([0, 1, 1, 0]), np.array([1.0, 0.0, 3.0, 1.0]))
    [[0.05, 0.0, 1], [0.94, 0.75, 2]]
    """
    confidence = np.clip(np.asarray(confidence, dtype="float64"), 0.0, 1.0)
    edges = np.linspace(0.0, 1.0, BINS + 1)
    bins = np.searchsorted(edges[1:-1], confidence)
    weight = np.bincount(bins, weights=w, minlength=BINS)
    predicted = np.bincount(bins, weights=w * confidence, minlength=BINS)
    observed = np.bincount(bins, weights=w * np.asarray(hit, dtype="float64"), minlength=BINS)
    counts = np.bincount(bins, minlength=BINS)
    return [[_round(predicted[b] / weight[b]), _round(observed[b] / weight[b]), int(counts[b])]
            for b in range(BINS) if weight[b] > 0]


def _thin(xs: Any, ys: Any) -> list[list[float]]:
    """At most ``MAX_POINTS`` points, evenly spaced along the curve, its two ends kept.

    >>> len(_thin(np.linspace(0, 1, 1000), np.linspace(0, 1, 1000)))
    200
    """
    keep = np.arange(len(xs))
    if len(keep) > MAX_POINTS:
        keep = np.unique(np.linspace(0, len(xs) - 1, MAX_POINTS).round().astype(int))
    return [[_round(xs[i]), _round(ys[i])] for i in keep]


def _round(value: Any) -> float:
    return round(float(value), 4)
