"""A chief and its workers on this machine: the deep search of a set with 0, 2, ... worker processes.

For each worker count, ``automl fit DATA --workers N`` runs as its own process
(N = 0: the search in the fitting process itself). One table row per run:
network trials, trials per minute of the network's search, what each worker
ran (trials, lost), the best validation and the test accuracy of the network,
GPU utilisation where ``nvidia-smi`` reports it, and wall seconds against the
budget. The chief's address, the workers' process ids and their logs are in
each run's ``search/deep/cluster/workers.json`` and ``logs/``.

    python recipes/cluster_local.py                                    # digits_png, 0 and 2 workers, 3m
    python recipes/cluster_local.py --sets digits_png,cifar10_test --workers 1,2,4 --budget 5m
    python recipes/cluster_local.py --dask                             # then recipes/dask_local.py's table

The Dask half (gradient boosting on a local Dask cluster for a table larger
than its workers' memory) is ``recipes/dask_local.py``; ``--dask`` runs it
after the workers' table with its defaults.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from _bench import DEFAULT_FOLDER, finalist, fmt, run_fit


def network_trials(run_dir: Path) -> list[dict]:
    """The network's search trials (its continued training left out)."""
    lines = (run_dir / "trials.jsonl").read_text().splitlines()
    return [t for t in map(json.loads, filter(None, lines))
            if t["approach"] == "deep" and not t["extra"].get("continued")]


def row(name: str, workers: int, result: dict) -> str:
    timing = f"{result['wall']:.1f} / {result['budget']:.0f}"
    if result["error"]:
        return f"| {name} | {workers} | error: {result['error']} |||||| {timing} |"
    trials = network_trials(result["dir"])
    span = (max(t["ended"] for t in trials) - min(t["started"] for t in trials)) if trials else 0.0
    per_minute = 60 * len(trials) / span if span else 0.0
    ran = Counter(t["extra"].get("worker", "this process") for t in trials)
    lost = Counter(t["extra"].get("worker") for t in trials if t["status"] == "failed")
    shown = ", ".join(f"{w}: {n}" + (f" ({lost[w]} lost)" if lost[w] else "") for w, n in sorted(ran.items()))
    gpu = [t["extra"]["gpu_util_mean"] for t in trials if t["extra"].get("gpu_util_mean") is not None]
    deep = finalist(result["record"], "deep")
    return (f"| {name} | {workers} | {len(trials)} | {per_minute:.1f} | {shown or '-'} "
            f"| {fmt(deep and deep.get('val_score'))} | {fmt(deep and deep['test_scores'].get('accuracy'))} "
            f"| {fmt(sum(gpu) / len(gpu) if gpu else None, '.0f')} | {timing} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--sets", default="digits_png", help="folders under --folder, comma-separated")
    parser.add_argument("--workers", default="0,2", help="worker counts to run, comma-separated (0: no workers)")
    parser.add_argument("--budget", default="3m")
    parser.add_argument("--out", type=Path, help="keep the run directories here (default: a temporary folder)")
    parser.add_argument("--dask", action="store_true", help="then run recipes/dask_local.py with its defaults")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"cluster_local: folder not found: {args.folder}")
    print("| data | workers | network trials | trials / min | trials by worker | network val | network test "
          "| GPU util % | wall s / budget |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        for name in args.sets.split(","):
            data = args.folder / name
            if not data.is_dir():
                print(f"| {name} | - | not found in {args.folder} |||||||", flush=True)
                continue
            for workers in (int(w) for w in args.workers.split(",")):
                result = run_fit(data, None, args.budget, out / f"{name}-w{workers}", ["--workers", str(workers)])
                print(row(name, workers, result), flush=True)
    if args.dask:
        import subprocess

        print(flush=True)
        subprocess.run([sys.executable, str(Path(__file__).with_name("dask_local.py"))], check=False)


if __name__ == "__main__":
    main()
