"""Periodic embeddings of numbers (Gorishniy, Rubachev and Babenko 2022, "On embeddings for numerical features
in tabular deep learning", the PLR variant), as one Keras 3 layer.

Each number ``x_j`` becomes ``ReLU(W_j [cos(2π c_j x_j), sin(2π c_j x_j)] + b_j)``: ``k`` trainable
frequencies per column (initialised from N(0, sigma²)), then a small dense map per column. A
plain MLP draws smooth functions of its inputs; these let it draw the sharp, irregular ones
gradient boosting is good at. Only ``keras.ops``, so it runs on every backend, and it is
registered for ``keras.saving`` so saved models load without custom code.

Example:
    >>> import numpy as np
    >>> layer = PeriodicEmbedding(frequencies=4, width=3)
    >>> tuple(layer(np.zeros((2, 5), dtype="float32")).shape)
    (2, 15)
"""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="automl")
class PeriodicEmbedding(keras.layers.Layer):
    """(batch, columns) numbers -> (batch, columns * width) periodic features."""

    def __init__(self, frequencies: int = 16, width: int = 16, sigma: float = 0.1, **kwargs: Any):
        super().__init__(**kwargs)
        self.frequencies = frequencies
        self.width = width
        self.sigma = sigma

    def build(self, input_shape: Any) -> None:
        columns = int(input_shape[-1])
        self.columns = columns
        self.c = self.add_weight(shape=(columns, self.frequencies), name="frequencies",
                                 initializer=keras.initializers.RandomNormal(0.0, self.sigma))
        self.w = self.add_weight(shape=(columns, 2 * self.frequencies, self.width), name="kernel",
                                 initializer="glorot_uniform")
        self.b = self.add_weight(shape=(columns, self.width), name="bias", initializer="zeros")

    def call(self, x: Any) -> Any:
        v = 2.0 * math.pi * ops.expand_dims(self.c, 0) * ops.expand_dims(x, -1)
        v = ops.concatenate([ops.cos(v), ops.sin(v)], axis=-1)
        out = ops.relu(ops.einsum("bnk,nkd->bnd", v, self.w) + ops.expand_dims(self.b, 0))
        return ops.reshape(out, (-1, self.columns * self.width))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], int(input_shape[-1]) * self.width)

    def get_config(self) -> dict[str, Any]:
        return super().get_config() | {"frequencies": self.frequencies, "width": self.width, "sigma": self.sigma}
