"""Does a model family earn its place? Candidates against ours, on each run's split.

For every tabular set in the folder and split seed (``--seeds``, 0 unless
given): automl's own split (the same test rows ``automl fit --seed`` scores on)
and encoder, a 20 % validation holdout of the training
rows for early stopping (or, with ``--folds K``, K folds: each fold's model
stops on its fold and the test rows get the mean of the K, as a run bags
them), then each family's default configuration fitted on the rest. It
prints, per set, each family's test score and fit seconds, and what greedy
ensemble selection (weights chosen on the validation rows, as a run chooses
them) scores on the test rows over our families (``gbm_space.FAMILIES``)
alone and with each new family added: a family earns its place when that
last column moves. Scores are accuracy, or R² for regression.

The candidates: ``linear`` (logistic or ridge regression) and ``knn`` (15
nearest neighbours), both on one-hot categories and quantile-normalised
numbers; ``random_forest`` (scikit-learn's, 300 trees, missing values as the
trees handle them, categories as codes); and ``lightgbm``, which is not a
dependency of the project: put it beside it for this measurement only, for
example

    pip install --target /tmp/families lightgbm --no-deps
    PYTHONPATH=/tmp/families python recipes/gbm_families.py --only adult,letter
    python recipes/gbm_families.py --families linear,knn --folds 5
    python recipes/gbm_families.py --families "" --folds 5 --seeds 0,1,2 --only diabetes,tips,mpg

The columns "without F" are greedy ensemble selection over our families less
F: each of ours earns its place where leaving it out lowers the score.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from _bench import DEFAULT_FOLDER, readme_sets, table_of

ROUNDS, PATIENCE = 3000, 50


def split_of(table: Path, target: str, folds: int, seed: int = 0):
    """automl's training and test rows of ``table`` (as ``automl fit --seed`` splits them), encoded, and the
    (fit, validate) positions inside the training rows: one 80/20 holdout, or ``folds`` folds when above 1."""
    import numpy as np

    from automl.data import load
    from automl.data.profile import inspect_dataset
    from automl.data.splitting import validation_folds
    from automl.hardware import detect
    from automl.modalities.tabular.encoder import TabularEncoder
    from automl.run.plan import make_plan
    from automl.run.runner import prepare

    profile = inspect_dataset(load(table), target, "auto")
    plan = make_plan(profile, 600, detect())
    split = prepare(load(table), profile, plan, detect(), seed=seed).split
    encoder = TabularEncoder.fit(split.X_train, split.kinds)
    y_train = np.asarray(split.y_train)
    pairs = validation_folds(y_train, profile.task, "kfold" if folds > 1 else "holdout", max(folds, 1), seed)
    return (profile.task, plan.metric, len(split.classes or []), encoder.gbm_frame(split.X_train), y_train,
            pairs, encoder.gbm_frame(split.X_test), np.asarray(split.y_test))


def out_of_fold(family: str, task: str, n_classes: int, X, y, pairs, X_test, threads: int):
    """The family's validation outputs (every validated row, in ``pairs`` order) and its test outputs (the
    mean of the fold models: the bag a run keeps)."""
    import numpy as np

    val, test = [], []
    for fit, held in pairs:
        predict = fitted(family, task, n_classes, X.iloc[fit], y[fit], X.iloc[held], y[held], threads)
        val.append(predict(X.iloc[held]))
        test.append(predict(X_test))
    return np.concatenate(val), np.mean(test, axis=0)


def fit_searched(family: str, params: dict, task: str, n_classes: int, Xf, yf, Xv, yv, seed: int = 0,
                 fixed_rounds: int | None = None):
    """One of the search's families fitted as a run's holdout trial fits it (early-stopped on ``Xv``, ``yv``),
    or for ``fixed_rounds`` without validation rows as a run's refit does, outside a run: no budget to speak
    of, no saving. Returns the model (``model.output(rows)``)."""
    from automl.budget import Deadline
    from automl.hardware import detect
    from automl.modalities.tabular import gbm
    from automl.search.base import SearchContext

    ctx = SearchContext(approach="classical", X=Xf, y=yf, task=task, metric="", classes=list(range(n_classes)),
                        kinds={}, seed=seed, validation="holdout", folds=1, deadline=Deadline(3600.0),
                        hardware=detect(), max_trials=None, max_epochs=None, improved=lambda m: None)
    model, _ = gbm._fit(family, params, Xf, yf, ctx, None, Xv, yv, fixed_rounds=fixed_rounds)
    return model


def fitted(family: str, task: str, n_classes: int, Xf, yf, Xv, yv, threads: int):
    """The family's default model, early-stopped on the validation rows: a function from rows to outputs."""
    from automl.modalities.tabular import gbm_space

    if family in gbm_space.FAMILIES:
        params = gbm_space.default_params(family, task == "regression")
        return fit_searched(family, params, task, n_classes, Xf, yf, Xv, yv).output
    if family == "random_forest":
        from sklearn import ensemble

        from automl.modalities.tabular.gbm import as_codes

        cls = ensemble.RandomForestRegressor if task == "regression" else ensemble.RandomForestClassifier
        model = cls(n_estimators=300, n_jobs=threads, random_state=0).fit(as_codes(Xf), yf)
        if task == "regression":
            return lambda X: model.predict(as_codes(X))
        return lambda X: model.predict_proba(as_codes(X))
    if family == "lightgbm":
        import lightgbm

        cls = lightgbm.LGBMRegressor if task == "regression" else lightgbm.LGBMClassifier
        model = cls(n_estimators=ROUNDS, n_jobs=threads, random_state=0, verbose=-1)
        model.fit(Xf, yf, eval_set=[(Xv, yv)], callbacks=[lightgbm.early_stopping(PATIENCE, verbose=False)])
        return model.predict if task == "regression" else model.predict_proba
    if family in ("linear", "knn"):
        model = _dense(family, task).fit(Xf, yf)
        return model.predict if task == "regression" else model.predict_proba
    raise SystemExit(f"gbm_families: no family {family!r}; try lightgbm, random_forest, linear or knn")


def _dense(family: str, task: str):
    """A scikit-learn pipeline on one-hot categories and numbers mapped to a normal distribution (missing values
    as the median plus a flag): L2-regularised logistic or ridge regression (``linear``), or 15 nearest
    neighbours weighted by distance (``knn``)."""
    from sklearn import compose, impute, linear_model, neighbors, pipeline, preprocessing

    numbers = pipeline.make_pipeline(impute.SimpleImputer(strategy="median", add_indicator=True),
                                     preprocessing.QuantileTransformer(output_distribution="normal", random_state=0))
    categories = preprocessing.OneHotEncoder(handle_unknown="ignore", min_frequency=5)
    front = compose.make_column_transformer(
        (numbers, compose.make_column_selector(dtype_exclude="category")),
        (categories, compose.make_column_selector(dtype_include="category")), sparse_threshold=0)
    if family == "knn":
        cls = neighbors.KNeighborsRegressor if task == "regression" else neighbors.KNeighborsClassifier
        return pipeline.make_pipeline(front, cls(n_neighbors=15, weights="distance"))
    model = linear_model.Ridge() if task == "regression" else linear_model.LogisticRegression(max_iter=2000)
    return pipeline.make_pipeline(front, model)


def score(task: str, y, output) -> float:
    from sklearn.metrics import accuracy_score, r2_score

    return float(r2_score(y, output) if task == "regression" else accuracy_score(y, output.argmax(axis=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--only", help="comma-separated set names")
    parser.add_argument("--families", default="lightgbm,random_forest")
    parser.add_argument("--folds", type=int, default=1,
                        help="cross-fit on this many folds (as a run does on tables of up to 5,000 training rows); "
                             "1: one 80/20 holdout")
    parser.add_argument("--seeds", default="0", help="comma-separated split seeds (automl fit --seed): a row each")
    args = parser.parse_args()
    import numpy as np

    from automl.run.ensemble import greedy_weights

    threads = os.cpu_count() or 1
    new = [f for f in args.families.split(",") if f]  # --families "": ours alone, each left out in turn
    from automl.modalities.tabular.gbm_space import FAMILIES, for_task

    families = [*FAMILIES, *new]
    only = set(args.only.split(",")) if args.only else None
    print("| set | " + " | ".join(families) + " | " + " | ".join(f"{f} s" for f in families)
          + " | ensemble of ours | " + " | ".join(f"without {f}" for f in FAMILIES)
          + "".join(f" | + {f}" for f in new) + " |")
    print("|---|" + "---:|" * (2 * len(families) + 1 + len(FAMILIES) + len(new)), flush=True)
    for name, target in readme_sets(args.folder, "tabular").items():
        table = table_of(args.folder, name)
        if table is None or (only and name not in only):
            continue
        for seed in (int(s) for s in args.seeds.split(",")):
            task, metric, n_classes, X, y, pairs, Xt, yt = split_of(table, target, args.folds, seed)
            ours = list(for_task(FAMILIES, task == "regression"))  # ridge regression for regressions only
            yv = np.concatenate([y[held] for _, held in pairs])
            val, test, seconds = {}, {}, {}
            for family in [*ours, *new]:
                started = time.monotonic()
                val[family], test[family] = out_of_fold(family, task, n_classes, X, y, pairs, Xt, threads)
                seconds[family] = time.monotonic() - started

            def chosen(members: list[str]) -> str:
                picked = greedy_weights({m: val[m] for m in members}, yv, task, metric)
                mixed = sum(w * test[m] for m, w in picked.weights.items())
                return f"{score(task, yt, mixed):.4f}"

            print(f"| {name}, seed {seed} | "
                  + " | ".join(f"{score(task, yt, test[f]):.4f}" if f in test else "–" for f in families) + " | "
                  + " | ".join(f"{seconds[f]:.1f}" if f in seconds else "–" for f in families)
                  + f" | {chosen(ours)} | "
                  + " | ".join(chosen([m for m in ours if m != f]) if f in ours else "–" for f in FAMILIES)
                  + "".join(f" | {chosen([*ours, f])}" for f in new) + " |", flush=True)

if __name__ == "__main__":
    sys.exit(main())
