"""Fit every tabular set in a folder under one budget and print a markdown table.

Each set runs as its own ``automl fit`` process, so the wall time is what a
user would see, start-up included. The target column comes from the folder's
README table when it names one (as ``../shared/data/README.md`` does), else
automl's own choice.

    python recipes/benchmark_tabular.py --budget 60s
    python recipes/benchmark_tabular.py --folder ../shared/data --budget 2m --only adult,letter
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FOLDER = HERE.parent.parent / "shared" / "data"


def readme_targets(folder: Path) -> dict[str, str]:
    """name -> target column, from a markdown table whose rows start `| name | tabular | task | `col` ...`."""
    readme = folder / "README.md"
    if not readme.exists():
        return {}
    targets = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 3 and cells[1] == "tabular":
            match = re.search(r"`([^`]+)`", cells[3])
            if match:
                targets[cells[0]] = match.group(1)
    return targets


def tabular_sets(folder: Path, only: set[str] | None) -> list[tuple[str, Path]]:
    found = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        tables = sorted(sub.glob("*.csv")) + sorted(sub.glob("*.parquet"))
        has_media = any(p.is_dir() for p in sub.iterdir())
        if len(tables) == 1 and not has_media and (only is None or sub.name in only):
            found.append((sub.name, tables[0]))
    return found


def run_one(name: str, table: Path, target: str | None, budget: str, out: Path) -> dict:
    from automl.budget import parse_budget

    command = [sys.executable, "-m", "automl", "fit", str(table), "--budget", budget, "--out", str(out), "--quiet"]
    if target:
        command += ["--target", target]
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    row = {"dataset": name, "wall": wall, "budget": parse_budget(budget), "error": None}
    runs = sorted(out.glob(f"{table.stem}-*"), key=lambda p: p.stat().st_mtime)
    if proc.returncode != 0 or not runs:
        row["error"] = (proc.stderr.strip().splitlines() or ["exit %d" % proc.returncode])[-1]
        return row
    record = json.loads((runs[-1] / "run.json").read_text())
    row |= {"rows": record["data"]["rows"], "task": record["task"], "metric": record["plan"]["metric"],
            "modality": record["modality"]}
    for f in record["finalists"]:
        row[f["approach"]] = f["test_scores"].get(row["metric"])
        row[f"{f['approach']}_s"] = f["fit_seconds"]
        row["peak_mb"] = max(row.get("peak_mb", 0.0), f["peak_memory_mb"])
    return row


def fmt(value, spec: str = ".4f") -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--budget", default="60s")
    parser.add_argument("--only", help="comma-separated set names")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"benchmark: folder not found: {args.folder}")
    only = set(args.only.split(",")) if args.only else None
    targets = readme_targets(args.folder)
    sets = [(n, t) for n, t in tabular_sets(args.folder, only) if only or n in targets or not targets]
    print(f"| dataset | rows | task | metric | GBM | deep | GBM s | deep s | wall s / budget | within +5% | peak MB |")
    print("|---|---:|---|---|---:|---:|---:|---:|---:|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, table in sets:
            r = run_one(name, table, targets.get(name), args.budget, Path(tmp))
            within = "yes" if r["wall"] <= r["budget"] * 1.05 else "NO"
            if r["error"]:
                print(f"| {name} | - | - | - | error: {r['error']} | | | | {r['wall']:.1f} / {r['budget']:.0f} | {within} | - |")
                continue
            print(f"| {name} | {r['rows']:,} | {r['task']} | {r['metric']} | {fmt(r.get('gbm'))} | "
                  f"{fmt(r.get('deep'))} | {fmt(r.get('gbm_s'), '.1f')} | {fmt(r.get('deep_s'), '.1f')} | "
                  f"{r['wall']:.1f} / {r['budget']:.0f} | {within} | {fmt(r.get('peak_mb'), '.0f')} |", flush=True)


if __name__ == "__main__":
    main()
