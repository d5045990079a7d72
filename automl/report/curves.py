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


def curves(y: Any, probabilities: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    """``{"average", "positive", "approaches": {name: approach_curves}}``, or ``{"missing": reason}``.

    ``y``: class indices of the test rows; ``probabilities``: per approach, rows x classes.
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
        "approaches": {name: approach_curves(y, proba) for name, proba in probabilities.items()},
    }
    return out


def approach_curves(y: Any, proba: Any) -> dict[str, Any]:
    """ROC (with AUC), precision-recall (with average precision) and reliability points of one model."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    y, proba = np.asarray(y), np.asarray(proba, dtype="float64")
    if proba.shape[1] == 2:
        truth, score = (y == 1).astype(int), proba[:, 1]
        confidence, hit = score, truth
    else:  # one-vs-rest, every class pooled; reliability of the top class
        truth = (y[:, None] == np.arange(proba.shape[1])[None, :]).astype(int).ravel()
        score = proba.ravel()
        confidence, hit = proba.max(axis=1), (proba.argmax(axis=1) == y).astype(int)
    fpr, tpr, _ = roc_curve(truth, score)
    precision, recall, _ = precision_recall_curve(truth, score)
    observed, predicted = calibration_curve(hit, np.clip(confidence, 0.0, 1.0), n_bins=BINS, strategy="uniform")
    edges = np.linspace(0.0, 1.0, BINS + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], np.clip(confidence, 0, 1)), minlength=BINS)
    counts = counts[counts > 0]  # calibration_curve leaves out empty bins the same way
    return {
        "roc": {"auc": _round(auc(fpr, tpr)), "points": _thin(fpr, tpr)},
        "pr": {"average_precision": _round(average_precision_score(truth, score)),
               "prevalence": _round(truth.mean()), "points": _thin(recall[::-1], precision[::-1])},
        "calibration": {"points": [[_round(p), _round(o), int(n)] for p, o, n in zip(predicted, observed, counts)]},
    }


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
