"""Does a model family earn its place? LightGBM and random forests against ours, on each run's split.

For every tabular set in the folder: automl's own split (seed 0: the same test
rows a run scores on) and encoder, a 20 % validation holdout of the training
rows for early stopping, then each family's default configuration fitted on
the rest. It prints, per set, each family's test score and fit seconds, and
what greedy ensemble selection (weights chosen on the validation rows, as a
run chooses them) scores on the test rows over our families
(``gbm_space.FAMILIES``) alone and with each new family added: a family earns
its place when that last column moves. Scores are accuracy, or R² for
regression.

The candidates: ``random_forest`` (scikit-learn's, 300 trees, missing values
as the trees handle them, categories as codes) and ``lightgbm``, which is not
a dependency of the project; put it beside it for this measurement only, for
example

    pip install --target /tmp/families lightgbm --no-deps
    PYTHONPATH=/tmp/families python recipes/gbm_families.py --only adult,letter
    python recipes/gbm_families.py --families random_forest
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from _bench import DEFAULT_FOLDER, readme_sets, table_of

ROUNDS, PATIENCE = 3000, 50


def split_of(table: Path, target: str):
    """automl's training and test rows of ``table`` (as ``automl fit`` splits them, seed 0), encoded."""
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
    split = prepare(load(table), profile, plan, detect(), seed=0).split
    encoder = TabularEncoder.fit(split.X_train, split.kinds)
    y_train = np.asarray(split.y_train)
    fit, val = validation_folds(y_train, profile.task, "holdout", 1, 0)[0]
    X_train, X_test = encoder.gbm_frame(split.X_train), encoder.gbm_frame(split.X_test)
    return (profile.task, plan.metric, len(split.classes or []), X_train.iloc[fit], y_train[fit],
            X_train.iloc[val], y_train[val], X_test, np.asarray(split.y_test))


def fitted(family: str, task: str, n_classes: int, Xf, yf, Xv, yv, threads: int):
    """The family's default model, early-stopped on the validation rows: a function from rows to outputs."""
    from automl.modalities.tabular import gbm_space

    if family in gbm_space.FAMILIES:
        from automl.budget import Deadline
        from automl.hardware import detect
        from automl.modalities.tabular import gbm
        from automl.search.base import SearchContext

        ctx = SearchContext(approach="classical", X=Xf, y=yf, task=task, metric="", classes=list(range(n_classes)),
                            kinds={}, seed=0, validation="holdout", folds=1, deadline=Deadline(3600.0),
                            hardware=detect(), max_trials=None, max_epochs=None, improved=lambda m: None)
        model, _ = gbm._fit(family, gbm_space.DEFAULTS[family], Xf, yf, ctx, None, Xv, yv)
        return model.output
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
    raise SystemExit(f"gbm_families: no family {family!r}; try lightgbm or random_forest")


def score(task: str, y, output) -> float:
    from sklearn.metrics import accuracy_score, r2_score

    return float(r2_score(y, output) if task == "regression" else accuracy_score(y, output.argmax(axis=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--only", help="comma-separated set names")
    parser.add_argument("--families", default="lightgbm,random_forest")
    args = parser.parse_args()
    from automl.run.ensemble import greedy_weights

    threads = os.cpu_count() or 1
    new = args.families.split(",")
    from automl.modalities.tabular.gbm_space import FAMILIES

    ours = list(FAMILIES)
    families = [*ours, *new]
    only = set(args.only.split(",")) if args.only else None
    print("| set | " + " | ".join(families) + " | " + " | ".join(f"{f} s" for f in families)
          + " | ensemble of ours | " + " | ".join(f"+ {f}" for f in new) + " |")
    print("|---|" + "---:|" * (2 * len(families) + 1 + len(new)), flush=True)
    for name, target in readme_sets(args.folder, "tabular").items():
        table = table_of(args.folder, name)
        if table is None or (only and name not in only):
            continue
        task, metric, n_classes, Xf, yf, Xv, yv, Xt, yt = split_of(table, target)
        val, test, seconds = {}, {}, {}
        for family in families:
            started = time.monotonic()
            predict = fitted(family, task, n_classes, Xf, yf, Xv, yv, threads)
            seconds[family] = time.monotonic() - started
            val[family], test[family] = predict(Xv), predict(Xt)

        def chosen(members: list[str]) -> str:
            picked = greedy_weights({m: val[m] for m in members}, yv, task, metric)
            mixed = sum(w * test[m] for m, w in picked.weights.items())
            return f"{score(task, yt, mixed):.4f}"

        print(f"| {name} | " + " | ".join(f"{score(task, yt, test[f]):.4f}" for f in families) + " | "
              + " | ".join(f"{seconds[f]:.1f}" for f in families) + f" | {chosen(ours)} | "
              + " | ".join(chosen([*ours, f]) for f in new) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
