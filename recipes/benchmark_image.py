"""Fit the image sets (default: digits_png, cifar10_test) and print a markdown table.

Both approaches' test accuracy, training seconds, training throughput
(images/s over the network's trials), prediction throughput, peak memory and
wall time against the budget. Then the run's test images are copied into a
fresh folder of class sub-folders and ``automl evaluate`` scores the saved
network on it, which must reproduce the test accuracy.

    python recipes/benchmark_image.py --budget digits_png=3m,cifar10_test=10m
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _bench import accuracy, copy_test_files, evaluate, finalist, fmt, folder_and_budgets, run_fit, train_speed

DEFAULT_BUDGETS = "digits_png=3m,cifar10_test=10m"


def main() -> None:
    data, budgets = folder_and_budgets(__doc__.splitlines()[0], DEFAULT_BUDGETS)
    print("| dataset | images | input | GBM acc | network acc | blend acc | GBM s | network s | network train img/s "
          "| network predict img/s | evaluate on folder | peak MB | wall s / budget |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, budget in budgets.items():
            folder = data / name
            if not folder.is_dir():
                continue
            r = run_fit(folder, None, budget, Path(tmp))
            timing = f"{r['wall']:.1f} / {r['budget']:.0f}"
            if r["error"]:
                print(f"| {name} | error: {r['error']} ||||||||||| {timing} |", flush=True)
                continue
            rec = r["record"]
            run_dir = sorted(Path(tmp).glob(f"{name}-*"))[-1]
            g, d, b = finalist(rec, "classical"), finalist(rec, "deep"), finalist(rec, "blend")
            spec = rec["plan"]["inputs"]["image"]
            peak = max(f["peak_memory_mb"] for f in rec["finalists"])
            print(f"| {name} | {rec['split']['train_rows'] + rec['split']['test_rows']:,} | "
                  f"{spec['size']}x{spec['size']}x{spec['channels']} | {accuracy(g)} | {accuracy(d)} | {accuracy(b)} | "
                  f"{fmt(g and g['fit_seconds'], '.1f')} | {fmt(d and d['fit_seconds'], '.1f')} | "
                  f"{train_speed(run_dir)} | {fmt(d and 1000.0 / max(d['predict_ms_per_row'], 1e-9), ',.0f')} | "
                  f"{evaluate(run_dir, copy_test_files(run_dir, folder, Path(tmp) / f'{name}-test'), 'deep')} | {peak:.0f} | {timing} |",
                  flush=True)


if __name__ == "__main__":
    main()
