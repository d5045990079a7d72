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
   deadline or until it stops improving.

Example:
    >>> ImageNetworkRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ... import registry
from ...search import tuner
from ...search.base import SearchContext, SearchResult
from ...search.networks import NetworkModel, Targets, read_network
from ...search.tuner import keras, keras_tuner

MAX_EPOCHS = 27
MIN_SEARCH_EPOCHS = 40  # below this, Hyperband's 1-epoch rounds pick architectures by noise
PROBE_BATCHES = 6


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

    @property
    def name(self) -> str:
        return f"{self.kind}_network"

    def encode(self, frame: Any) -> tuple[Any, Any]:
        return registry.modality(self.kind).load(list(frame[self.column]), self.spec), None

    def meta(self) -> dict[str, Any]:
        return {"kind": self.kind, "spec": self.spec.to_dict(), "column": self.column, "task": self.task,
                "y_scale": list(self.y_scale), "params": self.params}


def load(folder: Path) -> MediaNetworkModel:
    model, meta = read_network(folder)
    spec = registry.modality(meta["kind"]).spec(meta["spec"])
    return MediaNetworkModel(model, meta["kind"], spec, meta["column"], meta["task"], tuple(meta["y_scale"]),
                             meta["params"])


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
        model, val_score, notes = timed_search(ctx, kind, self.hypermodel(ctx, data), data)
        val_output = tuner.network_output(model.keras_model, data.x_val, ctx.task, data.y_scale)
        return SearchResult(model, val_score, ctx.deadline.elapsed(), notes, data.val_rows, val_output)


@dataclass
class MediaData:
    """The route's split: training input (arrays or a PyDataset), validation arrays, targets, and how it was held."""

    column: str
    spec: Any
    x_fit: Any
    y_fit: Any
    x_val: Any
    y_val: Any  # as the network is trained on (class indices or standardised values)
    y_val_raw: Any  # as the run scores it
    y_scale: tuple[float, float]
    n_fit: int
    n_val: int
    batch: int
    held: str  # a sentence on memory vs streaming
    val_rows: Any = None  # positions of the validation rows among the training rows
    notes: list[str] = field(default_factory=list)


def prepare(ctx: SearchContext, kind: Any, batch_of: Callable[[Any, bool, int], int]) -> MediaData:
    """Split the training rows into fit/validation and load them (validation always in memory)."""
    column = ctx.columns_of(kind.column_kind)[0]
    spec = kind.spec(ctx.inputs[kind.name])
    paths = list(ctx.X[column])
    y, rows = np.asarray(ctx.y), Targets.of(ctx)
    fit_idx, val_idx, target, y_scale = rows.fit, rows.val, rows.y, rows.scale
    cache = ctx.cache.get(kind.name)
    batch = batch_of(spec, ctx.hardware.gpu, len(fit_idx))
    x_val = kind.load([paths[i] for i in val_idx], spec, cache)
    fit_paths = [paths[i] for i in fit_idx]
    if cache is not None:
        x_fit, y_fit = kind.load(fit_paths, spec, cache), target[fit_idx]
        held = f"all {len(paths):,} decoded {kind.unit} were held in memory"
    else:
        x_fit = MediaBatches(fit_paths, target[fit_idx], lambda p: kind.load(p, spec), batch, ctx.seed,
                             workers=min(4, ctx.hardware.cpu_count))
        y_fit = None
        held = f"training {kind.unit} were streamed from disk (they do not fit in memory)"
    return MediaData(column, spec, x_fit, y_fit, x_val, target[val_idx], y[val_idx], y_scale, len(fit_idx),
                     len(val_idx), batch, held, val_idx)


def timed_search(ctx: SearchContext, kind: Any, hypermodel: Any, data: MediaData
                 ) -> tuple[MediaNetworkModel, float | None, list[str]]:
    """Probe, search and continue inside ``ctx.deadline``; returns the model, its validation score and notes."""

    def wrap(keras_model: Any, params: dict[str, Any] | None = None) -> MediaNetworkModel:
        return MediaNetworkModel(keras_model, kind.name, data.spec, data.column, ctx.task, data.y_scale,
                                 params or {})

    score = tuner.val_scorer(ctx, data.x_val, data.y_val_raw, data.y_scale)
    validation = (data.x_val, data.y_val)
    trial_seconds, epoch_seconds = _probe(hypermodel, data)
    affordable = ctx.deadline.remaining() / max(epoch_seconds, 1e-3)
    timing = (f"One epoch of the default network took about {epoch_seconds:.1f}s and starting a trial "
              f"{trial_seconds:.1f}s, so about {affordable:.0f} epochs fitted the budget")
    if ctx.max_epochs is not None:
        max_epochs, cap, how = ctx.max_epochs, None, f"Hyperband ran with max_epochs={ctx.max_epochs} (given)"
    elif affordable < MIN_SEARCH_EPOCHS:
        max_epochs, cap = 2, 1
        how = (f"fewer than the {MIN_SEARCH_EPOCHS} needed to compare architectures fairly, so the default "
               "network (the first candidate of the search) used the whole budget")
    else:
        max_epochs = tuner.epochs_for_budget(ctx.deadline.remaining(), epoch_seconds, trial_seconds,
                                                    MAX_EPOCHS)
        cap = tuner.hyperband_cost(max_epochs)[0]
        how = f"one Hyperband bracket ran with max_epochs={max_epochs} ({cap} trials)"
    with _precision(ctx.hardware.gpu):
        best, val_score, params = tuner.run_search(
            hypermodel, ctx, wrap, data.x_fit, data.y_fit, validation, score, data.batch, max_epochs,
            defaults_first=True, rows_per_epoch=data.n_fit, trial_cap=cap,
        )
    on_disk = True  # the search's winner is, handed over by the tuner; a better continuation is not yet
    notes = [f"The network is the best trial, trained on {data.n_fit:,} {kind.unit} with {data.n_val:,} held out "
             f"for validation and early stopping; {data.held}.", f"{timing}; {how}.", *data.notes,
             getattr(hypermodel, "origin_note",
                     "Trained from scratch: no pretrained weights are downloaded at run time.")
             + (" Mixed precision (float16 compute, float32 weights) on the GPU." if ctx.hardware.gpu else "")]
    if ctx.max_epochs is None and ctx.deadline.remaining() > epoch_seconds:  # time for one more epoch at least
        started = time.monotonic()
        with _precision(ctx.hardware.gpu):
            best, new_score, epochs = tuner.continue_training(
                best, ctx, data.x_fit, data.y_fit, validation, score, val_score, data.batch)
        improved = new_score is not None and new_score != val_score
        seconds = max(time.monotonic() - started, 1e-6)
        ctx.log_trial(f"{hypermodel.family}/{params.get('family')} (continued)", params, new_score, started,
                      extra={"epochs": epochs, "continued": True, "improved": improved,
                             "rows_per_second": round(data.n_fit * epochs / seconds, 1)})
        if improved:
            notes.append(f"The winning network trained {epochs} more epoch(s) after the search, its validation "
                         f"score going from {val_score:.4f} to {new_score:.4f}.")
            val_score, on_disk = new_score, False
    model = wrap(best, params)
    if not on_disk:
        ctx.improved(model)
    return model, val_score, notes


def _probe(hypermodel: Any, data: MediaData) -> tuple[float, float]:
    """Seconds to build and start a trial, and per epoch (validation scoring included), for the default network."""
    started = time.perf_counter()
    model = hypermodel.build(keras_tuner.HyperParameters())
    batch = data.batch
    if isinstance(data.x_fit, keras.utils.PyDataset):
        sample_x, sample_y = data.x_fit[0]
    else:
        sample_x, sample_y = data.x_fit[: batch * (PROBE_BATCHES + 1)], data.y_fit[: batch * (PROBE_BATCHES + 1)]
    model.fit(sample_x[:batch], sample_y[:batch], batch_size=batch, epochs=1, verbose=0)  # compile, warm up
    trial_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model.fit(sample_x, sample_y, batch_size=batch, epochs=1, verbose=0)
    per_row = (time.perf_counter() - started) / max(len(sample_x), 1)
    return trial_seconds, per_row * (data.n_fit + data.n_val / 3)


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
