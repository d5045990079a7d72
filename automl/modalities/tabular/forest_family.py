"""Extremely randomised trees (scikit-learn's ExtraTrees) as a family of the classical search.

Averaged deep trees with random split points err differently from boosted
ones, so they add to the ensemble where boosting alone plateaus:
``recipes/gbm_families.py`` measured +0.3 points on letter and +1.1 on
titanic over our three boosting families (docs/benchmarks.md). Grown to full
depth they are also huge (1.4 GB for 300 trees on diamonds), so a model has
``TREES`` trees of at most ``MAX_LEAVES`` leaves each, and skops deflates it
(294 MB stored, 29 MB saved on letter). Rows come with category columns as codes
(``gbm.as_codes``: NaN where missing, which the trees route on their own).
Trees grow in chunks, the deadline checked between them. Models are saved with
skops (``automl.search.persist``).

Example:
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"x": np.arange(40.0), "z": np.r_[np.nan, np.ones(39)]})
    >>> from automl.modalities.tabular.gbm_space import DEFAULTS
    >>> model, trees = fit(DEFAULTS["extra_trees"], X, np.arange(40) % 2, "binary", seed=0, threads=1)
    >>> trees, output(model, X.head(3), "binary", 2).shape
    (200, (3, 2))
"""

from __future__ import annotations

from typing import Any

from ...metrics import padded

TREES = 200
CHUNK = 50  # trees grown between deadline checks
MAX_LEAVES = 4096  # leaves per tree: bounds a tree's size whatever the rows (letter: 1.5 MB stored, 26 classes)


def fit(params: dict[str, Any], X: Any, y: Any, task: str, seed: int, threads: int, deadline: Any = None,
        trees: int | None = None, sample_weight: Any = None) -> tuple[Any, int]:
    """An ExtraTrees model of ``trees`` trees (``TREES`` when None) on coded rows ``X`` (weighed by
    ``sample_weight`` where given), fewer when the deadline passes between chunks; returns it and the trees it
    has."""
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

    cls = ExtraTreesRegressor if task == "regression" else ExtraTreesClassifier
    estimator = cls(n_estimators=0, max_features=params["max_features"], min_samples_leaf=params["min_samples_leaf"],
                    max_leaf_nodes=MAX_LEAVES, n_jobs=threads, random_state=seed, warm_start=True)
    wanted = min(trees or TREES, TREES)
    grown = 0
    while grown < wanted:
        grown = min(wanted, grown + CHUNK)
        estimator.set_params(n_estimators=grown).fit(X, y, sample_weight=sample_weight)
        if deadline is not None and deadline.expired():
            break
    estimator.set_params(n_jobs=1)  # predicting a few rows in a thread pool costs more than it saves
    return estimator, grown


def output(estimator: Any, X: Any, task: str, n_classes: int) -> Any:
    """Values, or probabilities over all ``n_classes`` (a class no training row had gets 0)."""
    if task == "regression":
        return estimator.predict(X)
    return padded(estimator.predict_proba(X), estimator.classes_, n_classes)


def importance(estimator: Any, columns: list[str]) -> dict[str, float]:
    """Mean decrease in impurity per column, as shares, largest first."""
    shares = estimator.feature_importances_
    total = float(shares.sum()) or 1.0
    ranked = sorted(zip(columns, shares), key=lambda kv: -kv[1])
    return {name: round(float(v) / total, 5) for name, v in ranked if v > 0}
