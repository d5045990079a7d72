"""What the image and audio networks share: arrays from file paths, a timed search, and the saved model.

A media route decodes its column of file paths into arrays (from the run's
cache, or streamed by a ``keras.utils.PyDataset`` when they do not fit in
memory), with the table's other columns (numbers, flags, dates, categories:
``modalities.side.SideColumns``, fitted on the fit rows) as a second input when a
table of paths has any, then ``timed_search`` spends the budget the same way
for both:

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
from ...search.networks import SIDE, NetworkModel, Targets, read_network, whole_batches
from ...search.tuner import input_names, keras
from ..side import SideColumns
from .classical import media_spec

MAX_EPOCHS = 27
MAX_MEMBERS = 3  # networks averaged when the search leaves time (search.members); each costs what the winner did


class MediaBatches(keras.utils.PyDataset):
    """Training batches decoded from disk, shuffled each epoch (for sets larger than memory); with ``columns`` (the
    table's other columns, one row per path) each batch is a dict of the files (``name``) and those columns."""

    def __init__(self, paths: list[str], y: Any, load: Callable[[list[str]], Any], batch: int, seed: int,
                 columns: Any = None, name: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.paths = paths
        self.y = np.asarray(y)
        self.load = load
        self.columns = columns
        self.name = name
        self.batch = batch
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(paths))

    def __len__(self) -> int:
        return math.ceil(len(self.paths) / self.batch)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        rows = self.order[index * self.batch:(index + 1) * self.batch]
        return packed(self.name, self.load([self.paths[i] for i in rows]), self.columns, rows), self.y[rows]

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.paths))


def packed(name: str, arrays: Any, columns: Any, rows: Any = None) -> Any:
    """A network's input: the decoded files alone, or a dict of them (``name``) and the table's other columns
    (``columns``' ``rows``, all of them when None).

    >>> import numpy as np
    >>> sorted(packed("image", np.zeros((2, 4, 4, 1)), np.ones((5, 3)), [0, 4]))
    ['columns', 'image']
    """
    if columns is None:
        return arrays
    return {name: arrays, SIDE: columns if rows is None else columns[np.asarray(rows)]}


class MediaNetworkModel(NetworkModel):
    """A Keras network over decoded files (and the table's other columns, ``side``, when it read them);
    ``predict`` takes a frame with the path column."""

    batch_size = 256

    def __init__(self, keras_model: Any, kind: str, spec: Any, column: str, task: str,
                 y_scale: tuple[float, float], params: dict[str, Any], side: SideColumns | None = None):
        super().__init__(keras_model, task, params, y_scale)
        self.kind = kind
        self.spec = spec
        self.column = column
        self.side = side
        self.single, self.plural = f"{kind}_network", f"{kind} networks"  # image_network, mean of 3 image networks

    def encode(self, frame: Any) -> tuple[Any, Any]:
        arrays = registry.modality(self.kind).load(list(frame[self.column]), self.spec)
        if self.side is None:
            return arrays, None
        name = next(n for n in input_names(self.keras_model) if n != SIDE)
        return packed(name, arrays, self.side.dense(frame)), None

    def meta(self) -> dict[str, Any]:
        return {"kind": self.kind, "spec": self.spec.to_dict(), "column": self.column, "task": self.task,
                "y_scale": list(self.y_scale), "params": self.params,
                "side": self.side.to_dict() if self.side is not None else None}


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
    with integrity.reading(path):
        side = SideColumns.from_dict(meta["side"]) if meta.get("side") is not None else None
    wanted = sorted([tuple(spec.shape)] + ([(side.width,)] if side is not None else []))
    found = sorted(tuple(t.shape[1:]) for t in model.inputs)
    if found != wanted:
        what = f"{kind}, the table's other columns" if side is not None else kind
        raise ModelFileError(folder / "model.keras", f"reads {found}, not the input(s) {wanted} its model.json "
                                                     f"gives ({what})")
    return MediaNetworkModel(model, kind, spec, column, task, tuple(y_scale), params, side)


class MediaNetworkRoute:
    """Keras Tuner over the networks of one media modality; a subclass names it (``kind``) and says how its
    batches are sized and its hypermodel built."""

    kind = ""
    input_name = ""  # what the network calls its input of files
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
        data = prepare(ctx, kind, self.batch_size, self.input_name)
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
    name: str = ""  # the network's input of files
    side: SideColumns | None = None  # the table's other columns, fitted on the fit rows; None: the files alone
    columns: Any = None  # ``side``'s block for every training row

    @property
    def side_width(self) -> int:
        """Width of the second input (the table's other columns); 0 when the network reads the files alone."""
        return self.side.width if self.side is not None else 0


def prepare(ctx: SearchContext, kind: Any, batch_of: Callable[[Any, bool, int], int], name: str = "") -> MediaData:
    """Split the training rows into fit/validation and load them (validation always in memory); the table's other
    columns (numbers, flags, dates, categories), when it has any, go with the files as a second input ``name``d
    apart from them."""
    column = ctx.columns_of(kind.column_kind)[0]
    spec = kind.spec(ctx.inputs[kind.name])
    paths = list(ctx.X[column])
    y, rows = np.asarray(ctx.y), Targets.of(ctx)
    fit_idx, val_idx, target, y_scale = rows.fit, rows.val, rows.y, rows.scale
    side = SideColumns.fit(ctx.X.iloc[fit_idx], ctx.kinds) if name else None
    columns = side.dense(ctx.X) if side is not None else None
    cache = ctx.cache.get(kind.name)
    batch = batch_of(spec, ctx.hardware.network_gpu, len(fit_idx))
    x_val = packed(name, kind.load([paths[i] for i in val_idx], spec, cache), columns, val_idx)
    train_idx = whole_batches(fit_idx, batch, ctx.seed)  # one input shape: one compiled training step
    fit_paths = [paths[i] for i in train_idx]
    if cache is not None:
        x_fit, y_fit = packed(name, kind.load(fit_paths, spec, cache), columns, train_idx), target[train_idx]
        held = f"all {len(paths):,} decoded {kind.unit} were held in memory"
    else:
        x_fit = MediaBatches(fit_paths, target[train_idx], lambda p: kind.load(p, spec), batch, ctx.seed,
                             None if columns is None else columns[train_idx], name,
                             workers=min(4, ctx.hardware.cpu_count))
        y_fit = None
        held = f"training {kind.unit} were streamed from disk (they do not fit in memory)"
    data = MediaData(column, spec, x_fit, y_fit, x_val, y[val_idx], y_scale, len(fit_idx), len(val_idx), batch, held,
                     val_idx, rows, name=name, side=side, columns=columns)
    if side is not None:
        data.notes.append(f"The table's other columns ({', '.join(side.columns)}) are a second input of {side.width} "
                          "features, joined to the files' encoding before the head.")
    return data


def every_row(ctx: SearchContext, kind: Any, data: MediaData) -> tuple[Any, Any] | None:
    """The fit and validation rows together, in whole batches, as arrays and targets (as the network learns
    them), for ``members.refit``; None when the files are streamed (not held in memory). The training arrays
    are let go first (``data.x_fit``), so memory holds the cache, the validation rows and these."""
    cache = ctx.cache.get(kind.name)
    if cache is None or data.split is None:
        return None
    data.x_fit = data.y_fit = None
    rows = whole_batches(np.concatenate([data.split.fit, data.split.drawn(data.split.val)]), data.batch, ctx.seed)
    paths = list(ctx.X[data.column])
    return packed(data.name, kind.load([paths[i] for i in rows], data.spec, cache), data.columns, rows), \
        data.split.y[rows]


def timed_search(ctx: SearchContext, kind: Any, hypermodel: Any, data: MediaData
                 ) -> tuple[MediaNetworkModel, float | None, list[str], Any]:
    """Probe, search and continue inside ``ctx.deadline`` (``timed.timed_search``), more networks of the
    winning configuration (``members.grow``), then each network trained again on every training row with the
    time left (``members.refit``); the model, its validation score, notes, and the validation rows' output of
    the model before the refit (the approaches are compared and blended on it)."""

    def wrap(keras_model: Any, params: dict[str, Any] | None = None) -> MediaNetworkModel:
        return MediaNetworkModel(keras_model, kind.name, data.spec, data.column, ctx.task, data.y_scale,
                                 params or {}, data.side)

    score = tuner.val_scorer(ctx, data.x_val, data.y_val, data.y_scale,
                             None if data.split is None else ctx.weights_of(data.split.val))
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
