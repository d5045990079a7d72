"""Should validation choose the higher score, or the simpler model unless the other is clearly ahead? Print a table.

The runner compares gradient boosting, the network and their blend on the
training rows all of them predicted out of sample, and the model a user gets
is the one with the higher score there. On a small table three rows of 455
decide it (the README's example: validation chose the network, .978 against
.971; the test rows scored it .930 against .974). The other rule: the first
model, in the order gradient boosting, network, blend (simplest first: the
blend costs both), whose score a paired bootstrap on those rows cannot tell
from the best's; at ``level`` 0.68 that is close to the one-standard-error
rule, at 0.95 the usual interval.

For each finished tabular run given (a run folder, or a folder of them), the
approaches' out-of-sample predictions on the rows they share
(``search/<approach>/validation.npz``) are split in random halves: the blend's
weights and the model used are chosen on one half by each rule, as the runner
would, and the choices are scored in the run's metric on the other half, rows
that did not choose. The test rows are never read. Differences are paired
(same halves) and signed so that a positive gain is better, with their
standard error over the halves; "chose" counts how
often each rule picked gradient boosting / the network / the blend.

    python recipes/benchmark_tabular.py --budget 60s --seeds 0,1 --out runs
    python recipes/choice_rule.py runs --halves 40
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from selection_criterion import shared, training_targets

ORDER = ("classical", "deep", "blend")


def by_score(outputs: dict[str, Any], y: Any, task: str, metric: str, rule: str | None) -> str:
    """The approach a rule chooses on these rows: with ``rule`` None the best score (ties to the simpler); with
    "all@L" the simplest the best is not clearly ahead of (a paired bootstrap interval at level L); with
    "models@L" the same between gradient boosting and the network only, a best blend kept."""
    from automl.metrics import better, score_output
    from automl.report.bootstrap import paired_difference

    scores = {n: score_output(task, y, o, metric) for n, o in outputs.items()}
    best = ORDER[0]
    for name in ORDER[1:]:
        if better(scores[name], scores[best], metric):
            best = name
    if rule is None:
        return best
    among, level = rule.split("@")
    if among == "models" and best == "blend":
        return best
    for name in ORDER:
        if name == best:
            return best
        gap = paired_difference(y, outputs[best], outputs[name], task, metric, resamples=400, level=float(level))
        if gap["low"] is not None and not (gap["low"] > 0 if greater_is_better(metric) else gap["high"] < 0):
            return name  # the leader is not clearly ahead of this simpler one
    return best


def compare(run: Path, halves: int, seed: int, levels: list[str]) -> dict[str, Any] | None:
    from automl.metrics import greater_is_better, score_output
    from automl.run.ensemble import greedy_weights

    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    task, metric = record["task"], record["plan"]["metric"]
    names = [n for n in ORDER[:2] if (run / "search" / n / "validation.npz").exists()]
    if len(names) < 2:
        return None
    rows, outputs = shared(run, names)
    y = training_targets(record)[rows]
    rng = np.random.default_rng(seed)
    rules: list[str | None] = [None, *levels]
    scored: dict[Any, list[float]] = {r: [] for r in rules}
    chose: dict[Any, dict[str, int]] = {r: dict.fromkeys(ORDER, 0) for r in rules}
    for _ in range(halves):
        order = rng.permutation(len(y))
        a, b = order[: len(y) // 2], order[len(y) // 2:]
        picked = greedy_weights({n: o[a] for n, o in outputs.items()}, y[a], task, metric)
        mix = {"blend": lambda part: sum(outputs[n][part] * w for n, w in picked.weights.items())}
        on = {n: (lambda part, n=n: outputs[n][part]) for n in names} | mix
        for rule in rules:
            name = by_score({n: f(a) for n, f in on.items()}, y[a], task, metric, rule)
            chose[rule][name] += 1
            scored[rule].append(score_output(task, y[b], on[name](b), metric))
    sign = 1 if greater_is_better(metric) else -1
    base = np.asarray(scored[None])
    row = {"run": record["data"]["name"], "seed": record["seed"], "metric": metric, "rows": len(y),
           "score": float(base.mean()), "chose": chose, "test": {}}
    for level in levels:
        gain = (np.asarray(scored[level]) - base) * sign
        row[level] = (float(gain.mean()), float(gain.std(ddof=1) / np.sqrt(len(gain))))
    tested = {f["approach"]: f["test_scores"].get(metric) for f in record.get("finalists", [])}
    blend = greedy_weights(outputs, y, task, metric)
    everything = {**outputs, "blend": sum(outputs[n] * w for n, w in blend.weights.items())}
    for rule in rules:  # each rule's choice on all the shared rows, as the run would make it, and its test score
        name = by_score(everything, y, task, metric, rule)
        row["test"][rule] = (name, tested.get(name))
    return row


def greater_is_better(metric: str) -> bool:
    from automl.metrics import greater_is_better as greater

    return greater(metric)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders, or folders holding them")
    parser.add_argument("--halves", type=int, default=40, help="random half splits per run (default 40)")
    parser.add_argument("--rules", default="all@0.95,models@0.95,models@0.68",
                        help="simpler-first rules: all@LEVEL (blend included) or models@LEVEL (a best blend kept)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    levels = args.rules.split(",")
    runs = [p.parent for given in args.runs for p in sorted(given.rglob("run.json"))]
    head = " | ".join(f"{v}: gain ± s.e. | chose | test" for v in levels)
    print(f"| set | seed | metric | shared rows | highest score | chose | test | {head} |")
    print("|---|---:|---|---:|---:|---|---|" + "---:|---|---|" * len(levels))
    rows = [row for run in runs if (row := compare(run, args.halves, args.seed, levels)) is not None]
    for row in rows:

        def counts(rule: Any, row: dict[str, Any] = row) -> str:
            return "/".join(str(row["chose"][rule][n]) for n in ORDER)

        def test(rule: Any, row: dict[str, Any] = row) -> str:
            name, score = row["test"][rule]
            return f"{name} {score:.4f}" if score is not None else f"{name} -"

        cells = " | ".join(f"{row[v][0]:+.4f} ± {row[v][1]:.4f} | {counts(v)} | {test(v)}" for v in levels)
        print(f"| {row['run']} | {row['seed']} | {row['metric']} | {row['rows']:,} | {row['score']:.4f} | "
              f"{counts(None)} | {test(None)} | {cells} |")
    print()
    print("| rule | runs ahead on test | behind | same | mean test gain, bounded metrics (points) |")
    print("|---|---:|---:|---:|---:|")
    for level in levels:
        gains = []
        for row in rows:
            old, new = row["test"][None][1], row["test"][level][1]
            if old is not None and new is not None:
                sign = 1 if greater_is_better(row["metric"]) else -1
                gains.append(((new - old) * sign, row["metric"] not in ("rmse", "mae")))
        bounded = [g for g, ok in gains if ok]
        print(f"| {level} | {sum(g > 0 for g, _ in gains)} | {sum(g < 0 for g, _ in gains)} | "
              f"{sum(g == 0 for g, _ in gains)} | {100 * np.mean(bounded) if bounded else float('nan'):+.3f} |")


if __name__ == "__main__":
    main()
