"""Does searching beyond the defaults and the portfolio help a small table's ensemble? Measured on held-out rows.

For each set and split seed: automl's split (``automl fit --seed``), five
folds of the training rows, and the classical search's own candidate stream
(``gbm_space.candidates``: each family's default, the published portfolio,
then configurations sampled from the space) fitted fold by fold, as a run
fits them. Greedy ensemble selection then chooses weights on the out-of-fold
rows, as a run does over its best ``gbm.POOL`` configurations, from three
pools: the defaults alone, defaults and portfolio, and everything searched.
The test rows only score what was chosen. It prints one row per set and seed
and the mean difference to the pool a run keeps (all searched, best ten), in
points of accuracy or R².

No nearby candidates are drawn (the stream has no leaders here) and no
repeated bagging runs, so it isolates one question: does the choice among
more configurations, on the same out-of-fold rows, carry to new rows?

    python recipes/search_pool.py --only titanic,breast_cancer,diabetes,tips,mpg,penguins,wine_quality_red \\
        --seeds 0,1,2 --sampled 30

``--default FAMILY.PARAM=VALUE`` (repeatable) changes a family's default
before the search, to measure another default the same way; with
``--sampled 0`` the last two columns are the same pool:

    python recipes/search_pool.py --only titanic,tips --seeds 0,1,2,3,4 --sampled 0 \\
        --default catboost.learning_rate=0.03

``--refit`` adds two columns for the defaults and the portfolio: the same
weights over each configuration refitted once on all training rows for its
mean rounds on the folds plus 10 % (as a run refits the model it deploys),
and the average of that and the bag.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _bench import DEFAULT_FOLDER, readme_sets, table_of
from gbm_families import fit_searched, score, split_of

FOLDS = 5


def out_of_fold(family, params, task, n_classes, X, y, pairs, X_test, seed, refit=False):
    """One configuration's out-of-fold outputs (in ``pairs`` order) and its test outputs (the mean of its fold
    models), each fold's model stopped early on its own fold; with ``refit``, also the test outputs of the
    configuration fitted on all of ``X`` for its mean rounds on the folds plus 10 % (None without)."""
    import numpy as np

    from automl.modalities.tabular.gbm import _refit_rounds

    val, test, models = [], [], []
    for fit, held in pairs:
        model = fit_searched(family, params, task, n_classes, X.iloc[fit], y[fit], X.iloc[held], y[held], seed)
        val.append(model.output(X.iloc[held]))
        test.append(model.output(X_test))
        models.append(model)
    full = None
    if refit:  # the rounds a run refits the configuration for
        full = fit_searched(family, params, task, n_classes, X, y, None, None, seed,
                            fixed_rounds=_refit_rounds(models)).output(X_test)
    return np.concatenate(val), np.mean(test, axis=0), full


def searched(task, n_classes, X, y, pairs, X_test, seed, sampled, refit=False):
    """(origin, out-of-fold outputs, test outputs, refitted test outputs or None) of the defaults, the portfolio
    and ``sampled`` samples (``refit``: for the defaults and the portfolio)."""
    import numpy as np

    from automl.modalities.tabular import gbm_space

    stream = gbm_space.candidates(np.random.default_rng(seed), len(y), families=gbm_space.installed(),
                                  per_round=n_classes if n_classes > 2 else 1, regression=task == "regression",
                                  categorical=any(d.name == "category" for d in X.dtypes))
    pool = []
    for family, params, origin in stream:
        if origin == "sampled" and sum(entry[0] == "sampled" for entry in pool) >= sampled:
            return pool
        pool.append((origin, *out_of_fold(family, params, task, n_classes, X, y, pairs, X_test, seed,
                                          refit and origin in ("default", "portfolio"))))
    return pool


def changed_defaults(changes: list[str]) -> dict:
    """``gbm_space.DEFAULTS`` with each ``FAMILY.PARAM=VALUE`` of ``changes`` applied (values read as numbers).

    >>> changed_defaults(["catboost.learning_rate=0.03"])["catboost"]["learning_rate"]
    0.03
    """
    from automl.modalities.tabular import gbm_space

    defaults = {family: dict(params) for family, params in gbm_space.DEFAULTS.items()}
    for change in changes:
        key, _, value = change.partition("=")
        family, _, param = key.partition(".")
        try:
            number = float(value)
        except ValueError:
            number = None
        if family not in defaults or param not in defaults[family] or number is None:
            known = ", ".join(f"{f}.{p}" for f, ps in defaults.items() for p in ps)
            raise SystemExit(f"search_pool: --default {change!r}: give FAMILY.PARAM=NUMBER, one of {known}")
        defaults[family][param] = int(number) if isinstance(defaults[family][param], int) else number
    return defaults


def chosen(pool, members, yv, yt, task, metric, best: int | None = None, test=lambda entry: entry[2]) -> float:
    """The test score of greedy ensemble selection over ``members`` (positions in ``pool``), or over the ``best``
    of them by out-of-fold score, weights chosen on the out-of-fold rows; ``test`` reads a member's test
    outputs from its pool entry (the bag's by default)."""
    from automl.metrics import greater_is_better
    from automl.run.ensemble import greedy_weights

    if best is not None:
        alone = greedy_weights({i: pool[i][1] for i in members}, yv, task, metric, rounds=1).scores
        members = sorted(members, key=lambda i: alone[i], reverse=greater_is_better(metric))[:best]
    picked = greedy_weights({i: pool[i][1] for i in members}, yv, task, metric)
    return score(task, yt, sum(w * test(pool[i]) for i, w in picked.weights.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--only", required=True, help="comma-separated set names (small tables: a run cross-"
                                                      "validates up to 5,000 training rows)")
    parser.add_argument("--seeds", default="0,1,2", help="split seeds, comma-separated")
    parser.add_argument("--sampled", type=int, default=30, help="sampled configurations after the portfolio")
    parser.add_argument("--default", action="append", default=[], metavar="FAMILY.PARAM=VALUE",
                        help="change a family's default before the search (repeatable)")
    parser.add_argument("--refit", action="store_true", help="also score the defaults and the portfolio refitted "
                                                             "on all training rows, and that averaged with the bag")
    args = parser.parse_args()
    import numpy as np

    from automl.modalities.tabular import gbm_space
    from automl.modalities.tabular.gbm import POOL

    gbm_space.DEFAULTS.update(changed_defaults(args.default))  # this process only: the recipe's own experiment

    columns = ["defaults", "defaults + portfolio", f"all searched, best {POOL} (a run's pool)"]
    if args.refit:
        columns += ["defaults + portfolio, refitted", "defaults + portfolio, bag and refit averaged"]
    print("| set | seed | configurations | " + " | ".join(columns) + " | seconds |")
    print("|---|---:|---:|" + "---:|" * (len(columns) + 1), flush=True)
    gains: list[list[float]] = []
    for name, target in readme_sets(args.folder, "tabular").items():
        table = table_of(args.folder, name)
        if table is None or name not in args.only.split(","):
            continue
        for seed in (int(s) for s in args.seeds.split(",")):
            task, metric, n_classes, X, y, pairs, Xt, yt = split_of(table, target, FOLDS, seed)
            yv = np.concatenate([y[held] for _, held in pairs])
            started = time.monotonic()
            pool = searched(task, n_classes, X, y, pairs, Xt, seed, args.sampled, args.refit)
            at = {origin: [i for i, entry in enumerate(pool) if entry[0] in keep] for origin, keep in
                  (("defaults", {"default"}), ("portfolio", {"default", "portfolio"}))}
            scores = [chosen(pool, at["defaults"], yv, yt, task, metric),
                      chosen(pool, at["portfolio"], yv, yt, task, metric, best=POOL),
                      chosen(pool, list(range(len(pool))), yv, yt, task, metric, best=POOL)]
            if args.refit:
                scores += [chosen(pool, at["portfolio"], yv, yt, task, metric, best=POOL, test=lambda e: e[3]),
                           chosen(pool, at["portfolio"], yv, yt, task, metric, best=POOL,
                                  test=lambda e: (e[2] + e[3]) / 2)]
            gains.append([100 * (s - scores[2]) for s in scores])
            print(f"| {name} | {seed} | {len(pool)} | " + " | ".join(f"{s:.4f}" for s in scores)
                  + f" | {time.monotonic() - started:.0f} |", flush=True)
    if gains:
        mean = np.mean(gains, axis=0)
        print("| mean, points against a run's pool | | | " + " | ".join(f"{g:+.2f}" for g in mean) + " | |")


if __name__ == "__main__":
    sys.exit(main())
