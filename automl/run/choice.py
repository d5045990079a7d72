"""Which finalist a user gets: chosen on validation, the simpler model unless another is clearly better.

Every finalist is scored on the training rows all of them predicted out of
sample (``automl.run.ensemble``); the test rows choose nothing. The highest
score there would decide on a few rows of a small table: on breast_cancer
(455 validation rows) the network led gradient boosting by three rows, was
used, and scored .930 on the test rows against gradient boosting's .974. So
a network that leads a classical approach (cheaper to run, with no
accelerator) is used only when a paired bootstrap of the difference on
those rows (``automl.report.bootstrap``) puts its 95% interval clear of
zero; otherwise the earliest classical finalist it is not clearly ahead of
is used. Between approaches of one kind the better score decides.
The blend, when it scores highest, is used as before: its gain, though
seldom clear of noise on a half of a small table, held on the rows that did
not choose (``recipes/choice_rule.py``: choosing the blend only when it was
clearly ahead lost 120 of 42,700 RMSE on california_housing, 1.6 of 515 on
diamonds). Pure: the caller hands in how to measure a gap.

Example:
    >>> from automl.run.results import Finalist
    >>> gbm = Finalist("classical", "xgboost", {}, {}, 0.971, 1, 1, 1, 1, 1, 0, kind="classical",
    ...                noun="gradient boosting", selection_score=0.971)
    >>> net = Finalist("deep", "mlp", {}, {}, 0.978, 1, 1, 1, 1, 1, 0, kind="deep", noun="the deep network",
    ...                selection_score=0.978)
    >>> unclear = lambda a, b: {"difference": 0.007, "low": -0.004, "high": 0.018, "level": 0.95, "rows": 455}
    >>> picked = choose([gbm, net], "accuracy", unclear)
    >>> picked.approach, picked.leader
    ('classical', 'deep')
    >>> print(picked.why)
    the deep network led on validation (accuracy 0.978 against 0.971) but not clearly: the 95% \
interval of the difference, -0.4 to +1.8 points on 455 rows, includes zero, so the simpler gradient boosting is used
    >>> choose([gbm, net], "accuracy", lambda a, b: {"low": 0.001, "high": 0.02, "level": 0.95}).approach
    'deep'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..metrics import LABELS, better, greater_is_better
from .results import Finalist

LEVEL = 0.95  # the bootstrap interval that must clear zero for a later finalist to be used over an earlier one
SIMPLEST_FIRST = ("classical", "deep")  # kinds of approach, the simpler (cheaper to run, no accelerator) first
POINTS = frozenset({"accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2"})  # said in points (x 100)

Gap = Callable[[str, str], "dict[str, Any] | None"]


@dataclass
class Choice:
    """The finalist used (``approach``), the one with the best validation score (``leader``), and why, in a clause."""

    approach: str
    leader: str
    why: str = ""
    difference: dict[str, Any] | None = field(default=None)  # leader minus used on the shared rows, when they differ

    def to_dict(self) -> dict[str, Any]:
        return {"used": self.approach, "leader": self.leader, "why": self.why, "difference": self.difference}


def choose(finalists: list[Finalist], metric: str, gap: Gap | None = None) -> Choice:
    """The finalist a user gets, chosen on validation, never on the test rows: the highest score on the rows
    every finalist predicted, else (some have none) the highest of each route's own validation score, else the
    first; a tie keeps the earlier, so the blend must beat its members to be chosen. ``gap(a, b)``, where
    given, is the paired bootstrap of ``metric(a) - metric(b)`` on the shared rows (None when it cannot be
    measured): a leader that is not the blend gives way to the earliest finalist it is not clearly ahead of.

    >>> a = Finalist("classical", "xgboost", {}, {"accuracy": 0.80}, 0.90, 1, 1, 1, 1, 1, 0, selection_score=0.9)
    >>> b = Finalist("deep", "network", {}, {"accuracy": 0.99}, 0.85, 1, 1, 1, 1, 1, 0, selection_score=0.8)
    >>> choose([a, b], "accuracy").approach
    'classical'
    """
    for key in ("selection_score", "val_score"):
        if all(getattr(f, key) is not None for f in finalists):
            best = finalists[0]
            for f in finalists[1:]:
                if better(getattr(f, key), getattr(best, key), metric):
                    best = f
            if key == "selection_score" and gap is not None and best.kind != "blend":
                return _simplest(finalists, best, metric, gap)
            return Choice(best.approach, best.approach)
    return Choice(finalists[0].approach, finalists[0].approach)


def _simplest(finalists: list[Finalist], best: Finalist, metric: str, gap: Gap) -> Choice:
    """The earliest finalist of a simpler kind than ``best`` (a classical one before a network; never the blend)
    that ``best`` is not clearly ahead of by ``gap``; ``best`` if there is none. Two approaches of one kind have
    no such order: the better score decides between them."""
    for f in finalists:
        if f is best:
            break
        if not _simpler(f.kind, best.kind):
            continue
        found = gap(best.approach, f.approach)
        if found is None or found.get("low") is None or _clearly_ahead(found, metric):
            continue
        return Choice(f.approach, best.approach, _why(best, f, metric, found), found)
    return Choice(best.approach, best.approach)


def _simpler(kind: str, than: str) -> bool:
    """Whether an approach of ``kind`` is simpler than one of ``than``: classical than deep; nothing than a blend's."""
    return kind in SIMPLEST_FIRST and than in SIMPLEST_FIRST and SIMPLEST_FIRST.index(kind) < SIMPLEST_FIRST.index(than)


def _clearly_ahead(found: dict[str, Any], metric: str) -> bool:
    """Whether the interval of ``metric(leader) - metric(other)`` lies wholly on the leader's side of zero."""
    return found["low"] > 0.0 if greater_is_better(metric) else found["high"] < 0.0


def _why(best: Finalist, used: Finalist, metric: str, found: dict[str, Any]) -> str:
    if metric in POINTS:
        interval = f"{100 * found['low']:+.1f} to {100 * found['high']:+.1f} points"
    else:
        interval = " to ".join(f"{v:+.3g}" if abs(v) < 10 else f"{v:+,.0f}" for v in (found["low"], found["high"]))
    rows = f" on {found['rows']:,} rows" if found.get("rows") else ""
    spans = "includes zero" if found["low"] <= 0.0 <= found["high"] else "does not put it ahead"
    return (f"{_name(best)} led on validation ({LABELS[metric]} {_num(best.selection_score)} against "
            f"{_num(used.selection_score)}) but not clearly: the {found.get('level', LEVEL):.0%} interval of the "
            f"difference, {interval}{rows}, {spans}, so the simpler {_name(used)} is used")


def _name(f: Finalist) -> str:
    return f.noun or f.approach


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"
