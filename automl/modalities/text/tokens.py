"""Plain-Python tokenisation for text columns: the same on every Keras backend.

Lower-cased Unicode word tokens (letters, digits and marks of any script;
for networks also each symbol or punctuation mark, which carry signal such as
"£" or "!!!" in spam), a vocabulary built from the training rows only, and fixed-length id sequences
(0 = padding, 1 = a word outside the vocabulary). The vocabulary is saved with
the model as JSON.

Example:
    >>> tok = Tokenizer.fit(["Hello world", "hello there"], max_tokens=10, length=4)
    >>> tok.encode(["hello unknown world"]).tolist()
    [[2, 1, 4, 0]]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
WORD_OR_SYMBOL = re.compile(WORD.pattern + r"|[^\w\s]", re.UNICODE)
PAD, OOV = 0, 1
MAX_SEQUENCE = 256  # tokens a sequence network reads per row; longer rows are truncated (and counted)


def tokenize(text: Any, symbols: bool = False) -> list[str]:
    """Lower-cased word tokens of ``text`` (missing -> no tokens); with ``symbols``, each symbol too.

    >>> tokenize("WIN £100 now!!", symbols=True)
    ['win', '£', '100', 'now', '!', '!']
    """
    if text is None or (isinstance(text, float) and text != text):
        return []
    return (WORD_OR_SYMBOL if symbols else WORD).findall(str(text).lower())


def text_of(frame: Any, columns: list[str]) -> list[str]:
    """One document per row: the text columns joined, missing values left out."""
    import pandas as pd

    parts = [frame[c].astype("string").fillna("") for c in columns]
    joined = parts[0] if len(parts) == 1 else pd.concat(parts, axis=1).agg(" \n ".join, axis=1)
    return [str(t) for t in joined]


@dataclass
class TextStats:
    rows: int
    empty_rows: int
    median_tokens: float
    p95_tokens: float
    max_tokens: int
    vocabulary: int
    long_rows: int = 0  # rows with more than MAX_SEQUENCE tokens

    @classmethod
    def of(cls, texts: Iterable[Any]) -> "TextStats":
        import numpy as np

        counts, vocab = [], set()
        for t in texts:
            tokens = tokenize(t)
            counts.append(len(tokens))
            vocab.update(tokens)
        lengths = np.asarray(counts or [0])
        return cls(len(counts), int((lengths == 0).sum()), float(np.median(lengths)),
                   float(np.percentile(lengths, 95)), int(lengths.max()), len(vocab),
                   int((lengths > MAX_SEQUENCE).sum()))


class Tokenizer:
    """Vocabulary (most frequent training words first) and the sequence length."""

    def __init__(self, words: list[str], length: int, symbols: bool = False):
        self.words = words
        self.length = length
        self.symbols = symbols
        self.index = {w: i + 2 for i, w in enumerate(words)}

    @classmethod
    def fit(cls, texts: Iterable[Any], max_tokens: int = 20000, length: int = 128, min_count: int = 1,
            symbols: bool = False) -> "Tokenizer":
        counts = Counter(t for text in texts for t in tokenize(text, symbols))
        ranked = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls(ranked[: max(0, max_tokens - 2)], length, symbols)

    @property
    def size(self) -> int:
        """Number of ids, padding and out-of-vocabulary included."""
        return len(self.words) + 2

    def encode(self, texts: Iterable[Any]) -> Any:
        """int32 matrix (rows x length): ids, truncated or padded at the end."""
        import numpy as np

        texts = list(texts)
        out = np.zeros((len(texts), self.length), dtype="int32")
        for i, text in enumerate(texts):
            ids = [self.index.get(t, OOV) for t in tokenize(text, self.symbols)[: self.length]]
            out[i, : len(ids)] = ids
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"words": self.words, "length": self.length, "symbols": self.symbols}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Tokenizer":
        """What ``to_dict`` wrote; ``ValueError`` when the words are not strings, the length is not 1 to
        ``MAX_SEQUENCE`` or ``symbols`` is not a flag.

        >>> Tokenizer.from_dict({"words": ["a"], "length": 10 ** 9})
        Traceback (most recent call last):
        ValueError: the tokenizer's length is 1000000000, not 1 to 256
        """
        words = data.get("words") if isinstance(data, dict) else None
        if not (isinstance(words, list) and all(isinstance(w, str) for w in words)):
            raise ValueError("the tokenizer has no list of words")
        length, symbols = data.get("length"), data.get("symbols", False)
        if not (isinstance(length, int) and not isinstance(length, bool) and 1 <= length <= MAX_SEQUENCE):
            raise ValueError(f"the tokenizer's length is {length!r}, not 1 to {MAX_SEQUENCE}")
        if not isinstance(symbols, bool):
            raise ValueError(f"the tokenizer's symbols is {symbols!r}, not true or false")
        return cls(words, length, symbols)
