"""What each finalist's decision rule did, on validation and on the test rows: print a table.

For balanced accuracy and macro F1 a run gives each finalist a decision rule
(``automl.decision``): the class whose probability is largest once divided by
its training share to a power, chosen on validation rows. For every finished
classification run given (a run folder, or a folder of them), this prints,
per finalist, the power, its validation score before and after (as the run
recorded them) and its test score with the most probable class and with the
rule (both from ``test_predictions.csv``; the test rows chose nothing). The
model ``predict`` uses is marked.

    python recipes/benchmark_tabular.py --only adult,wine_quality_red --budget 60s \\
        --fit-args="--metric balanced_accuracy" --out runs
    python recipes/decision_rules.py runs
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def runs_in(folders: list[Path]) -> list[Path]:
    """The run directories given, or inside the folders given (sorted)."""
    found = []
    for folder in folders:
        found += [folder] if (folder / "run.json").is_file() else sorted(p.parent for p in folder.glob("*/run.json"))
    return found


def rows_of(run: Path) -> list[dict[str, Any]]:
    """One row per finalist of a finished classification run: its rule and its scores with and without it."""
    import pandas as pd

    from automl.decision import saved_weights
    from automl.metrics import score_output

    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    if record.get("task") == "regression" or record.get("status") != "complete":
        return []
    metric, classes = record["plan"]["metric"], [str(c) for c in record["classes"]]
    tests = pd.read_csv(run / "test_predictions.csv", dtype=str, keep_default_na=False)
    y = tests["actual"].map({c: i for i, c in enumerate(classes)}).to_numpy()
    out = []
    for finalist in record["finalists"]:
        name = finalist["approach"]
        proba = tests[[f"{name}_proba_{c}" for c in classes]].astype(float).to_numpy()
        kept = record.get("decisions", {}).get(name) or {}
        weights = saved_weights(record.get("decisions"), name, len(classes))
        out.append({"run": run.name, "metric": metric, "approach": name + ("*" if name == record["best"] else ""),
                    "power": kept.get("power", 0.0), "val_before": kept.get("before"), "val_after": kept.get("after"),
                    "test_before": float(score_output(record["task"], y, proba, metric)),
                    "test_after": float(score_output(record["task"], y, proba, metric, weights=weights)),
                    "test_rows": int(len(y))})
    return out


def fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="run directories, or folders of them")
    args = parser.parse_args()
    print("| run | metric | approach | power | val, most probable | val, rule | test, most probable | test, rule "
          "| test rows |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for run in runs_in(args.folders):
        for r in rows_of(run):
            print(f"| {r['run']} | {r['metric']} | {r['approach']} | {r['power']:g} | {fmt(r['val_before'])} | "
                  f"{fmt(r['val_after'])} | {fmt(r['test_before'])} | {fmt(r['test_after'])} | {r['test_rows']:,} |")
    print("\n* the model `predict` uses. A power of 0 is the most probable class (no rule was kept); the validation "
          "scores are on the finalist's own out-of-sample rows, as the run recorded them.")


if __name__ == "__main__":
    main()
