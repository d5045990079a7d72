"""A column of image or audio files decoded once per run: on threads, kept in memory when it fits, failures listed.

What differs between images and audio is one function, ``decode(path, spec)
-> array``, and the spec's ``shape`` and ``dtype``; decoding many files,
the in-memory cache both approaches share, skipping the files that fail (an
error past 10 %) and decoding again at prediction time live here once.

Example:
    >>> import numpy as np, types
    >>> spec = types.SimpleNamespace(shape=(2,), dtype="float32")
    >>> array, bad = decode_many(["a", "b"], spec, lambda p, s: np.ones(2) if p == "a" else 1 / 0)
    >>> array.tolist(), bad
    ([[1.0, 1.0], [0.0, 0.0]], [(1, 'ZeroDivisionError: division by zero')])
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ...errors import DataError

BAD_SHARE_LIMIT = 0.10  # more undecodable files than this stops the run
CACHE_SHARE = 0.25  # decoded files are kept in memory when they take less than this share of RAM
CHUNK = 512  # files decoded at a time when they are only checked, not kept
Decode = Callable[[str, Any], Any]


@dataclass
class FileCache:
    """Decoded files of one run, by absolute path, so both approaches decode each file once."""

    spec: Any
    index: dict[str, int]
    array: Any

    def lookup(self, paths: Sequence[str], spec: Any) -> Any | None:
        if spec != self.spec or any(p not in self.index for p in paths):
            return None
        return self.array[[self.index[p] for p in paths]]


@dataclass
class DecodedColumn:
    """The result of decoding a run's file column once, before the split."""

    good: Any  # boolean mask over the rows
    bad: list[dict[str, str]]  # {"path", "error"} per skipped file
    cache: FileCache | None  # None when the files do not fit in memory (they are decoded again when needed)


def read_headers(paths: Sequence[str], header: Callable[[str], Any], workers: int = 4) -> list[Any]:
    """``header(path)`` for every path, on threads, in order."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(header, paths))


def decode_many(paths: Sequence[str], spec: Any, decode: Decode, workers: int = 4
                ) -> tuple[Any, list[tuple[int, str]]]:
    """Decode ``paths`` into one ``(n, *spec.shape)`` array; files that fail are zero-filled and listed."""
    import numpy as np

    out = np.zeros((len(paths), *spec.shape), dtype=spec.dtype)
    bad: list[tuple[int, str]] = []

    def one(i: int) -> None:
        try:
            out[i] = decode(paths[i], spec)
        except Exception as exc:  # noqa: BLE001 - every decoding failure means "skip this file"
            bad.append((i, f"{type(exc).__name__}: {str(exc)[:160]}"))

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(len(paths))))
    return out, sorted(bad)


def cache_fits(n_files: int, spec: Any, memory_bytes: int) -> bool:
    """Whether ``n_files`` decoded files fit comfortably in memory (else they are decoded again when needed)."""
    import numpy as np

    return n_files * math.prod(spec.shape) * np.dtype(spec.dtype).itemsize <= CACHE_SHARE * memory_bytes


def decode_column(paths: Sequence[str], spec: Any, memory_bytes: int, decode: Decode, unit: str) -> DecodedColumn:
    """Decode every file once: those that fail are skipped and listed, an error past 10 %."""
    import numpy as np

    keep = cache_fits(len(paths), spec, memory_bytes)
    if keep:
        array, bad = decode_many(paths, spec, decode)
    else:  # check every file in chunks, keeping nothing
        array, bad = None, []
        for start in range(0, len(paths), CHUNK):
            bad += [(start + i, why) for i, why in decode_many(paths[start:start + CHUNK], spec, decode)[1]]
    good = np.ones(len(paths), dtype=bool)
    good[[i for i, _ in bad]] = False
    share = len(bad) / max(len(paths), 1)
    if share > BAD_SHARE_LIMIT:
        shown = ", ".join(repr(paths[i]) for i, _ in bad[:3])
        raise DataError(f"{len(bad):,} of {len(paths):,} {unit} ({share:.0%}) cannot be decoded, more than the "
                        f"{BAD_SHARE_LIMIT:.0%} allowed; for example {shown}. Fix or remove them.")
    listed = [{"path": paths[i], "error": why} for i, why in bad]
    if not keep:
        return DecodedColumn(good, listed, None)
    index = {p: i for i, p in enumerate(paths) if good[i]}
    return DecodedColumn(good, listed, FileCache(spec, index, array))


def load_files(paths: Sequence[str], spec: Any, decode: Decode, unit: str, cache: FileCache | None = None) -> Any:
    """``(n, *spec.shape)`` for ``paths``: from the run's cache, else decoded (files that fail are named)."""
    if cache is not None:
        found = cache.lookup(paths, spec)
        if found is not None:
            return found
    array, bad = decode_many(paths, spec, decode)
    if bad:
        shown = ", ".join(f"{paths[i]!r} ({why})" for i, why in bad[:3])
        raise DataError(f"{len(bad)} of the {unit} cannot be decoded: {shown}. Remove or replace them.")
    return array
