"""Deep search for text: a Keras Tuner search over embedding encoders.

Text is tokenised in plain Python (``automl.text``) so the same ids feed every
Keras backend. The search tunes the embedding size, the encoder (mean-pooled
bag of embeddings, 1-D convolutions, a bidirectional GRU, or a small
transformer block), dropout and learning rate. Rows without text get the
training prior.

Example:
    >>> TextNetworkRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..splitting import validation_folds
from ..text import TextStats, Tokenizer, text_of
from . import keras_search
from .base import SearchContext, SearchResult
from .keras_search import keras, keras_tuner

MAX_VOCABULARY = 30_000
MIN_LENGTH, MAX_LENGTH = 16, 256
ENCODERS = ("bag", "cnn", "transformer", "bigru")


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


class TextHyperModel(keras_tuner.HyperModel):
    family = "text"

    def __init__(self, vocabulary: int, length: int, task: str, n_classes: int):
        super().__init__(name="text")
        self.vocabulary = vocabulary
        self.length = length
        self.task = task
        self.n_classes = n_classes

    def build(self, hp: Any) -> Any:
        layers = keras.layers
        ids = keras.Input(shape=(self.length,), dtype="int32", name="tokens")
        width = hp.Choice("embedding", [32, 64, 128])
        encoder = hp.Choice("encoder", list(ENCODERS))
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1)
        if encoder == "bag":
            x = layers.Embedding(self.vocabulary, width, mask_zero=True)(ids)
            x = layers.GlobalAveragePooling1D()(x)
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
        if dropout:
            x = layers.Dropout(dropout)(x)
        if hp.Boolean("hidden"):
            x = layers.Dense(64, activation="relu")(x)
        if self.task == "regression":
            output, loss = layers.Dense(1)(x), "mean_squared_error"
        else:
            output = layers.Dense(self.n_classes, activation="softmax")(x)
            loss = "sparse_categorical_crossentropy"
        model = keras.Model(ids, output)
        model.compile(optimizer=keras.optimizers.Adam(hp.Float("learning_rate", 3e-4, 1e-2, sampling="log")),
                      loss=loss)
        return model


class TextNetworkModel:
    name = "text_network"

    def __init__(self, keras_model: Any, tokenizer: Tokenizer, columns: list[str], task: str, n_classes: int,
                 prior: list[float], y_scale: tuple[float, float], params: dict[str, Any]):
        self.keras_model = keras_model
        self.tokenizer = tokenizer
        self.columns = columns
        self.task = task
        self.n_classes = n_classes
        self.prior = np.asarray(prior, dtype=float)
        self.y_scale = y_scale
        self.params = params

    def _raw(self, frame: Any) -> tuple[Any, Any]:
        ids = self.tokenizer.encode(text_of(frame, self.columns))
        raw = np.asarray(self.keras_model.predict(ids, batch_size=1024, verbose=0), dtype="float64")
        return raw, ~ids.any(axis=1)

    def predict_proba(self, frame: Any) -> Any:
        raw, empty = self._raw(frame)
        proba = raw / raw.sum(axis=1, keepdims=True)
        proba[empty] = self.prior
        return proba

    def predict(self, frame: Any) -> Any:
        if self.task != "regression":
            return self.predict_proba(frame).argmax(axis=1)
        raw, empty = self._raw(frame)
        values = raw.ravel() * self.y_scale[1] + self.y_scale[0]
        values[empty] = self.prior[0]
        return values

    def save(self, folder: Path) -> None:
        meta = {"tokenizer": self.tokenizer.to_dict(), "columns": self.columns, "task": self.task,
                "n_classes": self.n_classes, "prior": self.prior.tolist(), "y_scale": list(self.y_scale),
                "params": self.params}
        (folder / "model.json").write_text(json.dumps(meta), encoding="utf-8")
        self.keras_model.save(folder / "model.keras")


def load(folder: Path) -> TextNetworkModel:
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    model = keras.saving.load_model(folder / "model.keras", compile=False)
    return TextNetworkModel(model, Tokenizer.from_dict(meta["tokenizer"]), meta["columns"], meta["task"],
                            meta["n_classes"], meta["prior"], tuple(meta["y_scale"]), meta["params"])


class TextNetworkRoute:
    name = "deep"

    @staticmethod
    def finish_seconds(budget: float) -> float:
        return 2.0 + 0.05 * budget

    def search(self, ctx: SearchContext) -> SearchResult:
        columns = ctx.columns_of("text")
        texts = text_of(ctx.X, columns)
        y = np.asarray(ctx.y)
        (fit_idx, val_idx), = validation_folds(y, ctx.task, "holdout", 1, ctx.seed)
        fit_texts = [texts[i] for i in fit_idx]
        stats = TextStats.of(fit_texts)
        length = int(min(MAX_LENGTH, max(MIN_LENGTH, np.ceil(stats.p95_tokens))))
        tokenizer = Tokenizer.fit(fit_texts, max_tokens=MAX_VOCABULARY, length=length)
        x_fit = tokenizer.encode(fit_texts)
        x_val = tokenizer.encode(texts[i] for i in val_idx)
        y_scale = (float(np.mean(y[fit_idx])), float(np.std(y[fit_idx]) or 1.0)) if ctx.task == "regression" \
            else (0.0, 1.0)
        if ctx.task == "regression":
            y_fit = ((y[fit_idx] - y_scale[0]) / y_scale[1]).astype("float32")
            y_val = ((y[val_idx] - y_scale[0]) / y_scale[1]).astype("float32")
        else:
            y_fit, y_val = y[fit_idx].astype("int32"), y[val_idx].astype("int32")
        prior = ctx.prior()

        def wrap(keras_model: Any, params: dict[str, Any] | None = None) -> TextNetworkModel:
            return TextNetworkModel(keras_model, tokenizer, columns, ctx.task, ctx.n_classes, prior, y_scale,
                                    params or {})

        score = keras_search.val_scorer(ctx, x_val, y[val_idx], y_scale)
        batch_size = 32 if len(fit_idx) < 2000 else 64
        max_epochs = ctx.max_epochs or 12
        best_model, val_score, params = keras_search.run_search(
            TextHyperModel(tokenizer.size, length, ctx.task, ctx.n_classes), ctx, wrap, x_fit, y_fit,
            (x_val, y_val), score, batch_size, max_epochs,
        )
        model = wrap(best_model, params)
        ctx.improved(model)
        notes = [
            f"The network is the best trial's checkpoint, trained on {len(fit_idx):,} rows with {len(val_idx):,} "
            f"held out for validation; vocabulary {tokenizer.size - 2:,} words from the training rows, sequences "
            f"of {length} tokens (95th percentile {stats.p95_tokens:.0f}).",
        ]
        return SearchResult(model, val_score, ctx.deadline.elapsed(), notes)
