"""Time the approaches leave unused goes back to the primary one, whose search continues where it ended.

An approach's window is an upper bound: a network that stops on its plateau,
or a search out of candidates, hands back the rest. When the searches end with
at least ``MIN_SECONDS`` (and ``MIN_SHARE`` of the budget) left and the
primary approach's route can continue a search (``RouteSpec.continues``: it
skips the trials it logged and starts from its best, as a resumed run does;
gradient boosting takes up the pool of configurations, fold models and all,
that its first pass left in the run's cache), that search runs again in the
time left. The continued model is kept when its
validation score is at least as good as the first one's; otherwise the first
model is put back, and its notes say so. Either way the time counts as the
approach's.

Example:
    >>> finalists = given_back(run, searches, finalists)   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import registry
from ..metrics import better
from ..search.base import continued_key
from .approach import VALIDATION, Run, _fmt, run_approach
from .results import Event, Finalist

MIN_SECONDS = 10.0  # less than this left over is not worth a continued search
MIN_SHARE = 0.1  # nor less than this share of the budget


def worth_it(left: float, budget: float) -> bool:
    """Is ``left`` seconds, of a ``budget``, enough to continue a search?

    >>> worth_it(40.0, 120.0), worth_it(8.0, 60.0), worth_it(12.0, 600.0)
    (True, False, False)
    """
    return left >= max(MIN_SECONDS, MIN_SHARE * budget)


def given_back(run: Run, searches: Any, finalists: list[Finalist]) -> list[Finalist]:
    """``finalists`` with the primary approach's continued (or, when no better, its first) finalist. Either way
    the state searches left for a continued pass (gradient boosting's pool of fold models) is dropped after:
    nothing can continue them, and they hold memory through scoring, refitting and the report."""
    try:
        return _given_back(run, searches, finalists)
    finally:
        for approach in run.plan.approaches:
            run.cache.pop(continued_key(approach.name), None)


def _given_back(run: Run, searches: Any, finalists: list[Finalist]) -> list[Finalist]:
    from .resume import previous_trials

    primary = next((a for a in run.plan.approaches if a.role == "primary"), None)
    left = searches.remaining()
    first = next((f for f in finalists if primary and f.approach == primary.name), None)
    if (first is None or len(run.plan.approaches) < 2 or run.settings.max_trials is not None
            or not worth_it(left, run.plan.budget_seconds)
            or not registry.route_spec(run.plan.modality, primary.name).continues):
        return finalists
    name = primary.name
    before = _state(run, name)
    run.settings.listener(Event("message", approach=name, message=f"{left:.0f}s left unused: {primary.noun} "
                                                                  "searches on from where it ended"))
    previous, further = run.previous.get(name), run.further
    run.previous[name] = previous_trials(run.dir.read_jsonl("trials.jsonl")).get(name, [])
    run.further = True  # search on, do not reuse the model just made
    try:
        continued = run_approach(run, primary, searches.child(None))
    finally:
        run.further = further
        if previous is None:
            run.previous.pop(name, None)
        else:
            run.previous[name] = previous
    given = f"It was given the {left:.0f}s the other approaches left unused, and its search continued from its trials"
    if continued is not None and not better(first.val_score, continued.val_score, run.plan.metric):
        continued.notes.append(f"{given}; the continued model is kept (validation {_fmt(continued.val_score)}, "
                               f"against {_fmt(first.val_score)} before).")
        return [continued if f is first else f for f in finalists]
    spent = run.record.spend.get(name, first.fit_seconds)
    trials = max(first.trials, continued.trials if continued is not None else 0)
    _restore(run, name, before, spent, trials)
    cost = round(first.cost_usd * spent / max(first.fit_seconds, 1e-9), 6)
    note = (f"{given}; it found nothing better on validation ({_fmt(continued and continued.val_score)} against "
            f"{_fmt(first.val_score)}), so the first model is kept.")
    kept = dataclasses.replace(first, fit_seconds=round(spent, 2), trials=trials, cost_usd=cost,
                               notes=[*first.notes, note])
    return [kept if f is first else f for f in finalists]


def _state(run: Run, name: str) -> dict[str, Any]:
    """What a continued search overwrites for ``name``, to put back when it finds nothing better."""
    path = run.dir.path / VALIDATION.format(name=name)
    return {"validation": run.validation.get(name), "output": run.outputs.get(name), "model": run.trained.get(name),
            "searched": dict(run.record.searched.get(name, {})),
            "importance": run.record.feature_importance.get(name), "npz": path.read_bytes() if path.is_file() else None,
            "decision": run.record.decisions.get(name)}


def _restore(run: Run, name: str, before: dict[str, Any], spent: float, trials: int) -> None:
    """The first search's model, predictions and record back in place; its time and trials are both searches'."""
    run.validation[name], run.outputs[name], run.trained[name] = before["validation"], before["output"], before["model"]
    run.dir.replace_dir(f"models/{name}", before["model"].save)
    run.record.models[name] = f"models/{name}"
    if before["npz"] is not None:
        run.dir.write_bytes(VALIDATION.format(name=name), before["npz"])
    run.record.searched[name] = before["searched"] | {"seconds": round(spent, 2), "trials": trials}
    if before["importance"] is not None:
        run.record.feature_importance[name] = before["importance"]
    if before["decision"] is None:
        run.record.decisions.pop(name, None)
    else:
        run.record.decisions[name] = before["decision"]
    run.save()

