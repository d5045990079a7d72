"""A checksum of the data a run trained on, so a resume can tell the same data from changed data.

A table file is hashed byte for byte; a folder of media files by every file's
relative path and bytes (hidden files left out, as reading leaves them out);
in-memory data by pandas' row hashes of the frame and its column names.

Example:
    >>> import pandas as pd
    >>> from automl.data import load
    >>> a = fingerprint(load(pd.DataFrame({"x": [1, 2], "y": [0, 1]})))
    >>> same, changed = load(pd.DataFrame({"x": [1, 2], "y": [0, 1]})), load(pd.DataFrame({"x": [1, 3], "y": [0, 1]}))
    >>> a == fingerprint(same), a == fingerprint(changed)
    (True, False)
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

CHUNK = 1 << 20


def fingerprint(dataset: Any) -> str:
    """``sha256:<hex>`` of what ``dataset`` was read from."""
    digest = hashlib.sha256()
    source = Path(dataset.source) if dataset.root is not None else None
    if source is not None and source.is_file():
        _add_file(digest, source)
    elif source is not None and source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file() and not _hidden(p, source)):
            digest.update(str(path.relative_to(source).as_posix()).encode("utf-8") + b"\0")
            _add_file(digest, path)
    else:
        import pandas as pd

        frame = dataset.frame
        digest.update("\0".join(map(str, frame.columns)).encode("utf-8"))
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return "sha256:" + digest.hexdigest()


def positions(rows: Any) -> str:
    """``sha256:<hex>`` of a list of row positions (the test rows), to check a resume splits the same way."""
    import numpy as np

    return "sha256:" + hashlib.sha256(np.asarray(rows, dtype=np.int64).tobytes()).hexdigest()


def _add_file(digest: Any, path: Path) -> None:
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
