"""How often each finalist's prediction interval held on the test rows, overall and by thirds: print a table.

A regression run gives each finalist a 90 % prediction interval (``automl.intervals``: split conformal widths
from its validation errors, one per band of predicted value where there are rows enough). For every finished
regression run given (a run folder, or a folder of them), this prints, per finalist, the one width and the bands'
widths, the validation rows that chose them and the share of test rows inside the interval (from
``test_predictions.csv``; the test rows chose nothing), then that share within the thirds of the test rows
ordered by predicted value, where one width for every row would hold less where errors are larger. The model
``predict`` uses is marked.

    python recipes/benchmark_tabular.py --only diabetes,tips,mpg,california_housing,diamonds --budget 60s \\
        --seeds 0,1 --out runs
    python recipes/interval_coverage.py runs
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from decision_rules import runs_in


def rows_of(run: Path) -> list[dict[str, Any]]:
    """One row per finalist of a finished regression run with an interval."""
    import numpy as np
    import pandas as pd

    from automl.intervals import coverage, saved

    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    if record.get("task") != "regression" or record.get("status") != "complete":
        return []
    tests = pd.read_csv(run / "test_predictions.csv")
    y = tests["actual"].to_numpy(dtype=float)
    out = []
    for finalist in record["finalists"]:
        name = finalist["approach"]
        interval = saved(record.get("intervals"), name)
        if interval is None:
            continue
        predicted = tests[f"{name}_prediction"].to_numpy(dtype=float)
        widths = interval.widths(predicted)
        thirds = np.array_split(np.argsort(predicted, kind="stable"), 3)
        out.append({"run": run.name, "approach": name + ("*" if name == record["best"] else ""),
                    "width": interval.half_width, "bands": interval.half_widths, "rows": interval.rows,
                    "test": coverage(y, predicted, widths),
                    "thirds": [coverage(y[t], predicted[t], widths[t]) for t in thirds], "test_rows": len(y),
                    "spread": float(np.std(y))})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="run directories, or folders of them")
    args = parser.parse_args()
    print("| run | approach | half width, one | by band | / test std | validation rows | test rows inside | "
          "lowest third | middle third | highest third | test rows |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    shares = []
    for run in runs_in(args.folders):
        for r in rows_of(run):
            shares.append(r["test"])
            low, mid, high = (f"{s:.3f}" for s in r["thirds"])
            bands = " / ".join(f"{w:.3g}" for w in r["bands"]) or "-"
            print(f"| {r['run']} | {r['approach']} | {r['width']:.4g} | {bands} | "
                  f"{r['width'] / max(r['spread'], 1e-12):.2f} | "
                  f"{r['rows']:,} | {r['test']:.3f} | {low} | {mid} | {high} | {r['test_rows']:,} |")
    if shares:
        print(f"\n{len(shares)} intervals, the share of test rows inside them: mean {sum(shares) / len(shares):.3f}, "
              f"lowest {min(shares):.3f}, highest {max(shares):.3f} (each meant to hold 0.900).")
    print("* the model `predict` uses. Thirds: the test rows ordered by the finalist's predicted value.")


if __name__ == "__main__":
    main()
