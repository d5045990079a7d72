"""File paths inside a table: resolved against the table's folder, never outside it.

A CSV of image or audio paths names files relative to its own folder. A path
that climbs out of that folder (``../../etc/passwd``, or an absolute path
elsewhere) is refused, and missing files are named, the first few of them.

Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "a.png").write_bytes(b"x")
    >>> [pathlib.Path(p).name for p in resolve_paths(["a.png"], root, "image")]
    ['a.png']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from ..errors import DataError

SHOWN = 3


def resolve_paths(values: Iterable[Any], root: Path | None, column: str = "path") -> list[str]:
    """Absolute paths for ``values``, checked to exist.

    With a ``root`` (the folder of a table read from disk), paths are relative
    to it and must stay inside it. Without one (an in-memory DataFrame from
    Python), they are relative to the working directory and may be absolute.
    """
    confined = root is not None
    root = (root or Path.cwd()).resolve()
    resolved, escaping, missing = [], [], []
    for value in values:
        text = "" if value is None or value != value else str(value).strip()
        path = (root / text).resolve()
        if not text or (confined and not path.is_relative_to(root)):
            escaping.append(text)
        elif not path.is_file():
            missing.append(text)
        resolved.append(str(path))
    if escaping:
        raise DataError(
            f"column {column!r} has {len(escaping)} path(s) outside the table's folder {str(root)!r}, such as "
            f"{_show(escaping)}. Paths must be relative to the table and stay inside its folder; move the files "
            "there."
        )
    if missing:
        raise DataError(
            f"column {column!r} names {len(missing)} file(s) that do not exist under {str(root)!r}: "
            f"{_show(missing)}. Fix the paths (they are relative to the table's folder) or remove those rows."
        )
    return resolved


def _show(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:SHOWN])
    return shown + (f" and {len(values) - SHOWN} more" if len(values) > SHOWN else "")
