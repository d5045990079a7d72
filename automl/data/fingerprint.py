"""A checksum of the data a run trained on, so a resume can tell the same data from changed data; and a hash of
each of its rows, so ``evaluate`` can tell rows the run saw from new ones.

A table file is hashed byte for byte; a folder of media files by every file's
relative path and bytes (hidden files left out, as reading leaves them out);
in-memory data by pandas' row hashes of the frame and its column names.

``row_hashes`` hashes each row's values (numbers as floats, everything else as
text; a file column by the bytes of the file it names, so the same file read
from another folder or by another path is the same row).

Example:
    >>> import pandas as pd
    >>> from automl.data import load
    >>> a = fingerprint(load(pd.DataFrame({"x": [1, 2], "y": [0, 1]})))
    >>> same, changed = load(pd.DataFrame({"x": [1, 2], "y": [0, 1]})), load(pd.DataFrame({"x": [1, 3], "y": [0, 1]}))
    >>> a == fingerprint(same), a == fingerprint(changed)
    (True, False)
    >>> seen = row_hashes(pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "a"]}), ["x", "y"])
    >>> int(overlap(row_hashes(pd.DataFrame({"x": [2.0, 5.0], "y": ["b", "a"]}), ["x", "y"]), seen).sum())
    1
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
ROW_HASHES = "row_hashes.npy"  # in the run directory: the sorted, distinct hashes of the rows the run read


def fingerprint(dataset: Any) -> str:
    """``sha256:<hex>`` of what ``dataset`` was read from."""
    digest = hashlib.sha256()
    source = Path(dataset.source) if dataset.root is not None else None
    if source is not None and source.is_file():
        return file_fingerprint(source)
    if source is not None and source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file() and not _hidden(p, source)):
            digest.update(str(path.relative_to(source).as_posix()).encode("utf-8") + b"\0")
            _add_file(digest, path)
    else:
        import pandas as pd

        frame = dataset.frame
        digest.update("\0".join(map(str, frame.columns)).encode("utf-8"))
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return "sha256:" + digest.hexdigest()


def file_fingerprint(path: Path) -> str:
    """``fingerprint`` of the table file at ``path``: ``sha256:<hex>`` of its bytes."""
    digest = hashlib.sha256()
    _add_file(digest, Path(path))
    return "sha256:" + digest.hexdigest()


def positions(rows: Any) -> str:
    """``sha256:<hex>`` of a list of row positions (the test rows), to check a resume splits the same way."""
    import numpy as np

    return "sha256:" + hashlib.sha256(np.asarray(rows, dtype=np.int64).tobytes()).hexdigest()


def row_hashes(frame: Any, columns: list[str], file_columns: Any = (), root: Path | None = None) -> Any:
    """One uint64 per row of ``frame[columns]``, the same for the same values whatever their dtype (1 and 1.0)
    or order of rows. ``file_columns`` hold paths (relative to ``root``, or absolute): their files' bytes are
    hashed instead of the paths; a file that cannot be read is hashed by its path."""
    import pandas as pd

    values = {}
    for name in columns:
        column = frame[name]
        if name in file_columns:
            values[name] = [_file_digest(v, root) for v in column]
        elif pd.api.types.is_numeric_dtype(column):
            values[name] = column.astype("float64")
        else:
            values[name] = column.astype(str).where(column.notna(), "\0missing")
    return pd.util.hash_pandas_object(pd.DataFrame(values), index=False).to_numpy()


def overlap(hashes: Any, known: Any) -> Any:
    """A boolean per hash: whether it is among ``known``."""
    import numpy as np

    known = np.unique(np.asarray(known, dtype=np.uint64))
    if len(known) == 0:
        return np.zeros(len(hashes), dtype=bool)
    at = np.minimum(np.searchsorted(known, hashes), len(known) - 1)
    return known[at] == hashes


def file_columns(kinds: dict[str, str]) -> list[str]:
    """The columns of ``kinds`` (column -> kind) that name files: image, audio, any registered modality of files."""
    from .. import registry

    of_files = {m.column_kind for m in registry.modalities() if m.suffixes and m.column_kind}
    return [name for name, kind in kinds.items() if kind in of_files]


def _file_digest(value: Any, root: Path | None) -> str:
    text = "" if value is None or value != value else str(value)
    path = (root or Path.cwd()) / text
    try:
        digest = hashlib.blake2b(digest_size=16)
        _add_file(digest, path)
    except OSError:
        return "path:" + text
    return "file:" + digest.hexdigest()


def _add_file(digest: Any, path: Path) -> None:
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
