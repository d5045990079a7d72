"""The estimators of the classical text route: how each family is fitted on TF-IDF rows and what it outputs.

Families: ``tfidf_logreg`` (logistic regression), ``tfidf_svm`` (a linear
SVM, its margins turned into probabilities by one temperature), ``tfidf_nb``
(complement naive Bayes), ``tfidf_nbsvm`` (logistic regression on
naive-Bayes-scaled features), ``tfidf_sgd`` (modified-Huber SGD),
``tfidf_ridge`` (regression) and ``tfidf_xgboost``.

Example:
    >>> est, _ = fit_estimator("tfidf_svm", {"C": 1.0}, X, y, None, None, seed=0)   # doctest: +SKIP
    >>> class_proba("tfidf_svm", est, X, n_classes=2, temperature=2.0)            # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...metrics import padded
from ...search.calibration import softmax


def fit_estimator(family: str, params: dict[str, Any], X, y, X_val, y_val, seed: int, deadline: Any = None,
                  booster_settings: dict[str, Any] | None = None, weights: tuple[Any, Any] = (None, None)
                  ) -> tuple[Any, dict]:
    """Fit one estimator; returns it and the parameters it settled on (boosting rounds). ``weights``: how much
    each row of ``X`` and of ``X_val`` counts (``--weight``), each None for alike."""
    w = weights[0]
    if family == "tfidf_logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=params["C"], max_iter=2000).fit(X, y, sample_weight=w), {}
    if family == "tfidf_svm":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=params["C"]).fit(X, y, sample_weight=w), {}
    if family == "tfidf_nbsvm":
        return nb_logistic(X, y, params["C"], sample_weight=w), {}
    if family == "tfidf_nb":
        from sklearn.naive_bayes import ComplementNB

        return ComplementNB(alpha=params["alpha"]).fit(X, y, sample_weight=w), {}
    if family == "tfidf_sgd":
        from sklearn.linear_model import SGDClassifier

        sgd = SGDClassifier(loss="modified_huber", alpha=params["alpha"], max_iter=50, tol=1e-4, random_state=seed)
        return sgd.fit(X, y, sample_weight=w), {}
    if family == "tfidf_ridge":
        from sklearn.linear_model import Ridge

        return Ridge(alpha=params["alpha"]).fit(X, y, sample_weight=w), {}
    if family != "tfidf_xgboost":
        raise ValueError(f"unknown text family {family!r}")
    return _fit_booster(params, X, y, X_val, y_val, deadline, booster_settings or {}, weights)


def _fit_booster(params, X, y, X_val, y_val, deadline, settings, weights=(None, None)) -> tuple[Any, dict]:
    import xgboost

    from ..tabular.gbm import train_booster

    dval = None if X_val is None else xgboost.DMatrix(X_val, label=y_val, weight=weights[1])
    booster, rounds = train_booster(settings, xgboost.DMatrix(X, label=y, weight=weights[0]), dval,
                                    params["rounds"] if dval is None else 1000, 30, deadline)
    return (booster, {}) if dval is None else (booster[:rounds], {"rounds": int(rounds)})


def class_proba(family: str, estimator: Any, X, n_classes: int, temperature: float = 1.0) -> Any:
    """Rows x classes probabilities; classes the estimator never saw get 0."""
    if family == "tfidf_xgboost":
        import xgboost

        raw = estimator.predict(xgboost.DMatrix(X))
        return np.column_stack([1 - raw, raw]) if raw.ndim == 1 else raw
    if family == "tfidf_svm":
        return softmax(temperature * decisions(estimator, X, n_classes))
    return padded(estimator.predict_proba(X), estimator.classes_, n_classes)


def values(family: str, estimator: Any, X) -> Any:
    """Regression predictions."""
    if family == "tfidf_xgboost":
        import xgboost

        return np.asarray(estimator.predict(xgboost.DMatrix(X)), dtype=float)
    return np.asarray(estimator.predict(X), dtype=float)


def decisions(estimator: Any, X, n_classes: int) -> Any:
    """A linear classifier's margins as rows x classes; -inf for classes it never saw.

    A binary margin d becomes the pair (0, d), so a softmax of it is the sigmoid of d.
    """
    d = np.asarray(estimator.decision_function(X), dtype=float)
    if d.ndim == 1:
        d = np.column_stack([np.zeros_like(d), d])
    out = np.full((d.shape[0], n_classes), -np.inf)
    out[:, estimator.classes_.astype(int)] = d
    return out


def nb_logistic(X: Any, y: Any, C: float, alpha: float = 1.0, sample_weight: Any = None) -> Any:
    """NBSVM (Wang and Manning, 2012): per class, logistic regression on features scaled by their naive-Bayes
    log-count ratio, one class against the rest.

    Scaling feature j by r_j and then weighting it by w_j is one linear model
    with weights r_j * w_j, so the result is handed back as a plain fitted
    ``LogisticRegression`` carrying those weights (saved and explained like any other). ``sample_weight``
    weighs each row in the counts and in the regression.
    """
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y)
    classes = np.unique(y)
    present = (X > 0).astype(np.float64).tocsr()
    if sample_weight is not None:
        present = present.multiply(np.asarray(sample_weight, dtype=float)[:, None]).tocsr()
    targets = classes[1:] if len(classes) == 2 else classes
    weights, biases = [], []
    for k in targets:
        p = alpha + np.asarray(present[y == k].sum(axis=0)).ravel()
        q = alpha + np.asarray(present[y != k].sum(axis=0)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        fitted = LogisticRegression(C=C, max_iter=2000).fit(X.multiply(ratio).tocsr(), (y == k).astype(int),
                                                            sample_weight=sample_weight)
        weights.append(ratio * fitted.coef_[0])
        biases.append(fitted.intercept_[0])
    model = LogisticRegression(C=C)
    model.coef_, model.intercept_ = np.vstack(weights), np.asarray(biases)
    model.classes_, model.n_features_in_ = classes, X.shape[1]
    return model
