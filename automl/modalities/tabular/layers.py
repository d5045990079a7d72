"""Keras layers of the deep tabular model, in ``keras.ops`` only (TensorFlow, JAX and PyTorch alike).

``PeriodicEmbedding`` is the numeric embedding of Gorishniy, Rubachev and
Babenko, "On Embeddings for Numerical Features in Tabular Deep Learning"
(NeurIPS 2022), in its PLR form: each number x becomes
ReLU(W_j [sin(2 pi c_j x), cos(2 pi c_j x)] + b_j), with k trainable
frequencies c_j per column, drawn from N(0, sigma) at the start, and one small
linear map per column. It lets an MLP fit sharp, non-monotone effects of a
single number (a price threshold, an age band) that raw inputs make hard.

Example:
    >>> layer = PeriodicEmbedding(frequencies=8, width=8, sigma=0.1)   # doctest: +SKIP
    >>> layer(numbers).shape   # (rows, columns * width)               # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

from ...search.tuner import keras


@keras.saving.register_keras_serializable(package="automl")
class PeriodicEmbedding(keras.layers.Layer):
    """Per-column periodic features of numbers, then a per-column linear map and ReLU; flattened."""

    def __init__(self, frequencies: int = 8, width: int = 8, sigma: float = 0.1, **kwargs: Any):
        super().__init__(**kwargs)
        self.frequencies = frequencies
        self.width = width
        self.sigma = sigma

    def build(self, input_shape: Any) -> None:
        columns = int(input_shape[-1])
        self.columns = columns
        self.c = self.add_weight(shape=(columns, self.frequencies), name="frequencies",
                                 initializer=keras.initializers.RandomNormal(stddev=self.sigma))
        self.w = self.add_weight(shape=(columns, 2 * self.frequencies, self.width), name="kernel",
                                 initializer="glorot_uniform")
        self.b = self.add_weight(shape=(columns, self.width), name="bias", initializer="zeros")

    def call(self, x: Any) -> Any:
        ops = keras.ops
        angle = 2 * math.pi * ops.expand_dims(x, -1) * self.c  # rows x columns x frequencies
        periodic = ops.concatenate([ops.sin(angle), ops.cos(angle)], axis=-1)
        mapped = ops.relu(ops.einsum("rcf,cfw->rcw", periodic, self.w) + self.b)
        return ops.reshape(mapped, (-1, self.columns * self.width))

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], int(input_shape[-1]) * self.width)

    def get_config(self) -> dict[str, Any]:
        return super().get_config() | {"frequencies": self.frequencies, "width": self.width, "sigma": self.sigma}
