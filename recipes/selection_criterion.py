"""Does choosing across approaches by log loss give higher accuracy than choosing by accuracy? Print a table.

For each finished tabular run given (a run folder, or a folder of them), the
approaches' out-of-sample predictions on the training rows they share
(``search/<approach>/validation.npz``) are split in random halves: the blend's
weights and the model used are chosen on one half, the way ``automl.run.runner``
chooses (greedy ensemble selection, then the best of the approaches and the
blend, ties to the earlier), once by accuracy and once by log loss, and both
choices are scored in accuracy on the other half, rows that did not choose.
The test rows are never read. The difference is paired (same halves), with
its standard error over the halves.

    python recipes/benchmark_tabular.py --only adult,titanic --curve 60s,2m --out runs
    python recipes/selection_criterion.py runs --halves 60

Only runs whose metric is accuracy and that have both approaches' predictions are compared.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np


def training_targets(record: dict[str, Any]) -> Any:
    """The run's training rows' class indices, rebuilt as the run split them (its data file, target and seed)."""
    from automl.data import load
    from automl.data.splitting import split_rows
    from automl.data.target import clean_target, encode_target

    target, task = record["target"], record["task"]
    frame = load(record["data"]["source"], target=target).frame
    kept = frame.loc[clean_target(frame[target])[0].notna().to_numpy(), target].reset_index(drop=True)
    y, _ = encode_target(kept, task)
    train, _ = split_rows(y, task, record["plan"]["test_rows"], int(record["seed"]))
    return y[train]


def shared(run: Path, names: list[str]) -> tuple[Any, dict[str, Any]]:
    """The training-row positions every approach predicted and each one's predictions there."""
    from automl.run.ensemble import on_rows, shared_rows

    found = {}
    for name in names:
        with np.load(run / "search" / name / "validation.npz") as saved:
            found[name] = (saved["rows"], saved["output"])
    rows = shared_rows(found)
    return rows, {name: on_rows(r, out, rows) for name, (r, out) in found.items()}


def choose(outputs: dict[str, Any], y: Any, task: str, by: str) -> Any:
    """The model used, chosen on ``outputs`` (approach -> predictions on the choosing rows, targets ``y``) as the
    runner chooses, by ``by``: ``{approach: 1.0}``, or ``{"blend": its weights}``."""
    from automl.metrics import better
    from automl.run.ensemble import greedy_weights

    picked = greedy_weights(outputs, y, task, "accuracy", by=by)
    values = picked.values | {"blend": picked.value}
    best = next(iter(outputs))
    for name in [*list(outputs)[1:], "blend"]:
        if better(values[name], values[best], by):
            best = name
    return {"blend": picked.weights} if best == "blend" else {best: 1.0}


def compare(run: Path, halves: int, seed: int) -> dict[str, Any] | None:
    from automl.metrics import score_output

    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    task = record["task"]
    names = [n for n in ("classical", "deep") if (run / "search" / n / "validation.npz").exists()]
    if record["plan"].get("metric") != "accuracy" or len(names) < 2:
        return None
    rows, outputs = shared(run, names)
    y = training_targets(record)[rows]
    rng = np.random.default_rng(seed)
    gains, base = [], []
    for _ in range(halves):
        order = rng.permutation(len(y))
        a, b = order[: len(y) // 2], order[len(y) // 2:]
        scored = {}
        for by in ("accuracy", "log_loss"):
            weights = choose({n: o[a] for n, o in outputs.items()}, y[a], task, by)
            if "blend" in weights:
                weights = weights["blend"]
            mix = sum(outputs[n][b] * w for n, w in weights.items())
            scored[by] = score_output(task, y[b], mix, "accuracy")
        base.append(scored["accuracy"])
        gains.append(scored["log_loss"] - scored["accuracy"])
    gains = np.asarray(gains)
    return {"run": record["data"]["name"], "budget": record["plan"]["budget_seconds"], "rows": len(y),
            "by_accuracy": float(np.mean(base)), "gain": float(gains.mean()),
            "se": float(gains.std(ddof=1) / np.sqrt(len(gains)))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders, or folders holding them")
    parser.add_argument("--halves", type=int, default=60, help="random half splits per run (default 60)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    runs = [p.parent for given in args.runs for p in sorted(given.rglob("run.json"))]
    print("| set | budget s | shared rows | accuracy, chosen by accuracy | by log loss: points | ± s.e. |")
    print("|---|---:|---:|---:|---:|---:|")
    for run in runs:
        row = compare(run, args.halves, args.seed)
        if row is not None:
            print(f"| {row['run']} | {row['budget']:.0f} | {row['rows']:,} | {row['by_accuracy']:.4f} | "
                  f"{100 * row['gain']:+.2f} | {100 * row['se']:.2f} |")


if __name__ == "__main__":
    main()
