"""Gradient-boosting defaults and search spaces, as data, and the order candidates come in.

Each family starts from a strong default (tried first, so a good model exists
within seconds), then the published portfolio (``gbm_portfolio``); after that
the search alternates between a configuration near one of the leaders
(``nearby``) and a fresh sample of the space, whose bounds scale with the
number of training rows (shallower trees and more regularisation on small
data). A cross-validated table of fewer than ``PORTFOLIO_ONLY_ROWS`` training
rows stops after the portfolio (``gbm.GBMRoute.search``).

Example:
    >>> import numpy as np
    >>> params = sample("xgboost", np.random.default_rng(0), n_rows=500)
    >>> 2 <= params["max_depth"] <= 6
    True
"""

from __future__ import annotations

import math
from typing import Any

FAMILIES = ("xgboost", "hist_gbm", "extra_trees", "catboost", "ridge")
# Families fitted to regressions only: on classification tables a linear model added nothing (``ridge_family``).
REGRESSION_ONLY = ("ridge",)
# What a sentence calls a model of each family: the three boosting libraries are one idea to a reader.
KIND_NOUN = {"xgboost": "gradient boosting", "hist_gbm": "gradient boosting", "catboost": "gradient boosting",
             "extra_trees": "extra trees", "ridge": "ridge regression"}
# How often each family is sampled (cheaper families more often, as in FLAML's cost_relative2lgbm).
SAMPLING_WEIGHT = {"xgboost": 2.0, "hist_gbm": 1.0, "catboost": 0.5, "extra_trees": 0.5}
# A family's expected trial time relative to XGBoost's before it has run (CatBoost at learning rate 0.1
# against XGBoost's default, both early-stopped, 2 threads: 1-27x on eight tables, median 5; ExtraTrees' 300
# trees 0.1-22x, median 4; HistGradientBoosting's default 0.6-3.5x on seven tables, 1.8-3.5x on the four of
# more than 20,000 rows: california_housing 2.6x, diamonds 3.5x, adult 1.8x).
# Ridge regression, one linear solve per fold: 0.2-0.33 s on the five regression tables, 0.3-0.8x XGBoost's default
# on california_housing and diamonds, about 1x on the small ones (where both take a fifth of a second).
RELATIVE_COST = {"xgboost": 1.0, "hist_gbm": 2.0, "catboost": 10.0, "extra_trees": 4.0, "ridge": 0.5}
# CatBoost's time goes mostly to its categorical columns (ordered target statistics): on tables of numbers only
# its default took 3-6x XGBoost's (california_housing 4.1x, spambase 3.3x, wine_quality_red 6x), against 13-200x
# with categories (adult 13x, diamonds 19x, mushroom 46x, titanic 200x), 80 % of the rows, 2 threads.
NUMERIC_ONLY_COST = {"catboost": 4.0}
# Families whose trial time grows with the number of classes (boosting grows a tree per class each round; CatBoost
# measured so: 47 s on letter's 26 classes against XGBoost's 8). A forest's trees hold all classes at once, so
# on letter ExtraTrees took 1.1 s, 0.14x XGBoost's, not the 4x of two-class and regression tables.
PER_CLASS = ("xgboost", "hist_gbm", "catboost")

DEFAULTS: dict[str, dict[str, Any]] = {
    "xgboost": {
        "learning_rate": 0.1, "max_depth": 6, "min_child_weight": 1.0, "subsample": 0.8,
        "colsample_bytree": 0.8, "reg_lambda": 1.0, "reg_alpha": 0.0,
    },
    "hist_gbm": {
        "learning_rate": 0.1, "max_leaf_nodes": 31, "min_samples_leaf": 20, "l2_regularization": 0.0,
        "max_features": 1.0,
    },
    # CatBoost's own defaults, but a learning rate of 0.1 instead of the one it derives from the data size
    # (0.02-0.05 for 3000 rounds on our tables): 1.1-2.4x faster, within 0.3 points on five of eight tables,
    # +0.6 R² points on california_housing, -1.1 and -1.3 on titanic and wine_quality_red (2 and 4 test rows).
    "catboost": {"learning_rate": 0.1, "depth": 6, "l2_leaf_reg": 3.0, "random_strength": 1.0},
    # Between scikit-learn's defaults for classifiers (sqrt of the columns) and regressors (all columns): 0.5 of
    # them scored within a point of the better of the two on seven of eight tables (docs/benchmarks.md).
    "extra_trees": {"max_features": 0.5, "min_samples_leaf": 1},
    # Nothing to set: the regularisation strength is chosen inside each fit, by leave-one-out (``ridge_family``).
    "ridge": {},
}
# A regression's defaults where they differ: extra trees on every column, scikit-learn's own default for regressors.
# On diamonds' holdout (200 trees of at most 4,096 leaves) they scored R² .9815 alone against .9777 at 0.5, and
# greedy ensemble selection with the three boosting defaults gave them a third of the weight and .9832 on the test
# rows against .9828 (about 1 % lower RMSE); neutral on california_housing, mpg, tips and diabetes
# (docs/benchmarks.md, "Extra trees on every column for a regression").
REGRESSION_DEFAULTS: dict[str, dict[str, Any]] = {"extra_trees": {"max_features": 1.0, "min_samples_leaf": 1}}

# name -> (scale, low, high); scale is log, float or int. A family without a space (ridge) runs its default only.
SPACES: dict[str, dict[str, tuple[str, float, float]]] = {
    "xgboost": {
        "learning_rate": ("log", 0.01, 0.3),
        "max_depth": ("int", 2, 10),
        "min_child_weight": ("log", 0.5, 30.0),
        "subsample": ("float", 0.5, 1.0),
        "colsample_bytree": ("float", 0.4, 1.0),
        "reg_lambda": ("log", 0.1, 30.0),
        "reg_alpha": ("log", 0.001, 5.0),
    },
    "hist_gbm": {
        "learning_rate": ("log", 0.01, 0.3),
        "max_leaf_nodes": ("int", 7, 127),
        "min_samples_leaf": ("int", 5, 100),
        "l2_regularization": ("log", 0.001, 10.0),
        "max_features": ("float", 0.4, 1.0),
    },
    "catboost": {
        "learning_rate": ("log", 0.02, 0.3),
        "depth": ("int", 4, 8),
        "l2_leaf_reg": ("log", 1.0, 30.0),
        "random_strength": ("log", 0.1, 10.0),
    },
    "extra_trees": {
        "max_features": ("float", 0.2, 1.0),
        "min_samples_leaf": ("int", 1, 8),
    },
}

MAX_ROUNDS = 3000
# A cross-validated table of fewer training rows than this searches the defaults and the portfolio only, and its
# time left goes to repeated bagging: on seven small tables, three split seeds each, greedy ensemble selection
# over them scored 0.35 points above the same over the best ten of 43-44 configurations searched, whose out-of-fold
# score was higher (``recipes/search_pool.py``, docs/benchmarks.md).
PORTFOLIO_ONLY_ROWS = 1000
PATIENCE = 25  # stop the search after this many trials in a row without a better validation score
EARLY_STOPPING_ROUNDS = 50
NEARBY_SHARE = 0.5  # after the portfolio, this share of candidates is drawn near a leading configuration
NEARBY_STEP = 0.15  # a nearby candidate moves each parameter by this share of its range (one standard deviation)
# Regression: families whose default is also tried on the square root of the target, right after their own, and
# the shares of sampled candidates fitted on it and of nearby ones that switch (``target_transform``).
SQRT_DEFAULTS = ("xgboost",)
SQRT_SAMPLED = 0.5
SQRT_SWITCHED = 0.25


def scaled_space(family: str, n_rows: int) -> dict[str, tuple[str, float, float]]:
    """The family's space with tree size bounded by the data size."""
    space = dict(SPACES[family])
    depth_cap = max(3, min(10, int(math.log2(max(n_rows, 8))) - 3))
    if family == "xgboost":
        space["max_depth"] = ("int", 2, depth_cap)
    elif family == "catboost":  # symmetric trees: 2^depth leaves, so a shallower cap
        space["depth"] = ("int", 3, max(4, min(8, depth_cap - 1)))
    elif family == "hist_gbm":
        space["max_leaf_nodes"] = ("int", 7, min(127, 2**depth_cap))
        space["min_samples_leaf"] = ("int", 2, max(5, min(100, n_rows // 50)))
    return space


def sample(family: str, rng: Any, n_rows: int) -> dict[str, Any]:
    params = {}
    for name, (scale, low, high) in scaled_space(family, n_rows).items():
        if scale == "log":
            value = float(math.exp(rng.uniform(math.log(low), math.log(high))))
        elif scale == "int":
            value = int(rng.integers(int(low), int(high) + 1))
        else:
            value = float(rng.uniform(low, high))
        params[name] = round(value, 5) if isinstance(value, float) else value
    return params


def nearby(family: str, params: dict[str, Any], rng: Any, n_rows: int) -> dict[str, Any]:
    """``params`` with every searched parameter moved a little: normal steps of ``NEARBY_STEP`` of its range
    (on a log scale where the space is), kept inside the range, widened to include where it starts.

    >>> import numpy as np
    >>> moved = nearby("xgboost", DEFAULTS["xgboost"], np.random.default_rng(0), n_rows=10_000)
    >>> sorted(moved) == sorted(DEFAULTS["xgboost"]) and moved != DEFAULTS["xgboost"]
    True
    """
    out = dict(params)
    for name, (scale, low, high) in scaled_space(family, n_rows).items():
        value = params.get(name, DEFAULTS[family][name])
        if scale == "log":
            value = max(float(value), low / 10)  # a zero (no regularisation) moves from just below the range
            lo, hi, at = math.log(min(low, value)), math.log(max(high, value)), math.log(value)
            out[name] = round(float(math.exp(min(hi, max(lo, at + rng.normal(0, NEARBY_STEP * (hi - lo)))))), 5)
        else:
            lo, hi = min(low, value), max(high, value)
            moved = min(hi, max(lo, value + rng.normal(0, NEARBY_STEP * (hi - lo))))
            out[name] = int(round(moved)) if scale == "int" else round(float(moved), 5)
    return out


def installed(has: Any = None) -> tuple[str, ...]:
    """The families whose library imports here: CatBoost is the only one that may be missing (a machine it was
    not installed on); XGBoost and scikit-learn are the package's own dependencies. ``has(module)``: whether a
    module can be imported (default: ``importlib.util.find_spec``).

    >>> installed(lambda module: module != "catboost")
    ('xgboost', 'hist_gbm', 'extra_trees', 'ridge')
    """
    import importlib.util

    has = has or (lambda module: importlib.util.find_spec(module) is not None)
    return tuple(f for f in FAMILIES if f != "catboost" or has("catboost"))


def for_task(families: tuple[str, ...], regression: bool) -> tuple[str, ...]:
    """``families`` less those fitted to regressions only (``REGRESSION_ONLY``) unless this is a ``regression``.

    >>> for_task(FAMILIES, regression=False)
    ('xgboost', 'hist_gbm', 'extra_trees', 'catboost')
    >>> for_task(FAMILIES, regression=True)[-1]
    'ridge'
    """
    return tuple(f for f in families if regression or f not in REGRESSION_ONLY)


def noun(members: list[tuple[str, float]]) -> str:
    """What a sentence calls a model of these ``(family, weight)`` members: its kinds of model, the one with the
    most weight first, the others after "with" (the report's "Take ...", "Predictions use ...").

    >>> noun([("xgboost", 0.7), ("catboost", 0.3)])
    'gradient boosting'
    >>> noun([("ridge", 0.52), ("hist_gbm", 0.24), ("catboost", 0.2), ("xgboost", 0.04)])
    'ridge regression with gradient boosting'
    >>> noun([("xgboost", 0.5), ("extra_trees", 0.3), ("ridge", 0.2)])
    'gradient boosting with extra trees and ridge regression'
    """
    totals: dict[str, float] = {}
    for family, weight in members:
        kind = KIND_NOUN.get(family, family)
        totals[kind] = totals.get(kind, 0.0) + weight
    first, *others = sorted(totals, key=lambda kind: -totals[kind])  # stable: ties keep the members' order
    return f"{first} with {' and '.join(others)}" if others else first


def relative_cost(family: str, per_round: int = 1, categorical: bool = True) -> float:
    """A family's expected trial time in XGBoost trials of one tree a round: ``RELATIVE_COST`` (on a table
    without ``categorical`` columns ``NUMERIC_ONLY_COST`` where it has one), times ``per_round`` (the trees a
    boosting round grows: the classes of a multiclass task) for ``PER_CLASS`` families.

    >>> relative_cost("extra_trees", 26), relative_cost("xgboost", 26)
    (4.0, 26.0)
    >>> relative_cost("catboost"), relative_cost("catboost", categorical=False)
    (10.0, 4.0)
    """
    own = RELATIVE_COST[family] if categorical else NUMERIC_ONLY_COST.get(family, RELATIVE_COST[family])
    return own * (per_round if family in PER_CLASS else 1)


def default_order(families: tuple[str, ...] = FAMILIES, per_round: int = 1,
                  categorical: bool = True) -> tuple[str, ...]:
    """The families whose defaults run first, cheapest expected first (``relative_cost``); ties keep the
    ``families`` order. On two classes or a regression XGBoost leads; on letter's 26 classes its
    default took 21 s of a 22-second share at 60 s and was the only trial, where ExtraTrees' took 1.1 s and
    scored best alone, so with more than four classes the forest leads.

    >>> default_order(for_task(FAMILIES, regression=False))
    ('xgboost', 'hist_gbm', 'extra_trees', 'catboost')
    >>> default_order(for_task(FAMILIES, regression=False), per_round=26)
    ('extra_trees', 'xgboost', 'hist_gbm', 'catboost')
    >>> default_order(FAMILIES)[0]  # a regression's: ridge regression, one linear solve, first
    'ridge'
    """
    return tuple(sorted(families, key=lambda family: relative_cost(family, per_round, categorical)))


def default_params(family: str, regression: bool = False) -> dict[str, Any]:
    """A fresh copy of the family's default configuration, a regression's own where it has one
    (``REGRESSION_DEFAULTS``).

    >>> default_params("extra_trees"), default_params("extra_trees", regression=True)
    ({'max_features': 0.5, 'min_samples_leaf': 1}, {'max_features': 1.0, 'min_samples_leaf': 1})
    >>> default_params("xgboost", regression=True) == DEFAULTS["xgboost"]
    True
    """
    return dict(REGRESSION_DEFAULTS.get(family, DEFAULTS[family]) if regression else DEFAULTS[family])


def candidates(rng: Any, n_rows: int, leaders: Any = list, families: tuple[str, ...] = FAMILIES,
               per_round: int = 1, regression: bool = False, categorical: bool = True):
    """(family, params, origin) without end: the defaults (``default_order``, ``default_params``), the portfolio,
    then half near one of ``leaders()`` (the best (family, params) so far, read at each draw) and half sampled
    afresh, families weighted by cost; a family without a space (``SPACES``) comes as its default only.
    ``origin`` says which: ``default``, ``portfolio``, ``nearby`` or ``sampled``. Only ``families`` come, and
    those of ``REGRESSION_ONLY`` in a ``regression`` only; ``per_round``: the trees a boosting round grows (the
    classes of a multiclass task); ``categorical``: whether the table has categorical columns (``relative_cost``). In a
    ``regression`` the target's square root is searched too (``SQRT_DEFAULTS``, ``SQRT_SAMPLED``,
    ``SQRT_SWITCHED``): ``params["target"] == "sqrt"``.

    >>> import numpy as np
    >>> stream = candidates(np.random.default_rng(0), 1000)
    >>> [next(stream)[::2] for _ in range(4)]
    [('xgboost', 'default'), ('hist_gbm', 'default'), ('extra_trees', 'default'), ('catboost', 'default')]
    >>> regression = candidates(np.random.default_rng(0), 1000, regression=True)
    >>> [next(regression)[::2] for _ in range(2)]
    [('ridge', 'default'), ('xgboost', 'default')]
    >>> next(candidates(np.random.default_rng(0), 1000, per_round=26))[::2]
    ('extra_trees', 'default')
    >>> without = candidates(np.random.default_rng(0), 1000, families=("xgboost", "hist_gbm", "extra_trees"))
    >>> "catboost" in {next(without)[0] for _ in range(200)}
    False
    >>> regression = candidates(np.random.default_rng(0), 1000, regression=True)
    >>> [next(regression)[1].get("target") for _ in range(4)]
    [None, None, 'sqrt', None]
    """
    from .gbm_portfolio import PORTFOLIO

    families = for_task(families, regression)
    for family in default_order(families, per_round, categorical):
        default = default_params(family, regression)
        yield family, default, "default"
        if regression and family in SQRT_DEFAULTS:
            yield family, default | {"target": "sqrt"}, "default"
    for _, family, params in PORTFOLIO:
        if family in families:
            yield family, dict(params), "portfolio"
    families = tuple(f for f in families if SPACES.get(f))
    weights = [SAMPLING_WEIGHT[f] for f in families]
    total = sum(weights)
    while True:
        top = [(family, params) for family, params in leaders() if family in families]
        if top and rng.random() < NEARBY_SHARE:
            family, params = top[int(rng.integers(len(top)))]
            moved = nearby(family, params, rng, n_rows)
            yield family, _switched(moved) if regression and rng.random() < SQRT_SWITCHED else moved, "nearby"
            continue
        family = families[int(rng.choice(len(families), p=[w / total for w in weights]))]
        params = sample(family, rng, n_rows)
        yield family, params | {"target": "sqrt"} if regression and rng.random() < SQRT_SAMPLED else params, "sampled"


def _switched(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` fitted on the target's square root if they were not, on the target itself if they were.

    >>> _switched({"depth": 6}), _switched({"depth": 6, "target": "sqrt"})
    ({'depth': 6, 'target': 'sqrt'}, {'depth': 6})
    """
    if params.get("target") == "sqrt":
        return {k: v for k, v in params.items() if k != "target"}
    return params | {"target": "sqrt"}
