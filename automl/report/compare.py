"""Several runs in one report: one row per dataset, the best classical model against the best deep one. Pure.

Each row comes from that run's own report (``build``), so its pair, interval,
costs and verdict are the ones its single report shows.

Example:
    >>> run = {"dataset": "wine", "task": "multiclass", "modality": "tabular", "metric": "accuracy",
    ...        "metric_label": "accuracy", "status": "complete", "verdict": "...", "comparison": None,
    ...        "profile": {"n_rows": 178}, "split": {"test_rows": 36},
    ...        "leaderboard": [{"approach": "classical", "kind": "classical", "test_scores": {"accuracy": 0.97}}],
    ...        "costs": {"approaches": {"classical": {"train_usd": 0.0001, "predict_usd_per_1000": 1e-07}},
    ...                  "prices": {}}}
    >>> table = compare([("wine-20260101", run)])
    >>> table["rows"][0]["classical_score"], table["rows"][0]["deep_score"], table["summary"]
    (0.97, None, 'Across 1 run: the classical model wins 0, the deep one 0; 1 ran one kind only.')
"""

from __future__ import annotations

from typing import Any

from .verdict import UNIT_SCALE, kind_of, pair


def compare(reports: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """``reports``: (run name, run report) pairs -> the comparison report."""
    from . import SCHEMA_VERSION, _version

    rows = [row(name, report) for name, report in reports]
    prices = reports[0][1]["costs"]["prices"] if reports else {}
    return {"schema_version": SCHEMA_VERSION, "kind": "comparison", "generator": f"automl {_version()}",
            "runs": len(rows), "summary": summary(rows), "prices": prices, "rows": rows}


def row(name: str, report: dict[str, Any]) -> dict[str, Any]:
    metric = report["metric"]
    money = report["costs"]["approaches"]
    c = report.get("comparison")
    best = {kind: next((f for f in pair(report["leaderboard"], metric) if kind_of(f) == kind), {})
            for kind in ("classical", "deep")}
    out: dict[str, Any] = {
        "run": name, "dataset": report["dataset"], "task": report["task"], "modality": report["modality"],
        "status": report["status"], "rows": report.get("profile", {}).get("n_rows"),
        "test_rows": report.get("split", {}).get("test_rows"), "metric": metric,
        "metric_label": report["metric_label"], "winner": None, "deep_minus_classical": None,
        "deep_minus_classical_points": None, "low_points": None, "high_points": None, "significant": None,
        "train_cost_ratio": None, "predict_cost_ratio": None, "verdict": report["verdict"],
    }
    for kind, f in best.items():
        spent = money.get(f.get("approach"), {})
        out |= {f"{kind}_approach": f.get("approach"), f"{kind}_score": f.get("test_scores", {}).get(metric),
                f"{kind}_train_usd": spent.get("train_usd"),
                f"{kind}_predict_usd_per_1000": spent.get("predict_usd_per_1000")}
    if c is None or {c["winner_kind"], c["loser_kind"]} != {"classical", "deep"}:
        return out
    deep_wins = c["winner_kind"] == "deep"
    gain = c["gain"] if deep_wins else -c["gain"]  # positive: the network is better
    out |= {"winner": None if c["tie"] else c["winner_kind"], "deep_minus_classical": gain,
            "significant": c["significant"]}
    if c["train_cost_ratio"] is not None:
        out["train_cost_ratio"] = c["train_cost_ratio"] if deep_wins else 1.0 / c["train_cost_ratio"]
    if c["predict_cost_ratio"]:
        out["predict_cost_ratio"] = c["predict_cost_ratio"] if deep_wins else 1.0 / c["predict_cost_ratio"]
    if metric in UNIT_SCALE:
        out["deep_minus_classical_points"] = round(gain * 100, 4)
        if c["interval"] is not None:
            low, high = c["interval"]["low"], c["interval"]["high"]
            low, high = (low, high) if deep_wins else (-high, -low)
            out["low_points"], out["high_points"] = round(low * 100, 4), round(high * 100, 4)
    return out


def summary(rows: list[dict[str, Any]]) -> str:
    """One sentence: which kind won how often, and how many gaps are clear of chance."""
    n = len(rows)
    classical = sum(1 for r in rows if r["winner"] == "classical")
    deep = sum(1 for r in rows if r["winner"] == "deep")
    single = sum(1 for r in rows if r["classical_score"] is None or r["deep_score"] is None)
    ties = n - classical - deep - single
    text = f"Across {n} run{'s' if n != 1 else ''}: the classical model wins {classical}, the deep one {deep}"
    if ties:
        text += f", {ties} tie{'s' if ties != 1 else ''}"
    if single:
        text += f"; {single} ran one kind only"
    clear = [r for r in rows if r["significant"] is not None]
    if clear:
        text += (f"; {sum(1 for r in clear if r['significant'])} of {len(clear)} differences are clear of chance "
                 "(95% paired bootstrap)")
    return text + "."
