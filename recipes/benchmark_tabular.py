"""Fit every tabular set in a folder under one budget and print a markdown table.

Each set runs as its own ``automl fit`` process, so the wall time is what a
user would see, start-up included. Sets and target columns come from the
folder's README table (as in ``../shared/data/README.md``).

    python recipes/benchmark_tabular.py --budget 60s
    python recipes/benchmark_tabular.py --folder ../shared/data --budget 2m --only adult,letter

With ``--peers``, each set's automl run is followed by FLAML and AutoGluon
(medium_quality) on exactly its train/test split (the rows of its
``test_predictions.csv`` are the test rows, every other row with a target
trains) under the same budget in seconds and as many threads as automl uses, and
a second table sets the three side by side: the test score in the run's metric
(automl's = its used approach, run.json ``best``), accuracy or R², and the wall
seconds of each process. The peers live in their own virtual environments,
never in the project's; install them once (about 3 minutes, 1.5 GB) with

    bash recipes/peers/setup.sh
    python recipes/benchmark_tabular.py --budget 60s --only titanic,wine --peers

With ``--curve 30s,1m,2m,5m,10m``, each set runs once per budget instead and
one table shows what more time buys: the test score of each approach and of
the model used, and the wall seconds against the budget.

    python recipes/benchmark_tabular.py --only adult --curve 30s,1m,2m,5m,10m

With ``--seeds 0,1,2``, each set runs once per split seed (``automl fit
--seed N``, the peers on that run's split): one split's test rows are few on
a small table (titanic: 178, one row 0.56 points), so a third table gives,
per set, the mean over the seeds of automl, of each peer and of the better
peer on each split, and on how many seeds automl was ahead of it or tied.

    python recipes/benchmark_tabular.py --budget 2m --only titanic,spambase --peers --seeds 0,1,2

With ``--modality text`` (or ``tabular,text``), the README's text sets run instead: each is one CSV with a
text column, which the peers read as AutoGluon and FLAML read any table (AutoGluon finds the text column and
turns it into n-gram features; FLAML is given the same frame).

    python recipes/benchmark_tabular.py --modality text --only sms_spam,sentiment_sentences --budget 3m --peers

With ``--out DIR --reuse``, a set that already has a finished run with the
same budget (and seed) in DIR is not fitted again (its wall seconds are then
the run's own total): the peers can be run later on the runs a first call made.

The venvs go to $AUTOML_PEERS_HOME (default ~/.cache/automl-peers), which
both scripts read; ``--peers-home DIR`` points the benchmark elsewhere. Each
peer runs as ``recipes/peers/run_peer.py`` under its venv's python, with
``--threads`` = the CPU count (automl uses all cores), killed after
3 x budget + 120 s; a peer's failure shows as ``-`` and a line under the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import DEFAULT_FOLDER, finalist, fmt, readme_sets, reused_fit, run_fit, table_of

PEERS = {"flaml": "FLAML", "autogluon": "AutoGluon"}
RUN_PEER = Path(__file__).resolve().parent / "peers" / "run_peer.py"
PEERS_HOME = Path(os.environ.get("AUTOML_PEERS_HOME", Path.home() / ".cache" / "automl-peers"))


def peer_pythons(home: Path) -> dict[str, Path]:
    """peer -> its venv's python; a line on stderr for each one not installed."""
    found = {}
    for peer, label in PEERS.items():
        python = home / peer / "bin" / "python"
        if python.exists():
            found[peer] = python
        else:
            print(f"benchmark: no {label} venv at {home / peer}; run `bash recipes/peers/setup.sh` "
                  f"to install it (skipping {label})", file=sys.stderr)
    return found


def run_peer(python: Path, peer: str, table: Path, r: dict, tmp: Path) -> dict:
    """One peer on the automl run's split and budget: run_peer.py's JSON line, with our own wall seconds."""
    import pandas as pd

    rec = r["record"]
    test = sorted(int(i) for i in pd.read_csv(r["dir"] / "test_predictions.csv")["row"].unique())
    rows = tmp / f"{r['dir'].name}-test-rows.json"
    rows.write_text(json.dumps(test))
    command = [str(python), str(RUN_PEER), "--peer", peer, "--csv", str(table), "--target", rec["target"],
               "--task", rec["task"], "--metric", rec["plan"]["metric"], "--test-rows", str(rows),
               "--budget", str(r["budget"]), "--seed", str(rec.get("seed") or 0),
               "--threads", str(os.cpu_count() or 1)]
    started = time.monotonic()
    try:
        proc = subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=r["budget"] * 3 + 120)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        result = json.loads(lines[-1]) if lines else \
            {"error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    except subprocess.TimeoutExpired:
        result = {"error": f"killed after {r['budget'] * 3 + 120:.0f} s"}
    if result.get("test_rows") not in (None, len(test)):
        result["error"] = f"scored {result['test_rows']} test rows, automl {len(test)}"
    return {**result, "wall": time.monotonic() - started}


def print_peers(rows: list[tuple[str, dict, dict]], seeded: bool = False) -> None:
    """The side-by-side table: (set name, automl's run, {peer: result}) per set, and per seed when ``seeded``."""
    from automl.metrics import greater_is_better

    names = list(PEERS.values())
    print(f"\n| dataset | task | metric | automl | {' | '.join(names)} | also | automl | {' | '.join(names)} "
          f"| automl s | {' s | '.join(names)} s | models |")
    right = "---:|" * (len(names) + 1)
    print("|---|---|---|" + right + "---|" + right + right + "---|")
    errors = []
    for name, r, peers in rows:
        rec = r["record"]
        metric, also = rec["plan"]["metric"], "r2" if rec["task"] == "regression" else "accuracy"
        used = (finalist(rec, rec["best"]) or {}).get("test_scores", {})
        results = [peers.get(p, {}) for p in PEERS]
        cells = []
        for key in (metric, also):
            values = [used.get(key)] + [res.get(key) for res in results]
            known = [v for v in values if v is not None]
            top = (max if greater_is_better(key) else min)(known) if known else None
            cells.append(" | ".join(f"**{fmt(v)}**" if v is not None and v == top and len(known) > 1 else fmt(v)
                                    for v in values))
        walls = " | ".join([f"{r['wall']:.1f}"] + [fmt(res.get("wall"), ".1f") for res in results])
        label = f"{name} (seed {rec.get('seed')})" if seeded else name
        models = ", ".join([rec["best"]] + [str(res.get("model") or "-") for res in results])
        print(f"| {label} | {rec['task']} | {metric} | {cells[0]} | {also} | {cells[1]} | {walls} | {models} |")
        errors += [f"{name} / {PEERS[p]}: {res['error']}" for p, res in peers.items() if res.get("error")]
    for line in errors:
        print(f"- {line}")
    sys.stdout.flush()


def summary_metric(record: dict) -> str:
    """The metric a set's seeds are summarised in: the run's own, R² for RMSE (the same order, and what the peers
    are given), accuracy for runs that recorded none.

    >>> summary_metric({"plan": {"metric": "rmse"}}), summary_metric({"plan": {"metric": "balanced_accuracy"}})
    ('r2', 'balanced_accuracy')
    """
    metric = (record.get("plan") or {}).get("metric") or ("r2" if record.get("task") == "regression" else "accuracy")
    return "r2" if metric == "rmse" else metric


def split_scores(record: dict, peers: dict) -> tuple[float, dict[str, float]] | None:
    """(automl, {peer: score}) in ``summary_metric`` on one split: automl's used approach and each peer that
    finished; None when automl or every peer has no score."""
    key = summary_metric(record)
    ours = (finalist(record, record["best"]) or {}).get("test_scores", {}).get(key)
    theirs = {peer: res[key] for peer, res in peers.items() if res.get(key) is not None}
    return None if ours is None or not theirs else (ours, theirs)


def seed_summary(rows: list[tuple[str, dict, dict]]) -> list[dict]:
    """Per set over its seeds: the seeds scored; the mean (in ``summary_metric``) of automl, of each peer and of
    the better peer on each split; automl's mean lead over that better peer in points (100 x; negative: behind)
    and on how many seeds automl was ahead of it or tied (to 4 decimals, as printed). The better of two peers
    chosen on each split's own test rows is a bar raised by their noise: on a small test set it sits above both.

    >>> run = lambda seed, acc: {"record": {"task": "binary", "best": "classical", "seed": seed, "finalists": [
    ...     {"approach": "classical", "test_scores": {"accuracy": acc}}]}}
    >>> seed_summary([("t", run(0, .80), {"flaml": {"accuracy": .82}, "autogluon": {"accuracy": .78}}),
    ...               ("t", run(1, .85), {"flaml": {"accuracy": .83}, "autogluon": {"error": "x"}})])
    [{'set': 't', 'metric': 'accuracy', 'seeds': 2, 'automl': 0.825, 'peers': {'flaml': 0.825, 'autogluon': 0.78}, \
'better': 0.825, 'points': 0.0, 'ahead_or_tied': 1}]
    """
    from automl.metrics import greater_is_better

    splits: dict[str, list[tuple[float, dict[str, float]]]] = {}
    metrics: dict[str, str] = {}
    for name, run, peers in rows:
        scored = split_scores(run["record"], peers)
        if scored is not None:
            splits.setdefault(name, []).append(scored)
            metrics[name] = summary_metric(run["record"])
    summary = []
    for name, scored in splits.items():
        sign = 1 if greater_is_better(metrics[name]) else -1
        better = [sign * max(sign * v for v in t.values()) for _, t in scored]
        ours, bar = statistics.fmean(o for o, _ in scored), statistics.fmean(better)
        by_peer = {peer: [t[peer] for _, t in scored if peer in t] for peer in PEERS}
        summary.append({"set": name, "metric": metrics[name], "seeds": len(scored), "automl": round(ours, 6),
                        "peers": {p: round(statistics.fmean(v), 6) for p, v in by_peer.items() if v},
                        "better": round(bar, 6), "points": round(100 * sign * (ours - bar), 2),
                        "ahead_or_tied": sum(sign * round(o, 4) >= sign * round(b, 4)
                                             for (o, _), b in zip(scored, better))})
    return summary


def print_seed_summary(rows: list[tuple[str, dict, dict]]) -> None:
    names = list(PEERS.values())
    print(f"\n| dataset | metric | seeds | automl, mean | {', mean | '.join(names)}, mean | better peer per split, "
          "mean | points | automl ahead or tied |")
    print("|---|---|---:|---:|" + "---:|" * len(names) + "---:|---:|---:|")
    for s in seed_summary(rows):
        peers = " | ".join(fmt(s["peers"].get(p)) for p in PEERS)
        print(f"| {s['set']} | {s['metric']} | {s['seeds']} | {s['automl']:.4f} | {peers} | {s['better']:.4f} | "
              f"{s['points']:+.2f} | {s['ahead_or_tied']} of {s['seeds']} |")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--budget", default="60s")
    parser.add_argument("--only", help="comma-separated set names")
    parser.add_argument("--out", type=Path, help="keep the run directories here (default: a temporary folder)")
    parser.add_argument("--peers", action="store_true", help="also run FLAML and AutoGluon on each split")
    parser.add_argument("--curve", help="comma-separated budgets: one run per set and budget, one table")
    parser.add_argument("--reuse", action="store_true",
                        help="use a finished run of the same set and budget already in --out instead of fitting again")
    parser.add_argument("--fit-args", default="",
                        help="more options for every automl fit, in one string: --fit-args=\"--no-compare\"")
    parser.add_argument("--seeds", help="comma-separated split seeds: one run per set and seed (automl fit --seed)")
    parser.add_argument("--modality", default="tabular",
                        help="comma-separated modalities of the README's sets to run, of those that come as one "
                             "CSV: tabular, text (default: %(default)s)")
    parser.add_argument("--peers-home", type=Path, default=PEERS_HOME,
                        help="where recipes/peers/setup.sh put their venvs (default: %(default)s)")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"benchmark: folder not found: {args.folder}")
    sets = {name: target for modality in args.modality.split(",") for name, target in
            readme_sets(args.folder, modality).items()}
    extra = shlex.split(args.fit_args)
    seeds = [int(seed) for seed in args.seeds.split(",")] if args.seeds else [None]
    only = set(args.only.split(",")) if args.only else set(sets)
    if args.curve:
        curve(args.folder, {n: t for n, t in sets.items() if n in only}, args.curve.split(","), args.out, extra)
        return
    pythons = peer_pythons(args.peers_home) if args.peers else {}
    side_by_side = []
    print("| dataset | rows | task | metric | GBM | deep | blend (weights) | used: test | GBM s | deep s "
          "| wall s / budget | within +5% | peak MB |")
    print("|---|---:|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        for name, target in sets.items():
            table = table_of(args.folder, name)
            if name not in only or table is None:
                continue
            for seed in seeds:
                r = fit_one(table, target, args, out, extra, seed)
                row = table_row(name if seed is None else f"{name} (seed {seed})", r)
                print(row, flush=True)
                if pythons and not r["error"]:
                    side_by_side.append((name, r, {p: run_peer(py, p, table, r, Path(tmp))
                                                   for p, py in pythons.items()}))
    if side_by_side:
        print_peers(side_by_side, seeded=args.seeds is not None)
        if len(seeds) > 1:
            print_seed_summary(side_by_side)


def fit_one(table: Path, target: str, args: argparse.Namespace, out: Path, extra: list[str],
            seed: int | None) -> dict:
    """One automl run of ``table`` (on split ``seed`` when given), or the finished one ``--reuse`` finds."""
    seeded = extra + ([] if seed is None else ["--seed", str(seed)])
    reused = args.reuse and args.out and reused_fit(table, args.budget, out, seed)
    return reused or run_fit(table, target, args.budget, out, seeded)


def table_row(label: str, r: dict) -> str:
    """The first table's row for one run."""
    within = "yes" if r["wall"] <= r["budget"] * 1.05 else "NO"
    timing = f"{r['wall']:.1f} / {r['budget']:.0f}"
    if r["error"]:
        return f"| {label} | - | - | - | error: {r['error']} | | | | | | {timing} | {within} | - |"
    rec, metric = r["record"], r["record"]["plan"]["metric"]
    gbm, deep, blend = finalist(rec, "classical"), finalist(rec, "deep"), finalist(rec, "blend")
    used = finalist(rec, rec["best"])
    weights = " ".join(f"{a[0]}{w:.2f}" for a, w in ((rec.get("selection") or {}).get("weights") or {}).items())
    peak = max(f["peak_memory_mb"] for f in rec["finalists"])
    return (f"| {label} | {rec['data']['rows']:,} | {rec['task']} | {metric} | "
            f"{fmt(gbm and gbm['test_scores'][metric])} | {fmt(deep and deep['test_scores'][metric])} | "
            f"{fmt(blend and blend['test_scores'][metric])} ({weights or '-'}) | "
            f"{rec['best']}: {fmt(used and used['test_scores'][metric])} | "
            f"{fmt(gbm and gbm['fit_seconds'], '.1f')} | {fmt(deep and deep['fit_seconds'], '.1f')} | "
            f"{timing} | {within} | {peak:.0f} |")


def curve(folder: Path, sets: dict[str, str], budgets: list[str], out: Path | None, extra: list[str]) -> None:
    """Score against budget: each set at each budget, one row per run."""
    print("| dataset | budget | metric | GBM | deep | used: test | wall s / budget | within +5% |")
    print("|---|---:|---|---:|---:|---|---:|---|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, target in sets.items():
            table = table_of(folder, name)
            if table is None:
                continue
            for budget in budgets:
                r = run_fit(table, target, budget, out or Path(tmp), extra)
                timing = f"{r['wall']:.1f} / {r['budget']:.0f}"
                within = "yes" if r["wall"] <= r["budget"] * 1.05 else "NO"
                if r["error"]:
                    print(f"| {name} | {budget} | - | error: {r['error']} | | | {timing} | {within} |", flush=True)
                    continue
                rec = r["record"]
                metric = rec["plan"]["metric"]
                gbm, deep, used = finalist(rec, "classical"), finalist(rec, "deep"), finalist(rec, rec["best"])
                print(f"| {name} | {budget} | {metric} | {fmt(gbm and gbm['test_scores'][metric])} | "
                      f"{fmt(deep and deep['test_scores'][metric])} | "
                      f"{rec['best']}: {fmt(used and used['test_scores'][metric])} | {timing} | {within} |", flush=True)


if __name__ == "__main__":
    main()
