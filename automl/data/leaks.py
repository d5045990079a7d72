"""Features that give the target away: a copy or relabelling of it, or one column that predicts it almost
perfectly on its own. Pure, and fast: at most ``SAMPLE_ROWS`` rows and ``MAX_COLUMNS`` columns are read.

A model trained with such a column scores beautifully and is useless when the
column is not known at prediction time (it was derived from the answer, or
recorded after it). Nothing is dropped here: each finding is a ``Leak`` with a
sentence saying why and how to leave the column out (``--drop``).

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [0.1, 0.7, 0.4] * 20, "code": [1, 2, 1, 2, 1, 2] * 10,
    ...                       "y": ["no", "yes", "no", "yes", "no", "yes"] * 10})
    >>> [leak.column for leak in find_leaks(frame, "y", "binary", ["x", "code"])]
    ['code']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import option

SAMPLE_ROWS = 20_000
MAX_COLUMNS = 100  # the first ones, in table order
MIN_ROWS = 30  # fewer rows with a target and a value: nothing is said
NEAR_PERFECT = 0.99  # held-out accuracy or R² of one column that counts as giving the target away
BASELINE_SHARE = 0.1  # ...and its error at most this share of always guessing the most common class
COPY_CORRELATION = 0.999  # rank correlation of a numeric column with a numeric target that makes it a copy
LOOKUP_VALUES = 30  # numeric columns with more distinct values predict by the nearest value, not value by value
SEED = 0


@dataclass(frozen=True)
class Leak:
    """One column that gives the target away: ``how`` is ``copy`` or ``predictor``; ``score`` the held-out
    accuracy (R² for regression; the rank correlation for a regression copy), ``baseline`` the majority guess's."""

    column: str
    how: str
    score: float
    baseline: float | None
    reason: str


def find_leaks(frame: Any, target: str, task: str, columns: list[str], rule: Any = None,
               numbers: tuple[str, ...] = ()) -> list[Leak]:
    """The ``columns`` of ``frame`` that determine ``target``: one-to-one relabellings (classification), monotone
    copies (regression), and single columns that predict it near-perfectly on held-out rows, held out as the
    run's ``splitting.Rule`` holds rows out (whole groups: a column constant within a group is then no leak; or
    the later rows, fitted on the earlier). Columns named in ``numbers`` are read as the encoder reads them
    (``$1,234.50`` is a number), so such a column is judged by its values, not as one label per row.

    >>> import pandas as pd
    >>> amount = [f"${v:,.2f}" for v in range(1000, 401000, 1000)]
    >>> frame = pd.DataFrame({"amount": amount, "y": ["small"] * 200 + ["big"] * 200})
    >>> [leak.column for leak in find_leaks(frame, "y", "binary", ["amount"], numbers=("amount",))]
    ['amount']
    """
    import numpy as np
    import pandas as pd

    from .number_text import to_number
    from .target import clean_target

    y, _ = clean_target(frame[target])
    keep = y.notna().to_numpy()
    if keep.sum() < MIN_ROWS:
        return []
    rows = np.flatnonzero(keep)
    rng = np.random.default_rng(SEED)
    if len(rows) > SAMPLE_ROWS:
        rows = np.sort(rng.choice(rows, SAMPLE_ROWS, replace=False))
    sample = frame.iloc[rows].reset_index(drop=True)
    y = y.iloc[rows].reset_index(drop=True)
    classify = task != "regression"
    y = pd.Series(pd.factorize(y.astype(str))[0]) if classify else to_number(y)  # $166,005 too
    test = np.zeros(len(y), dtype=bool)
    test[rng.permutation(len(y))[: len(y) // 2]] = True
    if rule is not None and rule.groups is not None:  # held out as the run holds rows out: half the groups, whole
        codes = np.asarray(rule.groups)[rows]
        held = rng.permutation(np.unique(codes))
        test = np.isin(codes, held[: len(held) // 2])
    elif rule is not None and rule.order is not None:  # or the later half
        test = np.zeros(len(y), dtype=bool)
        test[np.argsort(np.asarray(rule.order)[rows], kind="stable")[len(y) // 2:]] = True
    found = []
    for name in [c for c in columns if c in sample.columns and c != target][:MAX_COLUMNS]:
        x = sample[name]
        if name in numbers and not pd.api.types.is_numeric_dtype(x):
            x = to_number(x)
        leak = (_relabelling(x, y, name, target) if classify else _copy(x, y, name, target)) \
            or _predictor(x, y, test, classify, name, target)
        if leak is not None:
            found.append(leak)
    return found


def _relabelling(x: Any, y: Any, name: str, target: str) -> Leak | None:
    """Each value of ``x`` goes with one class and each class with one value, on rows where values repeat."""
    import pandas as pd

    pairs = pd.DataFrame({"x": pd.factorize(x)[0], "y": y})
    pairs = pairs[pairs["x"] >= 0]  # missing values are -1
    n_values = int(pairs["x"].nunique())
    if len(pairs) < MIN_ROWS or n_values < 2 or len(pairs) < 2 * n_values:
        return None
    if pairs.groupby("x")["y"].nunique().max() != 1 or pairs.groupby("y")["x"].nunique().max() != 1:
        return None
    return Leak(name, "copy", 1.0, None,
                f"column {name!r} is a relabelling of the target {target!r}: each of its {n_values} values goes with "
                f"exactly one class and each class with one value, in all {len(pairs):,} rows that have it. "
                f"{_advice(name)}")


def _copy(x: Any, y: Any, name: str, target: str) -> Leak | None:
    """A numeric column that rises or falls in step with a numeric target (rank correlation near 1)."""
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x):
        return None
    pairs = pd.DataFrame({"x": x.astype(float), "y": y}).dropna()
    if len(pairs) < MIN_ROWS or pairs["x"].nunique() < 2 or pairs["y"].nunique() < 2:
        return None
    rho = float(pairs["x"].rank().corr(pairs["y"].rank()))
    if abs(rho) < COPY_CORRELATION:
        return None
    return Leak(name, "copy", abs(rho), None,
                f"column {name!r} moves in step with the target {target!r} (rank correlation {rho:.4f} over "
                f"{len(pairs):,} rows): it looks like a copy of the target. {_advice(name)}")


def _predictor(x: Any, y: Any, test: Any, classify: bool, name: str, target: str) -> Leak | None:
    """``x`` alone, fitted on half the rows (a per-value lookup, or the nearest value for many numbers), scored on
    the other half: a leak when that is near-perfect and far above the most-common-class guess."""
    import numpy as np

    predicted = _fit_one_column(x, y, test, classify)
    if predicted is None:
        return None
    truth = y[test].to_numpy()
    if classify:
        majority = np.bincount(y[~test].to_numpy()).argmax()
        score, baseline = float(np.mean(predicted == truth)), float(np.mean(truth == majority))
        if score < NEAR_PERFECT or (1 - score) > BASELINE_SHARE * (1 - baseline):
            return None
        how = (f"{score:.1%} accuracy on held-out rows, against {baseline:.1%} for always guessing the most common "
               "class")
    else:
        spread = float(np.sum((truth - truth.mean()) ** 2))
        if spread == 0:
            return None
        score, baseline = 1 - float(np.sum((truth - predicted) ** 2)) / spread, 0.0
        if score < NEAR_PERFECT:
            return None
        how = f"R² {score:.3f} on held-out rows"
    return Leak(name, "predictor", score, baseline,
                f"column {name!r} alone predicts the target {target!r} almost perfectly ({how}): a leak if it is "
                f"derived from the target or only known after it. {_advice(name)}")


def _fit_one_column(x: Any, y: Any, test: Any, classify: bool) -> Any:
    """Predictions for the test rows from ``x`` fitted on the others; None when there is too little to tell."""
    import numpy as np
    import pandas as pd

    if test.sum() < MIN_ROWS // 2 or (~test).sum() < MIN_ROWS // 2:
        return None
    numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
    if numeric and x.nunique() > LOOKUP_VALUES:
        values = x.astype(float).to_numpy()
        finite = np.isfinite(values)
        if not finite.any():
            return None
        values = np.where(finite, values, values[finite].min() - 1.0)  # missing: a value of its own
        return _nearest(values[~test], y[~test].to_numpy(), values[test])
    keys = pd.Series(pd.factorize(x)[0])  # missing values are -1, a value of their own
    train = pd.DataFrame({"key": keys[~test], "y": y[~test]})
    if classify:
        lookup = train.groupby(["key", "y"]).size().unstack(fill_value=0).idxmax(axis=1)
        fallback = train["y"].value_counts().idxmax()
    else:
        lookup = train.groupby("key")["y"].mean()
        fallback = train["y"].mean()
    return keys[test].map(lookup).fillna(fallback).to_numpy().astype(y.dtype)


def _nearest(x_train: Any, y_train: Any, x_test: Any) -> Any:
    """Each test value's prediction: the target of the training row with the nearest value (1-nearest neighbour
    on one column, which only a column that determines the target makes near-perfect on new rows)."""
    import numpy as np

    order = np.argsort(x_train, kind="stable")
    xs, ys = x_train[order], y_train[order]
    at = np.searchsorted(xs, x_test)
    left, right = np.clip(at - 1, 0, len(xs) - 1), np.clip(at, 0, len(xs) - 1)
    return np.where(np.abs(xs[right] - x_test) < np.abs(x_test - xs[left]), ys[right], ys[left])


def _advice(name: str) -> str:
    return (f"If it will not be known when you predict, leave it out with {option('drop', name)}; "
            "if it is a genuine feature, ignore this.")
