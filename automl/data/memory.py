"""Will a table file fit in memory once read? Judged from its size before reading, so that a table too large
stops with a reason and a fix instead of the machine running out of memory halfway.

Measured on this project's reader (pandas 3, pyarrow 26, one run each): a
134 MB CSV of 2 million rows x 10 columns (8 numbers, a short text, the
target) peaked at 1.26 GB above the interpreter's own memory while being
read (9.4 times the file); the same table as a 38 MB Parquet file at
0.43 GB (21 bytes per cell). The factors below round those up.

Example:
    >>> needed = reading_bytes(Path("big.csv"), file_bytes=2 << 30)
    >>> needed / (1 << 30)
    20.0
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, TooLargeError, invalid

UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
         "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30, "T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}

CSV_FACTOR = 10.0  # peak memory while reading a delimited file, per byte of the file
PARQUET_CELL_BYTES = 24  # peak memory while reading a Parquet file, per cell (rows x columns)


def reading_bytes(path: Path, file_bytes: int | None = None) -> int | None:
    """Peak memory to read ``path`` with ``read_table``; None when it cannot be told (an unreadable Parquet
    footer: the reader then names the problem)."""
    size = path.stat().st_size if file_bytes is None else file_bytes
    if path.suffix.lower() not in (".parquet", ".pq"):
        return int(size * CSV_FACTOR)
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
    except Exception:  # noqa: BLE001 - pyarrow raises many types for a bad file; the reader reports it
        return None
    return int(meta.num_rows * meta.num_columns * PARQUET_CELL_BYTES)


def check_fits(path: Path, available: int, fix: str | None = None) -> None:
    """A ``TooLargeError`` naming the sizes and the fix (``fix``, else training on Dask or on a sample) when reading
    ``path`` would need more than ``available``.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as fh:
    ...     _ = fh.write(b"a,target\\n" + b"1,0\\n" * 1000)
    >>> try:
    ...     check_fits(Path(fh.name), available=1000)
    ... except TooLargeError as exc:
    ...     print(exc)  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    `data` is too large for this machine's memory: reading '...' (3.9 KB) needs about 39.2 KB, and 1000 B is
    free. Train on Dask (--dask auto or local, with the distributed extra), on a sample of its rows (head -n
    1000001 ... into a new file) or on a machine with more memory.
    >>> os.remove(fh.name)
    """
    needed = reading_bytes(path)
    if needed is None or needed <= available:
        return
    rows = "head -n 1000001" if path.suffix.lower() not in (".parquet", ".pq") else "the first million rows of"
    fix = fix or (f"Train on Dask (--dask auto or local, with the distributed extra), on a sample of its rows ({rows} "
                  f"{path.name} into a new file) or on a machine with more memory.")
    raise TooLargeError(f"`data` is too large for this machine's memory: reading {str(path)!r} "
                    f"({size_text(path.stat().st_size)}) needs about {size_text(needed)}, and "
                    f"{size_text(available)} is free. {fix}")


def size_text(n: float) -> str:
    """Bytes in the largest unit that keeps the number at or above 1.

    >>> size_text(512), size_text(3 << 20), size_text(2.5 * (1 << 30))
    ('512 B', '3.0 MB', '2.5 GB')
    """
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def parse_size(value: object, name: str = "memory") -> int | None:
    """Bytes from ``"8GB"``, ``"512 MB"``, ``"1.5G"`` or a number of bytes; None stays None. Units are powers of
    1024, as ``size_text`` prints them. Text without a unit is bytes only from a megabyte up: ``"8"`` is refused
    (a size of 8 bytes is a unit left out), with the size it likely meant.

    >>> parse_size("8GB"), parse_size("512 mb"), parse_size(1024), parse_size(None), parse_size("2000000")
    (8589934592, 536870912, 1024, None, 2000000)
    >>> parse_size("8")
    Traceback (most recent call last):
    ...
    automl.errors.ConfigError: `memory` must be a size such as 8GB, 512MB or a number of bytes. Received: memory='8'. \
A number without a unit is bytes: give one, as in 8GB.
    """
    import re

    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return int(value)
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", str(value)) if isinstance(value, str) else None
    if match is None or match.group(2).upper() not in UNITS or float(match.group(1)) <= 0:
        raise ConfigError(invalid(name, "a size such as 8GB, 512MB or a number of bytes", value))
    if not match.group(2) and float(match.group(1)) < UNITS["MB"]:
        raise ConfigError(invalid(name, "a size such as 8GB, 512MB or a number of bytes", value,
                                  f"A number without a unit is bytes: give one, as in {match.group(1)}GB."))
    return int(float(match.group(1)) * UNITS[match.group(2).upper()])
