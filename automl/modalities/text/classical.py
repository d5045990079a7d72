"""The classical side for text: TF-IDF word and character n-grams with linear models, naive Bayes and XGBoost.

Vectorisers are fitted on training rows only. A table's other columns (numbers,
categories, flags, dates) join the TF-IDF columns as one block (``side``). Every candidate (see
``candidates``) is scored on the first fold, then successive halving spends
the other folds on the better ones and the best mean wins (``racing``), so a
choice is not left to a handful of rows of one split. The winner is refitted
on all training rows. Rows with no text are predicted from the training prior.
Saved as JSON (vectoriser vocabulary and idf), skops (linear models) and UBJSON (XGBoost).

Example:
    >>> TextClassicalRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ...data.splitting import validation_folds
from ...decision import ranking_score
from ...metrics import LABELS, better
from ...search.base import Refit, SearchContext, SearchResult, refit_seconds
from ...search.importance import TOP, result
from ...errors import ModelFileError
from ...run.integrity import field, is_numbers, is_params, is_task, is_texts, is_whole, read_object, reading
from ...search.persist import estimator_path, load_estimator, save_estimator
from ...search.calibration import cross_fitted_softmax
from ...search.racing import Entry, common_folds, halved, rungs, survivors, winner
from .estimators import (
    class_proba,
    decisions,
    fit_estimator,
    values,
)
from . import stack
from ..side import SideColumns
from .tfidf import vectorizer, vectorizer_from_dict, vectorizer_to_dict, vectorizer_width
from .tokens import text_of

# Screened in this order, cheap and usually strong first, so a tight budget still sees the best bets.
NB_ALPHA = (0.3, 0.1)  # complement naive Bayes: strong on topics, fitted in well under a second
SVM_C = (1.0, 4.0, 0.5)  # linear SVM
SGD_ALPHA = (1e-4,)  # modified-Huber SGD
LOGREG_C = (16.0, 64.0)  # logistic regression
RIDGE_ALPHA = (1.0, 0.25, 4.0)
XGBOOST = {"learning_rate": 0.2, "max_depth": 6, "subsample": 0.9, "colsample_bytree": 0.5}
ESTIMATORS = (  # family -> the type of its saved estimator
    ("tfidf_nb", "sklearn.naive_bayes.ComplementNB"), ("tfidf_svm", "sklearn.svm.LinearSVC"),
    ("tfidf_sgd", "sklearn.linear_model.SGDClassifier"), ("tfidf_nbsvm", "sklearn.linear_model.LogisticRegression"),
    ("tfidf_logreg", "sklearn.linear_model.LogisticRegression"), ("tfidf_ridge", "sklearn.linear_model.Ridge"),
    ("tfidf_xgboost", "xgboost.Booster"),
)


class TextClassicalModel:
    """A fitted vectoriser, the table's other columns (``side``, or None) and an estimator; rows with no text get
    the training prior when there are no other columns to read."""

    def __init__(self, family: str, vec: Any, estimator: Any, columns: list[str], task: str, n_classes: int,
                 prior: list[float], params: dict[str, Any], fit: dict[str, float] | None = None,
                 side: SideColumns | None = None):
        self.family = family
        self.vec = vec
        self.estimator = estimator
        self.columns = columns
        self.task = task
        self.n_classes = n_classes
        self.prior = np.asarray(prior, dtype=float)
        self.params = params
        self.fit = fit or {}  # {"seconds", "rows"}: vectorising and fitting, which tells what a refit will cost
        self.side = side

    @property
    def name(self) -> str:
        return self.family

    def _features(self, frame: Any) -> tuple[Any, Any]:
        texts = text_of(frame, self.columns)
        return features(self.vec, self.side, texts, frame)

    def proba_of(self, X: Any, empty: Any) -> Any:
        """Probabilities from TF-IDF rows (``empty`` marks rows with no text)."""
        proba = class_proba(self.family, self.estimator, X, self.n_classes, self.params.get("temperature", 1.0))
        proba[empty] = self.prior
        return proba

    def values_of(self, X: Any, empty: Any) -> Any:
        out = values(self.family, self.estimator, X)
        out[empty] = float(self.prior[0])
        return out

    def predict_proba(self, frame: Any) -> Any:
        return self.proba_of(*self._features(frame))

    def predict(self, frame: Any) -> Any:
        if self.task != "regression":
            return self.predict_proba(frame).argmax(axis=1)
        return self.values_of(*self._features(frame))

    def importance(self, X: Any, y: Any, metric: str, seed: int, max_seconds: float,
                   sample_weight: Any = None) -> dict[str, Any]:
        """The n-grams with the most gain (XGBoost) or the largest mean absolute coefficient (linear models:
        TF-IDF puts every n-gram on the same scale, so the sizes compare)."""
        names = [_ngram(n) for n in self.vec.get_feature_names_out()]
        names += [f"column: {n}" for n in (self.side.names if self.side else [])]
        if self.family == "tfidf_xgboost":
            gain = self.estimator.get_score(importance_type="gain")
            total = sum(gain.values()) or 1.0
            ranked = sorted(((names[int(k[1:])], v / total) for k, v in gain.items()), key=lambda kv: -kv[1])
            return result("gain", ranked, "XGBoost gain of each TF-IDF n-gram (and other column), as a share of the "
                                          "total.")
        coef = getattr(self.estimator, "coef_", None)
        if coef is None:
            return result(None, [], f"The {self.family} model exposes no coefficients.")
        weight = np.abs(np.atleast_2d(np.asarray(coef, dtype=float))).mean(axis=0)
        order = np.argsort(-weight)[:TOP]
        return result("coefficient", [(names[i], float(weight[i])) for i in order],
                      "Mean absolute coefficient of each TF-IDF n-gram (and other column) over the classes; TF-IDF "
                      "puts every n-gram on the same scale, and the other columns are scaled to 0-1, so the sizes "
                      "compare.")

    def save(self, folder: Path) -> None:
        meta = {"family": self.family, "columns": self.columns, "task": self.task, "n_classes": self.n_classes,
                "prior": self.prior.tolist(), "params": self.params, "fit": self.fit,
                "side": self.side.to_dict() if self.side else None}
        (folder / "model.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        (folder / "vectorizer.json").write_text(json.dumps(vectorizer_to_dict(self.vec)), encoding="utf-8")
        save_estimator(self.estimator, folder)


def load(folder: Path) -> TextClassicalModel:
    """The model saved in ``folder``; ``ModelFileError`` naming the file that is missing, unreadable or not what
    ``save`` wrote."""
    path = folder / "model.json"
    meta = read_object(path)
    family, task = checked_meta(meta, path)
    with reading(folder / "vectorizer.json"):
        vec = vectorizer_from_dict(read_object(folder / "vectorizer.json"))
    with reading(path):
        side = SideColumns.from_dict(meta["side"]) if meta.get("side") is not None else None
    width = vectorizer_width(vec) + (side.width if side else 0)
    estimator = checked_estimator(load_estimator(folder), family, width, folder)
    return TextClassicalModel(family, vec, estimator, meta["columns"], task, meta["n_classes"], meta["prior"],
                              meta["params"], meta.get("fit"), side)


def checked_meta(meta: dict[str, Any], path: Path) -> tuple[str, str]:
    """(family, task) of a model.json whose fields have the types ``TextClassicalModel`` takes (a prior of one
    share per class, or the mean value); ``ModelFileError`` otherwise.

    >>> checked_meta({"family": "tfidf_pickle"}, Path("model.json"))
    Traceback (most recent call last):
    automl.errors.ModelFileError: model.json has family='tfidf_pickle', not one of tfidf_nb, ...
    """
    families = [f for f, _ in ESTIMATORS]
    family = field(meta, "family", lambda v: v in families, f"one of {', '.join(families)}", path)
    task = field(meta, "task", is_task, "binary, multiclass or regression", path)
    n_classes = field(meta, "n_classes", is_whole, "a whole number", path)
    field(meta, "columns", lambda v: is_texts(v) and bool(v), "a list of text columns", path)
    field(meta, "params", is_params, "an object of parameters", path)
    field(meta, "fit", lambda v: v is None or is_params(v), "an object or null", path, None)
    size = 1 if task == "regression" else n_classes
    field(meta, "prior", lambda v: is_numbers(v, size), f"{size} number(s)", path)
    return family, task


def checked_estimator(estimator: Any, family: str, width: int, folder: Path) -> Any:
    """``estimator`` when it is the type ``family`` fits (``ESTIMATORS``) and reads ``width`` columns (TF-IDF and
    side); ``ModelFileError`` naming its file otherwise."""
    import importlib

    path = estimator_path(folder)
    module, _, name = dict(ESTIMATORS)[family].rpartition(".")
    expected = getattr(importlib.import_module(module), name)
    if not isinstance(estimator, expected):
        raise ModelFileError(path, f"holds a {type(estimator).__name__}, not the {name} a {family} model is")
    found = estimator.num_features() if family == "tfidf_xgboost" else getattr(estimator, "n_features_in_", None)
    if found != width:
        raise ModelFileError(path, f"reads {found} columns, not the {width} of its vectoriser and other columns")
    return estimator


def _ngram(name: str) -> str:
    """``words__new york`` -> ``word: new york``; ``chars__ th`` -> ``chars: ' th'``.

    >>> _ngram("words__new york"), _ngram("chars__ th")
    ('word: new york', "chars: ' th'")
    """
    part, sep, term = str(name).partition("__")
    if not sep:
        return f"word: {name}"
    return f"word: {term}" if part == "words" else f"chars: {term!r}"


def candidates(task: str) -> list[tuple[str, dict[str, Any]]]:
    """(family, params) in screening order."""
    if task == "regression":
        listed = [("tfidf_ridge", {"alpha": a}) for a in RIDGE_ALPHA]
    else:
        listed = [("tfidf_nb", {"alpha": a}) for a in NB_ALPHA] + [("tfidf_svm", {"C": c}) for c in SVM_C]
        listed += [("tfidf_sgd", {"alpha": a}) for a in SGD_ALPHA] + [("tfidf_nbsvm", {"C": 4.0})]
        listed += [("tfidf_logreg", {"C": c}) for c in LOGREG_C]
    return listed + [("tfidf_xgboost", dict(XGBOOST))]


def feature_kind(family: str) -> str:
    return "words" if family == "tfidf_xgboost" else "words+chars"


class TextClassicalRoute:
    saves = (("model.json", "stack.json"), ("vectorizer.json", "text"), ("model.ubj", "model.skops", "boosted"))

    def load(self, folder: Path) -> TextClassicalModel | stack.StackedTextModel:
        return stack.load(folder) if (folder / "stack.json").exists() else load(folder)

    def finish_seconds(self, budget: float) -> float:
        return 1.0 + 0.03 * budget

    def search(self, ctx: SearchContext) -> SearchResult:
        columns = ctx.columns_of("text")
        texts = np.asarray(text_of(ctx.X, columns), dtype=object)
        y = np.asarray(ctx.y)
        folds = validation_folds(y, ctx.task, ctx.validation, ctx.folds, ctx.seed, ctx.rule)
        side = SideColumns.fit(ctx.X, ctx.kinds)
        stacking = stack.possible(side, len(folds))
        race = ctx  # with other columns, part of the time is left for the stack
        if stacking:
            race = dataclasses.replace(ctx, deadline=ctx.deadline.child(stack.SHARE * ctx.deadline.remaining()))
        trials = _Trials(race, texts, y, folds, columns)
        screened = []
        for family, params in candidates(ctx.task):
            if race.deadline.expired() or ctx.trial_cap_reached():
                break
            entry = Entry(family, params)
            if trials.screen(entry):
                screened.append(entry)
        alive = survivors(screened, len(screened), ctx.metric)  # ranked, failed and NaN scores left out
        if not alive:
            raise RuntimeError("no classical text trial finished inside the budget")
        finalists, notes = trials.halve(alive)
        best = winner(finalists, ctx.metric)
        if stacking:  # every training row needs an out-of-fold text score; half of what is left stays for the stack
            trials.ctx = ctx  # the race is over: what follows may use the whole window
            notes += trials.complete(best, ctx.deadline.child(0.5 * ctx.deadline.remaining()))
        found = trials.refit(best, notes)
        if not stacking or ctx.deadline.expired() or ctx.trial_cap_reached():
            return found
        stacked, note = stack.stacked(ctx, found, side)
        if stacked is not None:
            return stacked
        found.notes.append(note)
        return found

    def refit(self, model: Any, ctx: SearchContext) -> Refit | None:
        """The model's vectoriser and estimator fitted again on ``ctx.X`` (all rows) with the parameters the
        search settled on (boosting rounds, SVM temperature); None when the deadline cut it short. A stack's text
        model is refitted; the boosted model on top keeps its fit (on out-of-fold scores)."""
        if isinstance(model, stack.StackedTextModel):
            found = self.refit(model.text, ctx)
            if found is None:
                return None
            refitted = stack.StackedTextModel(found.model, model.boosted, model.columns, model.task, model.n_classes)
            return Refit(refitted, f"{found.note[:-1]} under the stack; the boosted model on top keeps its fit.")
        texts = np.asarray(text_of(ctx.X, model.columns), dtype=object)
        y = np.asarray(ctx.y)
        if refit_seconds(model.fit, len(y)) > ctx.deadline.remaining():
            return None
        refitted = fit_on_all(model.family, model.params, texts, y, ctx, model.columns, ctx.prior())
        if ctx.deadline.expired():
            return None
        return Refit(refitted, f"The {model.family} model and its vocabulary were refitted on all {len(y):,} rows.")


class _Trials:
    """Fits and scores candidates fold by fold for one search, keeping one fold's TF-IDF rows at a time."""

    def __init__(self, ctx: SearchContext, texts: Any, y: Any, folds: list, columns: list[str]):
        self.ctx, self.texts, self.y, self.folds, self.columns = ctx, texts, y, folds, columns
        self.prior = ctx.prior()
        self.cache: dict[tuple[str, int], tuple[Any, Any, Any, Any]] = {}
        self.vec_seconds: dict[str, float] = {}
        self.best_screen: float | None = None
        self.saved: Any = None  # the model last handed to ``ctx.improved`` (on disk already)

    def features(self, kind: str, fold: int) -> tuple[Any, Any, Any, Any, Any]:
        """(vectoriser, side columns, fit rows, validation rows, empty validation rows) of one fold, fitted on its
        fit rows."""
        if (kind, fold) not in self.cache:
            self.cache = {k: v for k, v in self.cache.items() if k[1] == fold}  # one fold in memory at a time
            started = time.monotonic()
            fit_idx, val_idx = self.folds[fold]
            frame = self.ctx.X
            vec = vectorizer(kind).fit(self.texts[fit_idx])
            side = SideColumns.fit(frame.iloc[fit_idx], self.ctx.kinds)
            X_fit, _ = features(vec, side, self.texts[fit_idx], frame.iloc[fit_idx])
            X_val, empty = features(vec, side, self.texts[val_idx], frame.iloc[val_idx])
            self.cache[(kind, fold)] = (vec, side, X_fit, X_val, empty)
            self.vec_seconds[kind] = time.monotonic() - started
        return self.cache[(kind, fold)]

    def evaluate(self, entry: Entry, fold: int) -> None:
        """Fit ``entry`` on one fold's fit rows and append its validation score."""
        ctx = self.ctx
        started = time.monotonic()
        vec, side, X_fit, X_val, empty = self.features(feature_kind(entry.family), fold)
        fit_idx, val_idx = self.folds[fold]
        y_fit, y_val = self.y[fit_idx], self.y[val_idx]
        w_val = ctx.weights_of(val_idx)
        estimator, used = fit_estimator(entry.family, entry.params, X_fit, y_fit, X_val, y_val, ctx.seed,
                                        ctx.deadline, booster_settings(entry.family, ctx),
                                        (ctx.weights_of(fit_idx), w_val))
        params = dict(entry.params)
        proba = None
        if entry.family == "tfidf_svm" and ctx.task != "regression" and (~empty).any():
            margins = decisions(estimator, X_val, ctx.n_classes)
            proba = np.tile(np.asarray(self.prior, dtype=float), (len(y_val), 1))
            groups = None if ctx.rule is None else ctx.rule.of(val_idx).groups
            proba[~empty], params["temperature"] = cross_fitted_softmax(
                margins[~empty], y_val[~empty], None if groups is None else groups[~empty],
                None if w_val is None else w_val[~empty])
            entry.state.setdefault("temperatures", []).append(params["temperature"])
        if "rounds" in used:
            entry.state.setdefault("rounds", []).append(used["rounds"])
            params["rounds"] = used["rounds"]
        spent = time.monotonic() - started + self.vec_seconds.get(feature_kind(entry.family), 0.0)
        model = TextClassicalModel(entry.family, vec, estimator, self.columns, ctx.task, ctx.n_classes, self.prior,
                                   params, {"seconds": round(spent, 3), "rows": len(fit_idx)}, side)
        output = _output(model, X_val, empty, ctx, proba)
        entry.scores.append(ranking_score(ctx.task, y_val, output, ctx.metric, w_val))
        entry.state.setdefault("out_of_fold", []).append((val_idx, output))
        entry.seconds += time.monotonic() - started
        if fold == 0:
            entry.state["model"] = model

    def screen(self, entry: Entry) -> bool:
        """Score on the first fold and record the trial; hands a new best to ``ctx.improved``."""
        ctx = self.ctx
        started = time.monotonic()
        try:
            self.evaluate(entry, 0)
        except Exception as exc:  # a failed trial is recorded; the search goes on
            ctx.log_trial(entry.family, entry.params, None, started, status="failed",
                          error=f"{type(exc).__name__}: {exc}")
            return False
        score = entry.scores[0]
        ctx.log_trial(entry.family, self.shown_params(entry), score, started,
                      extra={"stage": "screen", "fold": 1, "folds": len(self.folds)})
        if score == score and better(score, self.best_screen, ctx.metric):
            self.best_screen = score
            ctx.improved(entry.state["model"])
            self.saved = entry.state["model"]
        return True

    def halve(self, alive: list[Entry]) -> tuple[list[Entry], list[str]]:
        """Successive halving over folds 2..k while the budget leaves room for the refit; returns the finalists."""
        ctx, k = self.ctx, len(self.folds)
        if k == 1:
            return alive, [f"Candidates were compared on a 20% validation split of the {len(self.y):,} training rows."]
        if ctx.trial_cap_reached():
            return alive, [f"Candidates were compared on fold 1 of {k} only: the trial cap was reached."]
        done, steps, stopped = 1, [f"all {len(alive)} candidates on fold 1 ({len(self.folds[0][1]):,} rows)"], None
        spent: dict[int, float] = {}
        for target in rungs(k)[1:]:
            if len(alive) == 1:
                break
            kept = survivors(alive, halved(len(alive)), ctx.metric)
            for entry in alive:  # the fold-1 models of the eliminated are not needed any more
                if all(entry is not other for other in kept):
                    entry.state.pop("model", None)
            alive, first = kept, done
            for fold in range(done, target):
                if not self._fold_fits(alive):
                    stopped = "the budget left no room for more"
                elif not self._score_fold(alive, fold, spent):
                    stopped = f"a finalist failed on fold {fold + 1} (a failed trial says why), so no more"
                if stopped:
                    break
                done = fold + 1
            if done > first:
                shown = f"fold {first + 1}" if done == first + 1 else f"folds {first + 1}-{done}"
                steps.append(f"the best {len(alive)} on {shown}" if len(alive) > 1 else f"the best one on {shown}")
            if stopped:
                break
        self.cache.clear()
        for entry in alive:  # after a failure part-way through a fold, keep the folds every finalist finished
            del entry.scores[common_folds(alive):]
        raced = [e for e in alive if len(e.scores) > 1]
        for entry in raced:
            ctx.log_trial(entry.family, self.shown_params(entry), entry.mean(), time.monotonic() - spent[id(entry)],
                          extra={"stage": "cross-validation", "fold_scores": [round(s, 6) for s in entry.scores],
                                 "folds": len(entry.scores)})
        return alive, [self._halving_note(alive, steps, stopped)]

    def complete(self, entry: Entry, deadline: Any) -> list[str]:
        """Score ``entry`` on the folds it has not been scored on, while each fits before ``deadline``, so that
        every training row gets an out-of-fold output (what a stack reads); a note when that added folds."""
        done = len(entry.scores)
        entry.state["out_of_fold"] = entry.state.get("out_of_fold", [])[:done]
        for fold in range(done, len(self.folds)):
            per_fold = entry.seconds / max(1, len(entry.scores)) + self.vec_seconds.get(feature_kind(entry.family), 0)
            if deadline.remaining() < per_fold:
                break
            try:
                self.evaluate(entry, fold)
            except Exception:  # the folds scored so far stand; the stack then says it has too few
                break
        self.cache.clear()
        added = len(entry.scores) - done
        if not added:
            return []
        return [f"{entry.label()} was then scored on {added} more fold(s), so that the training rows have "
                f"out-of-fold predictions for a stack with the other columns: mean {LABELS[self.ctx.metric]} "
                f"{entry.mean():.4f} over {len(entry.scores)} folds."]

    def _fold_fits(self, alive: list[Entry]) -> bool:
        """Is there time for one more fold of these and the refit after?"""
        per_fold = sum(self.vec_seconds.get(kind, 0.0) for kind in {feature_kind(e.family) for e in alive})
        per_fold += sum(e.seconds / len(e.scores) for e in alive)
        return self.ctx.deadline.remaining() >= per_fold + self._refit_estimate(alive)

    def _score_fold(self, alive: list[Entry], fold: int, spent: dict[int, float]) -> bool:
        """Score every survivor on one more fold; False (and a failed trial) if one of them fails."""
        for entry in alive:
            started = time.monotonic()
            try:
                self.evaluate(entry, fold)
            except Exception as exc:  # keep the folds every survivor finished
                self.ctx.log_trial(entry.family, entry.params, None, started, status="failed",
                                   error=f"fold {fold + 1}: {type(exc).__name__}: {exc}")
                return False
            spent[id(entry)] = spent.get(id(entry), 0.0) + time.monotonic() - started
        return True

    def _halving_note(self, finalists: list[Entry], steps: list[str], stopped: str | None) -> str:
        k, metric = len(self.folds), LABELS[self.ctx.metric]
        folds = common_folds(finalists)
        how = f"Successive halving over {k} folds of the training rows: " + ", ".join(steps)
        if stopped:
            how += f"; {stopped} folds than {folds} were scored"
        if folds == 1:
            return how + "; the best on fold 1 was kept."
        ranked = survivors(finalists, len(finalists), self.ctx.metric)
        shown = "; ".join(f"{e.label()} {e.mean(folds):.4f}" for e in ranked)
        best = winner(finalists, self.ctx.metric)
        return f"{how}. Mean {metric} over {folds} folds: {shown}. {best.label()} has the best mean."

    def refit(self, best: Entry, notes: list[str]) -> SearchResult:
        ctx = self.ctx
        params = self.shown_params(best)
        fallback = best.state.get("model")
        if self._refit_estimate([best]) > ctx.deadline.remaining():
            notes.append("No time was left to refit on all training rows; the model fitted on fold 1 is kept.")
            if fallback is not self.saved:  # the winner by mean need not be the one that led the screening
                ctx.improved(fallback)  # (saving it again would spend the time the run keeps to finish)
            return SearchResult(fallback, best.mean(common_folds([best])), best.seconds, notes,
                                *out_of_fold(best, common_folds([best])))
        started = time.monotonic()
        fit_params = dict(params)
        if "rounds" in params:  # boosting rounds found on 80% of the rows, scaled up for all of them
            fit_params["rounds"] = int(params["rounds"] * 1.1) + 1
        model = fit_on_all(best.family, fit_params, self.texts, self.y, ctx, self.columns, self.prior)
        ctx.improved(model)
        notes.append(f"The best model ({best.label()}) was refitted on all {len(self.y):,} training rows.")
        return SearchResult(model, best.mean(common_folds([best])), time.monotonic() - started, notes,
                            *out_of_fold(best, common_folds([best])))

    def shown_params(self, entry: Entry) -> dict[str, Any]:
        """The candidate's parameters plus what its fits settled on: SVM temperature, boosting rounds."""
        params = dict(entry.params)
        if entry.state.get("temperatures"):
            params["temperature"] = round(math.exp(np.mean(np.log(entry.state["temperatures"]))), 4)
        if entry.state.get("rounds"):
            params["rounds"] = int(round(np.mean(entry.state["rounds"])))
        return params

    def _refit_estimate(self, entries: list[Entry]) -> float:
        """Seconds to refit the slowest of these on all rows: 1.5x its vectorising and per-fold fitting time."""
        return max(1.5 * (self.vec_seconds.get(feature_kind(e.family), 0.0) + e.seconds / len(e.scores))
                   for e in entries)


def booster_settings(family: str, ctx: SearchContext) -> dict[str, Any] | None:
    """XGBoost's training parameters for the boosted TF-IDF family; None for the others."""
    if family != "tfidf_xgboost":
        return None
    from ..tabular.gbm import booster_params

    return booster_params(dict(XGBOOST), ctx, ctx.hardware.cpu_count)


def fit_on_all(family: str, params: dict[str, Any], texts: Any, y: Any, ctx: SearchContext, columns: list[str],
               prior: Any) -> TextClassicalModel:
    """A vectoriser and estimator fitted on every row given (``texts`` of ``ctx.X``, whose other columns are the
    side block), with parameters already settled (no validation rows), timed for a later refit's estimate."""
    started = time.monotonic()
    vec = vectorizer(feature_kind(family)).fit(texts)
    side = SideColumns.fit(ctx.X, ctx.kinds)
    estimator, _ = fit_estimator(family, params, features(vec, side, texts, ctx.X)[0], y, None, None, ctx.seed,
                                 ctx.deadline, booster_settings(family, ctx), (ctx.sample_weight, None))
    return TextClassicalModel(family, vec, estimator, columns, ctx.task, ctx.n_classes, prior, params,
                              {"seconds": round(time.monotonic() - started, 3), "rows": len(y)}, side)


def features(vec: Any, side: SideColumns | None, texts: Any, frame: Any) -> tuple[Any, Any]:
    """(the model's input rows, the rows whose output is the prior): TF-IDF of ``texts``, then the side columns
    of ``frame`` when there are any. A row with no text reads the prior only when there is nothing else to read."""
    from scipy import sparse

    X = vec.transform(texts)
    if side is None:
        return X, np.array([not str(t).strip() for t in texts], dtype=bool)
    return sparse.hstack([X, side.matrix(frame)], format="csr"), np.zeros(len(texts), dtype=bool)


def _output(model: TextClassicalModel, X_val: Any, empty: Any, ctx: SearchContext, proba: Any = None) -> Any:
    """The model's output on validation rows (``proba`` when the route computed them itself)."""
    if ctx.task == "regression":
        return model.values_of(X_val, empty)
    return model.proba_of(X_val, empty) if proba is None else proba


def out_of_fold(entry: Entry, folds: int) -> tuple[Any, Any]:
    """The candidate's validation rows and outputs over its first ``folds`` folds."""
    done = entry.state.get("out_of_fold", [])[:folds]
    return np.concatenate([rows for rows, _ in done]), np.concatenate([out for _, out in done])
