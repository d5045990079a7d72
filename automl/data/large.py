"""Tables too large to read into memory whole: read in pieces, with a sample of rows held in memory.

A large table is cut into pieces (a Parquet file's row groups; byte ranges of a
CSV file, each ending at a line break) that ``read_piece`` reads one at a
time. Every row draws a number from a generator seeded by its piece's place
in the file, and the rows whose number falls below ``held_share`` are *held*:
read into this process once (``read_held``), where inspection, the test rows,
the validation rows and the deep comparison use them. The other rows are read
only where gradient boosting trains on Dask, piece by piece, on the workers.
The draw depends on the file alone, so a resume and every approach see the
same held rows. The columns its first megabyte writes with decimal commas
(``decimals.find``: in a comma-delimited file, only quoted ones such as
``"1,5"``) are read as numbers in every piece. A piece that is not UTF-8 is
read in the encoding named (``encoding.decode``).

Example:
    >>> table = LargeTable("t.csv", "csv", ((10, 50),), ("a", "y"), ",", 4, 0.5, 400, 1 << 30)
    >>> table.held(0, 4).tolist()
    [False, True, False, True]
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError, invalid
from . import decimals
from .encoding import decode
from .memory import reading_bytes, size_text

HELD_ROWS = 200_000  # rows held in memory at most: enough for a 20,000-row test set and a steady validation score
HELD_CELLS = 5_000_000  # and at most this many cells (rows x columns): about 120 MB to read
HELD_MEMORY_SHARE = 0.25  # which must fit in this share of the run's memory
HELD_SHARE = 0.25  # and at most this share of the table's rows, so that most of them train on Dask
CSV_PIECE_BYTES = 32 << 20
DRAW_SEED = 7_919  # fixed, so the held rows depend on the file only
DASK_CHOICES = ("auto", "local", "off")  # --dask: or the address of a running Dask scheduler
EXTRA = 'pip install -e ".[distributed]"'


@dataclass(frozen=True)
class LargeTable:
    """A table file read in pieces; ``held_share`` of its rows are held in memory."""

    path: str
    format: str  # parquet | csv
    pieces: tuple[tuple[int, int], ...]  # parquet: (first row group, end); csv: (first byte, end byte)
    columns: tuple[str, ...]
    delimiter: str
    n_rows: int  # every data row (a CSV's is estimated until ``read_held`` has counted them)
    held_share: float
    reading_bytes: int  # what reading it whole into one process would take
    memory: int  # the memory this run may use
    commas: tuple[str, ...] = ()  # columns read as decimal-comma numbers (``decimals``)
    encoding: str | None = None  # how to read a piece that is not UTF-8 (``encoding``: the one named, if any)
    decoded: str | None = None  # ``encoding`` once a piece has needed it (``read_held`` sets it)

    def read_piece(self, i: int) -> Any:
        """Piece ``i`` as a pandas DataFrame with the table's columns."""
        return self._piece(i)[0]

    def _piece(self, i: int) -> tuple[Any, str | None]:
        """Piece ``i``, and the named encoding when it needed it."""
        import pandas as pd

        start, end = self.pieces[i]
        if self.format == "parquet":
            import pyarrow.parquet as pq

            groups = list(range(start, end))
            return pq.ParquetFile(self.path).read_row_groups(groups).to_pandas(), None
        with open(self.path, "rb") as fh:
            fh.seek(start)
            raw = fh.read(end - start)
        text, decoded = decode(raw, self.encoding, self.path, offset=start)
        piece = pd.read_csv(io.StringIO(text), sep=self.delimiter, header=None, names=list(self.columns),
                            skipinitialspace=True, index_col=False,
                            dtype={name: str for name in self.commas if self.delimiter != ","} or None)
        return decimals.read(piece, self.commas), decoded

    def held(self, i: int, n: int) -> Any:
        """Which of piece ``i``'s ``n`` rows are held in memory (a boolean array)."""
        import numpy as np

        return np.random.default_rng([DRAW_SEED, i]).random(n) < self.held_share

    @property
    def held_rows(self) -> int:
        return int(round(self.n_rows * self.held_share))

    def describe(self) -> dict[str, Any]:
        """What ``run.json`` and the report say of it."""
        return {"path": self.path, "format": self.format, "pieces": len(self.pieces), "rows": self.n_rows,
                "held_share": round(self.held_share, 6), "reading_bytes": self.reading_bytes, "memory": self.memory,
                "decimal_commas": list(self.commas)}


def dask_setting(value: Any) -> str:
    """``--dask``: auto, local, off, or a scheduler's address (``tcp://host:8786`` or ``host:8786``).

    >>> dask_setting("tcp://10.0.0.5:8786"), dask_setting("LOCAL")
    ('tcp://10.0.0.5:8786', 'local')
    """
    text = str(value).strip()
    if text.lower() in DASK_CHOICES:
        return text.lower()
    if "://" in text or (":" in text and text.rsplit(":", 1)[1].isdigit()):
        return text  # tcp://HOST:PORT, HOST:PORT, or another of Dask's schemes (tls://, inproc://)
    raise ConfigError(invalid("dask", "auto, local, off or a Dask scheduler's address such as tcp://HOST:8786",
                              value))


def choose(path: Path, available: int, dask: str, commas: tuple[str, ...] = (),
           encoding: str | None = None) -> LargeTable | None:
    """The table read in pieces when it must or was asked to be (``dask`` local or an address), else None;
    ``commas`` and ``encoding`` as for ``pieces_of``.

    A table too large for ``available`` bytes with ``dask`` off, or without the distributed extra installed, is a
    ``DataError`` saying why and what to do.
    """
    needed = reading_bytes(path)
    too_large = needed is not None and needed > available
    if dask == "off" or (dask == "auto" and not too_large):
        return None  # the reader refuses a table too large (check_fits) with dask off
    if not installed():
        why = (f"reading {str(path)!r} whole needs about {size_text(needed or 0)} and {size_text(available)} is "
               "free, so it trains on Dask" if too_large else f"`dask` is {dask!r}")
        raise DataError(f"`data` cannot be trained on here: {why}, and Dask is not installed. Install the "
                        f"distributed extra ({EXTRA}), or train on a sample of its rows.")
    return measure(path, available, needed or 0, commas, encoding)


def installed() -> bool:
    """Dask's dataframe and distributed packages are importable (the ``distributed`` extra)."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("dask", "distributed", "pyarrow"))


def measure(path: Path, memory: int, needed: int, commas: tuple[str, ...] = (),
            encoding: str | None = None) -> LargeTable:
    """Cut ``path`` into pieces and choose the share of rows held in memory."""
    table = pieces_of(path, commas, encoding)
    width = max(len(table.columns), 1)
    held = min(HELD_ROWS, HELD_CELLS // width, int(table.n_rows * HELD_SHARE))  # from the file alone (a resume
    # holds the same rows)
    if held * width * 24 > memory * HELD_MEMORY_SHARE:
        raise DataError(f"`data` cannot be trained on in {size_text(memory)} of memory: the {held:,} rows held in "
                        f"memory for inspection, testing and the deep comparison need about "
                        f"{size_text(held * width * 24)}. Give more memory (`memory`) or use a larger machine.")
    return dataclasses.replace(table, held_share=held / max(table.n_rows, 1), reading_bytes=needed, memory=memory)


def pieces_of(path: Path, commas: tuple[str, ...] = (), encoding: str | None = None) -> LargeTable:
    """``path`` cut into pieces, no rows held: for reading (or predicting) it piece by piece. The columns its first
    megabyte writes with decimal commas (``decimals.find``), and ``commas`` (as an earlier file showed), are read as
    numbers; ``encoding``: how to read a file that is not UTF-8."""
    from .packed import cannot_split, packing

    if packing(path):  # a compressed stream has no byte offsets to cut at
        raise cannot_split(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            file = pq.ParquetFile(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
            raise DataError(f"`data` is not a readable Parquet file: {str(path)!r} ({exc}).") from None
        pieces = tuple((g, g + 1) for g in range(file.metadata.num_row_groups))
        columns = tuple(str(c) for c in file.schema_arrow.names)
        return LargeTable(str(path), "parquet", pieces, columns, "", int(file.metadata.num_rows), 0.0, 0, 0)
    columns, delimiter, pieces, n_rows, found = _csv_pieces(path, encoding)
    carried = tuple(c for c in commas if c in columns and c not in found)
    return LargeTable(str(path), "csv", pieces, columns, delimiter, n_rows, 0.0, 0, 0, found + carried, encoding)


def _csv_pieces(path: Path, encoding: str | None = None
                ) -> tuple[tuple[str, ...], str, tuple[tuple[int, int], ...], int, tuple[str, ...]]:
    """The header's names, the delimiter, byte ranges ending at line breaks, the rows estimated from the first
    piece (``read_held`` counts them exactly), and the columns that piece's first MB writes with decimal commas."""
    import csv

    from . import UTF16_MARKS, _sniff_delimiter, without_sep_hint  # the whole-file reader's (imported here: it
    # imports this module)

    size = path.stat().st_size
    with open(path, "rb") as fh:
        header = fh.readline()
        if header[:2] in UTF16_MARKS:  # two bytes a character: a cut at a line-break byte can fall inside one
            raise DataError(f"`data` is UTF-16 and cannot be read in pieces: {str(path)!r}. Re-save it as UTF-8 (or "
                            "as Parquet).")
        text = decode(header, encoding, str(path))[0]
        _, hinted = without_sep_hint(text)
        if hinted:  # Excel's sep=; line: the header is the next one
            at = fh.tell()
            header = fh.readline()
            text = decode(header, encoding, str(path), offset=at)[0]
        first = fh.tell()
        sample = fh.read(min(CSV_PIECE_BYTES, 1 << 20))
        whole = sample[: sample.rfind(b"\n") + 1]  # whole data rows
        try:
            rows = decode(whole, encoding, str(path), offset=first)[0]
        except DataError:  # reading the piece reports it
            rows = whole.decode("utf-8", "replace")
        head = (text + rows)[:65536]
        delimiter = "\t" if path.suffix.lower() == ".tsv" else hinted or _sniff_delimiter(head)
        columns = tuple(c.strip() for c in next(csv.reader([text.strip("\r\n")], delimiter=delimiter)))
        pieces, start = [], first
        while start < size:
            fh.seek(min(start + CSV_PIECE_BYTES, size))
            fh.readline()  # on to the end of the line the cut fell in
            end = min(fh.tell(), size)
            pieces.append((start, end))
            start = end
    lines = max(sample.count(b"\n"), 1)
    found = _commas_in(rows, columns, delimiter)
    return columns, delimiter, tuple(pieces), int((size - first) * lines / max(len(sample), 1)), found


def _commas_in(sample: str, columns: tuple[str, ...], delimiter: str) -> tuple[str, ...]:
    """The columns that ``sample`` (whole data rows, no header) writes with decimal commas; none when it cannot be
    read (the pieces then say why)."""
    import pandas as pd

    try:
        frame = pd.read_csv(io.StringIO(sample), sep=delimiter, header=None, names=list(columns), dtype=str,
                            skipinitialspace=True, index_col=False)
    except Exception:  # noqa: BLE001 - pandas raises many types for a bad sample; reading the piece reports it
        return ()
    return tuple(decimals.find(frame, strict=delimiter == ","))


def read_held(table: LargeTable) -> tuple[Any, Any, LargeTable]:
    """One pass over the file: the held rows (a DataFrame), their positions among its data rows, and the table
    with its exact row count. Memory: one piece at a time, plus the held rows."""
    import numpy as np
    import pandas as pd

    frames, positions, offset, decoded = [], [], 0, None
    for i in range(len(table.pieces)):
        try:
            piece, used = table._piece(i)
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 - pandas and pyarrow raise many types for a bad piece
            raise DataError(f"`data` could not be read in pieces: piece {i + 1} of {len(table.pieces)} of "
                            f"{table.path!r} failed ({exc}). Fix the file, or give it as Parquet.") from None
        decoded = decoded or used
        keep = table.held(i, len(piece))
        frames.append(piece.loc[keep])
        positions.append(offset + np.flatnonzero(keep))
        offset += len(piece)
    if offset == 0:
        raise DataError(f"`data` has a header but no data rows: {table.path!r}. Add rows below the header.")
    frame = pd.concat(frames, ignore_index=True)
    frame.columns = [str(c) for c in frame.columns]
    return frame, np.concatenate(positions), dataclasses.replace(table, n_rows=offset, decoded=decoded)
