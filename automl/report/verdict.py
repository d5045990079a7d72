"""The one-sentence verdict: who wins, by how much, at what time ratio. Pure.

Example:
    >>> gbm = {"approach": "gbm", "test_scores": {"accuracy": 0.87}, "fit_seconds": 20.0}
    >>> deep = {"approach": "deep", "test_scores": {"accuracy": 0.85}, "fit_seconds": 60.0}
    >>> verdict([gbm, deep], "accuracy", "adult")
    'Gradient boosting wins on adult: test accuracy 0.870 against 0.850 for the deep network (2.0 points better), and it took 3.0x less time to train (20s vs 60s).'
"""

from __future__ import annotations

from typing import Any

from ..metrics import LABELS, better, greater_is_better

NAMES = {"gbm": ("Gradient boosting", "gradient boosting"), "deep": ("The deep network", "the deep network")}
CLASSICAL = {"text": ("The classical TF-IDF model", "the classical TF-IDF model")}
UNIT_SCALE = frozenset({"accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2"})
TIE = 1e-9


def verdict(finalists: list[dict[str, Any]], metric: str, dataset: str, modality: str = "tabular") -> str:
    """Classical against deep in one sentence; a second one when the blend of both beats them."""
    head = _head([f for f in finalists if f["approach"] != "blend"], metric, dataset, modality)
    blend = next((f for f in finalists if f["approach"] == "blend"), None)
    score = blend and blend["test_scores"].get(metric)
    others = [f["test_scores"].get(metric) for f in finalists if f["approach"] != "blend"]
    if score is not None and all(better(score, o, metric) for o in others):
        head += f" Averaging the two models' predictions does better still: test {LABELS[metric]} {_num(score)}."
    return head


def _head(finalists: list[dict[str, Any]], metric: str, dataset: str, modality: str) -> str:
    label = LABELS[metric]
    names = NAMES | ({"gbm": CLASSICAL[modality]} if modality in CLASSICAL else {})
    if not finalists:
        return f"No approach produced a model on {dataset}."
    if len(finalists) == 1:
        only = finalists[0]
        return (
            f"Only {names[only['approach']][1]} ran on {dataset} (no comparison); "
            f"its test {label} is {_num(only['test_scores'].get(metric))}."
        )
    a, b = finalists[0], finalists[1]
    win, lose = (a, b) if not better(b["test_scores"].get(metric), a["test_scores"].get(metric), metric) else (b, a)
    ws, ls = win["test_scores"].get(metric), lose["test_scores"].get(metric)
    times = f"({_secs(win['fit_seconds'])} vs {_secs(lose['fit_seconds'])})"
    ratio = lose["fit_seconds"] / max(win["fit_seconds"], 1e-9)
    if ratio >= 1:
        cost = f"it took {ratio:.1f}x less time to train {times}"
    else:
        cost = f"it took {1 / ratio:.1f}x more time to train {times}"
    if ws is not None and ls is None:
        return (
            f"{names[win['approach']][0]} wins on {dataset}: test {label} {_num(ws)}, while "
            f"{names[lose['approach']][1]} has no {label} on these rows; {cost}."
        )
    if ws is None or abs(ws - ls) <= TIE:
        return (
            f"{names['gbm'][0]} and {names['deep'][1]} tie on {dataset} at test {label} {_num(ws)}; "
            f"{names[win['approach']][1]} {cost.replace('it took', 'took')}."
        )
    gap = abs(ws - ls)
    if metric in UNIT_SCALE:
        by = f"{gap * 100:.1f} points better"
    else:
        word = "higher" if greater_is_better(metric) else "lower"
        by = f"{gap:.4g} {word}, {gap / max(abs(ls), 1e-12):.1%} better"
    joiner = "and" if ratio >= 1 else "but"
    return (
        f"{names[win['approach']][0]} wins on {dataset}: test {label} {_num(ws)} against {_num(ls)} for "
        f"{names[lose['approach']][1]} ({by}), {joiner} {cost}."
    )


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"


def _secs(seconds: float) -> str:
    return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"
