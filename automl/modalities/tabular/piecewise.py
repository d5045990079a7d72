"""Piecewise-linear encoding of numbers (Gorishniy, Rubachev and Babenko 2022, "On embeddings for numerical
features in tabular deep learning", PLE with quantile bins followed by a linear map and ReLU, their Q-LR
variant), as one Keras 3 layer.

A column's training quantiles cut it into bins with edges ``b_0 < ... < b_T``
(``bin_edges``, numpy side). A number in bin ``t`` becomes ``T`` values: 1
for every bin below it, ``(x - b_(t-1)) / (b_t - b_(t-1))`` for its own, 0
above (the first bin is open below and the last above, so values past the
training range still move the code). Then ``ReLU(W_j e + b_j)`` per column.
Like the periodic embeddings, this lets an MLP draw the sharp, irregular
functions of one number that trees draw; the code of a number is its position
in the column's distribution, the way a histogram-based boosting model sees it.
Only ``keras.ops``, so it runs on every backend; the edges are part of the
layer's config, so a saved model loads without its training data.

Example:
    >>> import numpy as np
    >>> edges = [bin_edges(np.array([0.0, 1.0, 2.0, 3.0, 4.0]), bins=4)]
    >>> edges
    [[0.0, 1.0, 2.0, 3.0, 4.0]]
    >>> layer = PiecewiseLinearEmbedding(edges, width=3)
    >>> tuple(layer(np.zeros((2, 1), dtype="float32")).shape)
    (2, 3)
    >>> piecewise_codes(np.array([2.5]), edges[0])[0].tolist()
    [1.0, 1.0, 0.5, 0.0]
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

BINS = 48  # at most this many bins a column (fewer for columns with fewer distinct values)
OPEN = 1e6  # the bound that leaves the first bin open below and the last open above


def bin_edges(values: Any, bins: int = BINS) -> list[float]:
    """The distinct training quantiles at ``bins + 1`` evenly spaced ranks, each a value the column holds (so a
    column of a few distinct values gets one bin per gap between them; missing values left out); at least two
    edges, so a constant column has one bin.

    >>> bin_edges(np.array([1.0, 1.0, 1.0, 1.0, 5.0]), bins=2)  # ties: one edge
    [1.0, 5.0]
    >>> bin_edges(np.array([np.nan, 2.0]))
    [2.0, 3.0]
    """
    present = np.asarray(values, dtype="float64")
    present = present[~np.isnan(present)]
    if not len(present):
        return [0.0, 1.0]
    edges = np.unique(np.quantile(present, np.linspace(0.0, 1.0, bins + 1), method="inverted_cdf"))
    if len(edges) < 2:
        edges = np.array([edges[0], edges[0] + 1.0])
    return [float(e) for e in edges]


def piecewise_codes(x: Any, edges: list[float]) -> Any:
    """The encoding of the numbers ``x`` (one column) in numpy, from the same tables the layer reads."""
    left, span, low, high, _ = (t[0].astype("float64") for t in _tables([edges]))
    v = (np.asarray(x, dtype="float64")[:, None] - left) / span
    return np.minimum(np.maximum(v, low), high)


def _tables(edges: list[list[float]]) -> tuple[Any, ...]:
    """Per column and bin (padded to the widest column): left edge, width, lower and upper clip, and a mask
    that zeroes the padding."""
    columns, most = len(edges), max(len(e) - 1 for e in edges)
    left = np.zeros((columns, most), "float32")
    span = np.ones((columns, most), "float32")
    low = np.zeros((columns, most), "float32")
    high = np.ones((columns, most), "float32")
    mask = np.zeros((columns, most), "float32")
    for j, column in enumerate(edges):
        e = np.asarray(column, dtype="float64")
        n = len(e) - 1
        left[j, :n], span[j, :n], mask[j, :n] = e[:-1], np.diff(e), 1.0
        low[j, 0], high[j, n - 1] = -OPEN, OPEN
    return left, span, low, high, mask


@keras.saving.register_keras_serializable(package="automl")
class PiecewiseLinearEmbedding(keras.layers.Layer):
    """(batch, columns) numbers -> (batch, columns * width): each column's piecewise-linear code through its own
    dense map and ReLU. ``edges``: one increasing list per column (``bin_edges``)."""

    def __init__(self, edges: list[list[float]], width: int = 16, **kwargs: Any):
        super().__init__(**kwargs)
        self.edges = [[float(b) for b in column] for column in edges]
        self.width = width
        self.bins = max(len(e) - 1 for e in self.edges)
        self._tables = _tables(self.edges)

    def build(self, input_shape: Any) -> None:
        columns = int(input_shape[-1])
        if columns != len(self.edges):
            raise ValueError(f"the layer has bin edges for {len(self.edges)} columns and received {columns}")
        self.w = self.add_weight(shape=(columns, self.bins, self.width), name="kernel",
                                 initializer="glorot_uniform")
        self.b = self.add_weight(shape=(columns, self.width), name="bias", initializer="zeros")

    def call(self, x: Any) -> Any:
        left, span, low, high, mask = (ops.convert_to_tensor(t, dtype=self.compute_dtype) for t in self._tables)
        v = (ops.expand_dims(x, -1) - left) / span
        codes = ops.minimum(ops.maximum(v, low), high) * mask
        out = ops.relu(ops.einsum("bnk,nkd->bnd", codes, self.w) + ops.expand_dims(self.b, 0))
        return ops.reshape(out, (-1, len(self.edges) * self.width))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], len(self.edges) * self.width)

    def get_config(self) -> dict[str, Any]:
        return super().get_config() | {"edges": self.edges, "width": self.width}
