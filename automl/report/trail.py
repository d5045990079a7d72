"""The decision trail: what the data looked like, what was planned and why, what was tried, what was left out. Pure.

Built from run.json and trials.jsonl only, so it works for every route and
modality: the search spaces are summarised from the values the trials
actually tried, not from any route's internals.

Example:
    >>> trials = [{"approach": "classical", "model": "xgboost", "status": "ok", "params": {"max_depth": 3}},
    ...           {"approach": "classical", "model": "xgboost", "status": "failed", "error": "boom",
    ...            "params": {"max_depth": 8}}]
    >>> tried(trials)["classical"]["models"]["xgboost"]
    {'trials': 2, 'failed': 1, 'space': {'max_depth': '3 to 8'}}
"""

from __future__ import annotations

from typing import Any

MAX_VALUES = 6  # distinct choices listed per hyperparameter
MAX_FILES = 50


def trail(record: dict[str, Any], trials: list[dict[str, Any]]) -> dict[str, Any]:
    profile = record.get("profile", {})
    plan = record.get("plan", {})
    skipped_files = record.get("skipped_files", []) or []
    return {
        "data": {
            "rows": profile.get("n_rows"), "columns": profile.get("n_columns"),
            "modality": record.get("modality"), "modality_reason": profile.get("modality_reason"),
            "target": record.get("target"), "target_reason": profile.get("target_reason"),
            "task": record.get("task"), "task_reason": profile.get("task_reason"),
            "rows_dropped_missing_target": profile.get("rows_dropped_missing_target", 0),
        },
        "reasons": list(plan.get("reasons", [])),
        "skipped": list(plan.get("skipped", [])),
        "tried": tried(trials),
        "dropped_columns": [
            {"name": c["name"], "kind": c.get("kind"), "reason": c.get("reason", "")}
            for c in profile.get("columns", []) if not c.get("used", True) and c["name"] != record.get("target")
        ],
        "skipped_files": {"count": len(skipped_files), "first": skipped_files[:MAX_FILES]},
        "warnings": list(profile.get("warnings", [])),
        "errors": list(record.get("errors", [])),
    }


def tried(trials: list[dict[str, Any]]) -> dict[str, Any]:
    """Per approach: trial counts, and per model the range or choices of each hyperparameter tried."""
    out: dict[str, Any] = {}
    for t in trials:
        approach = out.setdefault(t["approach"], {"trials": 0, "failed": 0, "models": {}, "errors": []})
        approach["trials"] += 1
        model = approach["models"].setdefault(t.get("model", "?"), {"trials": 0, "failed": 0, "values": {}})
        model["trials"] += 1
        if t.get("status") != "ok":
            approach["failed"] += 1
            model["failed"] += 1
            error = t.get("error")
            if error and error not in approach["errors"] and len(approach["errors"]) < 3:
                approach["errors"].append(error)
        for key, value in (t.get("params") or {}).items():
            if not str(key).startswith("tuner/"):
                model["values"].setdefault(str(key), []).append(value)
    for approach in out.values():
        for model in approach["models"].values():
            model["space"] = {k: span(v) for k, v in model.pop("values").items()}
    return out


def span(values: list[Any]) -> str:
    """The values one hyperparameter took: a range for numbers, the distinct choices otherwise.

    >>> span([0.1, 0.0314, 0.2]), span(["gru", "conv", "gru"]), span([True, False]), span([64])
    ('0.0314 to 0.2', 'conv, gru', 'False, True', '64')
    """
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(values):
        low, high = min(numbers), max(numbers)
        return f"{low:.3g}" if low == high else f"{low:.3g} to {high:.3g}"
    distinct = sorted({str(v) for v in values})
    more = f" and {len(distinct) - MAX_VALUES} more" if len(distinct) > MAX_VALUES else ""
    return ", ".join(distinct[:MAX_VALUES]) + more
