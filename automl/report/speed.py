"""How fast the network searches trained and how busy the device was: per trial and per approach. Pure.

Built from trials.jsonl, whose network trials record their epochs, the
examples they trained on per second (``rows_per_second``) and, on a machine
with an NVIDIA GPU, the GPU's utilisation (mean and peak, sampled from
``nvidia-smi`` while the trial ran) and its peak memory in use. Trials that
recorded none of these (gradient boosting's) are left out.

The approach's throughput is every example trained on divided by the
trials' seconds, and its GPU utilisation is the trials' means weighted by
their seconds: the mean over training time, not over trials.

Example:
    >>> trials = [{"approach": "deep", "model": "cnn", "seconds": 10.0, "status": "ok",
    ...            "extra": {"epochs": 2, "rows_per_second": 900.0, "gpu_util_mean": 90.0, "gpu_util_max": 99.0}},
    ...           {"approach": "deep", "model": "cnn", "seconds": 30.0, "status": "ok",
    ...            "extra": {"epochs": 6, "rows_per_second": 1000.0, "gpu_util_mean": 70.0, "gpu_util_max": 95.0}},
    ...           {"approach": "classical", "model": "xgboost", "seconds": 1.0, "extra": {"rounds": 40}}]
    >>> s = speed(trials, "images")
    >>> s["approaches"]["deep"]
    {'trials': 2, 'seconds': 40.0, 'per_second': 975.0, 'gpu_util_mean': 75.0, 'gpu_util_max': 99.0, \
'gpu_memory_peak_mb': None}
    >>> s["unit"], len(s["trials"])
    ('images', 2)
"""

from __future__ import annotations

from typing import Any

MEASURES = ("rows_per_second", "gpu_util_mean")  # a trial that recorded either is shown


def speed(trials: list[dict[str, Any]], unit: str = "rows") -> dict[str, Any]:
    """``unit``: what one example is called (``images``, ``clips``, ``rows``). Returns ``unit``, ``gpu`` (whether
    any trial recorded GPU utilisation), ``trials`` (one row per measured trial, in the order run) and
    ``approaches`` (each approach's totals)."""
    measured = [t for t in trials if any((t.get("extra") or {}).get(k) is not None for k in MEASURES)]
    rows = [_row(t) for t in measured]
    names = list(dict.fromkeys(r["approach"] for r in rows))
    return {"unit": unit, "gpu": any(r["gpu_util_mean"] is not None for r in rows), "trials": rows,
            "approaches": {name: _totals([r for r in rows if r["approach"] == name]) for name in names}}


def _row(trial: dict[str, Any]) -> dict[str, Any]:
    extra = trial.get("extra") or {}
    return {"approach": trial["approach"], "model": str(trial.get("model", "?")), "status": trial.get("status", "ok"),
            "epochs": extra.get("epochs"), "seconds": trial.get("seconds"),
            "per_second": extra.get("rows_per_second"), "gpu_util_mean": extra.get("gpu_util_mean"),
            "gpu_util_max": extra.get("gpu_util_max"), "gpu_memory_peak_mb": extra.get("gpu_memory_peak_mb")}


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = sum(r["seconds"] or 0.0 for r in rows)
    timed = [r for r in rows if r["per_second"] is not None and r["seconds"]]
    busy = [r for r in rows if r["gpu_util_mean"] is not None and r["seconds"]]
    examples = sum(r["per_second"] * r["seconds"] for r in timed)
    return {"trials": len(rows), "seconds": round(seconds, 2),
            "per_second": round(examples / sum(r["seconds"] for r in timed), 1) if timed else None,
            "gpu_util_mean": (round(sum(r["gpu_util_mean"] * r["seconds"] for r in busy)
                                    / sum(r["seconds"] for r in busy), 1) if busy else None),
            "gpu_util_max": _most(r["gpu_util_max"] for r in rows),
            "gpu_memory_peak_mb": _most(r["gpu_memory_peak_mb"] for r in rows)}


def _most(values: Any) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
