"""The classical side for images and audio: gradient boosting on hand-made features of each file.

The files are decoded at the run's input spec (from the run's cache when it
holds them), turned into a fixed-width feature table (``MediaKind.featurize``:
thumbnails and oriented gradients for images, MFCC statistics for audio), and
the tabular gradient-boosting search (``routes.gbm``: XGBoost and
HistGradientBoosting) runs on that table, on the same split as the network.

Example:
    >>> MediaGBMRoute("image").search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from ..tabular import gbm
from ...search.base import SearchContext, SearchResult
from .kinds import media


class FeatureModel:
    """A gradient-boosting model over file features; decodes the paths it is given."""

    def __init__(self, inner: Any, kind: str, spec: Any, column: str):
        self.inner = inner
        self.kind = kind
        self.spec = spec
        self.column = column
        self.params = inner.params

    @property
    def name(self) -> str:
        return f"{self.inner.name} on {self.kind} features"

    def _features(self, frame: Any) -> Any:
        kind = media(self.kind)
        return feature_frame(kind.featurize(kind.loader(list(frame[self.column]), self.spec), self.spec))

    def predict_proba(self, frame: Any) -> Any:
        return self.inner.predict_proba(self._features(frame))

    def predict(self, frame: Any) -> Any:
        return self.inner.predict(self._features(frame))

    def save(self, folder: Path) -> None:
        self.inner.save(folder)
        meta = {"kind": self.kind, "spec": self.spec.to_dict(), "column": self.column,
                "features": media(self.kind).features_text}
        (folder / "media.json").write_text(json.dumps(meta), encoding="utf-8")


def feature_frame(values: Any) -> Any:
    import pandas as pd

    return pd.DataFrame(values, columns=[f"f{i}" for i in range(values.shape[1])])


def load(folder: Path) -> FeatureModel:
    meta = json.loads((folder / "media.json").read_text(encoding="utf-8"))
    return FeatureModel(gbm.load(folder), meta["kind"], media(meta["kind"]).spec_class(**meta["spec"]),
                        meta["column"])


class MediaGBMRoute:
    """Gradient boosting on the features of one kind of file."""

    name = "gbm"
    kind = "image"

    @staticmethod
    def finish_seconds(budget: float) -> float:
        return gbm.GBMRoute.finish_seconds(budget)

    def search(self, ctx: SearchContext) -> SearchResult:
        kind = media(self.kind)
        column = ctx.columns_of(kind.column_kind)[0]
        spec = kind.spec_class(**ctx.inputs[kind.name])
        X = feature_frame(kind.featurize(kind.loader(list(ctx.X[column]), spec, ctx.cache.get(kind.name)), spec))

        def improved(model: Any) -> None:
            ctx.improved(FeatureModel(model, kind.name, spec, column))

        inner = dataclasses.replace(ctx, X=X, kinds={name: "numeric" for name in X.columns}, improved=improved,
                                    trials=ctx.trials)
        result = gbm.GBMRoute().search(inner)
        notes = [f"Gradient boosting sees {X.shape[1]} features per {kind.unit[:-1]}: {kind.features_text}."]
        return SearchResult(FeatureModel(result.model, kind.name, spec, column), result.val_score,
                            result.fit_seconds, notes + result.notes)


class ImageGBMRoute(MediaGBMRoute):
    kind = "image"


class AudioGBMRoute(MediaGBMRoute):
    kind = "audio"
