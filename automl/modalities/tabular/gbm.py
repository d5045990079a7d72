"""Gradient boosting on tables: XGBoost, scikit-learn HistGradientBoosting and CatBoost, beside ExtraTrees and
(regressions) ridge regression.

Defaults first, then the portfolio, then random search over ``gbm_space``
inside the deadline (not on a small cross-validated table: it stops after the
portfolio and bags its best configurations on more k-fold splits), early
stopping on the validation rows. The best ``POOL`` configurations are
kept with their fold models; greedy ensemble selection on their out-of-fold
predictions weighs them (``ensemble.GBMEnsemble``). The trials stop early
enough to refit the members (or the one configuration kept alone) once on
all the training rows, for their rounds on the validation rows plus 10 %, as
the deployed model is refitted on all rows; a member there is no time for
keeps its fold models (k-fold: bagged) or its holdout model. Models are saved in each
library's own safe format (XGBoost UBJSON, skops, CatBoost's cbm) with the encoder as JSON.

Example:
    >>> route = GBMRoute()          # doctest: +SKIP
    >>> result = route.search(ctx)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import xgboost
from threadpoolctl import threadpool_limits

from ...data.splitting import validation_folds
from ...decision import ranking_score
from ...metrics import better, greater_is_better, padded
from ...run.ensemble import greedy_weights
from ...search.base import Refit, SearchContext, SearchResult, continued_key, refit_seconds
from ...search.importance import permuted, result
from ...errors import ModelFileError
from ...run.integrity import field, is_params, is_task, is_whole, read_object, reading
from ...search.persist import estimator_path, load_estimator, load_saver, save_estimator
from . import catboost_family, forest_family, gbm_space, ridge_family, target_transform
from .encoder import TabularEncoder
from .ensemble import NATIVE, GBMEnsemble, load_ensemble

SMALL_DATA_ROWS = 10_000
POOL = 10  # the best configurations kept (with their fold models) for the ensemble
ENSEMBLE_SECONDS = 1.0  # at most this long choosing the ensemble's weights, inside the time kept to finish
HIST_GBM_CHUNK = 50  # iterations between deadline checks
REPLAY_SHARE = 0.3  # at most this share of a resumed search's time goes to fitting its earlier best again
LEADERS = 3  # nearby candidates are drawn around one of this many best configurations
PORTFOLIO_SHARE = 0.5  # a portfolio configuration runs only if expected to take at most this share of the time left
DEFAULT_SHARE = 0.8  # ... a family's default at most this share: the strongest start a family has (CatBoost's on
# diamonds, 14-19 s at 2 minutes, was skipped at 0.5 and scored 535 RMSE against 541 for the best other)
SLOWER_AT_MOST = 10.0  # a lower learning rate is expected to slow a trial by at most this factor
MAX_SKIPPED = 200  # candidates in a row too slow for the time left end the search
MAX_REPEATS = 4  # at most this many more k-fold splits of the kept configurations when the search stops early
SAVED_AT_MOST = 6  # the time kept to save the ensemble is for the models of this many best configurations
REFITTED_AT_MOST = 6  # the time kept to refit on all training rows is for this many best configurations
REFIT_SHARE = 0.4  # ... and at most this share of the search's time
REFIT_SLOWER = 1.5  # a refit on all training rows (a quarter more than a holdout trial's) takes this times the trial


class GBMModel:
    """A fitted XGBoost booster, HistGradientBoosting, CatBoost, ExtraTrees or ridge model with its encoder."""

    def __init__(self, family: str, estimator: Any, encoder: TabularEncoder, task: str, n_classes: int,
                 params: dict[str, Any], rounds: int | None = None, fit: dict[str, float] | None = None,
                 codes: bool = False):
        self.family = family
        self.estimator = estimator
        self.encoder = encoder
        self.task = task
        self.n_classes = n_classes
        self.params = params
        self.rounds = rounds
        self.fit = fit or {}  # {"seconds", "rows"} of its training, which tells what a refit will cost
        self.codes = codes  # categories given to the booster as numbers (their codes), as on Dask, not as categories

    @property
    def boosted(self) -> int:
        """Boosting rounds (iterations) the model uses; an ExtraTrees model's trees; 1 for ridge regression."""
        return int(self.rounds or getattr(self.estimator, "n_iter_", 0) or 1)

    @property
    def name(self) -> str:
        return self.family

    @property
    def noun(self) -> str:
        """What a sentence calls it: ``gradient boosting``, ``extra trees`` or ``ridge regression``."""
        return gbm_space.noun([(self.family, 1.0)])

    def output(self, X: Any) -> Any:
        """Probabilities (n x classes) or values for rows already encoded by ``encoder.gbm_frame``; values of a
        model fitted on a transformed target are mapped back (``target_transform``)."""
        out = self._raw_output(X)
        if self.task != "regression":
            return out
        return target_transform.inverse(self.params.get(target_transform.KEY), out)

    def _raw_output(self, X: Any) -> Any:
        import numpy as np

        if self.family == "xgboost":
            raw = self.estimator.predict(_dmatrix(as_codes(X) if self.codes else X),
                                         iteration_range=(0, self.rounds or 0))
            return np.column_stack([1 - raw, raw]) if self.task != "regression" and raw.ndim == 1 else raw
        if self.family == "catboost":
            return catboost_family.output(self.estimator, X, self.task, self.n_classes)
        if self.family == "extra_trees":
            return forest_family.output(self.estimator, as_codes(X), self.task, self.n_classes)
        if self.family == "ridge":
            return ridge_family.output(self.estimator, X)
        if self.task == "regression":
            return self.estimator.predict(X)
        return padded(self.estimator.predict_proba(X), self.estimator.classes_, self.n_classes)

    def predict_proba(self, frame: Any) -> Any:
        return self.output(self.encoder.gbm_frame(frame))

    def predict(self, frame: Any) -> Any:
        out = self.output(self.encoder.gbm_frame(frame))
        return out if self.task == "regression" else out.argmax(axis=1)

    def feature_importance(self) -> dict[str, float]:
        """Gain importance (XGBoost), CatBoost's own, ExtraTrees' impurity decrease; empty for models that do not
        expose one cheaply."""
        if self.family == "catboost":
            return catboost_family.importance(self.estimator, self.encoder.gbm_columns)
        if self.family == "extra_trees":
            return forest_family.importance(self.estimator, self.encoder.gbm_columns)
        if self.family != "xgboost":
            return {}
        scores = self.estimator.get_score(importance_type="gain")
        names = self.encoder.gbm_columns
        total = sum(scores.values()) or 1.0
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return {names[int(k[1:])]: round(v / total, 5) for k, v in ranked}

    def importance(self, X: Any, y: Any, metric: str, seed: int, max_seconds: float,
                   sample_weight: Any = None) -> dict[str, Any]:
        """XGBoost's gain per column, CatBoost's prediction change, ExtraTrees' impurity decrease, or
        (HistGradientBoosting) permutation importance on the test rows."""
        if self.family in NATIVE:
            method, name, meaning = NATIVE[self.family]
            ranked = sorted(self.feature_importance().items(), key=lambda kv: -kv[1])
            return result(method, ranked, f"{name}: {meaning}.")
        return permuted(self, X, y, self.task, metric, seed, max_seconds, sample_weight)

    def save(self, folder: Path) -> None:
        meta = {"family": self.family, "task": self.task, "n_classes": self.n_classes,
                "params": self.params, "rounds": self.rounds, "fit": self.fit, "encoder": self.encoder.to_dict()}
        if self.codes:
            meta["categories"] = "codes"
        (folder / "model.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        save_estimator(self.estimator, folder)


def load(folder: Path) -> GBMModel | GBMEnsemble:
    """The model saved in ``folder`` (one, or an ensemble); ``ModelFileError`` naming the file that is missing,
    unreadable or not what ``save`` wrote."""
    path = folder / "model.json"
    meta = read_object(path)
    if meta.get("kind") == "ensemble":
        return load_ensemble(folder, meta, load)
    family, task = checked_meta(meta, path)
    with reading(path):
        encoder = TabularEncoder.from_dict(meta["encoder"])
    estimator = checked_estimator(load_estimator(folder), family, task, len(encoder.gbm_columns), folder)
    return GBMModel(family, estimator, encoder, task, meta["n_classes"], meta["params"], meta["rounds"],
                    meta.get("fit"), codes=meta.get("categories") == "codes")


def checked_meta(meta: dict[str, Any], path: Path) -> tuple[str, str]:
    """(family, task) of a model.json whose fields have the types ``GBMModel`` takes; ``ModelFileError`` else.

    >>> checked_meta({"family": "forest", "task": "binary"}, Path("model.json"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    automl.errors.ModelFileError: model.json has family='forest', not xgboost or hist_gbm or ... or ridge
    """
    family = field(meta, "family", lambda v: v in gbm_space.FAMILIES, " or ".join(gbm_space.FAMILIES), path)
    task = field(meta, "task", is_task, "binary, multiclass or regression", path)
    field(meta, "n_classes", is_whole, "a whole number", path)
    field(meta, "params", lambda v: is_params(v) and target_transform.known(v),
          f"an object of parameters whose target transform, if any, is {' or '.join(target_transform.TRANSFORMS)}",
          path)
    field(meta, "rounds", lambda v: v is None or is_whole(v, 1), "a number of rounds or null", path)
    field(meta, "fit", lambda v: v is None or is_params(v), "an object or null", path, None)
    field(meta, "encoder", lambda v: isinstance(v, dict), "an object", path)
    return family, task


def checked_estimator(estimator: Any, family: str, task: str, n_columns: int, folder: Path) -> Any:
    """``estimator`` when it is what ``family`` saves for ``task`` (a ``Booster``, a CatBoost model, a
    HistGradientBoosting or ExtraTrees classifier or regressor, or a regression's ridge pipeline) and reads
    ``n_columns`` columns; ``ModelFileError`` naming its file otherwise."""
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    path = estimator_path(folder)
    if family == "ridge":
        ok, wanted = task == "regression" and ridge_family.is_model(estimator), "ridge regression pipeline"
    else:
        if family == "xgboost":
            expected = xgboost.Booster
        elif family == "catboost":
            import catboost

            expected = catboost.CatBoost
        elif family == "extra_trees":
            expected = ExtraTreesRegressor if task == "regression" else ExtraTreesClassifier
        else:
            expected = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
        ok, wanted = isinstance(estimator, expected), expected.__name__
    if not ok:
        raise ModelFileError(path, f"holds a {type(estimator).__name__}, not the {wanted} its model.json says")
    if family == "xgboost":
        width = estimator.num_features()
    elif family == "catboost":
        width = len(estimator.feature_names_ or [])
    else:
        width = getattr(estimator, "n_features_in_", None)
    if width != n_columns:
        raise ModelFileError(path, f"reads {width} columns, not the {n_columns} of its encoder")
    return estimator


class GBMRoute:
    """Search XGBoost, HistGradientBoosting, ExtraTrees and CatBoost configurations inside the deadline (and, for
    a regression, fit ridge regression once).

    ``by_classes``: whether the defaults' order counts the trees a boosting round grows per class
    (``gbm_space.default_order``), so that with many classes the forest's default runs first. True for tables;
    the image and audio routes keep boosting first, since on cifar10_test's 362 image features the forest took
    96 s and scored .455 against XGBoost's .558.
    """

    saves = (("model.json",), ("model.ubj", "model.skops", "model.cbm", "m0-0"))  # one model, or an ensemble's folders

    def __init__(self, by_classes: bool = True):
        self.by_classes = by_classes

    def load(self, folder: Path) -> GBMModel | GBMEnsemble:
        return load(folder)

    def finish_seconds(self, budget: float) -> float:
        """Time kept back from the search for weighing the ensemble, scoring and saving the finalist."""
        return 0.5 + ENSEMBLE_SECONDS + 0.02 * budget

    def search(self, ctx: SearchContext) -> SearchResult:
        import numpy as np

        y = np.asarray(ctx.y)
        folds = validation_folds(y, ctx.task, ctx.validation, ctx.folds, ctx.seed, ctx.rule)
        rng = np.random.default_rng(ctx.seed)
        kept = ctx.cache.pop(continued_key(ctx.approach), None) if ctx.previous else None
        handed = None  # the validation score of the model handed over last: only a better one replaces it
        saves: dict[str, float] = {}  # family -> seconds one hand-over of its model took (saving it)
        if kept is not None:  # continued in the same run: the pool it left, fold models and all, goes on
            encoder, pool, last = kept["encoder"], kept["pool"], kept["last"]
            handed, saves = kept["handed"], kept["saves"]
            X = encoder.gbm_frame(ctx.X)
        else:
            encoder = TabularEncoder.fit(ctx.X, ctx.kinds)
            X = encoder.gbm_frame(ctx.X)
            last = {}  # family -> its last trial's seconds and learning rate
            pool = self._replayed(ctx.previous, X, y, folds, ctx, encoder, last)
        done = {trial_key(t.model, t.params) for t in ctx.previous}
        since_best = skipped = 0
        portfolio_only = False

        def leaders() -> list[tuple[str, dict[str, Any]]]:
            return [(o["family"], o["params"]) for o in pool[:LEADERS]]

        refit_cap = REFIT_SHARE * ctx.deadline.remaining()

        def trials(refitting: bool = True) -> SearchContext:
            """``ctx`` with the time to save the ensemble held back from the trials (it grows with the pool), and
            (``refitting``) the time to refit its best configurations on all training rows, which each of the
            search's models has not seen a fifth of."""
            refit = min(refit_cap, ENSEMBLE_SECONDS + _refitting_seconds(pool, len(folds))) if refitting else 0.0
            keep = _saving_seconds(pool, saves) + refit
            return dataclasses.replace(ctx, deadline=ctx.deadline.child(keep=keep))

        families = gbm_space.installed()
        per_round = _trees_per_round(ctx) if self.by_classes else 1  # orders the defaults only
        categorical = _categorical(X)
        for family, params, origin in gbm_space.candidates(rng, len(y), leaders, families, per_round,
                                                             regression=ctx.task == "regression",
                                                             categorical=categorical):
            tctx = trials()
            if ctx.trial_cap_reached() or tctx.deadline.expired():
                break
            if trial_key(family, params) in done:  # finished in an earlier session of a resumed run
                continue
            if since_best >= gbm_space.PATIENCE:
                break
            if origin in ("nearby", "sampled") and len(folds) > 1 and len(y) < gbm_space.PORTFOLIO_ONLY_ROWS:
                portfolio_only = True
                break
            remaining = tctx.deadline.remaining()
            if _quickest_seconds(last) > remaining or skipped >= MAX_SKIPPED:
                break
            share = {"default": DEFAULT_SHARE, "portfolio": PORTFOLIO_SHARE}.get(origin, 1.0)
            if _expected_seconds(family, params, last, _trees_per_round(ctx), categorical) > remaining * share:
                skipped += 1
                continue
            skipped = 0
            started = time.monotonic()
            try:
                outcome = self._evaluate(family, params, X, y, folds, tctx, encoder)
            except Exception as exc:  # a failed trial is recorded; the search goes on
                ctx.log_trial(family, params, None, started, status="failed", error=f"{type(exc).__name__}: {exc}")
                last[family] = _timing(params, started)
                continue
            last[family] = _timing(params, started)
            ctx.log_trial(family, params, outcome["score"], started,
                          extra={"rounds": outcome["rounds"], "origin": origin,
                                 "stopped_by_budget": tctx.deadline.expired()})
            outcome |= {"family": family, "params": params, "seconds": last[family]["seconds"]}
            pool = _kept(pool, outcome, ctx.metric)
            if pool[0] is outcome:  # a new best
                if handed is None or better(outcome["score"], handed, ctx.metric):  # not below the first pass's
                    load_saver(outcome["model"].estimator)  # a one-time import is not what every save costs
                    saving = time.monotonic()
                    ctx.improved(outcome["model"])
                    saves[family] = time.monotonic() - saving
                    handed = outcome["score"]
                since_best = 0
            else:
                since_best += 1
        if not pool:
            raise RuntimeError("no gradient-boosting trial finished inside the budget")
        stopped = since_best >= gbm_space.PATIENCE or portfolio_only
        if stopped and len(folds) > 1:
            self._bagged(pool, X, y, trials, encoder)
        repeats = max((o.get("repeats", 1) for o in pool), default=1) - 1  # a continued pass's, too: the pool's
        tctx = trials(refitting=False)  # holdout refits of members, or of the winner, keep the saving time free
        result = self._ensemble(pool, X, y, folds, tctx, encoder) or self._refit(pool[0], X, y, folds, tctx, encoder)
        ctx.cache[continued_key(ctx.approach)] = {  # for a continued search
            "encoder": encoder, "pool": pool, "last": last, "handed": result.val_score, "saves": saves}
        if "catboost" not in families:
            result.notes.append("CatBoost is not installed here, so its configurations were left out of the search "
                                "(pip install catboost adds them).")
        if stopped:
            more = (f" The time left went to {repeats} more {len(folds)}-fold split{'s' if repeats > 1 else ''} of "
                    "the best configurations (repeated bagging)." if repeats else "")
            why = (f"after the defaults and the portfolio: on fewer than {gbm_space.PORTFOLIO_ONLY_ROWS:,} "
                   "training rows, choosing among more configurations on the same out-of-fold rows fits those rows "
                   "more than new ones" if portfolio_only
                   else f"early: {gbm_space.PATIENCE} trials in a row brought no improvement")
            result.notes.insert(0, f"The search stopped {why}.{more}")
        return result

    def _bagged(self, pool, X, y, contexts, encoder) -> int:
        """Repeated k-fold bagging with the time a search that stopped early leaves: the kept configurations,
        best first, are fitted again on a new k-fold split of the training rows (seed + the splits it has had);
        the split's fold models join the configuration's bag and its out-of-fold predictions are averaged into
        the configuration's, row by row, so the ensemble is weighed on every split. At most ``MAX_REPEATS``
        more splits each; a configuration not expected to finish in the time left is skipped. ``contexts()``:
        the search's context with the time to save the (growing) bags held back. Returns the rounds begun."""
        import numpy as np

        rows = pool[0]["val_rows"]
        for repeat in range(1, MAX_REPEATS + 1):
            fitted = 0
            for o in (o for o in pool if o["complete"] and o.get("repeats", 1) <= MAX_REPEATS):
                ctx = contexts()
                if 1.3 * o["seconds"] > ctx.deadline.remaining():
                    continue
                n = o.get("repeats", 1)
                folds = validation_folds(y, ctx.task, ctx.validation, ctx.folds, ctx.seed + n, ctx.rule)
                fresh = self._evaluate(o["family"], o["params"], X, y, folds, ctx, encoder)
                if not fresh["complete"]:  # the deadline cut it: the configuration keeps what it had
                    return repeat
                by_row = np.empty((len(y),) + fresh["val_output"].shape[1:], dtype=float)
                by_row[fresh["val_rows"]] = fresh["val_output"]
                o["val_output"] = (o["val_output"] * n + by_row[rows]) / (n + 1)
                o["models"] = o["models"] + fresh["models"]
                o["rounds"] = int(round((o["rounds"] * n + fresh["rounds"]) / (n + 1)))
                o["repeats"] = n + 1
                fitted += 1
            if not fitted:
                return repeat - 1
        return MAX_REPEATS

    def refit(self, model: GBMModel | GBMEnsemble, ctx: SearchContext) -> Refit | None:
        """``model``'s configurations fitted again on ``ctx.X`` (all rows), each for its rounds in the search
        plus 10 %, heaviest ensemble member first while the deadline allows (the others stay as they were);
        the encoder is kept, so every member reads rows the same way. None when nothing could be refitted."""
        import numpy as np

        ensemble = isinstance(model, GBMEnsemble)
        members = list(model.members) if ensemble else [(1.0, [model])]
        X, y = model.encoder.gbm_frame(ctx.X), np.asarray(ctx.y)
        done = 0
        for i in sorted(range(len(members)), key=lambda i: -members[i][0]):
            weight, bag = members[i]
            if _refit_seconds(bag, len(y)) > ctx.deadline.remaining():
                continue
            rounds = _refit_rounds(bag)
            fitted, _ = _fit(bag[0].family, bag[0].params, X, y, ctx, model.encoder, None, None, fixed_rounds=rounds,
                             weights=(ctx.sample_weight, None))
            if ctx.deadline.expired():  # cut short: the member stays as the search trained it
                break
            members[i] = (weight, [fitted])
            done += 1
        if not done:
            return None
        if not ensemble:
            return Refit(members[0][1][0], f"The {model.family} model was refitted on all {len(y):,} rows "
                                           f"({members[0][1][0].boosted} rounds).")
        of = "all" if done == len(members) else f"{done} of the"
        return Refit(GBMEnsemble(members, model.encoder, model.task, model.n_classes),
                     f"{of.capitalize()} {len(members)} configurations of the ensemble were refitted on all "
                     f"{len(y):,} rows, one model each (their rounds in the search plus 10 %), with the same weights.")

    def _replayed(self, previous, X, y, folds, ctx, encoder, last) -> list[dict[str, Any]]:
        """A resumed search's pool: the best ``POOL`` configurations of earlier sessions fitted again (their fold
        models and out-of-fold predictions were not kept; the same seed and folds give the same scores), best
        first, the best always and the others within ``REPLAY_SHARE`` of the time. Not logged again:
        ``trials.jsonl`` has them."""
        ranked = sorted((t for t in previous if t.status == "ok" and t.val_score is not None),
                        key=lambda t: t.val_score, reverse=greater_is_better(ctx.metric))
        pool: list[dict[str, Any]] = []
        allowed = REPLAY_SHARE * ctx.deadline.remaining()
        for trial in ranked[:POOL]:
            spent = sum(o["seconds"] for o in pool)
            expected = _expected_seconds(trial.model, trial.params, last, _trees_per_round(ctx),
                                         _categorical(X))
            if pool and spent + expected > allowed or ctx.deadline.expired():
                break
            started = time.monotonic()
            outcome = self._evaluate(trial.model, trial.params, X, y, folds, ctx, encoder)
            last[trial.model] = _timing(trial.params, started)
            outcome |= {"family": trial.model, "params": trial.params, "seconds": last[trial.model]["seconds"]}
            pool = _kept(pool, outcome, ctx.metric)
        if pool:
            ctx.improved(pool[0]["model"])
        return pool

    def _evaluate(self, family, params, X, y, folds, ctx, encoder) -> dict[str, Any]:
        import numpy as np

        def one(fold):
            fit_idx, val_idx = fold
            model, used = _fit(family, params, X.iloc[fit_idx], y[fit_idx], ctx, encoder, X.iloc[val_idx], y[val_idx],
                               weights=(ctx.weights_of(fit_idx), ctx.weights_of(val_idx)))
            output = model.output(X.iloc[val_idx])
            return model, used, output, ranking_score(ctx.task, y[val_idx], output, ctx.metric,
                                                      ctx.weights_of(val_idx))

        def started(i: int) -> tuple[int, Any] | None:  # a fold the deadline has passed is not begun (the first is)
            return None if i and ctx.deadline.expired() else (i, one(folds[i]))

        lanes = _lanes(folds, ctx)
        if lanes > 1:  # single-threaded fits of small folds side by side, one per core
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(lanes) as pool:
                ran = [r for r in pool.map(started, range(len(folds))) if r is not None]
        else:
            ran = []
            for i in range(len(folds)):
                if (r := started(i)) is None:
                    break
                ran.append(r)
        complete = len(ran) == len(folds) and (lanes == 1 or not ctx.deadline.expired())  # side by side: one may be cut
        models, rounds, outputs, scores = zip(*(r for _, r in ran))
        return {"score": float(np.mean(scores)), "rounds": int(np.mean(rounds)), "model": models[0],
                "models": list(models), "complete": complete,
                "val_rows": np.concatenate([folds[i][1] for i, _ in ran]),
                "val_output": np.concatenate(outputs)}

    def _ensemble(self, pool, X, y, folds, ctx, encoder) -> SearchResult | None:
        """Greedy ensemble selection over the kept configurations' out-of-fold predictions; None when it keeps
        one configuration alone (that one is then refitted as the winner)."""
        complete = [o for o in pool if o["complete"]]
        if len(complete) < 2:
            return None
        rows = complete[0]["val_rows"]
        picked = greedy_weights({i: o["val_output"] for i, o in enumerate(complete)}, y[rows], ctx.task, ctx.metric,
                                max_seconds=ENSEMBLE_SECONDS, sample_weight=ctx.weights_of(rows))
        if len(picked.weights) < 2:
            return None
        started = time.monotonic()
        members, kept = [], []
        for i, weight in sorted(picked.weights.items(), key=lambda kv: -kv[1]):
            o = complete[i]
            bag = o["models"]
            if o["seconds"] / len(folds) * REFIT_SLOWER < ctx.deadline.remaining():  # once on all training rows
                fitted = _fit(o["family"], o["params"], X, y, ctx, encoder, None, None,
                              fixed_rounds=_refit_rounds(bag), weights=(ctx.sample_weight, None))[0]
                if not ctx.deadline.expired():  # cut short, it would have fewer rounds than chosen: kept as was
                    bag = [fitted]
            members.append((weight, bag))
            kept += [] if bag is not o["models"] else [len(bag)]
        model = GBMEnsemble(members, encoder, ctx.task, ctx.n_classes)
        ctx.improved(model)
        shown = ", ".join(f"{complete[i]['family']} {w:.2f}" for i, w in picked.weights.items())
        rest = (f"each the mean of its {'-'.join(map(str, sorted(set(kept))))} fold models (bagging)"
                if len(folds) > 1 else f"as trained on {len(folds[0][0]):,}")
        how = (f"{len(members) - len(kept)} of them refitted on all {len(y):,} training rows (their rounds on the "
               "validation rows plus 10 %)" + (f", the rest kept {rest}" if kept else ""))
        notes = [f"Greedy ensemble selection (Caruana et al. 2004) over the {len(complete)} best configurations' "
                 f"validation predictions kept {len(members)} ({shown}), {how}. Its validation score is on the "
                 "rows that chose the weights."]
        return SearchResult(model, picked.score, time.monotonic() - started, notes, rows, picked.output)

    def _refit(self, best, X, y, folds, ctx, encoder) -> SearchResult:
        fit_rows = len(folds[0][0])
        expected = best["seconds"] / len(folds) * len(y) / max(fit_rows, 1) * 1.2
        notes = []
        if expected > ctx.deadline.remaining():
            notes.append("No time was left to refit the winner on all training rows; the search model is kept.")
            return SearchResult(best["model"], best["score"], best["seconds"], notes, best["val_rows"],
                                best["val_output"])
        started = time.monotonic()
        rounds = _refit_rounds(best["models"])
        model, _ = _fit(best["family"], best["params"], X, y, ctx, encoder, None, None, fixed_rounds=rounds,
                        weights=(ctx.sample_weight, None))
        seconds = time.monotonic() - started
        if ctx.deadline.expired():  # cut short, it has fewer rounds than the search chose
            notes.append("The refit of the winner on all training rows ran out of time; the search model is kept.")
            return SearchResult(best["model"], best["score"], best["seconds"], notes, best["val_rows"],
                                best["val_output"])
        notes.append(f"The best configuration was refitted on all {len(y):,} training rows ({rounds} rounds).")
        ctx.improved(model)
        return SearchResult(model, best["score"], seconds, notes, best["val_rows"], best["val_output"])


def trial_key(family: str, params: dict[str, Any]) -> str:
    """One string per configuration, the same for a candidate and for its trial read back from ``trials.jsonl``.

    >>> import numpy as np
    >>> trial_key("xgboost", {"max_depth": np.int64(6), "eta": np.float64(0.1)}) == trial_key(
    ...     "xgboost", {"eta": 0.1, "max_depth": 6})
    True
    """
    return family + json.dumps(params, sort_keys=True, default=lambda v: v.item() if hasattr(v, "item") else str(v))


def _kept(pool: list[dict[str, Any]], outcome: dict[str, Any], metric: str) -> list[dict[str, Any]]:
    """``pool`` with ``outcome`` in its place by score, cut to the best ``POOL`` (earlier first on ties)."""
    at = next((i for i, o in enumerate(pool) if better(outcome["score"], o["score"], metric)), len(pool))
    return (pool[:at] + [outcome] + pool[at:])[:POOL]


def _saving_seconds(pool: list[dict[str, Any]], saves: dict[str, float]) -> float:
    """What saving the ensemble may take: the models of the ``SAVED_AT_MOST`` best configurations, each at its
    family's measured seconds per hand-over (the slowest family's when its own is not known yet).

    >>> _saving_seconds([{"family": "hist_gbm", "models": [1, 2]}, {"family": "xgboost", "models": [3]}],
    ...                 {"hist_gbm": 1.5})
    4.5
    """
    slowest = max(saves.values(), default=0.0)
    return sum(len(o["models"]) * saves.get(o["family"], slowest) for o in pool[:SAVED_AT_MOST])


def _refitting_seconds(pool: list[dict[str, Any]], folds: int = 1) -> float:
    """What refitting the ``REFITTED_AT_MOST`` best configurations on all training rows may take: each
    ``REFIT_SLOWER`` times one of its trial's ``folds`` fits.

    >>> _refitting_seconds([{"seconds": 2.0}, {"seconds": 1.0}]), _refitting_seconds([{"seconds": 10.0}], folds=5)
    (4.5, 3.0)
    """
    return sum(REFIT_SLOWER * o["seconds"] / folds for o in pool[:REFITTED_AT_MOST])


def _refit_rounds(bag: list[GBMModel]) -> int:
    """The rounds (an ExtraTrees model's trees) a configuration is fitted for once on more rows, before scoring
    and for deployment alike: the mean over its models (its fold models, or its one model) plus 10 %.

    >>> from types import SimpleNamespace as Fitted
    >>> _refit_rounds([Fitted(boosted=20), Fitted(boosted=31)]), _refit_rounds([Fitted(boosted=0)])
    (28, 1)
    """
    import numpy as np

    return max(1, int(np.mean([m.boosted for m in bag]) * 1.1))


def _refit_seconds(bag: list[GBMModel], rows: int) -> float:
    """What fitting ``bag``'s configuration once on ``rows`` rows should take: the mean over its models."""
    return sum(refit_seconds(m.fit, rows) for m in bag) / len(bag)


def _threads(n_rows: int, ctx: SearchContext) -> int:
    """One thread on small data, where thread start-up costs more than it saves (measured: 0.2 s on one
    thread against 1-6 s on two for 140 rows), every core otherwise."""
    return 1 if n_rows < SMALL_DATA_ROWS else ctx.hardware.cpu_count


def _timing(params: dict[str, Any], started: float) -> dict[str, float]:
    """A finished trial's seconds and learning rate, which ``_expected_seconds`` scales from."""
    return {"seconds": time.monotonic() - started, "rate": float(params.get("learning_rate", 0.1))}


def _lanes(folds: list[tuple[Any, Any]], ctx: SearchContext) -> int:
    """How many folds to fit at once: one per core when each fit is single-threaded (small data), else one."""
    if len(folds) < 2 or _threads(len(folds[0][0]), ctx) > 1:
        return 1
    return min(len(folds), ctx.hardware.cpu_count)


def _trees_per_round(ctx: SearchContext) -> int:
    """Trees a boosting round grows: one per class for more than two classes, else one."""
    return ctx.n_classes if ctx.task == "multiclass" else 1


def _expected_seconds(family: str, params: dict[str, Any], last: dict[str, dict[str, float]],
                      per_round: int = 1, categorical: bool = True) -> float:
    """A trial's likely length, with a margin: the family's last trial (else the slowest other searched family's, scaled
    by their ``gbm_space.relative_cost``, which counts ``per_round``, the trees a boosting round grows, for the
    families whose time grows with the classes, and whether the table has ``categorical`` columns), times how
    much lower its learning rate is (rounds to converge grow as the rate falls), by 0.5 to ``SLOWER_AT_MOST``.

    >>> round(_expected_seconds("xgboost", {"learning_rate": 0.02}, {"xgboost": {"seconds": 2.0, "rate": 0.1}}), 2)
    13.0
    >>> round(_expected_seconds("catboost", {"learning_rate": 0.1}, {"xgboost": {"seconds": 2.0, "rate": 0.1}}), 2)
    26.0
    >>> round(_expected_seconds("catboost", {"learning_rate": 0.1}, {"xgboost": {"seconds": 2.0, "rate": 0.1}},
    ...                         categorical=False), 2)
    10.4
    >>> round(_expected_seconds("extra_trees", {}, {"xgboost": {"seconds": 8.0, "rate": 0.1}}, per_round=26), 2)
    1.6
    >>> round(_expected_seconds("xgboost", {"learning_rate": 0.1}, {"extra_trees": {"seconds": 1.1, "rate": 0.1}},
    ...                         per_round=26), 2)
    9.3
    >>> _expected_seconds("xgboost", {}, {"ridge": {"seconds": 0.3, "rate": 0.1}})  # nothing known of trees yet
    0.0
    """
    searched = [f for f in last if gbm_space.SPACES.get(f)]  # ridge regression's solve says nothing of trees
    if family in last:
        seen, relative = last[family], 1.0
    elif searched:
        other = max(searched, key=lambda f: last[f]["seconds"])
        seen = last[other]
        relative = (gbm_space.relative_cost(family, per_round, categorical)
                    / gbm_space.relative_cost(other, per_round, categorical))
    else:
        return 0.0
    slower = seen["rate"] / max(float(params.get("learning_rate", seen["rate"])), 1e-6)
    return 1.3 * seen["seconds"] * relative * min(SLOWER_AT_MOST, max(0.5, slower))


def _categorical(X: Any) -> bool:
    """Whether the encoded table has a categorical column (what makes CatBoost slow, ``gbm_space.relative_cost``)."""
    return any(dtype.name == "category" for dtype in X.dtypes)


def _quickest_seconds(last: dict[str, dict[str, float]]) -> float:
    """The shortest trial any family could still run, from the last ones (at the highest learning rate); a family
    without a space to search (ridge regression, run once) runs no more.

    >>> _quickest_seconds({"xgboost": {"seconds": 2.0}, "ridge": {"seconds": 0.1}})
    1.3
    """
    return min((1.3 * 0.5 * t["seconds"] for f, t in last.items() if gbm_space.SPACES.get(f)), default=0.0)


def _fit(family, params, X, y, ctx: SearchContext, encoder, X_val, y_val, fixed_rounds: int | None = None,
         weights: tuple[Any, Any] = (None, None)):
    """Fit one model; returns (GBMModel, boosting rounds used). A configuration with a target transform is fitted
    and early stopped on the transformed target; its model keeps the whole ``params`` and maps predictions back.
    ``weights``: how much each row of ``X`` and of ``X_val`` counts (``--weight``), each None for alike."""
    started = time.monotonic()
    fit = {"xgboost": _fit_xgboost, "hist_gbm": _fit_hist_gbm, "catboost": _fit_catboost,
           "extra_trees": _fit_extra_trees, "ridge": _fit_ridge}[family]
    own, transform = target_transform.split(params)
    w, w_val = weights
    if ctx.task != "regression" and X_val is not None:
        X_val, y_val, w_val = stopping_rows(X_val, y_val, y, w_val)
    model, rounds = fit(own, X, target_transform.forward(transform, y), ctx, encoder, X_val,
                        target_transform.forward(transform, y_val), fixed_rounds, w, w_val)
    model.params = params
    model.fit = {"seconds": round(time.monotonic() - started, 3), "rows": int(len(y))}
    return model, rounds


def stopping_rows(X_val: Any, y_val: Any, y: Any, w_val: Any = None) -> tuple[Any, Any, Any]:
    """The validation rows early stopping may watch: those of classes the fit rows hold. A class that occurs only
    in the validation rows (a late one, with ``--order``; a rare one in a fold) is scored, as every row is, but
    HistGradientBoosting and CatBoost refuse it as a stopping label; none left: all of them. ``w_val``: their
    weights, or None.

    >>> import numpy as np
    >>> stopping_rows(np.array([[1], [2], [3]]), np.array([0, 2, 1]), np.array([0, 1, 1]))[1].tolist()
    [0, 1]
    """
    import numpy as np

    seen = np.isin(np.asarray(y_val), np.unique(np.asarray(y)))
    if seen.all() or not seen.any():
        return X_val, y_val, w_val
    rows = X_val.iloc[seen] if hasattr(X_val, "iloc") else X_val[seen]
    return rows, np.asarray(y_val)[seen], None if w_val is None else np.asarray(w_val)[seen]


def booster_params(params: dict[str, Any], ctx: SearchContext, threads: int) -> dict[str, Any]:
    """XGBoost's training parameters: the searched ones plus objective, device, threads and seed."""
    out = dict(params) | {
        "tree_method": "hist", "seed": ctx.seed, "nthread": threads, "device": "cuda" if ctx.hardware.gpu else "cpu",
    }
    if ctx.task == "regression":
        return out | {"objective": "reg:squarederror", "eval_metric": "rmse"}
    if ctx.task == "binary":
        return out | {"objective": "binary:logistic", "eval_metric": "logloss"}
    return out | {"objective": "multi:softprob", "num_class": ctx.n_classes, "eval_metric": "mlogloss"}


def _fit_xgboost(params, X, y, ctx, encoder, X_val, y_val, fixed_rounds, w=None, w_val=None):
    settings = booster_params(params, ctx, _threads(len(y), ctx)) | {"max_cat_to_onehot": 8}
    dval = None if fixed_rounds is not None else _dmatrix(X_val, y_val, w_val)
    booster, rounds = train_booster(settings, _dmatrix(X, y, w), dval, fixed_rounds or gbm_space.MAX_ROUNDS,
                                    gbm_space.EARLY_STOPPING_ROUNDS, ctx.deadline)
    return GBMModel("xgboost", booster, encoder, ctx.task, ctx.n_classes, params, rounds), rounds


def train_booster(settings: dict[str, Any], dtrain: Any, dval: Any, rounds: int, patience: int,
                  deadline: Any = None) -> tuple[Any, int]:
    """``xgboost.train`` for up to ``rounds`` rounds, stopped early on ``dval`` (when given) or at the deadline.

    Returns the booster and the rounds that count: the best iteration's with early stopping, else all.
    """
    callbacks = [deadline_callback(deadline)] if deadline is not None else []
    if dval is None:
        booster = xgboost.train(settings, dtrain, num_boost_round=rounds, callbacks=callbacks)
        return booster, booster.num_boosted_rounds()
    booster = xgboost.train(settings, dtrain, num_boost_round=rounds, evals=[(dval, "val")],
                            early_stopping_rounds=patience, callbacks=callbacks, verbose_eval=False)
    best = getattr(booster, "best_iteration", None)
    return booster, (best + 1) if best is not None else booster.num_boosted_rounds()


def _fit_catboost(params, X, y, ctx, encoder, X_val, y_val, fixed_rounds, w=None, w_val=None):
    estimator, rounds = catboost_family.fit(params, X, y, ctx.task, ctx.seed, _threads(len(y), ctx), X_val, y_val,
                                            fixed_rounds, ctx.deadline, (w, w_val))
    return GBMModel("catboost", estimator, encoder, ctx.task, ctx.n_classes, params, rounds), rounds


def _fit_extra_trees(params, X, y, ctx, encoder, X_val, y_val, fixed_rounds, w=None, w_val=None):
    """No early stopping (averaged trees do not overfit as more are added): ``fixed_rounds`` trees, else
    ``forest_family.TREES``; the validation rows only score it."""
    estimator, trees = forest_family.fit(params, as_codes(X), y, ctx.task, ctx.seed, _threads(len(y), ctx),
                                         ctx.deadline, fixed_rounds, w)
    return GBMModel("extra_trees", estimator, encoder, ctx.task, ctx.n_classes, params, trees), trees


def _fit_ridge(params, X, y, ctx, encoder, X_val, y_val, fixed_rounds, w=None, w_val=None):
    """Ridge regression on the fit rows, its strength chosen on them by leave-one-out (``ridge_family``); the
    validation rows only score it."""
    estimator = ridge_family.fit(X, y, _threads(len(y), ctx), w)
    return GBMModel("ridge", estimator, encoder, ctx.task, ctx.n_classes, params, 1), 1


def _fit_hist_gbm(params, X, y, ctx, encoder, X_val, y_val, fixed_rounds, w=None, w_val=None):
    """Early stopping on the same validation rows as XGBoost; grown in chunks with ``warm_start``
    so the deadline is checked between chunks."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    cls = HistGradientBoostingRegressor if ctx.task == "regression" else HistGradientBoostingClassifier
    kwargs = dict(params) | {"random_state": ctx.seed, "categorical_features": "from_dtype", "warm_start": True}
    fit_kwargs: dict[str, Any] = {"sample_weight": w}
    if fixed_rounds is None:
        limit = 1000
        kwargs |= {"early_stopping": True, "n_iter_no_change": 20}
        fit_kwargs |= {"X_val": X_val, "y_val": y_val, "sample_weight_val": w_val}
    else:
        limit = fixed_rounds
        kwargs |= {"early_stopping": False}
    estimator = cls(**kwargs)
    target = 0
    with threadpool_limits(_threads(len(y), ctx)):
        while target < limit:
            target = min(limit, target + HIST_GBM_CHUNK)
            estimator.set_params(max_iter=target).fit(X, y, **fit_kwargs)
            if estimator.n_iter_ < target or ctx.deadline.expired():
                break
    return GBMModel("hist_gbm", estimator, encoder, ctx.task, ctx.n_classes, params), int(estimator.n_iter_)


def as_codes(X: Any) -> Any:
    """``X`` with each categorical column as float32 codes (NaN where missing or unseen).

    >>> import pandas as pd
    >>> as_codes(pd.DataFrame({"c": pd.Categorical(["b", None], categories=["a", "b"])}))["c"].tolist()
    [1.0, nan]
    """
    import numpy as np

    out = X.copy()
    for name in out.columns:
        if out[name].dtype.name == "category":
            codes = out[name].cat.codes.to_numpy().astype("float32")
            codes[codes < 0] = np.nan
            out[name] = codes
    return out


def _dmatrix(X, y=None, w=None):
    """Columns named by position: XGBoost refuses names with [, ] or <, which real data has. ``w``: the rows'
    weights, or None."""
    X = X.set_axis([f"f{i}" for i in range(X.shape[1])], axis=1)
    return xgboost.DMatrix(X, label=y, weight=w, enable_categorical=True)


def deadline_callback(deadline):
    """An XGBoost callback that stops boosting once the deadline passes (the model so far is kept)."""

    class DeadlineStop(xgboost.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            return deadline.expired()

    return DeadlineStop()
