"""Metrics by task: which exist, which way is better, and scoring predictions.

Example:
    >>> default_metric("binary"), greater_is_better("rmse")
    ('accuracy', False)
"""

from __future__ import annotations

from typing import Any

from .errors import ConfigError, invalid

CLASSIFICATION = ("accuracy", "balanced_accuracy", "log_loss", "roc_auc", "f1_macro")
REGRESSION = ("rmse", "mae", "r2")
LOWER_IS_BETTER = frozenset({"log_loss", "rmse", "mae"})
LABELS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "log_loss": "log loss",
    "roc_auc": "ROC AUC",
    "f1_macro": "macro F1",
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R²",
}


ALIASES = {"auc": "roc_auc", "rocauc": "roc_auc", "logloss": "log_loss", "cross_entropy": "log_loss",
           "macro_f1": "f1_macro", "f1macro": "f1_macro", "r_squared": "r2", "balanced_acc": "balanced_accuracy"}
NEAR = {"f1": "f1_macro", "acc": "accuracy", "mse": "rmse", "error": "rmse"}  # suggested, not taken: they differ


def named(metric: Any) -> str | None:
    """``metric`` as this package spells it: any case, spaces or hyphens for underscores, and a few other common
    names (``auc``, ``logloss``, ``macro_f1``); None stays None (the task's default). A ``ConfigError`` naming
    the closest one when it is none of them.

    >>> named("ROC-AUC"), named("auc"), named(" RMSE "), named(None)
    ('roc_auc', 'roc_auc', 'rmse', None)
    >>> named("f1")
    Traceback (most recent call last):
    ...
    automl.errors.ConfigError: `metric` must be one of accuracy, balanced_accuracy, log_loss, roc_auc, f1_macro, \
rmse, mae, r2, or None for the task's default. Received: metric='f1'. Did you mean 'f1_macro'?
    """
    import difflib
    import re

    if metric is None:
        return None
    key = re.sub(r"[\s-]+", "_", metric.strip().lower()) if isinstance(metric, str) else ""
    key = ALIASES.get(key, key)
    if key in CLASSIFICATION + REGRESSION:
        return key
    close = NEAR.get(key) or next(iter(difflib.get_close_matches(key, CLASSIFICATION + REGRESSION, 1, 0.6)), None)
    raise ConfigError(invalid("metric", f"one of {', '.join(CLASSIFICATION + REGRESSION)}, or None for the task's "
                              "default", metric, f"Did you mean {close!r}?" if close else ""))


def default_metric(task: str) -> str:
    return "rmse" if task == "regression" else "accuracy"


def metrics_for(task: str) -> tuple[str, ...]:
    return REGRESSION if task == "regression" else CLASSIFICATION


def check_metric(metric: str | None, task: str) -> str:
    if metric is None:
        return default_metric(task)
    allowed = metrics_for(task)
    if metric not in allowed:
        raise ConfigError(invalid("metric", f"one of {', '.join(allowed)} for a {task} task", metric))
    return metric


def greater_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


def better(a: float | None, b: float | None, metric: str) -> bool:
    """Is score ``a`` better than ``b`` (``None`` is worst)?"""
    if a is None:
        return False
    if b is None:
        return True
    return a > b if greater_is_better(metric) else a < b


def score_all(task: str, y_true: Any, pred: Any, proba: Any = None, sample_weight: Any = None
              ) -> dict[str, float | None]:
    """Every metric of the task. ``y_true``/``pred`` are class indices (or values); ``proba`` is n x classes;
    ``sample_weight`` how much each row counts (``--weight``; None: alike)."""
    if task == "regression":
        return {name: _value_metric(name, y_true, pred, sample_weight) for name in REGRESSION}
    out: dict[str, float | None] = {name: _label_metric(name, y_true, pred, sample_weight)
                                    for name in ("accuracy", "balanced_accuracy", "f1_macro")}
    for name in ("log_loss", "roc_auc"):
        out[name] = None if proba is None else _proba_metric(name, y_true, proba, sample_weight)
    return out


def score_output(task: str, y_true: Any, output: Any, metric: str | None = None, weights: Any = None,
                 sample_weight: Any = None) -> Any:
    """Score a model's output: ``output`` is n x classes probabilities, or the predicted values for regression.

    Every metric as a dict, or only ``metric`` (computed alone, so a search or an ensemble's selection can
    call it often; NaN where it is undefined, so a search can rank it last). The predicted class is the most
    probable, or with ``weights`` (one per class) the one a decision rule picks (``automl.decision``).
    ``sample_weight`` (one per row, from ``--weight``) makes each row count that much; None counts them alike.

    >>> import numpy as np
    >>> score_output("binary", [0, 1, 1], np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]), "accuracy")
    0.6666666666666666
    """
    import numpy as np

    if sample_weight is not None and not float(np.sum(sample_weight)) > 0:
        sample_weight = None  # rows that all weigh nothing (a fold of them) are counted alike rather than not at all
    if task == "regression":
        values = np.asarray(output, dtype=float).ravel()
        if metric is None:
            return score_all(task, y_true, values, sample_weight=sample_weight)
        value = _value_metric(metric, y_true, values, sample_weight)
    else:
        from .decision import labels

        proba = np.asarray(output, dtype=float)
        if metric is None:
            return score_all(task, y_true, labels(proba, weights), proba, sample_weight)
        value = (_proba_metric(metric, y_true, proba, sample_weight) if metric in ("log_loss", "roc_auc")
                 else _label_metric(metric, y_true, labels(proba, weights), sample_weight))
    return float("nan") if value is None else value


def _value_metric(name: str, y_true: Any, pred: Any, sample_weight: Any = None) -> float:
    import numpy as np
    from sklearn import metrics as m

    y_true, pred = np.asarray(y_true, dtype=float), np.asarray(pred, dtype=float)
    if name == "rmse":
        return float(np.sqrt(m.mean_squared_error(y_true, pred, sample_weight=sample_weight)))
    if name == "mae":
        return float(m.mean_absolute_error(y_true, pred, sample_weight=sample_weight))
    return float(m.r2_score(y_true, pred, sample_weight=sample_weight))


def _label_metric(name: str, y_true: Any, pred: Any, sample_weight: Any = None) -> float:
    import numpy as np
    from sklearn import metrics as m

    if name == "accuracy":  # as sklearn's accuracy_score on class indices, without its checks (it is called often)
        return float(np.average(np.asarray(y_true).ravel() == np.asarray(pred).ravel(), weights=sample_weight))
    if name == "balanced_accuracy":
        return _balanced_accuracy(np.asarray(y_true).ravel(), np.asarray(pred).ravel(), sample_weight)
    return float(m.f1_score(y_true, pred, average="macro", sample_weight=sample_weight))


def _balanced_accuracy(y_true: Any, pred: Any, sample_weight: Any = None) -> float:
    """As sklearn's ``balanced_accuracy_score``, the mean recall over the classes ``y_true`` holds, counted with
    ``bincount`` for class indices (a search scores it under five decision rules per candidate).

    >>> import numpy as np
    >>> _balanced_accuracy(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([3.0, 1.0, 1.0]))
    0.875
    """
    import numpy as np
    from sklearn import metrics as m

    if not (np.issubdtype(y_true.dtype, np.integer) and np.issubdtype(pred.dtype, np.integer)) or not len(y_true) \
            or min(y_true.min(), pred.min()) < 0:
        return float(m.balanced_accuracy_score(y_true, pred, sample_weight=sample_weight))
    size = int(max(y_true.max(), pred.max())) + 1
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=float).ravel()
    totals = np.bincount(y_true, weights=w, minlength=size)
    hit = y_true == pred
    hits = np.bincount(y_true[hit], weights=None if w is None else w[hit], minlength=size)
    held = totals > 0
    return float(np.mean(hits[held] / totals[held]))


def _proba_metric(name: str, y_true: Any, proba: Any, sample_weight: Any = None) -> float | None:
    import numpy as np

    proba = np.clip(np.asarray(proba, dtype=float), 1e-15, 1.0)
    proba = proba / proba.sum(axis=1, keepdims=True)
    if name == "log_loss":  # as sklearn's log_loss over every class, on the clipped and renormalised rows
        picked = proba[np.arange(len(proba)), np.asarray(y_true, dtype=int).ravel()]
        return float(-np.average(np.log(picked), weights=sample_weight))
    return _roc_auc(np.asarray(y_true), proba, sample_weight)


def padded(proba: Any, seen: Any, n_classes: int) -> Any:
    """Probabilities over the classes a model saw (``seen``, as class indices), widened to all ``n_classes``;
    a class absent from its training rows gets 0.

    >>> padded([[0.25, 0.75]], seen=[0, 2], n_classes=3).tolist()
    [[0.25, 0.0, 0.75]]
    """
    import numpy as np

    proba = np.asarray(proba, dtype=float)
    out = np.zeros((proba.shape[0], n_classes))
    out[:, np.asarray(seen).astype(int)] = proba
    return out


def _roc_auc(y_true: Any, proba: Any, sample_weight: Any = None) -> float | None:
    """Binary AUC, or one-vs-rest macro AUC over the classes present; None when undefined."""
    import math

    import numpy as np
    from sklearn import metrics as m

    present = np.unique(y_true)
    if len(present) < 2:
        return None
    if len(present) == 2:
        positive = present[1]
        value = m.roc_auc_score(y_true == positive, proba[:, positive], sample_weight=sample_weight)
    else:
        sub = proba[:, present] / proba[:, present].sum(axis=1, keepdims=True)
        value = m.roc_auc_score(y_true, sub, multi_class="ovr", average="macro", labels=present,
                                sample_weight=sample_weight)
    return float(value) if math.isfinite(value) else None
