"""What the package can train: the modalities it recognises and the routes (approaches) for each.

A route is one module plus one ``RouteSpec`` in ``ROUTES``; a modality is one
package holding a ``Modality`` plus one entry in ``MODALITIES``. Specs name
their class by import path, so the plan and the report read them without
importing anything heavy; a route's module loads when it runs. ``register``
adds a modality or a route at run time (a plugin, a test) and returns a
handle that removes it again. Like Keras' custom objects, the registry is one
per process.

Example:
    >>> [r.approach for r in routes("tabular")], [r.approach for r in routes("tabular", pieces=True)]
    (['classical', 'deep'], ['dask', 'deep'])
    >>> route_spec("tabular", "gbm").noun   # "gbm": the classical approach's name before 0.2
    'gradient boosting'
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError, invalid

KINDS = ("classical", "deep")
ALIASES = {"gbm": "classical"}  # approach names in run directories written before 0.2


@dataclass(frozen=True)
class RouteSpec:
    """One approach on one modality: what it is called, what kind it is, and what it needs from the plan."""

    modality: str
    approach: str  # its name in run directories, on the leaderboard and in --approach
    kind: str  # classical | deep: the verdict sets the best of one kind against the best of the other
    target: Any  # "package.module:Class", imported on first use, or the class itself
    label: str  # what it searches, for the plan
    noun: str  # what a sentence calls it: "gradient boosting", "the deep network"
    share: float = 1.0  # time weight, unless the modality sets one for this approach
    min_seconds: float = 0.0  # with other approaches running, it is skipped when its share is smaller
    shutdown_seconds: float = 0.0  # kept back at the end of the run (a deep-learning backend's exit)
    refits: bool = False  # its route can refit a model on all rows for deployment (``Route.refit``)
    # Its search can continue from the trials it logged (``ctx.previous``), so time other approaches leave
    # unused goes back to it when it is the primary approach (``run.giveback``).
    continues: bool = False
    # What data it trains on: "memory" (every training row in this process), "pieces" (a table too large for
    # memory, read in pieces on Dask: ``data.large``) or "any" (the rows in memory: all, or a large table's sample).
    scale: str = "memory"

    def route(self) -> Any:
        """A new instance of the route class."""
        return _resolve(self.target)()


def _resolve(target: Any) -> Any:
    """``"package.module:name"`` imported, or ``target`` itself."""
    if not isinstance(target, str):
        return target
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


DEEP = {"min_seconds": 20.0, "shutdown_seconds": 3.0, "scale": "any"}  # measured: TensorFlow takes 2-3 s to exit on 2 cores
NETWORK = "the deep network"
ROUTES = (
    RouteSpec("tabular", "classical", "classical", "automl.modalities.tabular.gbm:GBMRoute",
              "gradient boosting and extra trees (XGBoost, HistGradientBoosting, CatBoost if it imports, ExtraTrees; "
              "ridge regression beside them for a regression)",
              "gradient boosting", refits=True,
              continues=True),
    RouteSpec("tabular", "dask", "classical", "automl.modalities.tabular.dask_gbm:DaskGBMRoute",
              "gradient boosting on Dask (xgboost.dask), for tables too large for memory", "gradient boosting",
              min_seconds=10.0, scale="pieces"),
    RouteSpec("tabular", "deep", "deep", "automl.modalities.tabular.mlp:TabularMLPRoute",
              "a deep MLP (Keras Tuner, Hyperband)", NETWORK, **DEEP),
    RouteSpec("text", "classical", "classical", "automl.modalities.text.classical:TextClassicalRoute",
              "TF-IDF n-grams with linear models, naive Bayes and XGBoost", "the classical TF-IDF model", refits=True),
    RouteSpec("text", "deep", "deep", "automl.modalities.text.network:TextNetworkRoute",
              "text networks: an MLP on TF-IDF n-grams, or embeddings with pooling, convolution, GRU or attention "
              "(Keras Tuner)", NETWORK, **DEEP),
    RouteSpec("image", "classical", "classical", "automl.modalities.media.classical:ImageGBMRoute",
              "gradient boosting on image features (thumbnail, oriented gradients, colour histograms)",
              "gradient boosting", refits=True),
    RouteSpec("image", "deep", "deep", "automl.modalities.image.network:ImageNetworkRoute",
              "convolutional networks: plain and residual CNNs with augmentation (Keras Tuner)", NETWORK, **DEEP),
    RouteSpec("audio", "classical", "classical", "automl.modalities.media.classical:AudioGBMRoute",
              "gradient boosting on MFCC statistics", "gradient boosting", refits=True),
    RouteSpec("audio", "deep", "deep", "automl.modalities.audio.network:AudioNetworkRoute",
              "2-D CNNs on a log-mel spectrogram with SpecAugment (Keras Tuner)", NETWORK, **DEEP),
)
MODALITIES = ("automl.modalities.tabular:TABULAR", "automl.modalities.text:TEXT",
              "automl.modalities.image:IMAGE", "automl.modalities.audio:AUDIO")


class Registration:
    """Undoes one ``register`` (restoring what it replaced): call ``remove()``, or use it as a context manager."""

    def __init__(self, table: dict, key: Any, item: Any):
        self.table, self.key, self.replaced = table, key, table.get(key)
        table[key] = item

    def remove(self) -> None:
        if self.replaced is None:
            self.table.pop(self.key, None)
        else:
            self.table[self.key] = self.replaced

    def __enter__(self) -> "Registration":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class Registry:
    """Modalities by name and routes by (modality, approach), in registration order."""

    def __init__(self, modalities: list[Any], specs: tuple[RouteSpec, ...]):
        self._modalities = {m.name: m for m in modalities}
        self._routes = {(r.modality, r.approach): r for r in specs}

    def register(self, item: Any) -> Registration:
        """Add a ``RouteSpec`` or a ``Modality`` (replacing one of the same name)."""
        if not isinstance(item, RouteSpec):
            return Registration(self._modalities, item.name, item)
        if item.kind not in KINDS:
            raise ConfigError(invalid("kind", "classical or deep", item.kind))
        return Registration(self._routes, (item.modality, item.approach), item)

    def modalities(self) -> list[Any]:
        """Every modality, the one asked first when a table could be several first (tabular, the fallback, last)."""
        return sorted(self._modalities.values(), key=lambda m: m.priority)

    def modality(self, name: str) -> Any:
        if name not in self._modalities:
            raise ConfigError(invalid("modality", "one of " + ", ".join(self._modalities), name))
        return self._modalities[name]

    def routes(self, modality: str) -> list[RouteSpec]:
        return [r for (m, _), r in self._routes.items() if m == modality]

    def route(self, modality: str, approach: str) -> RouteSpec:
        found = self._routes.get((modality, ALIASES.get(approach, approach)))
        if found is None:
            names = ", ".join(r.approach for r in self.routes(modality)) or "none"
            raise ConfigError(invalid("approach", f"one of the {modality} approaches ({names})", approach))
        return found


@functools.cache
def default() -> Registry:
    """The process's registry, built on first use from ``MODALITIES`` and ``ROUTES``."""
    return Registry([_resolve(entry) for entry in MODALITIES], ROUTES)


def register(item: Any) -> Registration:
    """Add a route or modality to the process's registry; the handle removes it."""
    return default().register(item)


def modality(name: str) -> Any:
    return default().modality(name)


def modalities() -> list[Any]:
    return default().modalities()


def routes(modality_name: str, pieces: bool = False) -> list[RouteSpec]:
    """The modality's routes for data in memory, or (``pieces``) for a table read in pieces."""
    return [r for r in default().routes(modality_name) if r.scale == "any" or (r.scale == "pieces") == pieces]


def route_spec(modality_name: str, approach: str) -> RouteSpec:
    return default().route(modality_name, approach)
