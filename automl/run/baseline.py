"""The floor every model must clear: the majority class (classification) or the mean (regression) of the
training labels, scored on the test rows like the finalists. Pure.

It is a leaderboard row, never a finalist: nothing chooses it, nothing deploys
it. Its probabilities are the training class frequencies, so its accuracy is
the majority class's share of the test rows and its log loss that of always
guessing the prior.

Example:
    >>> import numpy as np
    >>> b = baseline("binary", np.array([0, 0, 0, 1]), np.array([0, 1, 0, 0]), ["no", "yes"], "accuracy")
    >>> b["approach"], b["model"], b["predicts"], b["test_scores"]["accuracy"], b["val_score"]
    ('baseline', 'majority class', 'no', 0.75, 0.75)
    >>> baseline("regression", np.array([1.0, 3.0]), np.array([2.0, 4.0]), None, "rmse")["test_scores"]["rmse"]
    1.4142135623730951
"""

from __future__ import annotations

from typing import Any

from ..metrics import score_output

APPROACH = "baseline"


def baseline(task: str, y_train: Any, y_test: Any, classes: list | None, metric: str, w_train: Any = None,
             w_test: Any = None) -> dict[str, Any]:
    """The baseline's leaderboard entry: approach, model, what it predicts, its test scores, its ``metric`` on
    the training rows as its validation score (a constant learns nothing a held-out row would expose), a note.

    ``y_train`` and ``y_test`` are the run's encoded targets (class indices for
    classification); only ``y_train`` decides what it predicts. ``w_train`` and ``w_test``: their rows' weights
    (``--weight``), so the mean and the class shares are weighted, and so are the scores.
    """
    import numpy as np

    y_train, n = np.asarray(y_train), len(y_test)
    if task == "regression":
        mean = float(np.average(y_train, weights=w_train))
        output: Any = np.full(n, mean)
        on_train: Any = np.full(len(y_train), mean)
        model, predicts = "training mean", f"{mean:.4g}"
        mean_of = "mean" if w_train is None else "weighted mean"
        note = (f"Predicts the training rows' {mean_of}, {predicts}, for every row: a model that does not beat it "
                "learned nothing.")
    else:
        counts = np.bincount(y_train.astype(int), weights=w_train, minlength=len(classes or []))
        prior = counts / counts.sum()
        output, on_train = np.tile(prior, (n, 1)), np.tile(prior, (len(y_train), 1))
        top = int(counts.argmax())
        model, predicts = "majority class", str(classes[top]) if classes else str(top)
        share = "of the training rows" if w_train is None else "of the training rows' weight"
        note = (f"Predicts the most frequent training class, {predicts} ({prior[top]:.0%} {share}), "
                "for every row: a model that does not beat it learned nothing.")
    scores = {k: _number(v) for k, v in score_output(task, y_test, output, sample_weight=w_test).items()}
    return {"approach": APPROACH, "model": model, "predicts": predicts, "test_scores": scores,
            "val_score": _number(score_output(task, y_train, on_train, metric, sample_weight=w_train)),
            "notes": [note]}


def _number(value: Any) -> float | None:
    """A JSON-safe score: None for a missing or undefined (NaN) one."""
    return None if value is None or value != value else float(value)
