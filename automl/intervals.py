"""Prediction intervals for a regression: the prediction plus and minus one width, chosen on validation rows.

Split conformal prediction (Vovk, Gammerman and Shafer 2005; Lei, G'Sell, Rinaldo, Tibshirani and Wasserman
2018, "Distribution-free predictive inference for regression"): a model's absolute errors on ``n`` rows it did
not fit, sorted, and the ``ceil((n + 1) * level)``-th of them is the half width. A new row's value then falls
inside ``prediction +- width`` with probability at least ``level`` when it is exchangeable with those rows. The
rows are the out-of-sample validation rows a finalist was chosen on, never the test rows, which only say how
often the interval held. One width for every row: where errors grow with the value (prices), the interval is too
wide for small values and too narrow for large ones, though it holds on ``level`` of the rows overall.

Example:
    >>> import numpy as np
    >>> y = np.arange(40.0)
    >>> found = fit(y, y + np.tile([1.0, -2.0, 0.5, 3.0], 10))
    >>> found["half_width"], found["rows"]
    (3.0, 40)
    >>> coverage(y, y + 1.0, found["half_width"])
    1.0
"""

from __future__ import annotations

import math
from typing import Any

LEVEL = 0.9  # the share of new rows an interval is meant to hold
MIN_ROWS = 20  # fewer validation rows than this and the width is mostly noise: no interval


def fit(y: Any, predicted: Any, level: float = LEVEL) -> dict[str, Any] | None:
    """The interval of a model whose predictions on rows it did not fit are ``predicted`` (true values ``y``):
    ``{"level", "half_width", "rows"}``, or None with too few rows for ``level`` (or none finite).

    >>> fit([1.0, 2.0], [1.0, 2.0]) is None
    True
    """
    import numpy as np

    errors = np.abs(np.asarray(y, dtype=float).ravel() - np.asarray(predicted, dtype=float).ravel())
    errors = np.sort(errors[np.isfinite(errors)])
    n = len(errors)
    rank = math.ceil((n + 1) * level)
    if n < MIN_ROWS or rank > n:
        return None
    return {"level": level, "half_width": float(errors[rank - 1]), "rows": int(n)}


def coverage(y: Any, predicted: Any, half_width: float) -> float:
    """The share of rows whose value lies within ``half_width`` of its prediction."""
    import numpy as np

    errors = np.abs(np.asarray(y, dtype=float).ravel() - np.asarray(predicted, dtype=float).ravel())
    return float(np.mean(errors <= half_width)) if len(errors) else float("nan")


def saved(intervals: Any, name: str) -> float | None:
    """The half width ``run.json``'s ``intervals`` keep for approach ``name``; None where it has none (or it is
    not a number that can be one).

    >>> saved({"classical": {"level": 0.9, "half_width": 2.5, "rows": 80}}, "classical"), saved({}, "deep")
    (2.5, None)
    """
    found = intervals.get(name) if isinstance(intervals, dict) else None
    width = found.get("half_width") if isinstance(found, dict) else None
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not math.isfinite(width) or width < 0:
        return None
    return float(width)


def note(found: dict[str, Any], noun: str, test_share: float, test_rows: int) -> str:
    """What the report says of ``noun``'s interval and how often it held on the test rows.

    >>> told = note({"level": 0.9, "half_width": 12.25, "rows": 300}, "gradient boosting", 0.885, 100)
    >>> told[:55], told[-44:]
    ('Its 90 % prediction interval is the prediction +- 12.25', 'each prediction (lower_ and upper_ columns).')
    """
    level = f"{found['level'] * 100:.0f} %"
    return (f"Its {level} prediction interval is the prediction +- {found['half_width']:.4g} (split conformal: the "
            f"width {level} of its absolute errors on {found['rows']:,} validation rows stay within); it held "
            f"{test_share * 100:.1f} % of the {test_rows:,} test rows. automl predict writes it beside each "
            "prediction (lower_ and upper_ columns).")
