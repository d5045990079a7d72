"""Fit every tabular set in a folder under one budget and print a markdown table.

Each set runs as its own ``automl fit`` process, so the wall time is what a
user would see, start-up included. Sets and target columns come from the
folder's README table (as in ``../shared/data/README.md``).

    python recipes/benchmark_tabular.py --budget 60s
    python recipes/benchmark_tabular.py --folder ../shared/data --budget 2m --only adult,letter
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _bench import DEFAULT_FOLDER, finalist, fmt, readme_sets, run_fit, table_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--budget", default="60s")
    parser.add_argument("--only", help="comma-separated set names")
    parser.add_argument("--out", type=Path, help="keep the run directories here (default: a temporary folder)")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"benchmark: folder not found: {args.folder}")
    sets = readme_sets(args.folder, "tabular")
    only = set(args.only.split(",")) if args.only else set(sets)
    print("| dataset | rows | task | metric | GBM | deep | blend (weights) | used: test | GBM s | deep s "
          "| wall s / budget | within +5% | peak MB |")
    print("|---|---:|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        for name, target in sets.items():
            table = table_of(args.folder, name)
            if name not in only or table is None:
                continue
            r = run_fit(table, target, args.budget, out)
            within = "yes" if r["wall"] <= r["budget"] * 1.05 else "NO"
            timing = f"{r['wall']:.1f} / {r['budget']:.0f}"
            if r["error"]:
                print(f"| {name} | - | - | - | error: {r['error']} | | | | | | {timing} | {within} | - |", flush=True)
                continue
            rec, metric = r["record"], r["record"]["plan"]["metric"]
            gbm, deep, blend = finalist(rec, "classical"), finalist(rec, "deep"), finalist(rec, "blend")
            used = finalist(rec, rec["best"])
            weights = " ".join(f"{a[0]}{w:.2f}" for a, w in ((rec.get("selection") or {}).get("weights") or {}).items())
            peak = max(f["peak_memory_mb"] for f in rec["finalists"])
            print(f"| {name} | {rec['data']['rows']:,} | {rec['task']} | {metric} | "
                  f"{fmt(gbm and gbm['test_scores'][metric])} | {fmt(deep and deep['test_scores'][metric])} | "
                  f"{fmt(blend and blend['test_scores'][metric])} ({weights or '-'}) | "
                  f"{rec['best']}: {fmt(used and used['test_scores'][metric])} | "
                  f"{fmt(gbm and gbm['fit_seconds'], '.1f')} | {fmt(deep and deep['fit_seconds'], '.1f')} | "
                  f"{timing} | {within} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
