"""Shared pieces of the benchmark recipes: find the sets, run ``automl fit`` on one, read its run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def readme_sets(folder: Path, modality: str) -> dict[str, str]:
    """name -> target column, from README rows like `| name | modality | task | `col` ... |`."""
    readme = folder / "README.md"
    if not readme.exists():
        return {}
    found = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 3 and cells[1] == modality:
            match = re.search(r"`([^`]+)`", cells[3])
            if match:
                found[cells[0]] = match.group(1)
    return found


def table_of(folder: Path, name: str) -> Path | None:
    tables = sorted((folder / name).glob("*.csv")) + sorted((folder / name).glob("*.parquet"))
    return tables[0] if len(tables) == 1 else None


def run_fit(table: Path, target: str | None, budget: str, out: Path, extra: list[str] | None = None) -> dict:
    """Run ``automl fit`` as its own process; returns wall seconds, budget, error, run.json, the run folder, the
    exit code and what it printed."""
    from automl.budget import parse_budget

    command = [sys.executable, "-m", "automl", "fit", str(table), "--budget", budget, "--out", str(out), "--quiet"]
    command += (["--target", target] if target else []) + (extra or [])
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True)
    row = {"wall": time.monotonic() - started, "budget": parse_budget(budget), "error": None, "record": None,
           "dir": None, "code": proc.returncode, "stdout": proc.stdout}
    runs = sorted(out.glob(f"{table.stem}-*"), key=lambda p: p.stat().st_mtime)
    if proc.returncode != 0 or not runs:
        row["error"] = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    else:
        row["record"], row["dir"] = json.loads((runs[-1] / "run.json").read_text()), runs[-1]
    return row


def reused_fit(table: Path, budget: str, out: Path, seed: int | None = None) -> dict | None:
    """The newest finished run of ``table`` in ``out`` made with ``budget`` (and split ``seed`` when given), as
    ``run_fit`` returns it (its wall seconds are the run's own total, which leaves out process start-up); None
    when there is none."""
    from automl.budget import parse_budget

    for run in sorted(out.glob(f"{table.stem}-*"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            record = json.loads((run / "run.json").read_text())
        except (OSError, ValueError):
            continue
        seeded = seed is None or record.get("seed") == seed
        if record.get("budget_seconds") == parse_budget(budget) and record.get("status") == "complete" and seeded:
            return {"wall": record.get("total_seconds") or 0.0, "budget": parse_budget(budget), "error": None,
                    "record": record, "dir": run, "code": 0, "stdout": ""}
    return None


def finalist(record: dict, approach: str) -> dict | None:
    return next((f for f in record["finalists"] if f["approach"] == approach), None)


def fmt(value, spec: str = ".4f") -> str:
    return "-" if value is None else format(value, spec)


def accuracy(f: dict | None) -> str:
    """A finalist's test accuracy as a table cell."""
    return fmt(f and f["test_scores"].get("accuracy"))


def train_speed(run_dir: Path) -> str:
    """Items per second over the network's trials (epochs x items / trial seconds, averaged)."""
    speeds = [json.loads(line)["extra"].get("rows_per_second") for line in
              (run_dir / "trials.jsonl").read_text().splitlines() if line.strip()]
    speeds = [s for s in speeds if s]
    return f"{sum(speeds) / len(speeds):,.0f}" if speeds else "-"


def copy_test_files(run_dir: Path, source: Path, target: Path) -> Path:
    """The run's test files (images or clips of folder ``source``), copied into class folders under ``target``."""
    import shutil

    import pandas as pd

    from automl.data.folders import read_folder

    listing = read_folder(source).frame
    rows = pd.read_csv(run_dir / "test_predictions.csv")["row"].unique()
    for path, label in listing.iloc[rows][["path", "label"]].itertuples(index=False):
        (target / label).mkdir(parents=True, exist_ok=True)
        shutil.copy(source / path, target / label / Path(path).name)
    return target


def evaluate(run_dir: Path, data: Path, approach: str) -> str:
    """``automl evaluate`` of one saved approach on ``data``: its accuracy, or the error line."""
    proc = subprocess.run([sys.executable, "-m", "automl", "evaluate", str(run_dir), str(data), "--approach",
                           approach], capture_output=True, text=True)
    if proc.returncode != 0:
        return "error: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
    for line in proc.stdout.splitlines():
        if line.strip().startswith("accuracy"):
            return line.split()[-1]
    return "-"


def folder_and_budgets(description: str, defaults: str, names: Any = None) -> tuple[Path, dict[str, str]]:
    """``--folder`` and ``--budget`` from the command line: the data folder and name -> budget.

    ``--budget`` is ``name=budget,...`` or one budget for every set in ``names``
    (default: the names in ``defaults``, itself ``name=budget,...``).
    """
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--budget", default=defaults, help="one budget for all, or name=budget,...")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"benchmark: folder not found: {args.folder}")
    if "=" in args.budget:
        return args.folder, dict(item.split("=", 1) for item in args.budget.split(","))
    names = names(args.folder) if callable(names) else [n.split("=")[0] for n in defaults.split(",")]
    return args.folder, {name: args.budget for name in names}
