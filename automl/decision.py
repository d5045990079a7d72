"""Decision rules: which class a model predicts from its probabilities, when the metric weighs classes alike.

The most probable class is the right prediction for accuracy. Balanced
accuracy and macro F1 weigh a rare class as much as a common one, and there
the most probable class under-predicts the rare ones: on adult (24 % earn
more), balanced accuracy goes from .81 to .85 by predicting "more" more often.
A rule here weighs each class's probability by its share of the training rows
to the power ``-p`` and predicts the largest. ``p = 0`` is the plain most
probable class; ``p = 1`` is the rule that maximises balanced accuracy when the
probabilities are calibrated (each class's errors then cost the inverse of its
share). ``fit`` chooses ``p`` from ``POWERS`` on the model's out-of-sample
validation rows, so the test rows only score the rule, as they score the
model. Probabilities are left as they are: log loss and ROC AUC do not move.

Example:
    >>> import numpy as np
    >>> proba = np.array([[0.7, 0.3], [0.9, 0.1], [0.6, 0.4]])
    >>> labels(proba).tolist(), labels(proba, weights_for([0.75, 0.25], 1.0)).tolist()
    ([0, 0, 0], [1, 0, 1])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

METRICS = frozenset({"balanced_accuracy", "f1_macro"})  # the metrics a rule is fitted for
POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)  # few, so the choice on validation rows flatters little
RANKED = frozenset({"balanced_accuracy"})  # the metrics a search ranks candidates by under their best rule
MIN_ROWS = 20  # fewer validation rows than this: the plain most probable class


@dataclass(frozen=True)
class Decision:
    """A fitted rule: predict ``argmax(proba * weights)``; chosen by ``metric`` on ``rows`` validation rows, where
    it scored ``after`` against ``before`` for the most probable class."""

    weights: tuple[float, ...]
    power: float
    metric: str
    rows: int
    before: float
    after: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"weights": list(self.weights)}

    def note(self, noun: str) -> str:
        """What the report says of it.

        >>> Decision((0.25, 0.75), 1.0, "balanced_accuracy", 400, 0.79, 0.84).note("gradient boosting")
        'Gradient boosting predicts the class whose probability is largest once divided by the share of the \
training rows in that class (to the power 1), not simply the most probable class: chosen for balanced accuracy \
on 400 validation rows (0.7900 for the most probable class, 0.8400 so); the test rows only score it.'
        """
        from .metrics import LABELS

        return (f"{noun[0].upper()}{noun[1:]} predicts the class whose probability is largest once divided by the "
                f"share of the training rows in that class (to the power {self.power:g}), not simply the most "
                f"probable class: chosen for {LABELS[self.metric]} on {self.rows:,} validation rows "
                f"({self.before:.4f} for the most probable class, {self.after:.4f} so); the test rows only score it.")


def weights_for(shares: Any, power: float) -> tuple[float, ...]:
    """Each class's weight, ``share ** -power``, scaled to sum to one (a class with no share counts as the
    smallest share there is).

    >>> weights_for([0.8, 0.2], 0.5)
    (0.3333, 0.6667)
    """
    import numpy as np

    shares = np.asarray(shares, dtype=float)
    floor = shares[shares > 0].min() if (shares > 0).any() else 1.0
    raw = np.maximum(shares, floor) ** -float(power)
    return tuple(round(float(w), 4) for w in raw / raw.sum())


def labels(proba: Any, weights: Any = None) -> Any:
    """The predicted class indices: the most probable, or the largest ``proba * weights`` when given."""
    import numpy as np

    proba = np.asarray(proba, dtype=float)
    return (proba if weights is None else proba * np.asarray(weights, dtype=float)).argmax(axis=1)


def shares(y: Any, n_classes: int, sample_weight: Any = None) -> Any:
    """Each class's share of ``y`` (class indices), its rows counted by ``sample_weight`` where given.

    >>> shares([0, 0, 1], 2).round(3).tolist(), shares([0, 0, 1], 2, [1.0, 1.0, 2.0]).tolist()
    ([0.667, 0.333], [0.5, 0.5])
    """
    import numpy as np

    counts = np.bincount(np.asarray(y, dtype=int), weights=sample_weight, minlength=n_classes).astype(float)
    return counts / max(counts.sum(), 1.0)


def fit(metric: str, y: Any, proba: Any, class_shares: Any, sample_weight: Any = None) -> Decision | None:
    """The rule of ``POWERS`` that scores best by ``metric`` on validation rows ``y`` with out-of-sample ``proba``,
    or None for the most probable class: when the metric is not one of ``METRICS``, there are fewer than
    ``MIN_ROWS`` rows, or no power beats 0 (a tie keeps the smaller power). ``sample_weight``: the rows' weights.

    >>> import numpy as np
    >>> y = np.array([0] * 40 + [1] * 10)
    >>> proba = np.column_stack([np.r_[np.full(40, 0.8), np.full(10, 0.6)], np.r_[np.full(40, 0.2), np.full(10, 0.4)]])
    >>> fit("balanced_accuracy", y, proba, [0.8, 0.2]).power, fit("accuracy", y, proba, [0.8, 0.2])
    (0.5, None)
    """
    import numpy as np

    if metric not in METRICS or proba is None or len(y) < MIN_ROWS:
        return None
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] < 2 or len(proba) != len(y):
        return None
    scored = _by_power(metric, y, proba, class_shares, sample_weight)
    before = scored[0][0]
    after, minus_power, weights = max(scored, key=lambda s: (s[0], s[1]))
    if not after > before:
        return None
    return Decision(weights, -minus_power, metric, int(len(y)), round(before, 6), round(after, 6))


def ranking_score(task: str, y: Any, output: Any, metric: str, sample_weight: Any = None) -> float:
    """A candidate's score as it will predict: for ``RANKED`` metrics, the best over ``POWERS`` of the rule's score
    on these rows (class shares from ``y``), so a search ranks models by what their fitted rule can reach rather
    than by their most probable class; any other metric, ``score_output``'s. Balanced accuracy only: on
    wine_quality_red it raised the test score of both splits measured, while macro F1 ranked so lost on both
    (docs/benchmarks.md), its rare classes' precision swinging on a few validation rows. ``sample_weight``: how
    much each row counts (``--weight``).

    >>> import numpy as np
    >>> y = np.array([0] * 40 + [1] * 10)
    >>> proba = np.column_stack([np.r_[np.full(40, 0.8), np.full(10, 0.6)], np.r_[np.full(40, 0.2), np.full(10, 0.4)]])
    >>> ranking_score("binary", y, proba, "accuracy"), ranking_score("binary", y, proba, "balanced_accuracy")
    (0.8, 1.0)
    """
    import numpy as np

    from .metrics import score_output

    if metric not in RANKED or task == "regression" or len(y) < MIN_ROWS:
        return score_output(task, y, output, metric, sample_weight=sample_weight)
    proba = np.asarray(output, dtype=float)
    values = [value for value, _, _ in _by_power(metric, y, proba, shares(y, proba.shape[1], sample_weight),
                                                 sample_weight)]
    return max(values, key=lambda v: -np.inf if np.isnan(v) else v)


def _by_power(metric: str, y: Any, proba: Any, class_shares: Any, sample_weight: Any = None
              ) -> list[tuple[float, float, tuple[float, ...]]]:
    """``metric``'s score on rows ``y`` (counted by ``sample_weight``) under the rule of each power of ``POWERS``, in
    order, as (score, -power, weights)."""
    from .metrics import score_output

    scored = []
    for power in POWERS:  # "multiclass": every classification task scores predicted classes alike
        weights = weights_for(class_shares, power)
        value = score_output("multiclass", y, proba, metric, weights=weights, sample_weight=sample_weight)
        scored.append((float(value), -power, weights))
    return scored


def plan_note(metric: str) -> str | None:
    """What the plan says of rules for ``metric``: None where models predict their most probable class.

    >>> plan_note("accuracy") is None, plan_note("f1_macro").startswith("For macro F1 each finalist")
    (True, True)
    """
    from .metrics import LABELS

    if metric not in METRICS:
        return None
    ranked = (" and the searches rank their candidates by the score such a rule reaches, not by their most "
              "probable class" if metric in RANKED else "")
    return (f"For {LABELS[metric]} each finalist predicts the class whose probability is largest once divided by "
            "that class's share of the training rows (to a power of 0 to 1 chosen on its validation rows), so rare "
            f"classes are not under-predicted{ranked}.")


def saved_weights(decisions: Any, approach: str, n_classes: int) -> tuple[float, ...] | None:
    """The weights ``run.json``'s ``decisions`` keep for ``approach``, or None (the most probable class) when there
    are none or they are not ``n_classes`` positive finite numbers.

    >>> saved_weights({"classical": {"weights": [0.3, 0.7]}}, "classical", 2), saved_weights({}, "deep", 2)
    ((0.3, 0.7), None)
    """
    from .run.integrity import is_numbers  # imported here: integrity reads rules with this function

    found = decisions.get(approach) if isinstance(decisions, dict) else None
    weights = found.get("weights") if isinstance(found, dict) else None
    if not is_numbers(weights, n_classes) or not all(w > 0 for w in weights):
        return None
    return tuple(float(w) for w in weights)
