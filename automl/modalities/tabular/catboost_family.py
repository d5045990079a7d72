"""CatBoost as a gradient-boosting family: fitting with early stopping and a deadline, and reading outputs.

CatBoost grows symmetric (oblivious) trees and encodes categories with
ordered target statistics, which is where it differs from XGBoost and
HistGradientBoosting; ``recipes/gbm_families.py`` measured that it adds
accuracy to their ensemble on 5 of 8 tables. It reads our encoder's
category columns as their integer codes (a missing value is code -1, a
category of its own). Models are saved in CatBoost's own binary format
(``model.cbm``, see ``automl.search.persist``), never a pickle.

Example:
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"x": np.arange(40.0), "c": pd.Categorical(list("ab") * 20)})
    >>> from automl.modalities.tabular.gbm_space import DEFAULTS
    >>> model, rounds = fit(DEFAULTS["catboost"], X, np.arange(40) % 2, "binary", seed=0, threads=1, fixed_rounds=5)
    >>> rounds, output(model, X.head(3), "binary", 2).shape
    (5, (3, 2))
"""

from __future__ import annotations

from typing import Any

from ...metrics import padded
from .gbm_space import EARLY_STOPPING_ROUNDS, MAX_ROUNDS


def frame(X: Any) -> Any:
    """``X`` with every category column as int32 codes (-1 where missing or unseen), as CatBoost reads them.

    >>> import pandas as pd
    >>> frame(pd.DataFrame({"c": pd.Categorical(["b", None], categories=["a", "b"])}))["c"].tolist()
    [1, -1]
    """
    categories = [name for name in X.columns if X[name].dtype.name == "category"]
    if not categories:
        return X
    out = X.copy()
    for name in categories:
        out[name] = out[name].cat.codes.astype("int32")
    return out


def fit(params: dict[str, Any], X: Any, y: Any, task: str, seed: int, threads: int, X_val: Any = None,
        y_val: Any = None, fixed_rounds: int | None = None, deadline: Any = None,
        weights: tuple[Any, Any] = (None, None)) -> tuple[Any, int]:
    """A CatBoost model of ``params`` and the rounds (trees) it uses: up to ``MAX_ROUNDS`` stopped early on
    ``X_val`` (the best iteration is kept), or ``fixed_rounds`` without validation rows; the deadline, when
    given, stops boosting between rounds (the trees so far are kept). ``weights``: those of ``X`` and ``X_val``'s
    rows (``--weight``), each None for alike."""
    import catboost

    cls = catboost.CatBoostRegressor if task == "regression" else catboost.CatBoostClassifier
    cats = [i for i, dtype in enumerate(X.dtypes) if dtype.name == "category"]
    model = cls(**params, iterations=fixed_rounds or MAX_ROUNDS, thread_count=threads, random_seed=seed,
                cat_features=cats, verbose=False, allow_writing_files=False)
    kwargs: dict[str, Any] = {"callbacks": [_DeadlineStop(deadline)]} if deadline is not None else {}
    if fixed_rounds is None:
        val = catboost.Pool(frame(X_val), y_val, cat_features=cats, weight=weights[1])
        kwargs |= {"eval_set": val, "early_stopping_rounds": EARLY_STOPPING_ROUNDS, "use_best_model": True}
    model.fit(frame(X), y, sample_weight=weights[0], **kwargs)
    return model, int(model.tree_count_)


def output(model: Any, X: Any, task: str, n_classes: int) -> Any:
    """Probabilities (n x ``n_classes``, classes a fold never saw at 0) or values for encoded rows; works on a
    fitted model and on one loaded back as the generic ``catboost.CatBoost``."""
    import numpy as np

    if task == "regression":
        return np.asarray(model.predict(frame(X), prediction_type="RawFormulaVal"), dtype=float)
    proba = np.asarray(model.predict(frame(X), prediction_type="Probability"), dtype=float)
    return padded(proba, np.asarray(model.classes_).astype(int), n_classes)


def importance(model: Any, names: list[str]) -> dict[str, float]:
    """CatBoost's own importance (how much predictions change with each column), as shares summing to 1."""
    scores = model.get_feature_importance()
    total = float(sum(scores)) or 1.0
    ranked = sorted(zip(names, scores), key=lambda kv: -kv[1])
    return {name: round(float(score) / total, 5) for name, score in ranked if score > 0}


class _DeadlineStop:
    """A CatBoost callback: boosting goes on while the deadline has not passed."""

    def __init__(self, deadline: Any):
        self.deadline = deadline

    def after_iteration(self, info: Any) -> bool:
        return not self.deadline.expired()
