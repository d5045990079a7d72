"""Gradient-boosting configurations known to do well across many tables, tried right after the defaults.

The XGBoost configurations are the ones TabRepo's zero-shot portfolio keeps
for XGBoost (Salinas and Erickson, "TabRepo: A Large Scale Repository of
Tabular Model Evaluations and its AutoML Applications", 2024), in the order
of its greedy portfolio construction: each was chosen because it added the
most to the configurations before it over about 200 datasets, none of them
ours. AutoGluon 1.x ships the same values as its "zeroshot" hyperparameters;
we take the values as published facts. TabRepo set four parameters; the
others are XGBoost's own defaults, which its runs used and which are written
out here so the search can move every parameter around them. TabRepo's
``enable_categorical`` flag is not taken: our encoder decides how
categories reach the booster.

``name`` is TabRepo's: ``r33`` is its 33rd random configuration.

Example:
    >>> [name for name, _, _ in PORTFOLIO][:3]
    ['tabrepo-r33', 'tabrepo-r89', 'tabrepo-r194']
    >>> all(family == "xgboost" for _, family, _ in PORTFOLIO)
    True
"""

from __future__ import annotations

from typing import Any

# XGBoost's defaults for what TabRepo did not set.
_XGBOOST_REST = {"subsample": 1.0, "reg_lambda": 1.0, "reg_alpha": 0.0}


def _xgboost(learning_rate: float, max_depth: int, min_child_weight: float, colsample_bytree: float) -> dict[str, Any]:
    return {"learning_rate": learning_rate, "max_depth": max_depth, "min_child_weight": min_child_weight,
            "colsample_bytree": colsample_bytree} | _XGBOOST_REST


# (name, family, parameters), in TabRepo's priority order; values rounded to 5 significant places.
PORTFOLIO: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("tabrepo-r33", "xgboost", _xgboost(0.018064, 10, 0.60286, 0.69173)),
    ("tabrepo-r89", "xgboost", _xgboost(0.087757, 5, 0.62941, 0.66284)),
    ("tabrepo-r194", "xgboost", _xgboost(0.092902, 7, 0.80420, 0.90902)),
    ("tabrepo-r98", "xgboost", _xgboost(0.0071581, 9, 0.85671, 0.51665)),
    ("tabrepo-r49", "xgboost", _xgboost(0.038404, 7, 0.55642, 0.74523)),
    ("tabrepo-r31", "xgboost", _xgboost(0.0099747, 4, 0.92386, 0.75066)),
    ("tabrepo-r22", "xgboost", _xgboost(0.077921, 6, 1.0759, 0.63269)),
    ("tabrepo-r95", "xgboost", _xgboost(0.066342, 5, 1.4088, 0.97594)),
    ("tabrepo-r34", "xgboost", _xgboost(0.029357, 10, 1.1532, 0.54619)),
)
