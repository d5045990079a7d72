"""Refit for deployment: the model a user gets, fitted again on every labelled row, test rows included.

The test rows score the model the search chose (that score is the report's);
then, inside the time the plan kept for it, that configuration is fitted
again on the training and test rows together (a blend: each member that can
be). The refitted models go to ``models/deployed/``; ``run.json``'s
``deployed`` maps the approaches to them, and ``predictor.load`` uses them for
``best``. Nothing is replaced until every refit has finished, so a stop or a
failure leaves the scored model in use, never a half-written one.

Example:
    >>> record = deploy(run, best, window)   # doctest: +SKIP
    >>> record["models"]                      # doctest: +SKIP
    {'classical': 'models/deployed/classical'}
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from .. import registry
from ..budget import Deadline
from .approach import Run, context
from .blend import BlendModel
from .results import Finalist
from .rundir import raise_if_full

FOLDER = "models/deployed"


def refitted_approaches(run: Run, best: Finalist) -> list[str]:
    """The approaches a deployment of ``best`` refits: the blend's members, or ``best`` itself."""
    return list(run.record.selection["weights"]) if best.approach == "blend" else [best.approach]


def can_refit(run: Run, best: Finalist) -> bool:
    """Whether any approach of ``best`` has a refit (a network is used as its search left it)."""
    return any(registry.route_spec(run.plan.modality, name).refits for name in refitted_approaches(run, best))


def deploy(run: Run, best: Finalist, window: Deadline) -> dict[str, Any]:
    """Refit ``best`` (each of its members, for the blend) on all rows inside ``window``; what was done, for
    ``run.json``'s ``deployed``."""
    started = time.monotonic()
    names = refitted_approaches(run, best)
    X, y, w = _all_rows(run.split)
    refitted, notes, kept = {}, [], []
    for name in names:
        spec = registry.route_spec(run.plan.modality, name)
        route = spec.route()
        if not spec.refits or not hasattr(route, "refit"):
            kept.append(f"{spec.noun} is used as its search left it, without the test rows: it has no refit for "
                        "deployment")
            continue
        ctx = dataclasses.replace(context(run, name, window), X=X, y=y, trials=[], history=[],
                                  record=lambda _t: None, improved=lambda _m: None, sample_weight=w)
        try:
            found = route.refit(run.trained[name], ctx)
        except Exception as exc:  # a failed refit leaves the scored model in use (a full disk ends the run)
            raise_if_full(exc, run.dir.path)
            kept.append(f"refitting {spec.noun} failed ({type(exc).__name__}: {exc}); the scored model is used")
            continue
        if found is None:
            kept.append(f"no time was left to refit {spec.noun}; the scored model is used")
            continue
        refitted[name] = found.model
        notes.append(found.note)
    notes += [_sentence(k) for k in kept]
    out: dict[str, Any] = {"approach": best.approach, "rows": int(len(y)), "notes": notes}
    if not refitted:
        return out | {"refitted": False, "models": {}, "seconds": round(time.monotonic() - started, 2)}
    models = {name: f"{FOLDER}/{name}" for name in refitted}
    for name, model in refitted.items():
        run.dir.replace_dir(models[name], model.save)
    if best.approach == "blend":
        weights = run.record.selection["weights"]
        run.dir.replace_dir(f"{FOLDER}/blend", BlendModel([], run.plan.task, tuple(weights),
                                                         tuple(weights.values())).save)
        models["blend"] = f"{FOLDER}/blend"
    return out | {"refitted": True, "models": models, "seconds": round(time.monotonic() - started, 2)}


def _all_rows(split: Any) -> tuple[Any, Any, Any]:
    """The training rows followed by the test rows: features, targets and weights (None when rows count alike)."""
    import numpy as np
    import pandas as pd

    X = pd.concat([split.X_train, split.X_test], ignore_index=True)
    w = None if split.w_train is None else np.concatenate([split.w_train, split.w_test])
    return X, np.concatenate([np.asarray(split.y_train), np.asarray(split.y_test)]), w


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."
