"""Which inputs the classical model leans on: computed once at fit time and recorded in run.json.

* XGBoost on a table: gain per column (``get_score(importance_type="gain")``), as shares of the total.
* scikit-learn HistGradientBoosting on a table: permutation importance on the test rows (how much the
  run's metric drops when one column is shuffled), under a time cap.
* TF-IDF text models: the n-grams with the most gain (XGBoost) or the largest mean absolute coefficient
  (linear models; TF-IDF puts every n-gram on the same scale, so the sizes compare).
* Image and audio features: gain per engineered feature, named (``gradients cell row 2 col 3 at 40-60 deg``,
  ``mfcc4_mean``).

The report only reads the record, so re-rendering never loads a model.

Example:
    >>> import pandas as pd
    >>> X = pd.DataFrame({"signal": [0.0, 1.0, 2.0, 3.0] * 5, "noise": [1.0] * 20})
    >>> score = lambda frame: float(((frame["signal"] > 1.5) == (X["signal"] > 1.5)).mean())
    >>> ranked, done = permutation(score, X, greater=True, seed=0)
    >>> ranked[0][0], ranked[1], done
    ('signal', ['noise', 0.0], True)
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ..metrics import greater_is_better, score_all

TOP = 50  # features kept in the record
MAX_ROWS = 2000  # test rows used for permutation importance
REPEATS = 3


def importance_of(model: Any, X: Any, y: Any, task: str, metric: str, seed: int = 0,
                  max_seconds: float = 5.0) -> dict[str, Any]:
    """``{"method", "features": [[name, value], ...], "note"}`` for a classical model; method None says why not."""
    family = getattr(model, "family", None)
    if hasattr(model, "vec") and hasattr(model, "estimator"):
        return _text(model)
    if hasattr(model, "inner") and hasattr(model, "kind"):
        return _media(model)
    if family == "xgboost" and hasattr(model, "feature_importance"):
        ranked = sorted(model.feature_importance().items(), key=lambda kv: -kv[1])
        return _result("gain", ranked, "XGBoost gain: each column's share of the loss reduction of all splits.")
    if family == "hist_gbm":
        return _permuted(model, X, y, task, metric, seed, max_seconds)
    return _result(None, [], "This model does not expose feature importance.")


def permutation(score: Callable[[Any], float], X: Any, greater: bool, seed: int, repeats: int = REPEATS,
                max_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic
                ) -> tuple[list[list[Any]], bool]:
    """Mean drop of ``score(frame)`` when each column of ``X`` is shuffled, best first.

    Returns the ranking and whether every column was done before ``max_seconds``.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    start = clock()
    base = score(X)
    drops: list[list[Any]] = []
    for column in X.columns:
        if clock() - start > max_seconds:
            return _ranked(drops), False
        values = X[column].to_numpy()
        lost = []
        for _ in range(repeats):
            shuffled = X.copy()
            shuffled[column] = values[rng.permutation(len(values))]
            value = score(shuffled)
            lost.append(base - value if greater else value - base)
        drops.append([str(column), round(float(np.mean(lost)), 6)])
    return _ranked(drops), True


def _permuted(model: Any, X: Any, y: Any, task: str, metric: str, seed: int, max_seconds: float) -> dict:
    import numpy as np

    y = np.asarray(y)
    if len(y) > MAX_ROWS:
        keep = np.sort(np.random.default_rng(seed).choice(len(y), MAX_ROWS, replace=False))
        X, y = X.iloc[keep].reset_index(drop=True), y[keep]

    def scores(frame: Any) -> dict[str, float | None]:
        if task == "regression":
            return score_all(task, y, model.predict(frame))
        proba = model.predict_proba(frame)
        return score_all(task, y, proba.argmax(axis=1), proba)

    used = metric if scores(X)[metric] is not None else "accuracy"  # ROC AUC is undefined on one class
    ranked, done = permutation(lambda frame: float(scores(frame)[used]), X, greater_is_better(used), seed,
                               max_seconds=max_seconds)
    note = (f"Permutation importance: the drop in test {used} when one column is shuffled "
            f"(mean of {REPEATS} shuffles on {len(y):,} test rows).")
    if not done:
        note += f" Stopped after {len(ranked)} of {X.shape[1]} columns to stay within {max_seconds:.0f}s."
    return _result("permutation", ranked, note)


def _text(model: Any) -> dict[str, Any]:
    import numpy as np

    names = [_ngram(n) for n in model.vec.get_feature_names_out()]
    if model.family == "tfidf_xgboost":
        gain = model.estimator.get_score(importance_type="gain")
        total = sum(gain.values()) or 1.0
        ranked = sorted(((names[int(k[1:])], v / total) for k, v in gain.items()), key=lambda kv: -kv[1])
        return _result("gain", ranked, "XGBoost gain of each TF-IDF n-gram, as a share of the total.")
    coef = getattr(model.estimator, "coef_", None)
    if coef is None:
        return _result(None, [], f"The {model.family} model exposes no coefficients.")
    weight = np.abs(np.atleast_2d(np.asarray(coef, dtype=float))).mean(axis=0)
    order = np.argsort(-weight)[:TOP]
    return _result("coefficient", [(names[i], float(weight[i])) for i in order],
                   "Mean absolute coefficient of each TF-IDF n-gram over the classes; TF-IDF puts every "
                   "n-gram on the same scale, so the sizes compare.")


def _ngram(name: str) -> str:
    """``words__new york`` -> ``word: new york``; ``chars__ th`` -> ``chars: ' th'``."""
    part, sep, term = str(name).partition("__")
    if not sep:
        return f"word: {name}"
    return f"word: {term}" if part == "words" else f"chars: {term!r}"


def _media(model: Any) -> dict[str, Any]:
    from ..modalities.media.kinds import media

    described = media(model.kind).features_text
    inner = model.inner
    if getattr(inner, "family", None) != "xgboost":
        return _result(None, [], f"The {inner.name} model has no built-in importance, and shuffling engineered "
                                 f"{model.kind} features would decode every test file again; not computed.")
    names = media(model.kind).feature_names(model.spec)
    named = {f"f{i}": name for i, name in enumerate(names)}
    ranked = sorted(((named.get(k, k), v) for k, v in inner.feature_importance().items()), key=lambda kv: -kv[1])
    return _result("gain", ranked, f"XGBoost gain of the engineered {model.kind} features, as shares of the total; "
                                   f"they are {described}.")


def _ranked(pairs: list[list[Any]]) -> list[list[Any]]:
    return sorted(pairs, key=lambda kv: -kv[1])


def _result(method: str | None, ranked: Any, note: str) -> dict[str, Any]:
    return {"method": method, "features": [[str(k), round(float(v), 6)] for k, v in list(ranked)[:TOP]],
            "note": note}
