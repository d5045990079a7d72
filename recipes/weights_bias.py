"""Weights that undo a biased sample: fit with and without ``--weight`` and score both on the population; print a table.

A training file is often not a fair sample of the rows a model will meet: the rare class kept whole and the common
one thinned out (case-control sampling), a region of the data over-sampled. Each kept row's weight is one over the
chance it had to be kept, and ``automl fit --weight`` is meant to undo the bias with it. For each set and seed this
recipe holds out a fifth of the real table at random (the population's test rows), draws a biased training sample
from the rest (``SAMPLES`` says how), fits ``automl`` on it twice at the same budget and seed, once with
``--weight w`` and once with ``--drop w`` (the rows counted alike), and scores both models on the held-out rows
with ``automl evaluate`` (every row counted alike, as the population has them), also on the rows the sample thinned.

    python recipes/weights_bias.py --folder ../shared/data --budget 60s --seeds 0,1 --out /tmp/weights
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


def main() -> None:
    import pandas as pd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--budget", default="60s")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--only", default=",".join(SAMPLES))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = []
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


if __name__ == "__main__":
    main()
