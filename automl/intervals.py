"""Prediction intervals for a regression: the prediction plus and minus a width chosen on validation rows.

Split conformal prediction (Vovk, Gammerman and Shafer 2005; Lei, G'Sell, Rinaldo, Tibshirani and Wasserman
2018, "Distribution-free predictive inference for regression"): a model's absolute errors on ``n`` rows it did
not fit, sorted, and the ``ceil((n + 1) * level)``-th of them is the half width. A new row's value then falls
inside ``prediction +- width`` with probability at least ``level`` when it is exchangeable with those rows. The
rows are the out-of-sample validation rows a finalist was chosen on, never the test rows, which only say how
often the interval held.

One width for every row holds ``level`` of the rows overall but not where errors grow with the value (prices):
too wide for small values, too narrow for large ones. So the rows are cut into up to ``BANDS`` bands of
predicted value (at its quantiles on the validation rows, at least ``BAND_ROWS`` rows each) and each band gets
its own width from its own rows, Mondrian conformal prediction (Vovk, Lindsay, Nouretdinov and Gammerman 2003):
a new row takes the width of the band its prediction falls in, and the guarantee holds within every band.

Example:
    >>> import numpy as np
    >>> y = np.arange(40.0)
    >>> found = fit(y, y + np.tile([1.0, -2.0, 0.5, 3.0], 10))
    >>> found.half_width, found.rows, found.edges
    (3.0, 40, ())
    >>> found.widths(np.array([5.0, 50.0])).tolist()
    [3.0, 3.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

LEVEL = 0.9  # the share of new rows an interval is meant to hold
MIN_ROWS = 20  # fewer validation rows than this and the width is mostly noise: no interval
BANDS = 5  # bands of predicted value with their own width, at most
BAND_ROWS = 40  # validation rows per band, at least


@dataclass(frozen=True)
class Interval:
    """A fitted interval: ``half_width`` over all ``rows``; with ``edges`` (predicted values, ascending), one width
    per band in ``half_widths`` (``len(edges) + 1`` of them; a prediction equal to an edge is in the band above)."""

    level: float
    half_width: float
    rows: int
    edges: tuple[float, ...] = ()
    half_widths: tuple[float, ...] = ()

    def widths(self, predicted: Any) -> Any:
        """Each prediction's half width: its band's, or the one width when there are no bands."""
        import numpy as np

        predicted = np.asarray(predicted, dtype=float).ravel()
        if not self.edges:
            return np.full(len(predicted), self.half_width)
        return np.asarray(self.half_widths)[np.searchsorted(np.asarray(self.edges), predicted, side="right")]

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "half_width": self.half_width, "rows": self.rows, "edges": list(self.edges),
                "half_widths": list(self.half_widths)}


def fit(y: Any, predicted: Any, level: float = LEVEL, sample_weight: Any = None) -> Interval | None:
    """The interval of a model whose predictions on rows it did not fit are ``predicted`` (true values ``y``), or
    None with too few rows for ``level`` (or none finite). Bands only where each holds ``BAND_ROWS`` rows. With
    ``sample_weight`` (``--weight``), the width holds ``level`` of the rows' weight rather than of the rows.

    >>> fit([1.0, 2.0], [1.0, 2.0]) is None
    True
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(1, 10, 400)
    >>> wide = fit(p + rng.normal(0, p), p)  # errors grow with the value
    >>> len(wide.edges), wide.half_widths[0] < wide.half_width < wide.half_widths[-1]
    (4, True)
    """
    import numpy as np

    y, predicted = np.asarray(y, dtype=float).ravel(), np.asarray(predicted, dtype=float).ravel()
    errors = np.abs(y - predicted)
    weights = np.ones_like(errors) if sample_weight is None else np.asarray(sample_weight, dtype=float).ravel()
    finite = np.isfinite(errors)
    errors, predicted, weights = errors[finite], predicted[finite], weights[finite]
    overall = _conformal(errors, level, weights)
    if len(errors) < MIN_ROWS or overall is None:
        return None
    bands = min(BANDS, len(errors) // BAND_ROWS)
    if bands >= 2:
        edges = np.unique(np.quantile(predicted, np.linspace(0.0, 1.0, bands + 1)[1:-1]))
        which = np.searchsorted(edges, predicted, side="right")
        own = [_conformal(errors[which == b], level, weights[which == b]) for b in range(len(edges) + 1)]
        if len(edges) and all(w is not None and np.sum(which == b) >= BAND_ROWS for b, w in enumerate(own)):
            return Interval(level, overall, len(errors), tuple(float(e) for e in edges), tuple(own))
    return Interval(level, overall, len(errors))


def _conformal(errors: Any, level: float, weights: Any = None) -> float | None:
    """The ``ceil((n + 1) * level)``-th smallest of ``n`` errors; None when ``n`` is too few for ``level``. With
    ``weights``, the smallest error whose rows and those below it weigh ``level`` of the rows' weight plus one
    more row of their mean weight (the row to predict): the same error when the weights are equal.

    >>> _conformal([3.0, 1.0, 2.0, 4.0], 0.5), _conformal([3.0, 1.0, 2.0, 4.0], 0.5, [1.0, 1.0, 1.0, 5.0])
    (3.0, 4.0)
    """
    import numpy as np

    errors = np.asarray(errors, dtype=float)
    if weights is None or not len(errors):
        rank = math.ceil((len(errors) + 1) * level)
        return None if rank > len(errors) else float(np.sort(errors)[rank - 1])
    weights = np.asarray(weights, dtype=float)
    order = np.argsort(errors, kind="stable")
    total = weights.sum()
    if not total > 0:
        return None
    held = np.cumsum(weights[order]) / (total + total / len(errors))
    reached = np.flatnonzero(held >= level - 1e-12)
    return None if not len(reached) else float(errors[order][reached[0]])


def coverage(y: Any, predicted: Any, widths: Any, sample_weight: Any = None) -> float:
    """The share of rows (of their weight, with ``sample_weight``) whose value lies within its half width (one
    number, or one per row) of its prediction."""
    import numpy as np

    errors = np.abs(np.asarray(y, dtype=float).ravel() - np.asarray(predicted, dtype=float).ravel())
    if not len(errors) or sample_weight is not None and not float(np.sum(sample_weight)) > 0:
        return float("nan")
    return float(np.average(errors <= np.asarray(widths, dtype=float), weights=sample_weight))


def saved(intervals: Any, name: str) -> Interval | None:
    """The interval ``run.json``'s ``intervals`` keep for approach ``name``; None where it has none, or where what
    it keeps cannot be one (a hand-edited record).

    >>> saved({"classical": {"level": 0.9, "half_width": 2.5, "rows": 80}}, "classical").widths([1.0]).tolist()
    [2.5]
    >>> saved({"deep": {"level": 0.9, "half_width": 2.5, "rows": 80, "edges": [3.0], "half_widths": [1.0]}}, "deep")
    >>> saved({}, "deep")
    """
    found = intervals.get(name) if isinstance(intervals, dict) else None
    if not isinstance(found, dict):
        return None
    width, edges, widths = found.get("half_width"), found.get("edges") or [], found.get("half_widths") or []
    if not (_width(width) and isinstance(edges, list) and isinstance(widths, list) and all(map(_width, widths))
            and all(isinstance(e, (int, float)) and not isinstance(e, bool) and math.isfinite(e) for e in edges)
            and list(edges) == sorted(edges) and (len(widths) == len(edges) + 1 if edges else not widths)):
        return None
    level, rows = found.get("level", LEVEL), found.get("rows", 0)
    return Interval(float(level) if isinstance(level, (int, float)) else LEVEL, float(width),
                    int(rows) if isinstance(rows, int) else 0, tuple(map(float, edges)), tuple(map(float, widths)))


def _width(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def note(found: Interval, test_share: float, test_rows: int) -> str:
    """What the report says of an interval and how often it held on the test rows.

    >>> told = note(Interval(0.9, 12.25, 300, (5.0, 9.0), (4.0, 11.5, 20.0)), 0.885, 100)
    >>> told[:78]
    'Its 90 % prediction interval is the prediction +- 4 to 20 by predicted value ('
    """
    level = f"{found.level * 100:.0f} %"
    if found.edges:
        width = (f"+- {min(found.half_widths):.4g} to {max(found.half_widths):.4g} by predicted value (split "
                 f"conformal in {len(found.half_widths)} bands of it: in each, the width {level} of its absolute "
                 f"errors on its validation rows stay within; {found.rows:,} rows in all)")
    else:
        width = (f"+- {found.half_width:.4g} (split conformal: the width {level} of its absolute errors on "
                 f"{found.rows:,} validation rows stay within)")
    return (f"Its {level} prediction interval is the prediction {width}; it held {test_share * 100:.1f} % of the "
            f"{test_rows:,} test rows. automl predict writes it beside each prediction (lower_ and upper_ columns).")
