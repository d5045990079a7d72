"""What every network shares: the output head, its loss and optimizer, and the trained model's wrapper.

``compile_network`` ends a hypermodel's graph the same way for every
modality: one float32 output (softmax over the classes, or one standardised
value), its loss, Adam (or, where the space offers it, SGD with Nesterov
momentum) at a tuned learning rate. ``NetworkModel`` is the trained network
with the numpy preprocessing it was trained with; a subclass says how raw
rows become the network's inputs (``encode``) and what else to save
(``meta``). Everything is Keras 3, so it runs on TensorFlow, JAX and PyTorch.

Example:
    >>> model = compile_network(hp, inputs, x, "binary", 2, rates=(3e-4, 1e-2, 2e-3))   # doctest: +SKIP
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..errors import ModelFileError
from ..run.integrity import read_object, reading
from .tuner import keras, tensorflow_unimported


@dataclass
class Targets:
    """The training rows split for a network (one stratified 20% validation holdout), and the targets as it
    learns them: class ids, or values standardised by the fit rows' ``scale`` (mean, std)."""

    fit: Any  # positions of the rows it trains on (drawn by weight, with ``--weight``: see ``drawn``)
    val: Any  # positions of the rows that score it and stop it early
    y: Any  # every training row's target as the network learns it
    scale: tuple[float, float]
    weights: Any = None  # every training row's weight (``--weight``); None: alike
    seed: int = 0

    @classmethod
    def of(cls, ctx: Any) -> "Targets":
        from ..data.splitting import validation_folds

        y, weights = np.asarray(ctx.y), getattr(ctx, "sample_weight", None)
        (fit, val), = validation_folds(y, ctx.task, "holdout", 1, ctx.seed, ctx.rule)
        fit = drawn(fit, weights, ctx.seed)
        if ctx.task != "regression":
            return cls(fit, val, y.astype("int32"), (0.0, 1.0), weights, ctx.seed)
        scale = (float(np.mean(y[fit])), float(np.std(y[fit]) or 1.0))
        return cls(fit, val, ((y - scale[0]) / scale[1]).astype("float32"), scale, weights, ctx.seed)

    def drawn(self, rows: Any) -> Any:
        """Training positions ``rows`` as a network trains on them (``drawn``)."""
        return drawn(rows, self.weights, self.seed)


def drawn(rows: Any, weights: Any, seed: int) -> Any:
    """Training positions ``rows`` as a network trains on them: with ``weights`` (one per training row), as many
    positions, each row appearing in proportion to its weight, so that it counts in the training loss as much as
    its weight says; without, ``rows`` as they are. Keras takes weights too, but the search, its members and its
    workers feed rows in many places: drawing the rows once weighs them everywhere alike.

    The draw is systematic (one random offset, then evenly spaced steps through the rows' cumulative weights), not
    independent: a row whose weight is ``k`` times the mean appears ``floor(k)`` or ``ceil(k)`` times, so equal
    weights give every row once, and a row weighing at least the mean is never left out (independent draws would
    leave out about a third of the rows whatever their weights).

    >>> drawn(np.arange(4), None, 0).tolist(), drawn(np.arange(4), np.array([0, 1.0, 0, 3.0]), 0).tolist()
    ([0, 1, 2, 3], [1, 3, 3, 3])
    >>> drawn(np.arange(5), np.full(5, 2.5), 1).tolist()  # equal weights: every row once
    [0, 1, 2, 3, 4]
    """
    if weights is None:
        return rows
    rows = np.asarray(rows)
    chances = np.asarray(weights, dtype=float)[rows]
    if not chances.sum() > 0:  # none of them weighs anything: alike
        return rows
    weighing, chances = rows[chances > 0], chances[chances > 0]
    edges = np.cumsum(chances) * (len(rows) / chances.sum())
    steps = np.random.default_rng(seed).random() + np.arange(len(rows))
    return weighing[np.minimum(np.searchsorted(edges, steps, side="right"), len(weighing) - 1)]


def whole_batches(rows: Any, batch: int, seed: int) -> Any:
    """Training positions ``rows`` with a few of them drawn again (each at most once) so that every batch of
    ``batch`` is whole.

    A last, shorter batch is a second input shape, and JAX and TensorFlow compile the training step again for
    it: on two CPU cores 1.3 s of each short trial's 3-5 s on digits' images, and longer on a GPU, which tunes
    its kernels for each shape. Keras shuffles every epoch, so the repeated rows (fewer than one batch) land
    anywhere. Half the batch, as a network that ran out of memory retries, still divides the count. Fewer
    rows than one batch are one batch already, and are returned as they are.

    >>> import numpy as np
    >>> grown = whole_batches(np.arange(10), 4, seed=0)
    >>> len(grown), sorted(set(grown)) == list(range(10)), len(whole_batches(np.arange(3), 4, seed=0))
    (12, True, 3)
    """
    rows = np.asarray(rows)
    extra = -len(rows) % batch
    if not extra or len(rows) <= batch:
        return rows
    return np.concatenate([rows, np.random.default_rng(seed).choice(rows, extra, replace=False)])


@keras.saving.register_keras_serializable(package="automl")
class SmoothedCrossentropy(keras.losses.Loss):
    """Cross-entropy against class ids whose one-hot targets are smoothed: ``1 - smoothing`` on the true class
    and ``smoothing`` spread evenly over all of them (Szegedy et al. 2016; RealMLP's default of 0.1 for
    classification, Holzmüller et al. 2024). Keras's sparse cross-entropy has no smoothing of its own.

    >>> import numpy as np
    >>> loss = SmoothedCrossentropy(0.1)
    >>> round(float(loss(np.array([0]), np.array([[0.9, 0.1]], dtype="float32"))), 4)  # -(.95 ln .9 + .05 ln .1)
    0.2152
    """

    def __init__(self, smoothing: float = 0.1, name: str = "smoothed_crossentropy", **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self.smoothing = smoothing

    def call(self, y_true: Any, y_pred: Any) -> Any:
        ops = keras.ops
        classes = ops.shape(y_pred)[-1]
        target = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), classes)
        return keras.losses.categorical_crossentropy(target, y_pred, label_smoothing=self.smoothing)

    def get_config(self) -> dict[str, Any]:
        return super().get_config() | {"smoothing": self.smoothing}


def head(x: Any, task: str, n_classes: int, smoothing: float = 0.0) -> tuple[Any, Any]:
    """The output layer (float32, also under mixed precision) and its loss (targets smoothed by ``smoothing``
    for classes)."""
    layers = keras.layers
    if task == "regression":
        return layers.Dense(1, dtype="float32", name="output")(x), "mean_squared_error"
    loss = SmoothedCrossentropy(smoothing) if smoothing else "sparse_categorical_crossentropy"
    return layers.Dense(n_classes, activation="softmax", dtype="float32", name="output")(x), loss


def compile_network(hp: Any, inputs: Any, x: Any, task: str, n_classes: int,
                    rates: tuple[float, float, float | None] = (1e-4, 1e-2, None), sgd: bool = False,
                    smoothing: float = 0.0) -> Any:
    """``keras.Model(inputs, head(x))`` compiled with a tuned learning rate (``rates``: low, high, default) and
    class targets smoothed by ``smoothing``."""
    output, loss = head(x, task, n_classes, smoothing)
    model = compiled_on_jax(keras.Model(inputs, output))
    rate = hp.Float("learning_rate", rates[0], rates[1], sampling="log", default=rates[2])
    if sgd and hp.Choice("optimizer", ["adam", "sgd"], default="adam") == "sgd":
        optimizer = keras.optimizers.SGD(rate * 10, momentum=0.9, nesterov=True)
    else:
        optimizer = keras.optimizers.Adam(rate)
    model.compile(optimizer=optimizer, loss=loss, jit_compile="auto")
    return model


SIDE = "columns"  # the input of a table's other columns (``modalities.side.SideColumns``' block)
SIDE_UNITS = 32


def with_columns(inputs: Any, x: Any, width: int, name: str = "") -> tuple[Any, Any]:
    """``inputs`` and ``x`` with a table's other columns (a block of ``width`` features, 0: none) as a second input,
    ``columns``, read through a small dense layer joined to ``x`` before the head; a single input becomes a dict
    keyed by its ``name``.

    >>> inputs, x = with_columns({"tokens": tokens}, x, 12)   # doctest: +SKIP
    """
    if not width:
        return inputs, x
    columns = keras.Input(shape=(width,), dtype="float32", name=SIDE)
    named = inputs if isinstance(inputs, dict) else {name: inputs}
    joined = keras.layers.Concatenate()([x, keras.layers.Dense(SIDE_UNITS, activation="relu")(columns)])
    return named | {SIDE: columns}, joined


def compiled_on_jax(keras_model: Any) -> Any:
    """``keras_model``, its steps compiled on the JAX backend even where it holds Keras's random rotation,
    translation or zoom layers; returns it.

    Keras marks those layers unfit for XLA because TensorFlow's image transform has no XLA kernel, and one such
    layer turns ``jit_compile="auto"`` off for the whole model. On TensorFlow that still leaves a graph, but on
    JAX a model that is not compiled runs op by op: digits' default network (8x8 images, translation on)
    trained an epoch in 1.75 s instead of 0.07 s on two CPU cores, and a GPU waits on Python between every
    operation. On JAX the layers are ``jax.numpy`` (``map_coordinates``) and compile; their random draws still
    change every step (the seed's state is a variable the compiled step carries). Other backends: unchanged.

    >>> model = compiled_on_jax(keras.Model(inputs, outputs))   # doctest: +SKIP
    """
    if keras.backend.backend() != "jax":
        return keras_model
    transforms = (keras.layers.RandomRotation, keras.layers.RandomTranslation, keras.layers.RandomZoom)
    flipped = [layer for layer in _layers(keras_model) if isinstance(layer, transforms)]
    for layer in flipped:
        layer.supports_jit = True
    if flipped and not keras_model.jit_compile:  # a loaded model settled it while loading: ask again
        keras_model.jit_compile = True
    return keras_model


def _layers(layer: Any) -> Iterator[Any]:
    """``layer`` and every layer inside it, through nested models (a backbone, an ensemble's members)."""
    yield layer
    for inner in getattr(layer, "layers", ()):
        yield from _layers(inner)


class NetworkModel:
    """A trained Keras network and its preprocessing; ``predict`` and ``predict_proba`` take raw feature rows.

    Regression networks learn standardised targets: ``y_scale`` (mean, std)
    maps them back. Rows ``encode`` marks as empty (no text, say) get
    ``prior``: the training class shares, or the mean value.
    """

    single = "network"  # the model's name
    plural = "networks"  # what a mean of several of them (``search.members``) is named after
    batch_size = 1024

    def __init__(self, keras_model: Any, task: str, params: dict[str, Any], y_scale: tuple[float, float] = (0.0, 1.0),
                 prior: Any = None):
        self.keras_model = keras_model
        self.task = task
        self.params = params
        self.y_scale = tuple(y_scale)
        self.prior = None if prior is None else np.asarray(prior, dtype=float)

    @property
    def name(self) -> str:
        """``single``, or ``mean of 3 <plural>`` for a deep ensemble and ``bag of 5 <plural>`` for a bag
        (``search.members``)."""
        members = self.params.get("members", 1)
        if members <= 1:
            return self.single
        return f"{'bag' if self.params.get('bagged') else 'mean'} of {members} {self.plural}"

    def encode(self, frame: Any) -> tuple[Any, Any]:
        """The network's inputs for ``frame``, and a mask of rows to answer with the prior (or None)."""
        raise NotImplementedError

    def meta(self) -> dict[str, Any]:
        """What ``model.json`` holds besides the network."""
        raise NotImplementedError

    def _raw(self, frame: Any) -> tuple[Any, Any]:
        x, empty = self.encode(frame)
        raw = self.keras_model.predict(x, batch_size=self.batch_size, verbose=0)
        return np.asarray(raw, dtype="float64"), empty

    def predict_proba(self, frame: Any) -> Any:
        raw, empty = self._raw(frame)
        proba = tempered(raw / raw.sum(axis=1, keepdims=True), self.params.get("temperature", 1.0))
        if empty is not None:
            proba[empty] = self.prior
        return proba

    def predict(self, frame: Any) -> Any:
        if self.task != "regression":
            return self.predict_proba(frame).argmax(axis=1)
        raw, empty = self._raw(frame)
        values = raw.ravel() * self.y_scale[1] + self.y_scale[0]
        if empty is not None:
            values[empty] = self.prior[0]
        return values

    def save(self, folder: Path) -> None:
        (folder / "model.json").write_text(json.dumps(self.meta(), indent=1), encoding="utf-8")
        save_keras(self.keras_model, folder / "model.keras")


def save_keras(keras_model: Any, path: Path) -> None:
    """``keras_model.save(path)``, without importing TensorFlow on the JAX or PyTorch backend (Keras's serializer
    asks whether it is installed: ``tuner.tensorflow_unimported``), and without the optimizer's state: a saved
    network only predicts (``read_network`` loads it uncompiled), and Adam keeps two numbers per weight, so a
    ``.keras`` archive with them is three times the network (a 4,000-column table's: 124 MB). Keras 3 saves
    whatever the model's ``optimizer`` holds and ignores ``include_optimizer`` for ``.keras`` files, so the
    optimizer is set aside while the archive is written and put back after (the network trains on as before).

    >>> save_keras(network, Path("model.keras"))   # doctest: +SKIP
    """
    optimizer = getattr(keras_model, "optimizer", None)
    with tensorflow_unimported():
        try:
            if optimizer is not None:
                keras_model.optimizer = None
            keras_model.save(path)
        finally:
            if optimizer is not None:
                keras_model.optimizer = optimizer


def tempered(proba: Any, temperature: float) -> Any:
    """Probabilities made surer (``temperature`` > 1) or less sure by ``calibration.fit_temperature``'s number:
    ``softmax(temperature * log p)``; the winning class never changes.

    >>> tempered(np.array([[0.6, 0.4]]), 2.0).round(3).tolist()
    [[0.692, 0.308]]
    """
    if temperature == 1.0:
        return proba
    from .calibration import softmax

    return softmax(temperature * np.log(np.clip(proba, 1e-12, 1.0)))


def read_network(folder: Path) -> tuple[Any, dict[str, Any]]:
    """A saved network (uncompiled: it only predicts) and its ``model.json`` object.

    The archive is loaded in Keras' ``safe_mode`` (no code from the file runs: a ``Lambda`` layer's bytecode is
    refused); ``ModelFileError`` names the file when either is missing or not what was saved.
    """
    meta = read_object(folder / "model.json")
    path = folder / "model.keras"
    if not zipfile.is_zipfile(path):
        raise ModelFileError(path, "is not a Keras archive" if path.exists() else "is missing")
    with reading(path):
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    if not isinstance(model, keras.Model):
        raise ModelFileError(path, f"holds a {type(model).__name__}, not a Keras model")
    compiled_on_jax(model)
    return model, meta


def check_head(keras_model: Any, task: str, n_classes: int, path: Path) -> None:
    """The network ends in ``head``'s output for ``task``: one value, or one probability per class; else
    ``ModelFileError`` (the archive and model.json belong to different models)."""
    width = 1 if task == "regression" else n_classes
    shapes = [tuple(o.shape) for o in keras_model.outputs]
    if len(shapes) != 1 or shapes[0][-1] != width:
        raise ModelFileError(path, f"has outputs {shapes}, not the {width} its model.json says ({task})")
