"""Fit fsdd (spoken digits) twice and print a markdown table: a random stratified split, then the official split.

1. ``automl fit fsdd/`` on the folder of class sub-folders (the run's own
   random stratified test split), then ``automl evaluate`` of the saved
   network on a fresh folder holding copies of that run's test clips, which
   must reproduce its test accuracy.
2. The official split from ``metadata.csv`` (recordings 0-4 of each speaker
   and digit are the test set): a table of the training clips is fitted, and
   the saved models are evaluated on a table of the official test clips.

Both approaches' accuracy, seconds, clips/s (training, over the network's
trials; prediction, on the test clips), peak memory and wall time.

    python recipes/benchmark_audio.py --budget 5m
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _bench import (DEFAULT_FOLDER, accuracy, copy_test_files, evaluate, finalist, fmt, run_fit,
                    train_speed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--budget", default="5m")
    parser.add_argument("--cases", default="random,official", help="random, official or both (comma-separated)")
    args = parser.parse_args()
    source = args.folder / "fsdd"
    if not source.is_dir():
        sys.exit(f"benchmark: folder not found: {source}")
    print("| case | clips (train+test) | input | GBM acc | network acc | blend acc | GBM s | network s "
          "| network train clips/s | network predict clips/s | evaluate (GBM / network) | peak MB "
          "| wall s / budget |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for case in args.cases.split(","):
            if case == "random":
                r = run_fit(source, None, args.budget, tmp / "runs")
                run_dir = _latest(tmp / "runs", "fsdd")
                check = copy_test_files(run_dir, source, tmp / "random-test") if run_dir else None
            else:
                data, check = _official_tables(source, tmp / "official")
                r = run_fit(data, "label", args.budget, tmp / "runs")
                run_dir = _latest(tmp / "runs", data.stem)
            _row(case, r, run_dir, check)


def _row(case: str, r: dict, run_dir: Path | None, check: Path | None) -> None:
    timing = f"{r['wall']:.1f} / {r['budget']:.0f}"
    if r["error"] or run_dir is None:
        print(f"| {case} | error: {r['error']} ||||||||||| {timing} |", flush=True)
        return
    rec = r["record"]
    g, d, b = finalist(rec, "classical"), finalist(rec, "deep"), finalist(rec, "blend")
    spec = rec["plan"]["inputs"]["audio"]
    peak = max(f["peak_memory_mb"] for f in rec["finalists"])
    evaluated = " / ".join(evaluate(run_dir, check, a) for a in ("classical", "deep")) if check else "-"
    print(f"| {case} | {rec['split']['train_rows'] + rec['split']['test_rows']:,} | "
          f"{spec['seconds']:g}s at {spec['sample_rate']} Hz | {accuracy(g)} | {accuracy(d)} | {accuracy(b)} | "
          f"{fmt(g and g['fit_seconds'], '.1f')} | {fmt(d and d['fit_seconds'], '.1f')} | {train_speed(run_dir)} | "
          f"{fmt(d and 1000.0 / max(d['predict_ms_per_row'], 1e-9), ',.0f')} | {evaluated} | {peak:.0f} | {timing} |",
          flush=True)


def _latest(runs: Path, stem: str) -> Path | None:
    found = sorted(runs.glob(f"{stem}-*"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def _official_tables(source: Path, target: Path) -> tuple[Path, Path]:
    """Copies of the clips with train.csv and test.csv from metadata.csv's ``official_split``."""
    import pandas as pd

    meta = pd.read_csv(source / "metadata.csv")
    target.mkdir(parents=True)
    for path in meta["path"]:
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / path, target / path)
    for split in ("train", "test"):
        meta.loc[meta["official_split"] == split, ["path", "label"]].to_csv(target / f"fsdd_{split}.csv", index=False)
    return target / "fsdd_train.csv", target / "fsdd_test.csv"


if __name__ == "__main__":
    main()
