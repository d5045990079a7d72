"""Temperature scaling (Guo, Pleiss, Sun and Weinberger 2017): one number that makes a model's probabilities as
sure as its held-out rows say it should be, without changing which class wins.

Shared by the text route's linear SVM (margins into probabilities) and the tabular network (whose smoothed
targets leave it under-sure). ``cross_fitted_softmax`` scores held-out rows with a temperature fitted on the
other half of them, so the log loss it reports is not flattered.

Example:
    >>> import numpy as np
    >>> margins = np.log(np.array([[0.6, 0.4], [0.3, 0.7], [0.7, 0.3], [0.2, 0.8]]))
    >>> fit_temperature(margins, np.array([0, 1, 0, 1])) > 1  # always right, so it may be surer
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np


def softmax(scores: Any) -> Any:
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(margins: Any, y: Any, sample_weight: Any = None) -> float:
    """The T > 0 for which softmax(T * margins) has the least log loss on these held-out rows (temperature
    scaling, Guo et al. 2017), each row's loss weighed by ``sample_weight`` where given. One number, so it cannot
    change which class wins, only how sure the model says it is.

    >>> m = np.array([[0.0, 1.0], [0.0, -1.0], [0.0, 0.5], [0.0, -0.2]])
    >>> round(fit_temperature(m, np.array([1, 0, 1, 0])), 1) > 1
    True
    """
    from scipy.optimize import minimize_scalar

    y = np.asarray(y, dtype=int)
    rows = np.arange(len(y))
    if sample_weight is not None and not float(np.sum(sample_weight)) > 0:
        sample_weight = None  # rows that weigh nothing together: counted alike

    def loss(log_t: float) -> float:
        p = softmax(np.exp(log_t) * margins)[rows, y]
        return float(-np.average(np.log(np.clip(p, 1e-15, 1.0)), weights=sample_weight))

    return float(np.exp(minimize_scalar(loss, bounds=(-6.0, 6.0), method="bounded").x))


def cross_fitted_softmax(margins: Any, y: Any, groups: Any = None, sample_weight: Any = None
                         ) -> tuple[Any, float]:
    """Held-out rows' probabilities, each half's temperature fitted on the other half, and the temperature fitted on
    all of them.

    A temperature fitted on the rows it is then scored on flatters log loss
    (on separable rows it grows without bound); fitted on the other half it
    does not, so the SVM's log loss compares fairly with the other candidates'.
    With ``groups`` (one code per row, from ``--group``) the halves are made of whole groups, so no row's
    temperature is fitted on its own group's other rows. ``sample_weight`` weighs each row's loss in the fits.

    >>> halves(4, None).tolist(), halves(4, np.array(["a", "a", "b", "b"])).tolist()
    ([True, False, True, False], [True, True, False, False])
    """
    y = np.asarray(y, dtype=int)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    even = halves(len(y), groups)
    proba = np.empty_like(margins, dtype=float)
    for part in (even, ~even):
        rest = ~part
        if part.any():
            t = fit_temperature(margins[rest], y[rest], None if w is None else w[rest]) if rest.any() else 1.0
            proba[part] = softmax(t * margins[part])
    return proba, fit_temperature(margins, y, w)


def halves(n: int, groups: Any = None) -> Any:
    """A boolean mask splitting ``n`` rows into two halves: alternate rows, or alternate groups (in the order of
    their codes) when ``groups`` is given, so the rows of a group stay together."""
    if groups is None:
        return np.arange(n) % 2 == 0
    return np.unique(np.asarray(groups), return_inverse=True)[1].ravel() % 2 == 0
