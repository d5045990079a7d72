"""Table files packed by a compressor: ``sales.csv.gz``, ``.bz2``, ``.xz``, or a ``.zip`` holding one table.

Such a file is unpacked into memory and then read like the table inside it. Unpacking stops at a limit (the bytes
the machine can parse once unpacked), so a file that unpacks to more than fits stops with the sizes and the fix,
rather than filling the memory (a zip bomb included). A packed stream cannot be cut at byte offsets, so it is never
read in pieces: a table larger than memory trains on Dask once it is unpacked.

Only the standard library unpacks (gzip, bz2, lzma, zipfile), and only the bytes of the one member are read, never
written to disk, so a member's path inside an archive goes nowhere.

Example:
    >>> from pathlib import Path
    >>> table_suffix(Path("sales.csv.gz")), packing(Path("sales.csv.gz")), packing(Path("sales.csv"))
    ('.csv', 'gzip', None)
    >>> stem(Path("sales.csv.gz")), stem(Path("sales.csv"))
    ('sales', 'sales')
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator

from ..errors import DataError, TooLargeError

PACKINGS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zip": "zip"}
UNPACK = {"gzip": "gunzip -k", "bz2": "bunzip2 -k", "xz": "unxz -k", "zip": "unzip"}  # keeps the packed file
SHOWN = 5


def packing(path: Path) -> str | None:
    """The compressor ``path``'s name says it was packed with (``gzip``, ``bz2``, ``xz``, ``zip``), or None."""
    return PACKINGS.get(path.suffix.lower())


def table_suffix(path: Path) -> str:
    """The suffix that says how the table inside is written: ``.csv`` for ``a.csv`` and for ``a.csv.gz``; for a
    zip archive, its one member's when that has one (a ``DataError`` when it holds none or several files)."""
    kind = packing(path)
    inner = Path(path.stem).suffix.lower()
    if kind is None:
        return path.suffix.lower()
    if kind != "zip" or not path.is_file():
        return inner
    return Path(member(path)).suffix.lower() or inner


def stem(path: Path) -> str:
    """``path``'s name without its packing and table suffixes: ``sales`` for ``sales.csv.gz``."""
    name = Path(path.stem) if packing(path) else path
    return name.stem


def member(path: Path) -> str:
    """The name of the one table inside the zip archive ``path`` (folders, ``__MACOSX/`` and hidden files left
    out); a ``DataError`` when it holds none or several."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir() and not _junk(i.filename)]
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataError(f"`data` is not a readable zip archive: {str(path)!r} ({exc}). Unzip it and give the "
                        "table file itself.") from None
    if len(names) != 1:
        shown = ", ".join(repr(n) for n in names[:SHOWN]) + (f" and {len(names) - SHOWN} more"
                                                              if len(names) > SHOWN else "")
        held = f"{len(names)} files ({shown})" if names else "no file"
        raise DataError(f"`data` is a zip archive holding {held}: {str(path)!r}; it must hold one table. Unzip it "
                        "and give the table file itself.")
    return names[0]


def unpacked(path: Path, limit: int, fix: str | None = None) -> bytes:
    """The bytes of the table packed in ``path``, at most ``limit`` of them: a ``TooLargeError`` when it unpacks to
    more (naming ``fix``, else training on Dask once unpacked), a ``DataError`` when it is not what its name says.

    >>> import gzip, tempfile, os
    >>> with tempfile.NamedTemporaryFile(suffix=".csv.gz", delete=False) as fh:
    ...     _ = fh.write(gzip.compress(b"a,y\\n1,0\\n2,1\\n"))
    >>> unpacked(Path(fh.name), limit=1 << 20)
    b'a,y\\n1,0\\n2,1\\n'
    >>> os.remove(fh.name)
    """
    import lzma
    import zipfile

    kind = str(packing(path))
    try:
        with _open(path, kind) as fh:
            raw = fh.read(limit + 1)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile, RuntimeError) as exc:
        # a zip's RuntimeError: it is encrypted
        raise DataError(f"`data` is not a readable {kind} file: {str(path)!r} ({exc}). Unpack it "
                        f"({UNPACK[kind]} {path.name}) and give the table file itself.") from None
    if len(raw) > limit:
        from .memory import size_text

        then = fix or "train on Dask (--dask auto or local, with the distributed extra), which reads it in pieces"
        raise TooLargeError(f"`data` is too large for this machine's memory: {str(path)!r} "
                        f"({size_text(path.stat().st_size)} packed) unpacks to more than {size_text(limit)}, more "
                        f"than can be read here. Unpack it first ({UNPACK[kind]} {path.name}), then {then}.")
    return raw


def cannot_split(path: Path) -> DataError:
    """The error for reading a packed ``path`` in pieces (on Dask, or ``predict --stream``)."""
    kind = str(packing(path))
    return DataError(f"`data` is packed ({kind}): {str(path)!r} cannot be read in pieces. Unpack it first "
                     f"({UNPACK[kind]} {path.name}) and give the unpacked table.")


def _open(path: Path, kind: str) -> Any:
    """A binary file object over the unpacked bytes of ``path``."""
    if kind == "gzip":
        import gzip

        return gzip.open(path, "rb")
    if kind == "bz2":
        import bz2

        return bz2.open(path, "rb")
    if kind == "xz":
        import lzma

        return lzma.open(path, "rb")
    return _zip_member(path)


@contextlib.contextmanager
def _zip_member(path: Path) -> Iterator[Any]:
    """The one table member of a zip archive, open for reading; the archive closes with it."""
    import zipfile

    name = member(path)
    with zipfile.ZipFile(path) as archive, archive.open(name) as fh:
        yield fh


def _junk(name: str) -> bool:
    """Entries an archiver adds beside the table: macOS resource forks and hidden files."""
    parts = name.split("/")
    return parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts if p)
