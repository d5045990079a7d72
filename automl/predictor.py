"""A saved run as a predictor: ``load(run_dir)`` -> ``Predictor``.

Example:
    >>> p = load("runs/iris-20260101-000000")   # doctest: +SKIP
    >>> p.predict_frame("new.csv").head()          # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import registry
from .data import load as load_data
from .data.columns import check_columns
from .data.folders import LABEL_COLUMN
from .data.target import label_text
from .errors import ConfigError, DamagedRunError, DataError
from .metrics import score_output
from .run import integrity
from .run.blend import BlendModel, members_of
from .run.record import RunRecord


@dataclass
class Prepared:
    """Feature rows ready for a model, and what was noticed on the way."""

    X: Any
    frame: Any
    warnings: list[str] = field(default_factory=list)


class Predictor:
    """Predictions from one approach's saved model, with the run's target and classes."""

    def __init__(self, run_dir: Path, record: RunRecord, approach: str, model: Any, refitted: bool = False):
        self.run_dir = run_dir
        self.record = record
        self.approach = approach
        self.model = model
        self.refitted = refitted  # refitted on all rows (test rows included) for deployment
        self.task = record.task
        self.target = record.target
        self.classes_ = record.classes
        self.features = record.features

    def prepare(self, data: Any) -> Prepared:
        dataset = data if hasattr(data, "frame") else load_data(data)
        notes = list(getattr(dataset, "notes", ()))
        modality = registry.modality(self.record.modality)
        frame = modality.prepare(dataset.frame, self.record.kinds, getattr(dataset, "root", None))
        if self.target not in frame.columns and LABEL_COLUMN in frame.columns and LABEL_COLUMN not in self.features:
            frame = frame.rename(columns={LABEL_COLUMN: self.target})  # class sub-folders hold the labels
        extra = check_columns(frame, self.features, ignore=(self.target, LABEL_COLUMN))
        if extra:
            notes.append(f"ignored {len(extra)} column(s) the model does not use: {', '.join(map(repr, extra[:10]))}")
        return Prepared(frame[self.features].reset_index(drop=True), frame, notes)

    def predict(self, data: Any) -> Any:
        """Class labels (as in the training data) or predicted values."""
        import numpy as np

        X = self.prepare(data).X
        if self.task == "regression":
            return np.asarray(self.model.predict(X), dtype=float)
        index = self.model.predict_proba(X).argmax(axis=1)
        return np.asarray(self.classes_, dtype=object)[index]

    def predict_proba(self, data: Any) -> Any:
        if self.task == "regression":
            raise ConfigError("predict_proba is for classification; this run is a regression. Use predict.")
        return self.model.predict_proba(self.prepare(data).X)

    def predict_frame(self, data: Any) -> tuple[Any, list[str]]:
        """A table with the prediction and, for classification, one probability column per class."""
        import numpy as np
        import pandas as pd

        prepared = self.prepare(data)
        if self.task == "regression":
            out = pd.DataFrame({f"predicted_{self.target}": np.asarray(self.model.predict(prepared.X), dtype=float)})
        else:
            proba = self.model.predict_proba(prepared.X)
            labels = np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)]
            out = pd.DataFrame({f"predicted_{self.target}": labels})
            for j, c in enumerate(self.classes_):
                out[f"proba_{c}"] = proba[:, j]
        return out, prepared.warnings

    def evaluate(self, data: Any) -> tuple[dict[str, float | None], list[str]]:
        """Every metric of the task on labelled ``data``; rows without a label are left out."""
        import pandas as pd

        prepared = self.prepare(data)
        if self.target not in prepared.frame.columns:
            raise DataError(f"the data has no target column {self.target!r}; `evaluate` needs labelled rows.")
        y = prepared.frame[self.target]
        keep = y.notna().to_numpy()
        X = prepared.X.loc[keep].reset_index(drop=True)
        notes = list(prepared.warnings)
        if (~keep).sum():
            notes.append(f"{int((~keep).sum())} row(s) without a target value were left out.")
        if self.task == "regression":
            return score_output("regression", y[keep].astype(float).to_numpy(), self.model.predict(X)), notes
        known = {name: i for i, name in enumerate(label_text(self.classes_))}
        labels = pd.Series(label_text(y[keep]))
        unknown = sorted(set(labels) - set(known))
        if unknown:
            raise DataError(f"the data has classes the model never saw: {', '.join(map(repr, unknown[:5]))}.")
        return score_output(self.task, labels.map(known).to_numpy(), self.model.predict_proba(X)), notes


def load(run_dir: str | Path, approach: str = "best") -> Predictor:
    """Restore the predictor of a run directory: ``approach`` best, blend, or one the run trained
    (``classical``, ``deep``, ...; ``gbm`` is read as ``classical``).

    ``best`` is the model the run chose, refitted on all rows when the run did
    that (``run.json``'s ``deployed``); naming an approach gives the model its
    test score belongs to, as trained on the training rows."""
    run_dir = Path(run_dir)
    record = integrity.read_record(run_dir)  # DamagedRunError when run.json is not what `automl fit` wrote
    saved = record.models
    chosen = record.best if approach == "best" else registry.ALIASES.get(approach, approach)
    if chosen is None or chosen not in saved:
        have = ", ".join(["best", *saved]) if saved else "none"
        raise ConfigError(f"run {str(run_dir)!r} has no saved {approach} model; `approach` must be one of: {have}.")
    deployed = record.deployed or {}
    refitted = approach == "best" and bool(deployed.get("refitted")) and deployed.get("approach") == chosen
    paths = saved | deployed.get("models", {}) if refitted else saved
    if chosen == "blend":
        members, weights = _blend_members(run_dir, paths)
        model = BlendModel([_load_model(record, m, run_dir, paths[m]) for m in members], record.task,
                           tuple(members), weights)
    else:
        model = _load_model(record, chosen, run_dir, paths[chosen])
    return Predictor(run_dir, record, chosen, model, refitted)


def _load_model(record: RunRecord, approach: str, run_dir: Path, relative: str) -> Any:
    """The approach's model from ``run_dir / relative``, by its route; whatever a damaged or foreign file makes
    loading raise becomes one ``DamagedRunError`` naming the file."""
    folder = integrity.model_folder(run_dir, relative, f"models.{approach}")
    route = registry.route_spec(record.modality, approach).route()
    integrity.check_files(run_dir, folder, getattr(route, "saves", ()))
    with integrity.loading(run_dir, folder):
        return route.load(folder)


def _blend_members(run_dir: Path, paths: dict[str, str]) -> tuple[list[str], list[float] | None]:
    """The approaches the saved blend averages, each one the run saved, and their weights."""
    folder = integrity.model_folder(run_dir, paths["blend"], "models.blend")
    with integrity.loading(run_dir, folder):
        members, weights = members_of(folder)
    unknown = [m for m in members if m not in paths or m == "blend"]
    if unknown:
        raise DamagedRunError(run_dir, f"{integrity.shown(run_dir, folder / 'blend.json')} names {unknown[0]!r}, "
                                       "a model the run did not save")
    return members, weights
