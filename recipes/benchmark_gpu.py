"""Fit the deep modalities' reference sets on one device and print one table, with another device's figures beside.

The sets and budgets of the GPU issue: digits_png 3 min, cifar10_test 10 min,
sms_spam and fsdd 5 min each (``--budget`` changes them, ``--only`` picks
some). Per set: both approaches' test accuracy, the wall seconds against the
budget (within +5 %?), which device and Keras backend the networks used, the
networks' training throughput over all their trials, the GPU's utilisation
while they trained (the trials' means weighted by their seconds, and the
peak), the utilisation over the whole run (sampled here every second) and the
most GPU memory in use. ``--save FILE`` writes the rows as JSON after each
set; ``--beside FILE`` puts the figures such a file holds (the same sets on
another device) in the last columns; ``--show FILE`` prints a saved file's table.

On this machine (the CPU figures), then on the GPU machine (``../shared/device``):

    python recipes/benchmark_gpu.py --device cpu --save recipes/results/deep_cpu.json
    bash .device/run.sh python recipes/benchmark_gpu.py --folder .device/data --device gpu \\
        --beside recipes/results/deep_cpu.json --save "$OUT/deep_gpu.json" --out "$OUT/runs"
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from _bench import DEFAULT_FOLDER, finalist, fmt, run_fit

BUDGETS = "digits_png=3m,cifar10_test=10m,sms_spam=5m,fsdd=5m"
TABLES = {"sms_spam": ("sms_spam.csv", "label")}  # sets that are one table: its file and target; others are folders


def measure(folder: Path, name: str, budget: str, device: str, out: Path) -> dict:
    """One ``automl fit`` of set ``name`` with the GPU sampled while it runs; the row the table and JSON show."""
    from automl.run.meters import GpuMeter

    table, target = TABLES.get(name, (None, None))
    data = folder / name / table if table else folder / name
    with GpuMeter(interval=1.0) as meter:
        r = run_fit(data, target, budget, out, ["--device", device])
    whole = meter.summary()
    row = {"set": name, "budget": r["budget"], "wall": round(r["wall"], 1), "error": r["error"],
           "within": r["wall"] <= 1.05 * r["budget"], "gpu_util_run_mean": whole.get("gpu_util_mean"),
           "gpu_util_run_max": whole.get("gpu_util_max"), "gpu_memory_peak_mb": whole.get("gpu_memory_peak_mb")}
    if r["error"]:
        return row
    return row | network_figures(r["record"], r["dir"])


def network_figures(record: dict, run_dir: Path) -> dict:
    """Test accuracies, where the networks trained, and their speed and GPU use from the run's trials."""
    from automl.registry import modality
    from automl.report.speed import speed

    lines = (run_dir / "trials.jsonl").read_text(encoding="utf-8").splitlines()
    unit = modality(record["modality"]).unit
    deep = speed([json.loads(line) for line in lines if line.strip()], unit)["approaches"].get("deep", {})
    hardware = record["hardware"]
    on_gpu = bool(hardware.get("gpu_name")) and hardware.get("backend_gpu", True)
    g, d = finalist(record, "classical"), finalist(record, "deep")
    return {"classical": g and g["test_scores"].get("accuracy"), "deep": d and d["test_scores"].get("accuracy"),
            "device": hardware.get("gpu_name") if on_gpu else "CPU", "backend": hardware.get("backend", ""),
            "unit": unit, "per_second": deep.get("per_second"), "network_seconds": deep.get("seconds"),
            "gpu_util_train_mean": deep.get("gpu_util_mean"), "gpu_util_train_max": deep.get("gpu_util_max")}


def line(row: dict, beside: dict | None) -> str:
    """The row as a markdown table line (``beside``: the same set's row from the other file, or None)."""
    b = beside or {}
    timing = f"{fmt(row['wall'], '.1f')} / {row['budget']:.0f}"
    other = (f" {fmt(b.get('deep'))} | {fmt(b.get('wall'), '.1f')} | {fmt(b.get('per_second'), ',.0f')} |"
             if beside is not None else "")
    if row["error"]:
        return f"| {row['set']} | error: {row['error']} | | | {timing} | | | | | | |{other}"
    unit = row["unit"]
    return (f"| {row['set']} | {row['device']} ({row['backend']}) | {fmt(row['classical'])} | {fmt(row['deep'])} | "
            f"{timing} | {'yes' if row['within'] else 'no'} | {fmt(row['per_second'], ',.0f')} {unit}/s | "
            f"{fmt(row['gpu_util_train_mean'], '.0f')} / {fmt(row['gpu_util_train_max'], '.0f')} | "
            f"{fmt(row['gpu_util_run_mean'], '.0f')} / {fmt(row['gpu_util_run_max'], '.0f')} | "
            f"{fmt(row['gpu_memory_peak_mb'], ',.0f')} |{other}")


def header(beside: str | None) -> str:
    extra = " beside: network acc | beside: wall s | beside: network /s |" if beside else ""
    rule = "---:|---:|---:|" if beside else ""
    return ("| set | networks on (backend) | GBM acc | network acc | wall s / budget | within +5% | network "
            "training throughput | GPU % while training, mean / peak | GPU % whole run, mean / peak | "
            f"GPU memory peak MiB |{extra}\n|---|---|---:|---:|---:|---|---:|---:|---:|---:|{rule}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--budget", default=BUDGETS, help="name=budget,... (default: %(default)s)")
    parser.add_argument("--only", help="comma-separated set names, in the order to run them")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "gpu"))
    parser.add_argument("--save", type=Path, help="write the rows as JSON here after each set")
    parser.add_argument("--beside", type=Path, help="a JSON file --save wrote on another device")
    parser.add_argument("--out", type=Path, help="keep the run directories here (default: a temporary folder)")
    parser.add_argument("--show", type=Path, help="print the table of a JSON file --save wrote, run nothing")
    args = parser.parse_args()
    beside = {r["set"]: r for r in json.loads(args.beside.read_text())["rows"]} if args.beside else None
    if args.show:
        print(header(args.beside and str(args.beside)))
        for row in json.loads(args.show.read_text())["rows"]:
            print(line(row, None if beside is None else beside.get(row["set"], {})))
        return
    budgets = dict(item.split("=", 1) for item in args.budget.split(","))
    names = args.only.split(",") if args.only else list(budgets)
    missing = [n for n in names if not (args.folder / n).is_dir()]
    if missing:
        sys.exit(f"benchmark: not in {args.folder}: {', '.join(missing)} (--folder names the data folder)")
    unknown = [n for n in names if n not in budgets]
    if unknown:
        sys.exit(f"benchmark: no budget for {', '.join(unknown)}: add name=budget to --budget")
    print(header(args.beside and str(args.beside)), flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            rows.append(measure(args.folder, name, budgets[name], args.device, out))
            print(line(rows[-1], None if beside is None else beside.get(name, {})), flush=True)
            if args.save:
                args.save.parent.mkdir(parents=True, exist_ok=True)
                args.save.write_text(json.dumps({"device": args.device, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
