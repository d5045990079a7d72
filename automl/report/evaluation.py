"""What the test rows say about each finalist: confusion matrices, per-class scores, ROC, precision-recall and
reliability curves (``curves``), residuals, the paired interval.

Everything comes from ``test_predictions.csv`` (``actual``, ``<approach>_prediction`` and, for
classification, ``<approach>_proba_<class>`` in class order) and run.json, so a report is rebuilt
without loading any model. ``evaluate`` is pure; ``read_predictions`` reads the file. A run with
``--weight`` has a ``weight`` column there: the confusion matrices still count rows, but their
shading, the per-class scores, the curves and the residual statistics weigh each row by it, as
the run's scores do.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"actual": ["a", "b", "b"], "classical_proba_a": [0.9, 0.2, 0.6],
    ...                       "classical_proba_b": [0.1, 0.8, 0.4]})
    >>> out = evaluate(frame, "multiclass", ["a", "b"], ["classical"])
    >>> out["approaches"]["classical"]["confusion"]
    [[1, 0], [1, 1]]
    >>> [round(c["recall"], 2) for c in out["approaches"]["classical"]["per_class"]]
    [1.0, 0.5]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .. import decision
from .bootstrap import paired_difference
from .curves import curves

MAX_CLASSES_SHOWN = 20  # the confusion matrix keeps the most frequent classes
MAX_POINTS = 500  # predicted-vs-actual points kept for the regression plots


def read_predictions(run_dir: Path) -> Any:
    """The test predictions as a DataFrame of strings (labels stay as written), or None when absent."""
    import pandas as pd

    path = Path(run_dir) / "test_predictions.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def evaluate(frame: Any, task: str, classes: list | None, approaches: list[str], seed: int = 0,
             decisions: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per-approach evaluation data for the plots; ``{"missing": reason}`` when the file cannot be used. Predicted
    classes follow each approach's decision rule (``run.json``'s ``decisions``) where it has one."""
    if frame is None:
        return {"missing": "test_predictions.csv is not in the run directory"}
    w = row_weights(frame)
    if task == "regression":
        return _regression(frame, approaches, seed, w)
    labels = [str(c) for c in classes or []]
    index = {c: i for i, c in enumerate(labels)}
    y = np.array([index.get(v, -1) for v in frame["actual"]])
    if len(labels) < 2 or (y < 0).any():
        return {"missing": "the test labels do not match the run's classes"}
    out: dict[str, Any] = {"labels": labels, "approaches": {}}
    support = np.bincount(y, minlength=len(labels))
    shown = sorted(np.argsort(-support, kind="stable")[:MAX_CLASSES_SHOWN].tolist())
    if len(labels) > MAX_CLASSES_SHOWN:
        out["note"] = (f"The confusion matrices show the {MAX_CLASSES_SHOWN} most frequent of {len(labels)} "
                       "classes; per-class scores list them all.")
    out["shown"] = shown
    if w is not None:
        out["weighted"] = True
    scored = {}
    for name in approaches:
        proba = probabilities(frame, name, classes or [])
        if proba is None:
            continue
        scored[name] = proba
        pred = decision.labels(proba, decision.saved_weights(decisions, name, len(labels)))
        matrix = np.zeros((len(labels), len(labels)), dtype=int)
        np.add.at(matrix, (y, pred), 1)
        out["approaches"][name] = {"confusion": matrix[np.ix_(shown, shown)].tolist()}
        if w is None:
            out["approaches"][name]["per_class"] = _per_class(matrix, labels)
        else:
            weighed = np.zeros((len(labels), len(labels)))
            np.add.at(weighed, (y, pred), w)
            out["approaches"][name]["confusion_weight"] = np.round(weighed[np.ix_(shown, shown)], 6).tolist()
            out["approaches"][name]["per_class"] = _per_class(weighed, labels, matrix.sum(axis=1))
    out["curves"] = curves(y, scored, labels, w)
    return out


def row_weights(frame: Any) -> Any:
    """The test rows' ``--weight`` (``test_predictions.csv``'s ``weight`` column), None when they count alike
    (as they do where every one weighs 0, as in ``metrics``).

    >>> import pandas as pd
    >>> row_weights(pd.DataFrame({"actual": ["a"], "weight": ["2.5"]})).tolist(), row_weights(pd.DataFrame())
    ([2.5], None)
    """
    if "weight" not in frame.columns:
        return None
    w = frame["weight"].astype("float64").to_numpy()
    return w if w.sum() > 0 else None


def probabilities(frame: Any, approach: str, classes: list) -> Any:
    """The ``approach``'s n x classes probabilities, or None when its columns are missing."""
    columns = [f"{approach}_proba_{c}" for c in classes]
    if not columns or any(c not in frame.columns for c in columns):
        return None
    return frame[columns].astype("float64").to_numpy()


def values(frame: Any, approach: str) -> Any:
    column = f"{approach}_prediction"
    return frame[column].astype("float64").to_numpy() if column in frame.columns else None


def interval(frame: Any, task: str, classes: list | None, metric: str, a: str, b: str, seed: int = 0,
             decisions: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The paired bootstrap of ``metric(a) - metric(b)`` on the test rows, each predicting by its decision rule
    (``decisions``) where it has one; None when either is missing."""
    if frame is None:
        return None
    if task == "regression":
        out_a, out_b = values(frame, a), values(frame, b)
        y: Any = frame["actual"].astype("float64").to_numpy()
    else:
        out_a, out_b = probabilities(frame, a, classes or []), probabilities(frame, b, classes or [])
        index = {str(c): i for i, c in enumerate(classes or [])}
        y = np.array([index.get(v, -1) for v in frame["actual"]])
        if (y < 0).any():
            return None
    if out_a is None or out_b is None or len(y) == 0:
        return None
    n = len(classes or [])
    return paired_difference(y, out_a, out_b, task, metric, seed=seed,
                             weights=(decision.saved_weights(decisions, a, n), decision.saved_weights(decisions, b, n)),
                             sample_weight=row_weights(frame))


def _per_class(matrix: Any, labels: list[str], counts: Any = None) -> list[dict[str, Any]]:
    """Precision, recall and F1 per class from a confusion ``matrix`` of rows, or of weights with the rows'
    ``counts`` per class beside it (then each class's ``weight`` too).

    >>> _per_class(np.array([[3.0, 1.0], [0.0, 0.0]]), ["a", "b"], np.array([2, 1]))[0]
    {'label': 'a', 'precision': 1.0, 'recall': 0.75, 'f1': 0.8571, 'support': 2, 'weight': 4.0}
    """
    tp = np.diag(matrix).astype(float)
    support = matrix.sum(axis=1)
    predicted = matrix.sum(axis=0)
    rows = []
    for i, name in enumerate(labels):
        precision = tp[i] / predicted[i] if predicted[i] else 0.0
        recall = tp[i] / support[i] if support[i] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        row = {"label": name, "precision": round(float(precision), 4), "recall": round(float(recall), 4),
               "f1": round(float(f1), 4), "support": int(support[i] if counts is None else counts[i])}
        if counts is not None:
            row["weight"] = round(float(support[i]), 6)
        rows.append(row)
    return rows


def _regression(frame: Any, approaches: list[str], seed: int, w: Any = None) -> dict[str, Any]:
    actual = frame["actual"].astype("float64").to_numpy()
    keep = np.arange(len(actual))
    if len(keep) > MAX_POINTS:
        keep = np.sort(np.random.default_rng(seed).choice(len(keep), MAX_POINTS, replace=False))
    out: dict[str, Any] = {"approaches": {}}
    if len(actual) > MAX_POINTS:
        out["note"] = f"The plots show {MAX_POINTS} of the {len(actual):,} test rows, drawn at random."
    for name in approaches:
        pred = values(frame, name)
        if pred is None:
            continue
        residual = actual - pred
        mean = np.average(residual, weights=w)
        out["approaches"][name] = {
            "points": [[round(float(a), 6), round(float(p), 6)] for a, p in zip(actual[keep], pred[keep])],
            "residual_mean": round(float(mean), 6),
            "residual_sd": round(float(np.sqrt(np.average((residual - mean) ** 2, weights=w))), 6),
        }
    if w is not None:
        out["weighted"] = True
    return out
