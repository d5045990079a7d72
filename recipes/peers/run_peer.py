"""Fit one peer AutoML library (FLAML or AutoGluon) on a given train/test split and print one JSON line.

Run it with the peer's own venv python (see setup.sh); it does not import automl.

    ~/.cache/automl-peers/flaml/bin/python recipes/peers/run_peer.py --peer flaml \\
        --csv data.csv --target y --task binary --metric accuracy --test-rows rows.json --budget 60

``--test-rows`` is a JSON list of 0-based positions among all data rows of the
CSV (header excluded), as in automl's ``test_predictions.csv`` column ``row``;
the training rows are every other row whose target is not missing. The peer
optimises ``--metric`` as automl's run did (``PEER_METRICS``: each library's
name for it; for RMSE, R², which orders models the same on one set of rows;
FLAML has no balanced accuracy, so it is given as a function); the line holds the
test scores (as automl computes them: accuracy, balanced_accuracy, f1_macro,
log_loss, roc_auc; or rmse, mae, r2), ``score`` = the test score in
``--metric``, the seconds, and ``error`` (null, or what went wrong). ``--weight COL`` names a column of row
weights: it is no feature, FLAML gets it as ``sample_weight`` and AutoGluon as its ``sample_weight`` column with
``weight_evaluation`` (its validation scores weighted, as automl's are); the test scores count rows alike.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
import traceback


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", choices=("flaml", "autogluon"), required=True)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--task", choices=("binary", "multiclass", "regression"), required=True)
    parser.add_argument("--metric", required=True, help="the metric reported as `score` (automl's plan metric)")
    parser.add_argument("--test-rows", required=True, help="JSON file: a list of row positions")
    parser.add_argument("--budget", type=float, required=True, help="seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--weight", help="a column of row weights for training (not a feature)")
    return parser.parse_args()


# automl's metric -> (FLAML's name, AutoGluon's name); None: FLAML takes ``balanced_error`` (a function) instead
PEER_METRICS = {
    "accuracy": ("accuracy", "accuracy"), "balanced_accuracy": (None, "balanced_accuracy"),
    "f1_macro": ("macro_f1", "f1_macro"), "log_loss": ("log_loss", "log_loss"), "roc_auc": ("roc_auc", "roc_auc"),
    "rmse": ("r2", "r2"), "mae": ("mae", "mean_absolute_error"), "r2": ("r2", "r2"),
}
MULTICLASS_AUC = ("roc_auc_ovr", "roc_auc_ovr_macro")  # roc_auc on more than two classes: one against the rest


def peer_metric(metric: str, task: str, peer: str):
    """What the peer is told to optimise for automl's ``metric``."""
    names = MULTICLASS_AUC if metric == "roc_auc" and task == "multiclass" else PEER_METRICS[metric]
    name = names[0] if peer == "flaml" else names[1]
    return balanced_error if name is None else name


def balanced_error(X_val, y_val, estimator, labels, X_train, y_train, *args, **kwargs):
    """FLAML's custom-metric form: 1 - balanced accuracy on the validation rows (to minimise), and what to log."""
    from sklearn.metrics import balanced_accuracy_score

    value = balanced_accuracy_score(y_val, estimator.predict(X_val))
    return 1.0 - value, {"balanced_accuracy": value}


def split(args: argparse.Namespace):
    """(X_train, y_train, X_test, y_test, w_train), read as automl reads a comma-separated file; ``w_train`` the
    training rows' ``--weight`` column (None without one)."""
    import pandas as pd

    frame = pd.read_csv(args.csv, encoding="utf-8-sig", skipinitialspace=True, low_memory=False, index_col=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    with open(args.test_rows) as f:
        rows = sorted(set(json.load(f)))
    is_test = pd.Series(False, index=frame.index)
    is_test.iloc[rows] = True
    labelled = frame[args.target].notna()
    train = frame[~is_test & labelled].reset_index(drop=True)
    test = frame[is_test & labelled].reset_index(drop=True)
    weights = None if args.weight is None else train.pop(args.weight).to_numpy(dtype=float)
    if args.weight is not None:
        test = test.drop(columns=[args.weight])
    return (train.drop(columns=[args.target]), train[args.target],
            test.drop(columns=[args.target]), test[args.target], weights)


def fit_flaml(args, X_train, y_train, X_test, weights=None):
    """Fit seconds, best model name, test predictions, and for classification the classes and probabilities."""
    from flaml import AutoML

    automl = AutoML()
    started = time.monotonic()
    given = {} if weights is None else {"sample_weight": weights}
    automl.fit(X_train, y_train, task=args.task, time_budget=args.budget,
               metric=peer_metric(args.metric, args.task, "flaml"), seed=args.seed, n_jobs=args.threads, verbose=0,
               **given)
    seconds = time.monotonic() - started
    if args.task == "regression":
        return seconds, automl.best_estimator, automl.predict(X_test), None, None
    return (seconds, automl.best_estimator, automl.predict(X_test),
            list(automl.classes_), automl.predict_proba(X_test))


def fit_autogluon(args, X_train, y_train, X_test, weights=None):
    from autogluon.tabular import TabularPredictor

    folder = tempfile.mkdtemp(prefix="autogluon-peer-")
    try:
        train = X_train.assign(**{args.target: y_train})
        given = {}
        if weights is not None:
            train[args.weight] = weights
            given = {"sample_weight": args.weight, "weight_evaluation": True}
        predictor = TabularPredictor(label=args.target, problem_type=args.task, path=folder, verbosity=0,
                                     eval_metric=peer_metric(args.metric, args.task, "autogluon"), **given)
        started = time.monotonic()
        predictor.fit(train, time_limit=args.budget, presets="medium_quality", num_cpus=args.threads, num_gpus=0)
        seconds = time.monotonic() - started
        pred = predictor.predict(X_test)
        if args.task == "regression":
            return seconds, predictor.model_best, pred, None, None
        proba = predictor.predict_proba(X_test)
        return seconds, predictor.model_best, pred, list(proba.columns), proba.to_numpy()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def scores(task: str, y_true, pred, classes, proba) -> dict:
    """The test scores, computed the way automl's metrics.score_all computes them."""
    import numpy as np
    from sklearn import metrics as m

    if task == "regression":
        y_true, pred = np.asarray(y_true, dtype=float), np.asarray(pred, dtype=float)
        return {"rmse": float(np.sqrt(m.mean_squared_error(y_true, pred))),
                "mae": float(m.mean_absolute_error(y_true, pred)), "r2": float(m.r2_score(y_true, pred))}
    # Class indices over the model's classes, plus any test class it never saw (probability 0).
    classes = classes + [c for c in dict.fromkeys(y_true) if c not in classes]
    index = {c: i for i, c in enumerate(classes)}
    truth = np.array([index[c] for c in y_true])
    guess = np.array([index.get(c, -1) for c in pred])
    out = {"accuracy": float(m.accuracy_score(truth, guess)),
           "balanced_accuracy": float(m.balanced_accuracy_score(truth, guess)),
           "f1_macro": float(m.f1_score(truth, guess, average="macro")), "log_loss": None, "roc_auc": None}
    p = np.zeros((len(truth), len(classes)))
    p[:, : np.asarray(proba).shape[1]] = proba
    p = np.clip(p, 1e-15, 1.0)
    p /= p.sum(axis=1, keepdims=True)
    out["log_loss"] = float(m.log_loss(truth, p, labels=np.arange(len(classes))))
    present = np.unique(truth)
    if len(present) == 2:
        out["roc_auc"] = float(m.roc_auc_score(truth == present[1], p[:, present[1]]))
    elif len(present) > 2:
        sub = p[:, present] / p[:, present].sum(axis=1, keepdims=True)
        out["roc_auc"] = float(m.roc_auc_score(truth, sub, multi_class="ovr", average="macro", labels=present))
    return {k: (v if v is None or math.isfinite(v) else None) for k, v in out.items()}


def main() -> None:
    started = time.monotonic()
    args = parse_args()
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, str(args.threads))  # before numpy loads
    result = {"peer": args.peer, "metric": args.metric, "score": None, "fit_seconds": None, "wall_seconds": None,
              "train_rows": None, "test_rows": None, "model": None, "error": None}
    try:
        X_train, y_train, X_test, y_test, weights = split(args)
        result["train_rows"], result["test_rows"] = len(X_train), len(X_test)
        fit = fit_flaml if args.peer == "flaml" else fit_autogluon
        seconds, model, pred, classes, proba = fit(args, X_train, y_train, X_test, weights)
        result["fit_seconds"], result["model"] = round(seconds, 2), str(model)
        result.update(scores(args.task, list(y_test), list(pred), classes, proba))
        result["score"] = result.get(args.metric)
    except Exception as exc:  # noqa: BLE001 - every failure becomes the JSON line's "error"
        traceback.print_exc(file=sys.stderr)
        result["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    result["wall_seconds"] = round(time.monotonic() - started, 2)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
