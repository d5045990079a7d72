"""An ensemble of gradient-boosting models: the search's best configurations, weighted on out-of-fold rows.

Each member is one configuration as a *bag*: its k fold models averaged
(with k-fold validation: the very models whose out-of-fold predictions chose
the weights, so nothing is refitted), or one model (holdout validation:
refitted on all training rows when there is time). The weights come from
greedy ensemble selection (``automl.run.ensemble``). Saved as ``model.json``
(kind ``ensemble``) plus one sub-folder per fitted model, each in its
library's own format.

Example:
    >>> ensemble = GBMEnsemble([(0.6, [m1, m2]), (0.4, [m3])], encoder, "binary", 2)   # doctest: +SKIP
    >>> ensemble.predict_proba(frame)                                                  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...errors import ModelFileError
from ...run.integrity import field, is_number, is_task, is_whole, reading
from ...search.importance import permuted, result
from . import gbm_space


# families with an importance of their own: (method, its name, what it measures)
NATIVE = {
    "xgboost": ("gain", "XGBoost gain", "each column's share of the loss reduction of all splits"),
    "catboost": ("prediction change", "CatBoost's PredictionValuesChange",
                 "how much predictions change with each column's value, as a share of all columns'"),
    "extra_trees": ("impurity", "ExtraTrees' mean decrease in impurity",
                    "each column's share of the impurity its splits removed, averaged over the trees"),
}


class GBMEnsemble:
    """A weighted average of bags of ``GBMModel``s sharing one encoder."""

    def __init__(self, members: list[tuple[float, list[Any]]], encoder: Any, task: str, n_classes: int):
        self.members = members
        self.encoder = encoder
        self.task = task
        self.n_classes = n_classes
        self.params = {"members": [{"weight": w, "family": bag[0].family, "bagged": len(bag), **bag[0].params}
                                   for w, bag in members]}

    @property
    def family(self) -> str:
        """The members' family when they share one, else ``mixed``."""
        families = {bag[0].family for _, bag in self.members}
        return families.pop() if len(families) == 1 else "mixed"

    @property
    def name(self) -> str:
        """``ensemble of 3 xgboost configurations``, or with mixed families, ``ensemble of 3 configurations
        (extra_trees, xgboost)``."""
        if self.family != "mixed":
            return f"ensemble of {len(self.members)} {self.family} configurations"
        families = ", ".join(sorted({bag[0].family for _, bag in self.members}))
        return f"ensemble of {len(self.members)} configurations ({families})"

    @property
    def noun(self) -> str:
        """What a sentence calls it: its members' kinds of model by weight, ``gradient boosting`` when all boost,
        ``ridge regression with gradient boosting`` when ridge holds the most weight (``gbm_space.noun``)."""
        return gbm_space.noun([(bag[0].family, weight) for weight, bag in self.members])

    def output(self, X: Any) -> Any:
        """Probabilities or values for rows already encoded by ``encoder.gbm_frame``."""
        import numpy as np

        total = sum(w for w, _ in self.members)
        return sum(w * np.mean([m.output(X) for m in bag], axis=0) for w, bag in self.members) / total

    def predict_proba(self, frame: Any) -> Any:
        return self.output(self.encoder.gbm_frame(frame))

    def predict(self, frame: Any) -> Any:
        out = self.predict_proba(frame)
        return out if self.task == "regression" else out.argmax(axis=1)

    def feature_importance(self) -> dict[str, float]:
        """XGBoost gain or CatBoost's importance averaged over the members by weight (empty unless every member
        is of one of those families)."""
        if self.family not in NATIVE:
            return {}
        totals: dict[str, float] = {}
        for weight, bag in self.members:
            for model in bag:
                for name, share in model.feature_importance().items():
                    totals[name] = totals.get(name, 0.0) + weight * share / len(bag)
        norm = sum(totals.values()) or 1.0
        return {k: round(v / norm, 5) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}

    def importance(self, X: Any, y: Any, metric: str, seed: int, max_seconds: float,
                   sample_weight: Any = None) -> dict[str, Any]:
        if self.family in NATIVE:
            method, name, meaning = NATIVE[self.family]
            return result(method, list(self.feature_importance().items()),
                          f"{name}: {meaning}, averaged over the ensemble's models by weight.")
        return permuted(self, X, y, self.task, metric, seed, max_seconds, sample_weight)

    def save(self, folder: Path) -> None:
        members = []
        for i, (weight, bag) in enumerate(self.members):
            names = []
            for j, model in enumerate(bag):
                sub = folder / f"m{i}-{j}"
                sub.mkdir()
                model.save(sub)
                names.append(sub.name)
            members.append({"weight": weight, "models": names})
        meta = {"kind": "ensemble", "task": self.task, "n_classes": self.n_classes, "members": members,
                "params": self.params, "encoder": self.encoder.to_dict()}
        (folder / "model.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


def load_ensemble(folder: Path, meta: dict[str, Any], load_one: Any) -> GBMEnsemble:
    """The ensemble saved in ``folder`` (``meta``: its model.json), each model read by ``load_one``;
    ``ModelFileError`` naming the file when model.json or a member is not what ``save`` wrote."""
    from .encoder import TabularEncoder

    path = folder / "model.json"
    task = field(meta, "task", is_task, "binary, multiclass or regression", path)
    n_classes = field(meta, "n_classes", is_whole, "a whole number", path)
    field(meta, "encoder", lambda v: isinstance(v, dict), "an object", path)
    listed = field(meta, "members", lambda v: isinstance(v, list) and bool(v), "a list of members", path)
    for member in listed:
        checked_member(member, path)
    if not sum(m["weight"] for m in listed) > 0:
        raise ModelFileError(path, "has members whose weights sum to 0")
    with reading(path):
        encoder = TabularEncoder.from_dict(meta["encoder"])
    members = [(m["weight"], [load_one(folder / name) for name in m["models"]]) for m in listed]
    for _, bag in members:
        for model in bag:
            if (isinstance(model, GBMEnsemble) or model.task != task
                    or len(model.encoder.gbm_columns) != len(encoder.gbm_columns)):
                raise ModelFileError(path, "lists a member that is not one model of its task over its columns")
    return GBMEnsemble(members, encoder, task, n_classes)


def checked_member(member: Any, path: Path) -> None:
    """One entry of an ensemble's ``members``: a weight (a number >= 0) and its model folders' names
    (``m<i>-<j>``, inside the ensemble's folder); ``ModelFileError`` otherwise.

    >>> checked_member({"weight": 0.5, "models": ["../../elsewhere"]}, Path("model.json"))
    Traceback (most recent call last):
    automl.errors.ModelFileError: model.json lists an unexpected model folder '../../elsewhere' (they are m<i>-<j>)
    """
    field(member, "weight", lambda v: is_number(v) and v >= 0, "a weight of 0 or more", path)
    for name in field(member, "models", lambda v: isinstance(v, list) and bool(v), "a list of model folders", path):
        if not (isinstance(name, str) and re.fullmatch(r"m\d+-\d+", name)):
            raise ModelFileError(path, f"lists an unexpected model folder {name!r} (they are m<i>-<j>)")
