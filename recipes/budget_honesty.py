"""Does ``automl fit`` end inside its budget? Wall seconds of whole ``automl fit`` processes, start-up included.

Each data set runs as its own ``automl fit`` process at each budget (10s, 30s,
60s; 10m too with ``--long``), timed with ``time.monotonic()`` around the
process, so Python's start-up, the imports and the deep-learning backend's
exit all count, as they do for a user. One table: data, budget, wall seconds,
how far over the budget (negative: under), whether that is within +5 %, the
exit code, and where the time went: the run's own clock in run.json (from the
call of ``AutoML.fit`` to the end of the refit), the command's own ``total
time`` (from the process's start to the report written), and the rest of the
wall time (the interpreter's exit, the deep-learning backend's shutdown).

Data: the bundled ``data/breast_cancer.csv``, and from ``--folder`` (default
``../shared/data``) when present: ``adult`` (tabular, 48,842 rows),
``digits_png`` (image folder) and ``sms_spam`` (text).

    python recipes/budget_honesty.py                       # 10s, 30s, 60s on every set found
    python recipes/budget_honesty.py --budgets 10s,30s --only breast_cancer,sms_spam
    python recipes/budget_honesty.py --long                # adds 10m
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from _bench import DEFAULT_FOLDER, readme_sets, run_fit, table_of

REPO = Path(__file__).resolve().parent.parent
TOLERANCE = 0.05  # wall time may exceed the budget by this share and still count as within it
SHARED = {"adult": "tabular", "digits_png": "image", "sms_spam": "text"}


def data_sets(folder: Path) -> list[tuple[str, Path, str | None]]:
    """(name, path, target) for the bundled table and the shared sets that are present, in that order.

    >>> [name for name, _, _ in data_sets(Path("no/such/folder"))]
    ['breast_cancer']
    """
    found = [("breast_cancer", REPO / "data" / "breast_cancer.csv", None)]
    for name, modality in SHARED.items():
        if not (folder / name).is_dir():
            continue
        if modality == "image":
            found.append((name, folder / name, None))  # the class folders, not labels.csv
            continue
        table = table_of(folder, name)
        if table is not None:
            found.append((name, table, readme_sets(folder, modality).get(name)))
    return found


def row(name: str, budget: str, result: dict) -> str:
    """One markdown table row from ``_bench.run_fit``'s result.

    >>> row("wine", "10s", {"wall": 10.4, "budget": 10.0, "code": 0, "record": {"total_seconds": 8.0}, "error": None,
    ...                     "stdout": "total time: 9.9s"})
    '| wine | 10s | 10.4 | +4.0 % | yes | 0 | 8.0 | 9.9 | 0.5 | - |'
    """
    wall, seconds = result["wall"], result["budget"]
    over = (wall - seconds) / seconds
    inside = (result["record"] or {}).get("total_seconds")
    printed = re.search(r"total time: ([\d.]+)s", result.get("stdout") or "")
    command = float(printed.group(1)) if printed else None
    cells = ["-" if v is None else f"{v:.1f}" for v in (inside, command, None if command is None else wall - command)]
    note = result["error"] or "-"
    return (f"| {name} | {budget} | {wall:.1f} | {over * 100:+.1f} % | {'yes' if over <= TOLERANCE else 'no'} | "
            f"{result['code']} | {' | '.join(cells)} | {note} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="the shared data sets (when present)")
    parser.add_argument("--budgets", default="10s,30s,60s", help="comma-separated budgets")
    parser.add_argument("--long", action="store_true", help="add a 10m budget")
    parser.add_argument("--only", help="comma-separated data set names")
    parser.add_argument("--extra", default="", help="more `automl fit` arguments, e.g. '--no-compare'")
    args = parser.parse_args()
    budgets = args.budgets.split(",") + (["10m"] if args.long else [])
    sets = [s for s in data_sets(args.folder) if not args.only or s[0] in args.only.split(",")]
    print("| data | budget | wall s | over budget | within +5 % | exit | run.json s | command total s | after s "
          "| error |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, target in sets:
            for budget in budgets:
                result = run_fit(path, target, budget, Path(tmp) / f"{name}-{budget}", args.extra.split())
                print(row(name, budget, result), flush=True)


if __name__ == "__main__":
    main()
