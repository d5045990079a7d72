"""The text networks' own Keras layers (``keras.ops`` only, so every backend runs them).

Registered as ``automl>PositionEmbedding``, ``automl>MaskedMean`` and
``automl>WeightedBag``: saved networks load with them by name.
"""

from __future__ import annotations

from typing import Any

from ...search.tuner import keras


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
