"""TF-IDF n-grams as short, padded (id, weight) lists: the input of the n-gram network.

For small text sets (few rows per word of a typical row) an MLP over TF-IDF
n-grams is the network that generalises best; its first dense layer is a
weighted sum of one learned vector per n-gram. Instead of a dense matrix of
tens of thousands of columns, each row becomes the ids of its non-zero
n-grams (1-based; 0 pads) and their TF-IDF weights, so memory grows with the
text, not the vocabulary, and the Keras side is an embedding lookup that
runs on every backend. The n-grams kept are the ``top`` most informative on
the training rows (ANOVA F for classes, correlation for regression).

Example:
    >>> bag = NgramBag.fit(["free prize now", "see you soon", "free entry now"], [1, 0, 1], "binary", top=50)
    >>> ids, weights = bag.encode(["free now"])
    >>> ids.shape == weights.shape and int((ids > 0).sum()) > 0
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from .tfidf import vectorizer, vectorizer_from_dict, vectorizer_to_dict

TOP = 20_000
MAX_GRAMS = 2048  # per row; rows with more non-zero n-grams keep their heaviest


@dataclass
class NgramBag:
    vec: Any  # fitted TF-IDF vectoriser, pruned to the kept n-grams (column j has id j + 1)
    length: int  # ids per row

    @classmethod
    def fit(cls, texts: Iterable[str], y: Any, task: str, kind: str = "words+chars", top: int = TOP) -> "NgramBag":
        from sklearn.feature_selection import f_classif, f_regression

        texts = list(texts)
        vec = vectorizer(kind).fit(texts)
        X = vec.transform(texts)
        score = f_regression if task == "regression" else f_classif
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.nan_to_num(score(X, np.asarray(y))[0], nan=0.0)
        kept = vectorizer_from_dict(_prune(vectorizer_to_dict(vec), np.argsort(-f, kind="stable")[:top]))
        nonzero = np.diff(kept.transform(texts).tocsr().indptr)
        length = int(min(MAX_GRAMS, max(8, np.percentile(nonzero, 99) if len(nonzero) else 8)))
        return cls(kept, length)

    @property
    def size(self) -> int:
        """Number of ids, padding included."""
        return sum(len(p.vocabulary_) for p in _parts(self.vec)) + 1

    def encode(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, weights)``: int32 and float32 matrices of rows x ``length``."""
        X = self.vec.transform(list(texts)).tocsr()
        n = X.shape[0]
        ids = np.zeros((n, self.length), dtype="int32")
        weights = np.zeros((n, self.length), dtype="float32")
        for i in range(n):
            start, end = X.indptr[i], X.indptr[i + 1]
            cols, vals = X.indices[start:end], X.data[start:end]
            if len(cols) > self.length:
                keep = np.argsort(-vals, kind="stable")[: self.length]
                cols, vals = cols[keep], vals[keep]
            ids[i, : len(cols)] = cols + 1
            weights[i, : len(cols)] = vals
        return ids, weights

    def to_dict(self) -> dict[str, Any]:
        return {"vectorizer": vectorizer_to_dict(self.vec), "length": self.length}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "NgramBag":
        """What ``to_dict`` wrote; ``ValueError`` when the vectoriser is not one, or the length is not 1 to
        ``MAX_GRAMS``."""
        length = data.get("length") if isinstance(data, dict) else None
        if not (isinstance(length, int) and not isinstance(length, bool) and 1 <= length <= MAX_GRAMS):
            raise ValueError(f"the n-gram input's length is {length!r}, not 1 to {MAX_GRAMS}")
        return cls(vectorizer_from_dict(data.get("vectorizer")), length)


def _parts(vec: Any) -> list[Any]:
    return [v for _, v in vec.transformer_list] if hasattr(vec, "transformer_list") else [vec]


def _prune(data: dict[str, Any], keep: np.ndarray) -> dict[str, Any]:
    """A vectoriser's JSON form with only the union's columns ``keep``; each part renumbered from 0.

    Rows are then L2-normalised over the kept n-grams only, the same at
    training and at prediction.
    """
    keep = set(int(k) for k in keep)
    parts, offset = [], 0
    for part in data["parts"]:
        vocabulary, idf = part["vocabulary"], part["idf"]
        terms = sorted((i, t) for t, i in vocabulary.items() if offset + i in keep)
        parts.append(part | {"vocabulary": {t: j for j, (_, t) in enumerate(terms)},
                             "idf": [idf[i] for i, _ in terms]})
        offset += len(vocabulary)
    return {"parts": parts}
