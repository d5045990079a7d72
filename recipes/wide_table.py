"""How a run copes with a wide table: wall time against the budget, both approaches' test accuracy, the network's
epochs and the size of what it saves.

Generates tables of ``--rows`` rows and ``--columns`` numeric columns (standard normal; the label is whether the
first five columns' sum plus noise is above 0, so the other columns are noise) and runs ``automl fit`` on each
at ``--budget``. Prints one table; ``--keep`` leaves the generated CSVs and runs in ``--out``.

    python recipes/wide_table.py --columns 200,2000,4000 --budget 60s
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import finalist, fmt, run_fit  # noqa: E402


def make_table(path: Path, rows: int, columns: int, seed: int = 0) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, columns)).astype("float32")
    y = (X[:, :5].sum(axis=1) + rng.normal(size=rows) > 0).astype(int)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(columns)])
    frame["label"] = y
    frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", default="200,2000", help="comma-separated column counts")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--budget", default="60s")
    parser.add_argument("--out", type=Path, default=None, help="folder for the tables and runs (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the tables and runs")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="automl-wide-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"{'columns':>8} {'wall s / budget':>16} {'classical':>10} {'network':>8} {'epochs':>7} "
          f"{'network MB':>11} {'used':>10}")
    try:
        for columns in [int(c) for c in args.columns.split(",")]:
            table = out / f"wide{columns}.csv"
            make_table(table, args.rows, columns)
            row = run_fit(table, "label", args.budget, out / "runs")
            if row["error"]:
                print(f"{columns:>8} error: {row['error']}")
                continue
            record = row["record"]
            classical, deep = finalist(record, "classical"), finalist(record, "deep")
            trials = [t for t in _trials(row["dir"]) if t.get("approach") == "deep"]
            epochs = sum((t.get("extra") or {}).get("epochs") or 0 for t in trials)
            print(f"{columns:>8} {row['wall']:>7.1f} / {row['budget']:<6.0f} "
                  f"{fmt(classical and classical['test_scores'].get('accuracy')):>10} "
                  f"{fmt(deep and deep['test_scores'].get('accuracy')):>8} {epochs:>7} "
                  f"{((deep or {}).get('model_bytes') or 0) / 1e6:>11.1f} {record['best']:>10}")
    finally:
        if not args.keep and args.out is None:
            shutil.rmtree(out, ignore_errors=True)


def _trials(run: Path) -> list[dict]:
    import json

    path = run / "trials.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.is_file() else []


if __name__ == "__main__":
    main()
