"""Gradient boosting on a local Dask cluster for a generated table larger than its workers' memory.

Generates a binary-classification table (8 numbers, a colour, the target) as
CSV or Parquet, then runs ``automl fit`` on it three ways, each as its own
process with the same ``--memory`` limit:

1. ``--dask off``: the single-process path, which must refuse the table up
   front (exit 2, one line) instead of running out of memory;
2. ``--dask auto``: reads it in pieces and trains ``xgboost.dask`` on a local
   cluster whose two workers share 70 % of the limit; the recipe samples every
   worker process's resident memory each second;
3. on the first ``--fits-rows`` rows (a table that fits): the in-memory path
   and the Dask path, for their test accuracies side by side.

One table row per run: rows, file size, what reading the table whole needs
(``automl.data.memory``'s measured factors), its size as a pandas frame, the
workers' combined limit, the ratio, the outcome, trials, test accuracy, the
highest worker memory seen and wall seconds.

    python recipes/dask_local.py                                      # 6M-row CSV, --memory 2GB, 4m
    python recipes/dask_local.py --format parquet --rows 20000000 --memory 6GB --budget 8m
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _bench import fmt

WORKERS_SHARE = 0.7  # automl.search.dask_client.WORKERS_SHARE


def generate(path: Path, rows: int, seed: int = 0, chunk: int = 500_000) -> None:
    """The table, written a chunk at a time (the recipe itself never holds it)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    writer = None
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        x = rng.normal(size=(n, 8))
        colour = rng.choice(["red", "green", "blue", "grey"], size=n)
        logit = 1.5 * x[:, 0] - x[:, 1] + 0.8 * x[:, 2] * x[:, 3] + 0.5 * np.sin(2 * x[:, 4]) + 0.7 * (colour == "red")
        frame = pd.DataFrame(x.round(6), columns=[f"x{i}" for i in range(8)])
        frame["colour"] = colour
        frame["target"] = (logit + rng.logistic(size=n) > 0).astype(int)
        if path.suffix == ".csv":
            frame.to_csv(path, mode="a", header=start == 0, index=False)
            continue
        batch = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, batch.schema)
        writer.write_table(batch, row_group_size=chunk)
    if writer is not None:
        writer.close()


def frame_bytes(path: Path) -> int:
    """The table's size as pandas frames, summed piece by piece."""
    from automl.data.large import pieces_of

    table = pieces_of(path)
    return sum(int(table.read_piece(i).memory_usage(deep=True).sum()) for i in range(len(table.pieces)))


def watch_workers(proc: subprocess.Popen, peaks: dict[int, int], stop: threading.Event) -> None:
    """The highest resident memory of each Dask worker process below ``proc``, sampled every second."""
    import psutil

    parent = psutil.Process(proc.pid)
    while not stop.is_set():
        try:
            for child in parent.children(recursive=True):  # the workers (the nannies run in automl's process)
                if "resource_tracker" not in " ".join(child.cmdline()):
                    peaks[child.pid] = max(peaks.get(child.pid, 0), child.memory_info().rss)
        except psutil.Error:
            pass
        stop.wait(1.0)


def fit(data: Path, out: Path, budget: str, memory: str, dask: str) -> dict:
    command = [sys.executable, "-m", "automl", "fit", str(data), "--budget", budget, "--out", str(out), "--quiet",
               "--no-compare", "--memory", memory, "--dask", dask]
    peaks: dict[int, int] = {}
    stop = threading.Event()
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watcher = threading.Thread(target=watch_workers, args=(proc, peaks, stop), daemon=True)
    watcher.start()
    stdout, stderr = proc.communicate()
    stop.set()
    watcher.join()
    result = {"wall": time.monotonic() - started, "code": proc.returncode, "peak": max(peaks.values(), default=0),
              "error": None, "record": None}
    runs = sorted(out.glob(f"{data.stem}-*"), key=lambda p: p.stat().st_mtime)
    if proc.returncode != 0 or not runs:
        result["error"] = (stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    else:
        result["record"] = json.loads((runs[-1] / "run.json").read_text())
    return result


def row(what: str, data: Path, rows: int, memory: str, result: dict, sizes: tuple[int, int]) -> str:
    from automl.data.memory import parse_size, reading_bytes, size_text

    workers = parse_size(memory) * WORKERS_SHARE
    needed, in_memory = reading_bytes(data), sizes[0]
    outcome = "refused: " + result["error"].split(": ", 2)[-1][:90] if result["error"] else "trained"
    record, trials, accuracy = result["record"], "-", "-"
    if record:
        best = next(f for f in record["finalists"] if f["approach"] == record["best"])
        trials, accuracy = str(best["trials"]), fmt(best["test_scores"].get("accuracy"))
        outcome = f"trained ({record['best']})"
    return (f"| {what} | {rows:,} | {size_text(sizes[1])} | {size_text(needed)} | {size_text(in_memory)} "
            f"| {size_text(workers)} | {needed / workers:.1f}x | {outcome} | {trials} | {accuracy} "
            f"| {size_text(result['peak']) if result['peak'] else '-'} | {result['wall']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--fits-rows", type=int, default=1_000_000, help="rows of the table that fits (0: skip)")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--memory", default="2GB", help="automl fit --memory for every run")
    parser.add_argument("--budget", default="4m")
    parser.add_argument("--fits-budget", default="2m", help="budget of the runs on the table that fits")
    parser.add_argument("--folder", type=Path, help="write the tables and runs here (default: a temporary folder)")
    parser.add_argument("--parts", default="large,fits", help="large (runs 1 and 2), fits (run 3), or both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dask-local-") as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print("| run | rows | file | reading it whole needs | as pandas frames | workers' memory | needs / workers "
              "| outcome | trials | test accuracy | worker peak | wall s |")
        print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        if "large" in args.parts:
            big = folder / f"large.{args.format}"
            if not big.exists():
                generate(big, args.rows)
            sizes = (frame_bytes(big), big.stat().st_size)
            for what, dask in (("single process", "off"), ("Dask, local cluster", "auto")):
                result = fit(big, folder / "runs", args.budget, args.memory, dask)
                print(row(what, big, args.rows, args.memory, result, sizes), flush=True)
        if args.fits_rows and "fits" in args.parts:
            small = folder / f"fits.{args.format}"
            if not small.exists():
                generate(small, args.fits_rows)
            small_sizes = (frame_bytes(small), small.stat().st_size)
            for what, dask in (("fits: in memory", "off"), ("fits: Dask", "local")):
                result = fit(small, folder / "runs", args.fits_budget, "16GB", dask)
                print(row(what, small, args.fits_rows, "16GB", result, small_sizes), flush=True)


if __name__ == "__main__":
    main()
