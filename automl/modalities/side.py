"""The columns beside a table's text or files (a price, a star rating, an age, a category) as one block of features.

The text routes read this block next to the text: the classical models add
it to their TF-IDF columns, the networks read it as a second input, as the
image and audio networks do beside their files. Fitted on
training rows only and saved as JSON with each model. Every value is in
[0, 1], the range TF-IDF weights have, so naive Bayes can read it too:

* a number (a flag, a date's parts): its place between the training rows'
  1st and 99th percentiles (clipped), a missing flag, and which of up to
  ``BINS`` quantile bins it falls in, so a linear model sees a curved effect;
* a category: one column per level seen in training; a missing or unseen
  level sets none of them.

Example:
    >>> import pandas as pd
    >>> side = SideColumns.fit(pd.DataFrame({"stars": [1, 2, 5, 4], "shop": ["a", "b", "a", "c"]}),
    ...                        {"stars": "numeric", "shop": "categorical"})
    >>> side.names[:3], side.width
    (['stars', 'stars missing', 'stars < 1.75'], 9)
    >>> side.matrix(pd.DataFrame({"stars": [3], "shop": ["zzz"]})).toarray().round(2).tolist()
    [[0.5, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .tabular.encoder import ENCODED_KINDS, TabularEncoder

BINS = 4  # quantile bins per number: enough for a curve, few enough for a few hundred rows


@dataclass
class SideColumns:
    """A fitted block: the column encoder, and per numeric part its low and high percentiles and bin edges."""

    encoder: TabularEncoder
    low: list[float]
    high: list[float]
    edges: list[list[float]]

    @classmethod
    def fit(cls, frame: Any, kinds: dict[str, str]) -> "SideColumns | None":
        """The block for the columns of ``kinds`` that are numbers, flags, dates or categories; None when there
        are none (a table of text alone)."""
        import numpy as np

        kept = {name: kind for name, kind in kinds.items() if kind in ENCODED_KINDS}
        if not kept:
            return None
        encoder = TabularEncoder.fit(frame, kept)
        numbers = encoder.numeric(frame).astype(float)
        low, high, edges = [], [], []
        for j in range(numbers.shape[1]):
            seen = numbers[:, j][~np.isnan(numbers[:, j])]
            if not len(seen):
                seen = np.zeros(1)
            lo, hi = np.percentile(seen, [1, 99])
            low.append(float(lo))
            high.append(float(hi))
            inner = np.unique(np.percentile(seen, np.linspace(0, 100, BINS + 1)[1:-1]))
            edges.append([float(e) for e in inner if seen.min() < e <= seen.max()])
        return cls(encoder, low, high, edges)

    @property
    def columns(self) -> list[str]:
        """The table's columns the block reads."""
        return self.encoder.columns

    @property
    def names(self) -> list[str]:
        """One readable name per column of ``matrix``, in order."""
        out = []
        for part, edges in zip(self.encoder.numeric_columns, self.edges):
            out += [part, f"{part} missing"]
            if not edges:  # one value in training: one bin
                out.append(f"{part} known")
                continue
            bounds = [None, *edges, None]
            for lo, hi in zip(bounds[:-1], bounds[1:]):
                out.append(f"{part} < {hi:g}" if lo is None else f"{part} >= {lo:g}" if hi is None
                           else f"{lo:g} <= {part} < {hi:g}")
        for spec in self.encoder.specs:
            if spec.kind == "categorical":
                out += [f"{spec.name} = {level}" for level in spec.categories or []]
        return out

    @property
    def width(self) -> int:
        return len(self.names)

    def matrix(self, frame: Any) -> Any:
        """A sparse matrix (CSR, float64), one row per row of ``frame``, ``width`` columns in [0, 1]."""
        import numpy as np
        from scipy import sparse

        numbers = self.encoder.numeric(frame).astype(float)
        blocks = []
        for j, edges in enumerate(self.edges):
            values = numbers[:, j]
            missing = np.isnan(values)
            span = max(self.high[j] - self.low[j], 1e-12)
            scaled = np.where(missing, 0.0, np.clip((values - self.low[j]) / span, 0.0, 1.0))
            bins = np.zeros((len(values), len(edges) + 1))
            known = np.flatnonzero(~missing)
            bins[known, np.searchsorted(edges, values[known], side="right")] = 1.0
            blocks.append(np.column_stack([scaled, missing.astype(float), bins]))
        codes = self.encoder.codes(frame)
        for j, size in enumerate(self.encoder.cardinalities):
            onehot = np.zeros((len(frame), size))
            onehot[np.arange(len(frame)), codes[:, j]] = 1.0
            blocks.append(onehot[:, 1:])  # code 0 (missing or unseen) sets none
        dense = np.hstack(blocks) if blocks else np.zeros((len(frame), 0))
        return sparse.csr_matrix(dense)

    def dense(self, frame: Any) -> Any:
        """``matrix`` as a float32 array, the input a network reads."""
        return self.matrix(frame).toarray().astype("float32")

    def to_dict(self) -> dict[str, Any]:
        return {"encoder": self.encoder.to_dict(), "low": self.low, "high": self.high, "edges": self.edges}

    @classmethod
    def from_dict(cls, data: Any) -> "SideColumns":
        """What ``to_dict`` wrote; ``ValueError`` saying what is wrong otherwise.

        >>> SideColumns.from_dict({"encoder": {"specs": [{"name": "x", "kind": "numeric"}]}, "low": [0.0],
        ...                        "high": [1.0], "edges": []})
        Traceback (most recent call last):
        ValueError: the side columns give low, high and edges for 1, 1 and 0 numeric parts, not the 1 of the encoder
        """
        if not isinstance(data, dict):
            raise ValueError(f"the side columns are {type(data).__name__}, not an object")
        encoder = TabularEncoder.from_dict(data.get("encoder"))
        low, high, edges = data.get("low"), data.get("high"), data.get("edges")
        if not (isinstance(low, list) and isinstance(high, list) and isinstance(edges, list)):
            raise ValueError("the side columns lack lists of low, high and edges")
        parts = encoder.numeric_width
        if not len(low) == len(high) == len(edges) == parts:
            raise ValueError(f"the side columns give low, high and edges for {len(low)}, {len(high)} and "
                             f"{len(edges)} numeric parts, not the {parts} of the encoder")
        numbers = all(isinstance(v, (int, float)) for v in low + high)
        if not numbers or not all(isinstance(e, list) and all(isinstance(v, (int, float)) for v in e) for e in edges):
            raise ValueError("the side columns' percentiles and bin edges are not all numbers")
        return cls(encoder, [float(v) for v in low], [float(v) for v in high],
                   [[float(v) for v in e] for e in edges])
