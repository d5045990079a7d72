"""What the image and audio networks share: arrays from file paths, a timed search, and the saved model.

A media route decodes its column of file paths into arrays (from the run's
cache, or streamed by a ``keras.utils.PyDataset`` when they do not fit in
memory), then ``timed_search`` spends the budget the same way for both:

1. a few timed batches of the default network measure seconds per epoch and
   per trial start;
2. with too few affordable epochs to compare architectures, the default
   network takes the whole budget; otherwise one Hyperband bracket whose
   ``max_epochs`` fits 60 % of it runs, defaults first;
3. the winner trains on, its learning rate lowered on plateaus, until the
   deadline or until it stops improving;
4. with the time that leaves, up to two more networks of the winning
   configuration train from fresh weights, each as the winner was, and their
   mean replaces the winner when it scores better on the validation rows
   (``search.members.grow``);
5. with the time left after them, each network of the model trains again
   from fresh weights on every training row, validation rows included, for
   the epochs and at the learning rates behind its weights
   (``search.members.refit``, as deep tabular and gradient boosting refit on a
   holdout); the validation score and predictions stay those from before.

Example:
    >>> ImageNetworkRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ... import registry
from ...errors import ModelFileError
from ...run import integrity
from ...search import members, timed, tuner
from ...search.base import SearchContext, SearchResult
from ...search.networks import NetworkModel, Targets, read_network, whole_batches
from ...search.tuner import keras
from .classical import media_spec

MAX_EPOCHS = 27
MAX_MEMBERS = 3  # networks averaged when the search leaves time (search.members); each costs what the winner did


class MediaBatches(keras.utils.PyDataset):
    """Training batches decoded from disk, shuffled each epoch (for sets larger than memory)."""

    def __init__(self, paths: list[str], y: Any, load: Callable[[list[str]], Any], batch: int, seed: int,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.paths = paths
        self.y = np.asarray(y)
        self.load = load
        self.batch = batch
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(paths))

    def __len__(self) -> int:
        return math.ceil(len(self.paths) / self.batch)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        rows = self.order[index * self.batch:(index + 1) * self.batch]
        return self.load([self.paths[i] for i in rows]), self.y[rows]

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.paths))


class MediaNetworkModel(NetworkModel):
    """A Keras network over decoded files; ``predict`` takes a frame with the path column."""

    batch_size = 256

    def __init__(self, keras_model: Any, kind: str, spec: Any, column: str, task: str,
                 y_scale: tuple[float, float], params: dict[str, Any]):
        super().__init__(keras_model, task, params, y_scale)
        self.kind = kind
        self.spec = spec
        self.column = column
        self.single, self.plural = f"{kind}_network", f"{kind} networks"  # image_network, mean of 3 image networks

    def encode(self, frame: Any) -> tuple[Any, Any]:
        return registry.modality(self.kind).load(list(frame[self.column]), self.spec), None

    def meta(self) -> dict[str, Any]:
        return {"kind": self.kind, "spec": self.spec.to_dict(), "column": self.column, "task": self.task,
                "y_scale": list(self.y_scale), "params": self.params}


def load(folder: Path) -> MediaNetworkModel:
    """The network saved in ``folder`` with its input spec; ``ModelFileError`` naming the file that is missing,
    unreadable or not what ``save`` wrote."""
    model, meta = read_network(folder)
    path = folder / "model.json"
    kind, spec = media_spec(meta, path)
    column = integrity.field(meta, "column", lambda v: isinstance(v, str), "a column name", path)
    task = integrity.field(meta, "task", integrity.is_task, "binary, multiclass or regression", path)
    y_scale = integrity.field(meta, "y_scale", lambda v: integrity.is_numbers(v, 2) and v[1] > 0,
                              "a mean and a positive spread", path)
    params = integrity.field(meta, "params", integrity.is_params, "an object of parameters", path)
    if len(model.inputs) != 1 or tuple(model.inputs[0].shape[1:]) != tuple(spec.shape):
        raise ModelFileError(folder / "model.keras", f"reads {[tuple(t.shape) for t in model.inputs]}, not the "
                                                     f"{kind} input {tuple(spec.shape)} its model.json gives")
    return MediaNetworkModel(model, kind, spec, column, task, tuple(y_scale), params)


class MediaNetworkRoute:
    """Keras Tuner over the networks of one media modality; a subclass names it (``kind``) and says how its
    batches are sized and its hypermodel built."""

    kind = ""
    saves = (("model.json",), ("model.keras",))

    def load(self, folder: Path) -> MediaNetworkModel:
        return load(folder)

    def finish_seconds(self, budget: float) -> float:
        return 2.0 + 0.04 * budget

    def batch_size(self, spec: Any, gpu: bool, n_rows: int) -> int:
        raise NotImplementedError

    def hypermodel(self, ctx: SearchContext, data: "MediaData") -> Any:
        """The search space; notes on the input may go to ``data.notes``."""
        raise NotImplementedError

    def search(self, ctx: SearchContext) -> SearchResult:
        kind = registry.modality(self.kind)
        data = prepare(ctx, kind, self.batch_size)
        model, val_score, notes, val_output = timed_search(ctx, kind, self.hypermodel(ctx, data), data)
        return SearchResult(model, val_score, ctx.deadline.elapsed(), notes, data.val_rows, val_output)


@dataclass
class MediaData:
    """The route's split: training input (arrays or a PyDataset), validation arrays, targets, and how it was held."""

    column: str
    spec: Any
    x_fit: Any
    y_fit: Any
    x_val: Any
    y_val: Any  # as the run scores it (class indices or values in the target's units)
    y_scale: tuple[float, float]
    n_fit: int
    n_val: int
    batch: int
    held: str  # a sentence on memory vs streaming
    val_rows: Any = None  # positions of the validation rows among the training rows
    split: Any = None  # ``Targets``: the fit and validation positions and every training row's target
    notes: list[str] = field(default_factory=list)


def prepare(ctx: SearchContext, kind: Any, batch_of: Callable[[Any, bool, int], int]) -> MediaData:
    """Split the training rows into fit/validation and load them (validation always in memory)."""
    column = ctx.columns_of(kind.column_kind)[0]
    spec = kind.spec(ctx.inputs[kind.name])
    paths = list(ctx.X[column])
    y, rows = np.asarray(ctx.y), Targets.of(ctx)
    fit_idx, val_idx, target, y_scale = rows.fit, rows.val, rows.y, rows.scale
    cache = ctx.cache.get(kind.name)
    batch = batch_of(spec, ctx.hardware.network_gpu, len(fit_idx))
    x_val = kind.load([paths[i] for i in val_idx], spec, cache)
    train_idx = whole_batches(fit_idx, batch, ctx.seed)  # one input shape: one compiled training step
    fit_paths = [paths[i] for i in train_idx]
    if cache is not None:
        x_fit, y_fit = kind.load(fit_paths, spec, cache), target[train_idx]
        held = f"all {len(paths):,} decoded {kind.unit} were held in memory"
    else:
        x_fit = MediaBatches(fit_paths, target[train_idx], lambda p: kind.load(p, spec), batch, ctx.seed,
                             workers=min(4, ctx.hardware.cpu_count))
        y_fit = None
        held = f"training {kind.unit} were streamed from disk (they do not fit in memory)"
    return MediaData(column, spec, x_fit, y_fit, x_val, y[val_idx], y_scale, len(fit_idx),
                     len(val_idx), batch, held, val_idx, rows)


def every_row(ctx: SearchContext, kind: Any, data: MediaData) -> tuple[Any, Any] | None:
    """The fit and validation rows together, in whole batches, as arrays and targets (as the network learns
    them), for ``members.refit``; None when the files are streamed (not held in memory). The training arrays
    are let go first (``data.x_fit``), so memory holds the cache, the validation rows and these."""
    cache = ctx.cache.get(kind.name)
    if cache is None or data.split is None:
        return None
    data.x_fit = data.y_fit = None
    rows = whole_batches(np.concatenate([data.split.fit, data.split.val]), data.batch, ctx.seed)
    paths = list(ctx.X[data.column])
    return kind.load([paths[i] for i in rows], data.spec, cache), data.split.y[rows]


def timed_search(ctx: SearchContext, kind: Any, hypermodel: Any, data: MediaData
                 ) -> tuple[MediaNetworkModel, float | None, list[str], Any]:
    """Probe, search and continue inside ``ctx.deadline`` (``timed.timed_search``), more networks of the
    winning configuration (``members.grow``), then each network trained again on every training row with the
    time left (``members.refit``); the model, its validation score, notes, and the validation rows' output of
    the model before the refit (the approaches are compared and blended on it)."""

    def wrap(keras_model: Any, params: dict[str, Any] | None = None) -> MediaNetworkModel:
        return MediaNetworkModel(keras_model, kind.name, data.spec, data.column, ctx.task, data.y_scale,
                                 params or {})

    score = tuner.val_scorer(ctx, data.x_val, data.y_val, data.y_scale)
    precision = functools.partial(_precision, ctx.hardware.network_gpu)
    found = timed.timed_search(hypermodel, ctx, wrap, data.x_fit, data.y_fit, score, data.batch, data.n_fit,
                               data.n_val, MAX_EPOCHS, precision)
    with precision():  # the time the search leaves: more networks of the winning configuration, kept if better
        found = members.grow(found, hypermodel, ctx, wrap, data.x_fit, data.y_fit, score, found.batch_size,
                             MAX_MEMBERS)
        val_output = tuner.network_output(found.model.keras_model, data.x_val, ctx.task, data.y_scale)
        everything = every_row(ctx, kind, data) if ctx.deadline.remaining() > found.epoch_seconds else None
        if everything is not None:
            found = members.refit(found, hypermodel, ctx, wrap, *everything, found.batch_size, data.n_fit, score,
                                  distinct=data.n_fit + data.n_val)
    notes = [f"The network is the best trial, trained on {data.n_fit:,} {kind.unit} with {data.n_val:,} held out "
             f"for validation and early stopping; {data.held}.", found.notes[0], *data.notes,
             getattr(hypermodel, "origin_note",
                     "Trained from scratch: no pretrained weights are downloaded at run time.")
             + (" Mixed precision (float16 compute, float32 weights) on the GPU." if ctx.hardware.network_gpu else ""),
             *found.notes[1:]]
    return found.model, found.val_score, notes, val_output


@contextlib.contextmanager
def _precision(gpu: bool) -> Any:
    """Mixed float16 compute on a GPU (outputs stay float32); the global policy is restored afterwards."""
    if not gpu:
        yield
        return
    previous = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_dtype_policy(previous)
