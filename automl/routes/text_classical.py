"""The classical side for text: TF-IDF word and character n-grams with a linear model and with XGBoost.

Vectorisers are fitted on training rows only. Logistic regression (ridge for
regression), complement naive Bayes, logistic regression on naive-Bayes-scaled
features (NBSVM) and a modified-Huber linear SVM are tried at a few
regularisation strengths, then XGBoost on word
TF-IDF with early stopping; the best on the validation rows is refitted on all
training rows. Rows with no text are predicted from the training prior.
Saved as JSON (vectoriser vocabulary and idf), skops (linear models) and UBJSON (XGBoost).

Example:
    >>> TextClassicalRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..metrics import better, score_all
from ..splitting import validation_folds
from ..text import text_of
from .base import SearchContext, SearchResult
from ..tfidf import vectorizer, vectorizer_from_dict, vectorizer_to_dict
from .persist import load_estimator, save_estimator

LINEAR_C = (16.0, 4.0, 64.0, 1.0)  # logistic regression, tried in this order: the usual best first
SGD_ALPHA = (2e-5, 1e-4)  # modified-Huber SGD: a linear SVM with probabilities
RIDGE_ALPHA = (1.0, 0.25, 4.0)
NB_ALPHA = (0.3, 0.1)  # complement naive Bayes: strong on topics, fitted in well under a second
class TextClassicalModel:
    """A fitted vectoriser and estimator; empty rows get the training prior."""

    def __init__(self, family: str, vec: Any, estimator: Any, columns: list[str], task: str, n_classes: int,
                 prior: list[float], params: dict[str, Any]):
        self.family = family
        self.vec = vec
        self.estimator = estimator
        self.columns = columns
        self.task = task
        self.n_classes = n_classes
        self.prior = np.asarray(prior, dtype=float)
        self.params = params

    @property
    def name(self) -> str:
        return self.family

    def _features(self, frame: Any) -> tuple[Any, Any]:
        texts = text_of(frame, self.columns)
        empty = np.array([not t.strip() for t in texts])
        return self.vec.transform(texts), empty

    def predict_proba(self, frame: Any) -> Any:
        X, empty = self._features(frame)
        if self.family == "tfidf_xgboost":
            import xgboost

            raw = self.estimator.predict(xgboost.DMatrix(X))
            proba = np.column_stack([1 - raw, raw]) if raw.ndim == 1 else raw
        else:
            part = self.estimator.predict_proba(X)
            proba = np.zeros((X.shape[0], self.n_classes))
            proba[:, self.estimator.classes_.astype(int)] = part
        proba[empty] = self.prior
        return proba

    def predict(self, frame: Any) -> Any:
        if self.task != "regression":
            return self.predict_proba(frame).argmax(axis=1)
        X, empty = self._features(frame)
        if self.family == "tfidf_xgboost":
            import xgboost

            values = self.estimator.predict(xgboost.DMatrix(X))
        else:
            values = self.estimator.predict(X)
        values = np.asarray(values, dtype=float)
        values[empty] = float(self.prior[0])
        return values

    def save(self, folder: Path) -> None:
        meta = {"family": self.family, "columns": self.columns, "task": self.task, "n_classes": self.n_classes,
                "prior": self.prior.tolist(), "params": self.params}
        (folder / "model.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        (folder / "vectorizer.json").write_text(json.dumps(vectorizer_to_dict(self.vec)), encoding="utf-8")
        save_estimator(self.estimator, folder)


def load(folder: Path) -> TextClassicalModel:
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    vec = vectorizer_from_dict(json.loads((folder / "vectorizer.json").read_text(encoding="utf-8")))
    estimator = load_estimator(folder)
    return TextClassicalModel(meta["family"], vec, estimator, meta["columns"], meta["task"], meta["n_classes"],
                              meta["prior"], meta["params"])


class TextClassicalRoute:
    name = "gbm"

    @staticmethod
    def finish_seconds(budget: float) -> float:
        return 1.0 + 0.03 * budget

    def search(self, ctx: SearchContext) -> SearchResult:
        columns = ctx.columns_of("text")
        texts = np.asarray(text_of(ctx.X, columns), dtype=object)
        y = np.asarray(ctx.y)
        (fit_idx, val_idx), = validation_folds(y, ctx.task, "holdout", 1, ctx.seed)
        prior = ctx.prior()
        best: dict[str, Any] | None = None
        features: dict[str, tuple[Any, Any]] = {}
        for family, params in self._candidates(ctx):
            if ctx.deadline.expired() or ctx.trial_cap_reached():
                break
            started = time.monotonic()
            try:
                kind = "words" if family == "tfidf_xgboost" else "words+chars"
                if kind not in features:
                    vec = vectorizer(kind).fit(texts[fit_idx])
                    features[kind] = (vec, vec.transform(texts[fit_idx]), vec.transform(texts[val_idx]))
                vec, X_fit, X_val = features[kind]
                estimator, used = _fit(family, params, X_fit, y[fit_idx], X_val, y[val_idx], ctx)
                model = TextClassicalModel(family, vec, estimator, columns, ctx.task, ctx.n_classes, prior,
                                           params | used)
                score = _score(model, ctx.X.iloc[val_idx], y[val_idx], ctx)
            except Exception as exc:  # a failed trial is recorded; the search goes on
                ctx.log_trial(family, params, None, started, status="failed", error=f"{type(exc).__name__}: {exc}")
                continue
            ctx.log_trial(family, params | used, score, started)
            if best is None or better(score, best["score"], ctx.metric):
                best = {"family": family, "params": params | used, "score": score, "model": model,
                        "seconds": time.monotonic() - started}
                ctx.improved(model)
        if best is None:
            raise RuntimeError("no classical text trial finished inside the budget")
        return self._refit(best, texts, y, columns, prior, ctx)

    @staticmethod
    def _candidates(ctx: SearchContext):
        if ctx.task == "regression":
            yield from (("tfidf_ridge", {"alpha": a}) for a in RIDGE_ALPHA)
        else:
            yield from (("tfidf_logreg", {"C": c}) for c in LINEAR_C[:2])
            yield from (("tfidf_nb", {"alpha": a}) for a in NB_ALPHA)
            yield "tfidf_nbsvm", {"C": 4.0}
            yield from (("tfidf_sgd", {"alpha": a}) for a in SGD_ALPHA)
            yield from (("tfidf_logreg", {"C": c}) for c in LINEAR_C[2:])
        yield "tfidf_xgboost", {"learning_rate": 0.2, "max_depth": 6, "subsample": 0.9, "colsample_bytree": 0.5}

    def _refit(self, best, texts, y, columns, prior, ctx) -> SearchResult:
        if best["seconds"] * 1.5 > ctx.deadline.remaining():
            return SearchResult(best["model"], best["score"], best["seconds"],
                                ["No time was left to refit on all training rows; the search model is kept."])
        started = time.monotonic()
        kind = "words" if best["family"] == "tfidf_xgboost" else "words+chars"
        vec = vectorizer(kind).fit(texts)
        params = dict(best["params"])
        estimator, _ = _fit(best["family"], params, vec.transform(texts), y, None, None, ctx)
        model = TextClassicalModel(best["family"], vec, estimator, columns, ctx.task, ctx.n_classes, prior, params)
        ctx.improved(model)
        note = f"The best model ({best['family']}) was refitted on all {len(y):,} training rows."
        return SearchResult(model, best["score"], time.monotonic() - started, [note])


def _fit(family: str, params: dict[str, Any], X, y, X_val, y_val, ctx: SearchContext) -> tuple[Any, dict]:
    """Fit one estimator; returns it and the parameters it settled on (boosting rounds)."""
    if family == "tfidf_logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=params["C"], max_iter=2000).fit(X, y), {}
    if family == "tfidf_nbsvm":
        return nb_logistic(X, y, params["C"]), {}
    if family == "tfidf_nb":
        from sklearn.naive_bayes import ComplementNB

        return ComplementNB(alpha=params["alpha"]).fit(X, y), {}
    if family == "tfidf_sgd":
        from sklearn.linear_model import SGDClassifier

        sgd = SGDClassifier(loss="modified_huber", alpha=params["alpha"], max_iter=50, tol=1e-4,
                            random_state=ctx.seed)
        return sgd.fit(X, y), {}
    if family == "tfidf_ridge":
        from sklearn.linear_model import Ridge

        return Ridge(alpha=params["alpha"]).fit(X, y), {}
    import xgboost

    from .gbm import deadline_callback, booster_params

    settings = booster_params({k: v for k, v in params.items() if k != "rounds"}, ctx, ctx.hardware.cpu_count)
    callbacks = [deadline_callback(ctx.deadline)]
    if X_val is None:
        booster = xgboost.train(settings, xgboost.DMatrix(X, label=y), num_boost_round=params["rounds"],
                                callbacks=callbacks)
        return booster, {}
    booster = xgboost.train(settings, xgboost.DMatrix(X, label=y), num_boost_round=1000,
                            evals=[(xgboost.DMatrix(X_val, label=y_val), "val")], early_stopping_rounds=30,
                            callbacks=callbacks, verbose_eval=False)
    rounds = (booster.best_iteration + 1) if getattr(booster, "best_iteration", None) is not None \
        else booster.num_boosted_rounds()
    booster = booster[:rounds]
    return booster, {"rounds": int(rounds * 1.1) + 1}


def _score(model: TextClassicalModel, X_val: Any, y_val: Any, ctx: SearchContext) -> float:
    if ctx.task == "regression":
        return score_all("regression", y_val, model.predict(X_val))[ctx.metric]
    proba = model.predict_proba(X_val)
    value = score_all(ctx.task, y_val, proba.argmax(axis=1), proba)[ctx.metric]
    return float("nan") if value is None else value


def nb_logistic(X: Any, y: Any, C: float, alpha: float = 1.0) -> Any:
    """NBSVM (Wang and Manning, 2012): per class, logistic regression on features scaled by their naive-Bayes
    log-count ratio, one class against the rest.

    Scaling feature j by r_j and then weighting it by w_j is one linear model
    with weights r_j * w_j, so the result is handed back as a plain fitted
    ``LogisticRegression`` carrying those weights (saved and explained like any other).
    """
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y)
    classes = np.unique(y)
    present = (X > 0).astype(np.float64).tocsr()
    targets = classes[1:] if len(classes) == 2 else classes
    weights, biases = [], []
    for k in targets:
        p = alpha + np.asarray(present[y == k].sum(axis=0)).ravel()
        q = alpha + np.asarray(present[y != k].sum(axis=0)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        fitted = LogisticRegression(C=C, max_iter=2000).fit(X.multiply(ratio).tocsr(), (y == k).astype(int))
        weights.append(ratio * fitted.coef_[0])
        biases.append(fitted.intercept_[0])
    model = LogisticRegression(C=C)
    model.coef_, model.intercept_ = np.vstack(weights), np.asarray(biases)
    model.classes_, model.n_features_in_ = classes, X.shape[1]
    return model
