"""Weights that undo a biased sample: fit with and without ``--weight`` and score both on the population; print a table.

A training file is often not a fair sample of the rows a model will meet: the rare class kept whole and the common
one thinned out (case-control sampling), a region of the data over-sampled. Each kept row's weight is one over the
chance it had to be kept, and ``automl fit --weight`` is meant to undo the bias with it. For each set and seed this
recipe holds out a fifth of the real table at random (the population's test rows), draws a biased training sample
from the rest (``SAMPLES`` says how), fits ``automl`` on it twice at the same budget and seed, once with
``--weight w`` and once with ``--drop w`` (the rows counted alike), and scores both models on the held-out rows
with ``automl evaluate`` (every row counted alike, as the population has them), also on the rows the sample thinned.
With ``--peers``, FLAML and AutoGluon (their own venvs, ``recipes/peers/setup.sh``) fit the same weighted sample at
the same budget, given the weights (``run_peer.py --weight``), and are scored on the same population rows.

    python recipes/weights_bias.py --folder ../shared/data --budget 60s --seeds 0,1 --out /tmp/weights --peers
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# set -> (target, the rows kept whole (a pandas query), the share of the other rows kept, what that is)
SAMPLES = {
    "adult": ("income", "income == '>50K'", 0.2, "every >50K row, a fifth of the <=50K rows"),
    "california_housing": ("median_house_value", "median_income > 5", 0.2,
                           "every district with median income above 5, a fifth of the others"),
    "sms_spam": ("label", "label == 'spam'", 0.2, "every spam message, a fifth of the others"),
}


def biased(frame: Any, kept_whole: str, share: float, seed: int) -> tuple[Any, Any, Any]:
    """The population's test rows (a fifth, at random), the biased training sample with its weights in ``w``, and
    which test rows are of the thinned kind."""
    import numpy as np

    rng = np.random.default_rng(seed)
    test = rng.random(len(frame)) < 0.2
    whole = frame.eval(kept_whole).to_numpy()
    kept = ~test & (whole | (rng.random(len(frame)) < share))
    train = frame.loc[kept].copy()
    train["w"] = np.where(whole[kept], 1.0, 1.0 / share)
    return train, frame.loc[test], ~whole[test]


def fit(train: Path, target: str, how: list[str], budget: str, seed: int, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.iterdir())
    subprocess.run([sys.executable, "-m", "automl", "fit", str(train), "--target", target, "--budget", budget,
                    "--seed", str(seed), "--out", str(out), "--quiet", *how], check=True)
    (run,) = set(out.iterdir()) - before
    return run


def scores(run: Path, test: Any, thinned: Any, folder: Path) -> dict[str, Any]:
    """The run's model on the population's test rows, and on the thinned ones alone."""
    import warnings

    from automl.predictor import load

    model = load(run)
    out = {}
    for name, rows in (("all", test), ("thinned", test.loc[thinned])):
        path = folder / f"test_{name}.csv"
        rows.to_csv(path, index=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found, _ = model.evaluate(path)
        out[name] = found
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    return out | {"best": record["best"], "metric": record["plan"]["metric"]}


def peers_on(folder: Path, train: Any, test: Any, target: str, metric: str, seconds: float, seed: int,
             pythons: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Each peer fitted on ``train`` with its weights and scored on ``test``: run_peer.py's JSON line."""
    import pandas as pd

    from benchmark_tabular import RUN_PEER

    both = pd.concat([train, test.assign(w=1.0)], ignore_index=True)
    both.to_csv(folder / "peer.csv", index=False)
    (folder / "peer_test_rows.json").write_text(json.dumps(list(range(len(train), len(both)))))
    out = {}
    for peer, python in pythons.items():
        command = [str(python), str(RUN_PEER), "--peer", peer, "--csv", str(folder / "peer.csv"), "--target", target,
                   "--task", "regression" if metric in ("rmse", "mae", "r2") else "binary", "--metric", metric,
                   "--test-rows", str(folder / "peer_test_rows.json"), "--budget", str(seconds), "--seed", str(seed),
                   "--weight", "w"]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds * 3 + 120)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        out[peer] = json.loads(lines[-1]) if lines else {"error": done.stderr.strip()[-300:]}
    return out


def main() -> None:
    import pandas as pd

    from automl.budget import parse_budget

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--budget", default="60s")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--only", default=",".join(SAMPLES))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--peers", action="store_true", help="FLAML and AutoGluon on the same weighted samples")
    args = parser.parse_args()
    pythons = {}
    if args.peers:
        from benchmark_tabular import PEERS_HOME, peer_pythons

        pythons = peer_pythons(PEERS_HOME)
    rows, peer_rows = [], []
    for name in args.only.split(","):
        target, whole, share, told = SAMPLES[name]
        frame = pd.read_csv(args.folder / name / f"{name}.csv")
        for seed in map(int, args.seeds.split(",")):
            folder = args.out / f"{name}-{seed}"
            folder.mkdir(parents=True, exist_ok=True)
            train, test, thinned = biased(frame, whole, share, seed)
            train.to_csv(folder / "train.csv", index=False)
            found = {how: scores(fit(folder / "train.csv", target, flag, args.budget, seed, folder / how), test,
                                 thinned, folder)
                     for how, flag in (("weighted", ["--weight", "w"]), ("alike", ["--drop", "w"]))}
            rows.append((name, seed, told, len(train), len(test), int(thinned.sum()), found))
            if pythons:
                metric = found["weighted"]["metric"]
                peer_rows.append((name, seed, metric, found["weighted"]["all"][metric],
                                  peers_on(folder, train, test, target, metric, parse_budget(args.budget), seed,
                                           pythons)))
    print("| set, seed | training sample | rows: sample / test / thinned test | metric | with --weight: all / thinned "
          "| counted alike: all / thinned | models |")
    print("|---|---|---|---|---|---|---|")
    for name, seed, told, n_train, n_test, n_thin, found in rows:
        metric = found["weighted"]["metric"]
        shown = ["rmse", "r2"] if metric == "rmse" else ["accuracy", "log_loss"]
        for m in shown:
            cells = [f"{found[h]['all'][m]:.4f} / {found[h]['thinned'][m]:.4f}" for h in ("weighted", "alike")]
            print(f"| {name}, {seed} | {told} | {n_train:,} / {n_test:,} / {n_thin:,} | {m} | {cells[0]} | {cells[1]} "
                  f"| {found['weighted']['best']} / {found['alike']['best']} |")
    if peer_rows:
        print("\n| set, seed | metric on the population's test rows | automl --weight | FLAML, weighted | "
              "AutoGluon, weighted | peers' models, wall s |")
        print("|---|---|---:|---:|---:|---|")
        for name, seed, metric, ours, peers in peer_rows:
            cells = [f"{peers.get(p, {}).get(metric):.4f}" if peers.get(p, {}).get(metric) is not None else "-"
                     for p in ("flaml", "autogluon")]
            models = ", ".join(f"{p.get('model') or p.get('error')} ({p.get('wall_seconds')})" for p in peers.values())
            print(f"| {name}, {seed} | {metric} | {ours:.4f} | {cells[0]} | {cells[1]} | {models} |")


if __name__ == "__main__":
    main()
