"""The classical side for images and audio: gradient boosting on hand-made features of each file.

The files are decoded at the run's input spec (from the run's cache when it
holds them), turned into a fixed-width feature table (the modality's
``featurize``: thumbnails and oriented gradients for images, MFCC statistics
for audio), the table's other columns (numbers, flags, dates, categories:
a patient's age, a recording's device) are put beside them as they are, and
the tabular gradient-boosting search (``tabular.gbm``: XGBoost,
HistGradientBoosting and CatBoost) runs on that table, on the same split as
the network.

Example:
    >>> ImageGBMRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from ... import registry
from ...search.base import Refit, SearchContext, SearchResult
from ...run.integrity import field, read_object, reading
from ...search.importance import result
from ..tabular import gbm

MEDIA = ("image", "audio")  # the modalities whose models are saved with a media.json


class FeatureModel:
    """A gradient-boosting model over file features; decodes the paths it is given."""

    def __init__(self, inner: Any, kind: str, spec: Any, column: str, beside: list[str] | None = None):
        self.inner = inner
        self.kind = kind
        self.spec = spec
        self.column = column
        self.beside = beside or []  # the table's other columns, read as they are
        self.params = inner.params

    @property
    def name(self) -> str:
        return f"{self.inner.name} on {self.kind} features"

    @property
    def noun(self) -> str:
        """What a sentence calls it: the inner model's noun (``gradient boosting``, ``gradient boosting with extra
        trees``)."""
        return self.inner.noun

    def _features(self, frame: Any) -> Any:
        modality = registry.modality(self.kind)
        features = modality.featurize(modality.load(list(frame[self.column]), self.spec), self.spec)
        return feature_frame(features, frame[self.beside])

    def predict_proba(self, frame: Any) -> Any:
        return self.inner.predict_proba(self._features(frame))

    def predict(self, frame: Any) -> Any:
        return self.inner.predict(self._features(frame))

    def importance(self, X: Any, y: Any, metric: str, seed: int, max_seconds: float,
                   sample_weight: Any = None) -> dict[str, Any]:
        """XGBoost's gain, or CatBoost's or ExtraTrees' own importance, per named feature (shuffling engineered
        features would decode every file again)."""
        from ..tabular.ensemble import NATIVE

        modality = registry.modality(self.kind)
        family = getattr(self.inner, "family", None)
        if family not in NATIVE:
            return result(None, [], f"The {self.inner.name} model has no built-in importance, and shuffling "
                                    f"engineered {self.kind} features would decode every test file again; not computed.")
        named = {f"f{i}": name for i, name in enumerate(modality.feature_names(self.spec))}
        ranked = sorted(((named.get(k, k), v) for k, v in self.inner.feature_importance().items()),
                        key=lambda kv: -kv[1])
        method, name, _ = NATIVE[family]
        return result(method, ranked, f"{name} of the engineered {self.kind} features, as shares of the total; "
                                      f"they are {modality.features_text}.")

    def save(self, folder: Path) -> None:
        self.inner.save(folder)
        meta = {"kind": self.kind, "spec": self.spec.to_dict(), "column": self.column,
                "features": registry.modality(self.kind).features_text, "beside": self.beside}
        (folder / "media.json").write_text(json.dumps(meta), encoding="utf-8")


def feature_frame(values: Any, beside: Any = None) -> Any:
    """The engineered features as columns ``f0``, ``f1``, ..., then the columns of ``beside`` (a frame of the
    same rows, or None) as they are."""
    import pandas as pd

    frame = pd.DataFrame(values, columns=[f"f{i}" for i in range(values.shape[1])])
    if beside is None or not len(beside.columns):
        return frame
    return pd.concat([frame, beside.reset_index(drop=True)], axis=1)


def load(folder: Path) -> FeatureModel:
    """The model saved in ``folder`` with its input spec; ``ModelFileError`` naming the file that is missing,
    unreadable or not what ``save`` wrote."""
    path = folder / "media.json"
    meta = read_object(path)
    kind, spec = media_spec(meta, path)
    column = field(meta, "column", lambda v: isinstance(v, str), "a column name", path)
    beside = field(meta, "beside", lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v),
                   "a list of column names", path, [])
    return FeatureModel(gbm.load(folder), kind, spec, column, beside)


def media_spec(meta: dict[str, Any], path: Path) -> tuple[str, Any]:
    """(kind, input spec) of a saved media model (``image`` or ``audio`` and the spec's fields); ``ModelFileError``
    naming ``path`` otherwise.

    >>> media_spec({"kind": "video", "spec": {}}, Path("media.json"))
    Traceback (most recent call last):
    automl.errors.ModelFileError: media.json has kind='video', not image or audio
    """
    kind = field(meta, "kind", lambda v: v in MEDIA, " or ".join(MEDIA), path)
    with reading(path):
        return kind, registry.modality(kind).saved_spec(field(meta, "spec", lambda v: isinstance(v, dict),
                                                              "an object", path))


def _beside(kinds: dict[str, str]) -> list[str]:
    """The table's other columns gradient boosting reads beside the files' features: numbers, flags, dates and
    categories (one named like a feature, ``f3``, is left out: the names would clash).

    >>> _beside({"path": "image", "age": "numeric", "site": "categorical", "f3": "numeric"})
    ['age', 'site']
    """
    import re

    from ..tabular.encoder import ENCODED_KINDS

    return [name for name, kind in kinds.items() if kind in ENCODED_KINDS and not re.fullmatch(r"f\d+", name)]


class MediaGBMRoute:
    """Gradient boosting on the features of one kind of file."""

    kind = "image"
    saves = gbm.GBMRoute.saves + (("media.json",),)

    def load(self, folder: Path) -> FeatureModel:
        return load(folder)

    def finish_seconds(self, budget: float) -> float:
        return gbm.GBMRoute().finish_seconds(budget)

    def search(self, ctx: SearchContext) -> SearchResult:
        modality = registry.modality(self.kind)
        column = ctx.columns_of(modality.column_kind)[0]
        spec = modality.spec(ctx.inputs[modality.name])
        arrays = modality.load(list(ctx.X[column]), spec, ctx.cache.get(modality.name))
        beside = _beside(ctx.kinds)
        X = feature_frame(modality.featurize(arrays, spec), ctx.X[beside])

        def improved(model: Any) -> None:
            ctx.improved(FeatureModel(model, modality.name, spec, column, beside))

        kinds = {name: ctx.kinds.get(name, "numeric") for name in X.columns}
        inner = dataclasses.replace(ctx, X=X, kinds=kinds, improved=improved, trials=ctx.trials)
        found = gbm.GBMRoute(by_classes=False).search(inner)  # boosting first: see GBMRoute
        notes = [f"Gradient boosting sees {X.shape[1] - len(beside)} features per {modality.unit[:-1]}: "
                 f"{modality.features_text}"
                 + (f"; and the table's other columns ({', '.join(beside)}) beside them." if beside else ".")]
        return SearchResult(FeatureModel(found.model, modality.name, spec, column, beside), found.val_score,
                            found.fit_seconds, notes + found.notes, found.val_rows, found.val_output)


    def refit(self, model: FeatureModel, ctx: SearchContext) -> Refit | None:
        """The gradient-boosting model refitted on every file's features (decoded once, from the run's cache)."""
        modality = registry.modality(self.kind)
        arrays = modality.load(list(ctx.X[model.column]), model.spec, ctx.cache.get(modality.name))
        X = feature_frame(modality.featurize(arrays, model.spec), ctx.X[model.beside])
        inner = dataclasses.replace(ctx, X=X, kinds={name: ctx.kinds.get(name, "numeric") for name in X.columns})
        found = gbm.GBMRoute().refit(model.inner, inner)
        return None if found is None else Refit(FeatureModel(found.model, model.kind, model.spec, model.column,
                                                             model.beside), found.note)


class ImageGBMRoute(MediaGBMRoute):
    kind = "image"


class AudioGBMRoute(MediaGBMRoute):
    kind = "audio"
