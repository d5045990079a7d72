"""Several runs in one report: one row per dataset, classical against deep side by side. Pure.

Each row comes from that run's own report (``build``), so its interval, costs
and verdict are the ones its single report shows.

Example:
    >>> run = {"dataset": "wine", "task": "multiclass", "modality": "tabular", "metric": "accuracy",
    ...        "metric_label": "accuracy", "status": "complete", "verdict": "...", "comparison": None,
    ...        "profile": {"n_rows": 178}, "split": {"test_rows": 36},
    ...        "leaderboard": [{"approach": "gbm", "test_scores": {"accuracy": 0.97}}],
    ...        "costs": {"approaches": {"gbm": {"train_usd": 0.0001, "predict_usd_per_1000": 1e-07}},
    ...                  "prices": {}}}
    >>> table = compare([("wine-20260101", run)])
    >>> table["rows"][0]["gbm_score"], table["rows"][0]["deep_score"], table["summary"]
    (0.97, None, 'Across 1 run: gradient boosting wins 0, the deep network 0; 1 ran one approach only.')
"""

from __future__ import annotations

from typing import Any

from .verdict import UNIT_SCALE


def compare(reports: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """``reports``: (run name, run report) pairs -> the comparison report."""
    from . import SCHEMA_VERSION, _version

    rows = [row(name, report) for name, report in reports]
    prices = reports[0][1]["costs"]["prices"] if reports else {}
    return {"schema_version": SCHEMA_VERSION, "kind": "comparison", "generator": f"automl {_version()}",
            "runs": len(rows), "summary": summary(rows), "prices": prices, "rows": rows}


def row(name: str, report: dict[str, Any]) -> dict[str, Any]:
    metric = report["metric"]
    board = {f["approach"]: f for f in report["leaderboard"]}
    money = report["costs"]["approaches"]
    c = report.get("comparison")
    gbm, deep = (board.get(a, {}).get("test_scores", {}).get(metric) for a in ("gbm", "deep"))
    out: dict[str, Any] = {
        "run": name, "dataset": report["dataset"], "task": report["task"], "modality": report["modality"],
        "status": report["status"], "rows": report.get("profile", {}).get("n_rows"),
        "test_rows": report.get("split", {}).get("test_rows"), "metric": metric,
        "metric_label": report["metric_label"], "gbm_score": gbm, "deep_score": deep,
        "winner": None, "deep_minus_gbm": None, "deep_minus_gbm_points": None, "low_points": None,
        "high_points": None, "significant": None,
        "gbm_train_usd": money.get("gbm", {}).get("train_usd"), "deep_train_usd": money.get("deep", {}).get("train_usd"),
        "gbm_predict_usd_per_1000": money.get("gbm", {}).get("predict_usd_per_1000"),
        "deep_predict_usd_per_1000": money.get("deep", {}).get("predict_usd_per_1000"),
        "train_cost_ratio": None, "predict_cost_ratio": None, "verdict": report["verdict"],
    }
    if c is None:
        return out
    deep_wins = c["winner"] == "deep"
    gain = c["gain"] if deep_wins else -c["gain"]  # positive: the network is better
    out |= {"winner": None if c["tie"] else c["winner"], "deep_minus_gbm": gain, "significant": c["significant"]}
    if c["train_cost_ratio"] is not None:
        out["train_cost_ratio"] = c["train_cost_ratio"] if deep_wins else 1.0 / c["train_cost_ratio"]
    if c["predict_cost_ratio"]:
        out["predict_cost_ratio"] = c["predict_cost_ratio"] if deep_wins else 1.0 / c["predict_cost_ratio"]
    if metric in UNIT_SCALE:
        out["deep_minus_gbm_points"] = round(gain * 100, 4)
        if c["interval"] is not None:
            low, high = c["interval"]["low"], c["interval"]["high"]
            low, high = (low, high) if deep_wins else (-high, -low)
            out["low_points"], out["high_points"] = round(low * 100, 4), round(high * 100, 4)
    return out


def summary(rows: list[dict[str, Any]]) -> str:
    """One sentence: who won how often, and how many gaps are clear of chance."""
    n = len(rows)
    gbm = sum(1 for r in rows if r["winner"] == "gbm")
    deep = sum(1 for r in rows if r["winner"] == "deep")
    single = sum(1 for r in rows if r["gbm_score"] is None or r["deep_score"] is None)
    ties = n - gbm - deep - single
    text = f"Across {n} run{'s' if n != 1 else ''}: gradient boosting wins {gbm}, the deep network {deep}"
    if ties:
        text += f", {ties} tie{'s' if ties != 1 else ''}"
    if single:
        text += f"; {single} ran one approach only"
    clear = [r for r in rows if r["significant"] is not None]
    if clear:
        text += (f"; {sum(1 for r in clear if r['significant'])} of {len(clear)} differences are clear of chance "
                 "(95% paired bootstrap)")
    return text + "."
