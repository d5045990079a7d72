"""Deep search for text: a Keras Tuner search over embedding encoders.

Text becomes numbers in plain Python and numpy, so the same arrays feed every
Keras backend: word ids (``text.tokens``) for the sequence encoders, and
TF-IDF n-grams as (id, weight) lists (``text.ngrams``) for the n-gram
network. The search tunes the encoder (an MLP over word or word+character
n-grams, a mean-pooled bag of embeddings, 1-D convolutions, a bidirectional
GRU, or a small transformer block), the width, dropout and learning rate.
It starts from the n-gram MLP, the network that generalises best on small
text sets (few rows per word of a typical row). A table's other columns
(numbers, categories, flags, dates: ``side``) are a second input, read by a
small dense layer and joined to the text's encoding before the head. With the time the search
leaves, more networks of the winning configuration train from fresh weights
(``search.members.grow``), then each network trains again on every training
row (``search.members.refit``), as for images and audio. Rows without text
get the training prior.

Example:
    >>> TextNetworkRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ModelFileError
from ...run.integrity import field, is_numbers, is_params, is_task, is_texts, is_whole, reading
from ...search import members, oom, timed, tuner
from ...search.base import SearchContext, SearchResult
from ...search.networks import (SIDE, NetworkModel, Targets, check_head, compile_network, read_network,
                               whole_batches, with_columns)
from ...search.tuner import keras, keras_tuner
from .ngrams import NgramBag
from ..side import SideColumns
from .tokens import MAX_SEQUENCE, TextStats, Tokenizer, text_of

MAX_VOCABULARY = 30_000
MIN_LENGTH = 16
ENCODERS = ("ngram", "bag", "cnn", "transformer", "bigru")  # the first is the search's starting point
MAX_MEMBERS = 3  # networks averaged when the search leaves time (search.members), as for images and audio
NGRAMS = {"chargram": "words+chars", "wordgram": "words"}  # n-gram input name -> TF-IDF vectoriser kind


@keras.saving.register_keras_serializable(package="automl")
class PositionEmbedding(keras.layers.Layer):
    """Adds a learned embedding of each token's position."""

    def __init__(self, length: int, width: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.length = length
        self.width = width
        self.positions = keras.layers.Embedding(length, width)

    def call(self, x: Any) -> Any:
        return x + self.positions(keras.ops.arange(keras.ops.shape(x)[1]))

    def get_config(self) -> dict[str, Any]:
        return super().get_config() | {"length": self.length, "width": self.width}


@keras.saving.register_keras_serializable(package="automl")
class MaskedMean(keras.layers.Layer):
    """Mean of the embeddings of the non-padding ids; a row with none gives zeros (not 0/0)."""

    def call(self, embedded: Any, ids: Any) -> Any:
        mask = keras.ops.expand_dims(keras.ops.cast(ids > 0, embedded.dtype), -1)
        return keras.ops.sum(embedded * mask, axis=1) / keras.ops.maximum(keras.ops.sum(mask, axis=1), 1.0)


@keras.saving.register_keras_serializable(package="automl")
class WeightedBag(keras.layers.Layer):
    """A dense layer over sparse rows given as (ids, weights): the weighted sum of one vector per id, plus a bias.

    Equal to ``Dense(units)`` on the full TF-IDF vector, without materialising it.
    """

    def __init__(self, size: int, units: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.size = size
        self.units = units
        self.table = self.add_weight(shape=(size, units), initializer="glorot_uniform", name="table")
        self.bias = self.add_weight(shape=(units,), initializer="zeros", name="bias")
        self.built = True

    def call(self, ids: Any, weights: Any) -> Any:
        vectors = keras.ops.take(self.table, ids, axis=0)
        return keras.ops.sum(vectors * keras.ops.expand_dims(weights, -1), axis=1) + self.bias

    def get_config(self) -> dict[str, Any]:
        return super().get_config() | {"size": self.size, "units": self.units}


class TextHyperModel(keras_tuner.HyperModel):
    family = "text"

    def __init__(self, vocabulary: int, length: int, task: str, n_classes: int,
                 ngrams: dict[str, tuple[int, int]] | None = None, side: int = 0):
        super().__init__(name="text")
        self.side = side  # columns of the side input; 0: none
        self.vocabulary = vocabulary
        self.length = length
        self.task = task
        self.n_classes = n_classes
        self.ngrams = ngrams or {}  # input name -> (ids incl. padding, ids per row)

    def build(self, hp: Any) -> Any:
        layers = keras.layers
        encoders = [e for e in ENCODERS if e != "ngram" or self.ngrams]
        encoder = hp.Choice("encoder", encoders)
        width = hp.Choice("embedding", [32, 64, 128], default=64)
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.2)
        if encoder == "ngram":
            with hp.conditional_scope("encoder", "ngram"):
                name = hp.Choice("ngrams", list(self.ngrams))
            size, length = self.ngrams[name]
            ids = keras.Input(shape=(length,), dtype="int32", name=f"{name}_ids")
            weights = keras.Input(shape=(length,), dtype="float32", name=f"{name}_weights")
            dropped = layers.Dropout(dropout)(weights) if dropout else weights
            x = layers.Activation("relu")(WeightedBag(size, width)(ids, dropped))
            inputs = {ids.name: ids, weights.name: weights}
            return self._head(hp, inputs, x, dropout)
        ids = keras.Input(shape=(self.length,), dtype="int32", name="tokens")
        if encoder == "bag":
            x = MaskedMean()(layers.Embedding(self.vocabulary, width)(ids), ids)
        elif encoder == "bigru":
            x = layers.Embedding(self.vocabulary, width, mask_zero=True)(ids)
            x = layers.Bidirectional(layers.GRU(hp.Choice("gru_units", [32, 64])))(x)
        elif encoder == "cnn":
            x = layers.Embedding(self.vocabulary, width)(ids)
            x = layers.Conv1D(hp.Choice("filters", [64, 128]), hp.Choice("kernel", [3, 5]), activation="relu")(x)
            x = layers.GlobalMaxPooling1D()(x)
        else:
            x = PositionEmbedding(self.length, width)(layers.Embedding(self.vocabulary, width)(ids))
            attended = layers.MultiHeadAttention(num_heads=2, key_dim=max(8, width // 2))(x, x)
            x = layers.LayerNormalization()(x + layers.Dropout(dropout)(attended))
            x = layers.LayerNormalization()(x + layers.Dense(width)(layers.Dense(2 * width, activation="relu")(x)))
            x = layers.GlobalAveragePooling1D()(x)
        return self._head(hp, {"tokens": ids}, x, dropout)

    def _head(self, hp: Any, inputs: dict[str, Any], x: Any, dropout: float) -> Any:
        layers = keras.layers
        inputs, x = with_columns(inputs, x, self.side)
        if dropout:
            x = layers.Dropout(dropout)(x)
        if hp.Boolean("hidden"):
            x = layers.Dense(64, activation="relu")(x)
        return compile_network(hp, inputs, x, self.task, self.n_classes, rates=(3e-4, 1e-2, 1e-3))

    def fit(self, hp: Any, model: Any, x: Any, y: Any = None, **kwargs: Any) -> Any:
        """Each network gets only the inputs it reads (word ids, or one kind of n-grams)."""
        return model.fit(tuner.feed(model, x), y, **kwargs)


class TextInputs:
    """Texts to the arrays a text network reads: word ids (``tokens``), TF-IDF n-grams (``NAME_ids``/``_weights``)
    and the table's other columns (``columns``, when ``side`` is not None)."""

    def __init__(self, tokenizer: Tokenizer, bags: dict[str, NgramBag], side: SideColumns | None = None):
        self.tokenizer = tokenizer
        self.bags = bags
        self.side = side

    def encode(self, texts: list[str], names: Any = None, frame: Any = None) -> dict[str, Any]:
        """The inputs called ``names`` (all by default), each an array with one row per text (the side columns
        are read from ``frame``, the rows of ``texts``)."""
        wanted = set(names) if names is not None else {"tokens", SIDE} | {f"{b}_{p}" for b in self.bags
                                                                         for p in ("ids", "weights")}
        out: dict[str, Any] = {}
        if SIDE in wanted and self.side is not None:
            out[SIDE] = self.side.dense(frame)
        if "tokens" in wanted:
            out["tokens"] = self.tokenizer.encode(texts)
        for name, bag in self.bags.items():
            if {f"{name}_ids", f"{name}_weights"} & wanted:
                out[f"{name}_ids"], out[f"{name}_weights"] = bag.encode(texts)
        return out

    def rows(self, inputs: dict[str, Any], index: Any) -> dict[str, Any]:
        return {k: v[index] for k, v in inputs.items()}

    def used_by(self, keras_model: Any) -> "TextInputs":
        """Only what ``keras_model`` reads (what is saved with it)."""
        names = tuner.input_names(keras_model)
        return TextInputs(self.tokenizer, {b: bag for b, bag in self.bags.items() if f"{b}_ids" in names},
                          self.side if SIDE in names else None)

    def to_dict(self) -> dict[str, Any]:
        return {"tokenizer": self.tokenizer.to_dict(), "ngrams": {b: bag.to_dict() for b, bag in self.bags.items()},
                "side": self.side.to_dict() if self.side is not None else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TextInputs":
        """What ``to_dict`` wrote; ``ValueError`` when the tokenizer or an n-gram input is not what it writes."""
        ngrams = data.get("ngrams", {})
        if not (isinstance(ngrams, dict) and set(ngrams) <= set(NGRAMS)):
            raise ValueError(f"the n-gram inputs are not an object with some of {', '.join(NGRAMS)}")
        side = SideColumns.from_dict(data["side"]) if data.get("side") is not None else None
        return cls(Tokenizer.from_dict(data.get("tokenizer")), {b: NgramBag.from_dict(d) for b, d in ngrams.items()},
                   side)


class TextNetworkModel(NetworkModel):
    """A Keras network over encoded texts; ``predict`` takes a frame with the text columns."""

    single, plural = "text_network", "text networks"

    def __init__(self, keras_model: Any, inputs: TextInputs, columns: list[str], task: str, n_classes: int,
                 prior: list[float], y_scale: tuple[float, float], params: dict[str, Any]):
        super().__init__(keras_model, task, params, y_scale, prior)
        self.inputs = inputs.used_by(keras_model)
        self.columns = columns
        self.n_classes = n_classes

    def encode(self, frame: Any) -> tuple[Any, Any]:
        """The network's inputs, and the rows that get the prior: those without text, when nothing else is read."""
        texts = text_of(frame, self.columns)
        x = self.inputs.encode(texts, tuner.input_names(self.keras_model), frame)
        if self.inputs.side is not None:
            return x, np.zeros(len(texts), dtype=bool)
        return x, np.array([not t.strip() for t in texts], dtype=bool)

    def meta(self) -> dict[str, Any]:
        return self.inputs.to_dict() | {"columns": self.columns, "task": self.task, "n_classes": self.n_classes,
                                        "prior": self.prior.tolist(), "y_scale": list(self.y_scale),
                                        "params": self.params}


def load(folder: Path) -> TextNetworkModel:
    """The network saved in ``folder`` with its tokenizer and n-gram vocabularies; ``ModelFileError`` naming the
    file that is missing, unreadable or not what ``save`` wrote."""
    model, meta = read_network(folder)
    path = folder / "model.json"
    task = field(meta, "task", is_task, "binary, multiclass or regression", path)
    n_classes = field(meta, "n_classes", is_whole, "a whole number", path)
    columns = field(meta, "columns", lambda v: is_texts(v) and bool(v), "a list of text columns", path)
    size = 1 if task == "regression" else n_classes
    prior = field(meta, "prior", lambda v: is_numbers(v, size), f"{size} number(s)", path)
    y_scale = field(meta, "y_scale", lambda v: is_numbers(v, 2) and v[1] > 0, "a mean and a positive spread", path)
    params = field(meta, "params", is_params, "an object of parameters", path)
    with reading(path):
        inputs = TextInputs.from_dict(meta)
    check_head(model, task, n_classes, folder / "model.keras")
    check_inputs(model, inputs, folder / "model.keras")
    return TextNetworkModel(model, inputs, columns, task, n_classes, prior, tuple(y_scale), params)


def check_inputs(keras_model: Any, inputs: TextInputs, path: Path) -> None:
    """Every input the network reads is one ``inputs`` makes, as long as it makes it (``tokens``, or
    ``<ngrams>_ids`` and ``_weights``, and ``columns``); ``ModelFileError`` otherwise."""
    made = {"tokens": inputs.tokenizer.length} | {f"{b}_{part}": bag.length for b, bag in inputs.bags.items()
                                                   for part in ("ids", "weights")}
    if inputs.side is not None:
        made[SIDE] = inputs.side.width
    found = {t.name: t.shape[-1] for t in keras_model.inputs}
    if any(made.get(name) != width for name, width in found.items()):
        raise ModelFileError(path, f"reads inputs {found}, not among the {made} its model.json gives")


class TextNetworkRoute:
    saves = (("model.json",), ("model.keras",))

    def load(self, folder: Path) -> TextNetworkModel:
        return load(folder)

    def finish_seconds(self, budget: float) -> float:
        return 2.0 + 0.05 * budget

    def search(self, ctx: SearchContext) -> SearchResult:
        columns = ctx.columns_of("text")
        texts = text_of(ctx.X, columns)
        y, rows = np.asarray(ctx.y), Targets.of(ctx)
        fit_idx, val_idx, y_scale = rows.fit, rows.val, rows.scale
        fit_texts = [texts[i] for i in fit_idx]
        stats = TextStats.of(fit_texts)
        length = int(min(MAX_SEQUENCE, max(MIN_LENGTH, np.ceil(stats.p95_tokens))))
        tokenizer = Tokenizer.fit(fit_texts, max_tokens=MAX_VOCABULARY, length=length, symbols=True)
        bags = {name: NgramBag.fit(fit_texts, y[fit_idx], ctx.task, kind) for name, kind in NGRAMS.items()}
        side = SideColumns.fit(ctx.X.iloc[fit_idx], ctx.kinds)
        inputs = TextInputs(tokenizer, bags, side)
        encoded = inputs.encode(texts, frame=ctx.X)
        batch_size = 32 if len(fit_idx) < 2000 else 64
        train_idx = whole_batches(fit_idx, batch_size, ctx.seed)  # one input shape: one compiled training step
        x_fit, x_val = inputs.rows(encoded, train_idx), inputs.rows(encoded, val_idx)
        y_fit = rows.y[train_idx]
        prior = ctx.prior()

        def wrap(keras_model: Any, params: dict[str, Any] | None = None) -> TextNetworkModel:
            return TextNetworkModel(keras_model, inputs, columns, ctx.task, ctx.n_classes, prior, y_scale,
                                    params or {})

        score = tuner.val_scorer(ctx, x_val, y[val_idx], y_scale, ctx.weights_of(val_idx))
        ngram_shapes = {name: (bag.size, bag.length) for name, bag in bags.items()}
        max_epochs = ctx.max_epochs or 12
        hypermodel = TextHyperModel(tokenizer.size, length, ctx.task, ctx.n_classes, ngram_shapes,
                                    side.width if side else 0)
        best_model, val_score, params = tuner.run_search(
            hypermodel, ctx, wrap, x_fit, y_fit, score, batch_size, max_epochs, defaults_first=True,
            rows_per_epoch=len(fit_idx),
        )
        found = timed.hyperband_winner(wrap(best_model, params), val_score, ctx, batch_size)  # handed over already
        found = members.grow(found, hypermodel, ctx, wrap, tuner.feed(best_model, x_fit), y_fit,  # its inputs only
                             score, batch_size, MAX_MEMBERS)
        val_output = tuner.network_output(found.model.keras_model, x_val, ctx.task, y_scale)  # before the refit
        all_idx = whole_batches(np.concatenate([fit_idx, rows.drawn(val_idx)]), batch_size, ctx.seed)
        found = members.refit(found, hypermodel, ctx, wrap, tuner.feed(best_model, inputs.rows(encoded, all_idx)),
                              rows.y[all_idx], batch_size, len(fit_idx), score, distinct=len(fit_idx) + len(val_idx))
        notes = [
            f"The search trained each network on {len(fit_idx):,} rows with {len(val_idx):,} held out for "
            f"validation; vocabulary {tokenizer.size - 2:,} words and symbols from the training rows, "
            f"sequences of {length} tokens (95th percentile {stats.p95_tokens:.0f}); n-gram networks read the "
            + " or ".join(f"{bag.size - 1:,} most informative {NGRAMS[name]} n-grams" for name, bag in bags.items())
            + " (TF-IDF, chosen on the training rows)"
            + (f"; the table's other columns ({', '.join(side.columns)}) are a second input of {side.width} "
               "features" if side else "") + ".",
            *tuner.cluster_notes(ctx),
            *filter(None, [oom.note([t for t in ctx.trials if t.approach == ctx.approach])]),
        ]
        notes += found.notes
        truncated = int((encoded["tokens"][fit_idx, -1] != 0).sum())  # rows filling the whole sequence
        if truncated:
            notes.append(f"{truncated:,} of the {len(fit_idx):,} training rows reach the {length}-token sequence "
                         "length, so sequence encoders read only their beginning; n-gram networks read whole rows.")
        return SearchResult(found.model, found.val_score, ctx.deadline.elapsed(), notes, val_idx, val_output)
