"""Load what the user hands us (a table file, a folder of media files, a DataFrame, or X/y arrays) into a ``Dataset``.

Only reading happens here; deciding what the columns mean is ``inspection``'s job.

Example:
    >>> import pandas as pd
    >>> ds = load(pd.DataFrame({"a": [1, 2], "y": [0, 1]}))
    >>> ds.name, list(ds.frame.columns)
    ('dataframe', ['a', 'y'])
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import DataError, invalid
from . import decimals, large, packed
from .encoding import UTF16_MARKS, UTF16_NOTE, decode
from .folders import PATH_COLUMN, media_kind, read_folder
from .memory import CSV_FACTOR, check_fits

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")
_SAVE_AS = "Save it as CSV ({how}), or read it with pandas.{reader} and pass the DataFrame to automl.AutoML().fit."
OTHER_FORMATS = {  # tables people keep in other files: the way to one we read
    **{s: _SAVE_AS.format(how="in Excel: File > Save As > CSV UTF-8", reader="read_excel")
       for s in (".xlsx", ".xls", ".xlsm", ".xlsb")},
    ".ods": _SAVE_AS.format(how="in LibreOffice: File > Save As > Text CSV", reader="read_excel"),
    **{s: _SAVE_AS.format(how="for example with pandas' to_csv", reader="read_json") for s in (".json", ".jsonl")},
    **{s: _SAVE_AS.format(how="or as Parquet, with pandas' to_parquet", reader="read_feather")
       for s in (".feather", ".arrow")},
}
_DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class Dataset:
    """A table as loaded, before any interpretation.

    ``root`` is the folder that relative file paths inside the table resolve
    against (the table's own folder), or ``None`` for in-memory data.
    """

    frame: Any  # pandas.DataFrame
    name: str
    source: str
    root: Path | None = None
    notes: tuple[str, ...] = ()  # what reading left out (files that are not media, empty class folders)
    large: Any = None  # a ``large.LargeTable`` when the file is read in pieces; ``frame`` then holds its held rows
    positions: Any = None  # the held rows' positions among the file's data rows (None: the frame's own order)
    commas: tuple[str, ...] = ()  # columns read as decimal-comma numbers (``decimals``)
    encoding: str | None = None  # the named encoding the file needed (``encoding``); None: UTF-8 or UTF-16

    @property
    def n_bytes(self) -> int:
        return int(self.frame.memory_usage(deep=True).sum())


def load(data: Any, y: Any = None, target: str | None = None, memory: int | None = None,
         dask: str = "auto", too_large: str | None = None, commas: tuple[str, ...] = (),
         encoding: str | None = None) -> Dataset:
    """Turn a path, a DataFrame or X (+ y) arrays into a ``Dataset``; a 1-D X (a list of texts, a Series) is
    one column, named as the Series is or ``x0``.

    With ``y``, the labels are added as a column named ``target`` (or the
    ``target`` argument), so the rest of the pipeline sees one table. A table
    file too large for ``memory`` bytes (default: what is free), or any with
    ``dask`` local or an address, is read in pieces (``large``): the Dataset
    then holds a sample of its rows, and gradient boosting trains on Dask.
    ``too_large``: the fix a refused table's error gives (with ``dask`` off).
    ``commas``: columns a ``;`` or tab file writes with decimal commas, as an
    earlier file showed (``decimals``), read so even where this file has none.
    ``encoding``: how to read a table file that is not UTF-8 (``encoding.decode``).
    """
    import numpy as np
    import pandas as pd

    if isinstance(data, (str, Path)):
        if y is not None:
            raise DataError("`y` can only be given with in-memory X; a file must hold its target column.")
        refuse_address(data)
        path = Path(data).expanduser()
        if path.is_dir():
            listing = read_folder(path)
            return Dataset(listing.frame, name=_name_of(path), source=str(path), root=path.resolve(),
                           notes=tuple(listing.notes))
        if path.is_file() and media_kind(path):
            frame = pd.DataFrame({PATH_COLUMN: [path.name]})
            return Dataset(frame, name=_name_of(path), source=str(path), root=path.resolve().parent)
        if path.is_file() and packed.packing(path) and dask not in ("auto", "off"):
            raise packed.cannot_split(path)  # Dask reads a table in pieces
        if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES and path.stat().st_size:
            table = large.choose(path, available_memory(memory), dask, commas, encoding)
            if table is not None:
                frame, rows, table = large.read_held(table)
                frame, said = without_empty_nameless(frame, table.columns)
                check_unique_columns(list(frame.columns))
                return Dataset(frame, name=_name_of(path), source=str(path), root=path.resolve().parent,
                               large=table, positions=rows, commas=table.commas, encoding=table.decoded,
                               notes=tuple(said + decimals.notes(table.commas, []) + encoded_notes(table.decoded)))
        table = read_table(path, memory, too_large, commas, encoding)
        return Dataset(table.frame, name=_name_of(path), source=str(path), root=path.resolve().parent,
                       notes=tuple(table.notes), commas=table.commas, encoding=table.encoding)
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
        source = "dataframe"
    elif isinstance(data, pd.Series):  # one column: its name, or x0
        frame = data.to_frame("x0" if data.name is None else str(data.name))
        source = "dataframe"
    elif isinstance(data, (np.ndarray, list, tuple)) or hasattr(data, "__array__"):
        array = np.asarray(data)
        if array.ndim == 1:  # one column of values (texts, paths, numbers), as text pipelines take them
            array = array.reshape(-1, 1)
        if array.ndim != 2:
            raise DataError(invalid("X", "a 2-D table (rows x columns)", f"an array of shape {array.shape}"))
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
        source = "arrays"
    else:
        raise DataError(
            invalid("data", "a path to a CSV/TSV/Parquet file, a pandas DataFrame or an array", type(data).__name__)
        )
    frame.columns = [str(c) for c in frame.columns]
    check_unique_columns(list(frame.columns))
    if y is not None:
        labels = pd.Series(np.asarray(y).ravel() if not isinstance(y, pd.Series) else y.to_numpy())
        if len(labels) != len(frame):
            raise DataError(f"`y` has {len(labels)} values but X has {len(frame)} rows; they must match.")
        name = target or (y.name if isinstance(y, pd.Series) and y.name else "target")
        if name in frame.columns:
            raise DataError(f"X already has a column named {name!r}; rename it or pass target=<other name>.")
        frame = frame.reset_index(drop=True)
        frame[str(name)] = labels.to_numpy()
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataError(f"`data` is empty: {frame.shape[0]} rows x {frame.shape[1]} columns.")
    return Dataset(frame.reset_index(drop=True), name=source, source=source)


def refuse_address(data: Any) -> None:
    """A ``DataError`` when ``data`` is a web or cloud address (``https://``, ``s3://``), not a file's path."""
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", data) if isinstance(data, str) else None
    if scheme:
        how = (f"download it first (for example curl -LO {data})" if scheme.group(1).lower() in ("http", "https", "ftp")
               else "copy it to this machine first (with your storage's own command-line tool)")
        raise DataError(f"`data` is an address, not a file: {data!r}. automl reads files on this machine: {how} "
                        "and give the file's path.")


def available_memory(memory: int | None = None) -> int:
    """``memory`` (the run's limit, when given) or what the machine has free now."""
    if memory is not None:
        return int(memory)
    import psutil

    return int(psutil.virtual_memory().available)


class Table(NamedTuple):
    """A table file as read: its rows, notes on how it was read, the columns read with decimal commas."""

    frame: Any  # pandas.DataFrame
    notes: list[str]
    commas: tuple[str, ...] = ()
    encoding: str | None = None  # the named encoding the file needed; None: UTF-8 or UTF-16


def read_table(path: Path, memory: int | None = None, too_large: str | None = None,
               commas: tuple[str, ...] = (), encoding: str | None = None) -> Table:
    """Read a CSV/TSV/Parquet file, or one packed in gzip, bz2, xz or zip (``packed``), with errors a person can
    act on. A file too large for ``memory`` bytes (default: what is free) is refused before reading (a packed one
    once it has unpacked to more than fits). ``commas``, ``encoding``: as for ``load``."""
    if not path.exists():
        raise DataError(f"`data` file not found: {str(path)!r}. Check the path.")
    if path.is_dir():
        raise DataError(f"`data` is a folder: {str(path)!r}; give a CSV, TSV or Parquet file.")
    suffix = packed.table_suffix(path)
    if suffix not in TABLE_SUFFIXES:
        packings = ", ".join(f"{TABLE_SUFFIXES[0]}{p}" for p in packed.PACKINGS)
        raise DataError(invalid("data", f"a file ending in {', '.join(TABLE_SUFFIXES)} (or one of them packed: "
                                        f"{packings})", str(path), OTHER_FORMATS.get(suffix, "")))
    if path.stat().st_size == 0:
        raise DataError(f"`data` is empty: {str(path)!r} has 0 bytes. Give a table with a header row and data rows.")
    raw = None
    if packed.packing(path):  # its size once unpacked is known only by unpacking: up to what fits
        raw = packed.unpacked(path, int(available_memory(memory) / CSV_FACTOR), too_large)
    else:
        check_fits(path, available_memory(memory), too_large)  # a clear error, not the machine out of memory
    table = (Table(_read_parquet(path, raw), []) if suffix in (".parquet", ".pq")
             else _read_delimited(path, suffix, raw, commas, encoding))
    if len(table.frame) == 0:
        raise DataError(f"`data` has a header but no data rows: {str(path)!r}. Add rows below the header.")
    return table


def check_unique_columns(columns: list[str]) -> None:
    repeated = [f"{name!r} ({count} times)" for name, count in Counter(columns).items() if count > 1]
    if repeated:
        raise DataError(
            "`data` has duplicate column names: " + ", ".join(repeated) + ". Rename them so each is unique."
        )


def _read_parquet(path: Path, raw: bytes | None = None) -> Any:
    import pandas as pd

    try:
        frame = pd.read_parquet(path if raw is None else io.BytesIO(raw))
    except Exception as exc:  # pyarrow raises many types for a bad file
        raise DataError(f"`data` is not a readable Parquet file: {str(path)!r} ({exc}).") from None
    frame.columns = [str(c) for c in frame.columns]
    check_unique_columns(list(frame.columns))
    return frame


def _read_delimited(path: Path, suffix: str, raw: bytes | None = None, commas: tuple[str, ...] = (),
                    encoding: str | None = None) -> Table:
    """A delimited table from ``path``'s bytes (``raw``: those already unpacked from it), in UTF-8, UTF-16 or
    ``encoding`` (``encoding.decode``); the columns written with decimal commas (in a comma-delimited file, only
    those that cannot be thousands: ``"1,5"``), and ``commas``, are read as numbers."""
    import pandas as pd

    raw = path.read_bytes() if raw is None else raw
    utf16 = raw[:2] in UTF16_MARKS
    text, decoded = decode(raw, encoding, str(path))
    if not text.strip():
        raise DataError(f"`data` is empty: {str(path)!r} holds only whitespace. Give a header row and data rows.")
    text, hinted = without_sep_hint(text)
    delimiter = "\t" if suffix == ".tsv" else hinted or _sniff_delimiter(text[:65536])
    header = next(csv.reader(io.StringIO(text.lstrip("\r\n").splitlines()[0]), delimiter=delimiter))
    check_title(text, delimiter, header)
    check_unique_columns([h.strip() for h in header if h.strip()])  # pandas numbers nameless ones (Unnamed: 5)
    known = [c for c in commas if c in {h.strip() for h in header}]
    # read as text where decimal commas are the file's habit (1.392 there is 1392), as pandas names them
    raw_names = [h.lstrip() for h in header if h.strip() in known] if delimiter != "," else []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text), sep=delimiter, skipinitialspace=True, low_memory=False, index_col=False,
                dtype={name: str for name in raw_names} or None,
            )
    except pd.errors.ParserWarning:
        raise DataError(_long_row_message(text, delimiter, path, len(header))) from None
    except pd.errors.ParserError as exc:
        raise DataError(_parser_message(str(exc), path, len(header))) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"`data` has no columns: {str(path)!r}. Give a header row and data rows.") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    notes = ([UTF16_NOTE] if utf16 else []) + encoded_notes(decoded)
    frame, said = without_empty_nameless(frame, header)
    notes += said
    if frame.shape[1] > 1 and frame.iloc[:, -1].isna().any():  # pandas pads a short row with missing values
        count, lines = short_rows(text, delimiter, frame.shape[1])
        notes += [short_rows_note(count, lines, frame.shape[1])] if count else []
    found = decimals.find(frame, strict=delimiter == ",")  # in a comma file, 1,234 is a thousand and more
    carried = [c for c in known if c not in found and decimals.is_text(frame[c])]  # numbers already: as they are
    strays: list[str] = []
    frame = decimals.read(frame, found + carried, strays)
    return Table(frame, notes + decimals.notes(found, carried) + strays, tuple(found + carried), decoded)


def encoded_notes(encoding: str | None) -> list[str]:
    """What a run says of a file read in a named encoding (none for UTF-8)."""
    return [f"The file is not UTF-8 and is read as {encoding}, the encoding named for it."] if encoding else []


def without_sep_hint(text: str) -> tuple[str, str | None]:
    """``text`` without a first line ``sep=;`` (the hint Excel reads and some exports write), and the delimiter it
    names (None when there is none). The line becomes blank, so line numbers stay the file's.

    >>> without_sep_hint("sep=;\\na;b\\n1;2\\n")
    ('\\na;b\\n1;2\\n', ';')
    """
    hint = re.match(r"[ \t]*sep=([^\r\n])[ \t]*\r?(?:\n|$)", text, flags=re.IGNORECASE)
    return ("\n" + text[hint.end():], hint.group(1)) if hint else (text, None)


def without_empty_nameless(frame: Any, header: Any) -> tuple[Any, list[str]]:
    """``frame`` without the columns that have no name in ``header`` (the file's header cells, in order) and no
    value: lines that all end with the delimiter. A nameless column with values (a saved index) stays."""
    empty = [name for name, cell in zip(frame.columns, header) if not str(cell).strip() and frame[name].isna().all()]
    if not empty:
        return frame, []
    return frame.drop(columns=empty), [f"{len(empty)} column(s) with no name and no values (the lines end with the "
                                       "delimiter) are left out."]


def check_title(text: str, delimiter: str, header: list[str]) -> None:
    """A ``DataError`` when the first line's first cell is its only one filled and the line after it reads as
    column names (several, none a number): a title above the table (a spreadsheet's heading cell), not its header.
    A saved pandas Series (``,name``) or a last column without a name above numbers is no title.

    >>> check_title("Sales 2024;;\\nregion;units;y\\n", ";", ["Sales 2024", "", ""])
    Traceback (most recent call last):
    automl.errors.DataError: `data`'s first line, 'Sales 2024', names one column, but the line after it has 3 ...
    """
    if not header[0].strip() or any(cell.strip() for cell in header[1:]):
        return
    lines = [line for line in text.splitlines() if line.strip()][:2]
    following = next(csv.reader([lines[1]], delimiter=delimiter), []) if len(lines) > 1 else []
    cells = [cell.strip() for cell in following if cell.strip()]
    filled = len(cells)
    if filled >= 2 and not any(re.fullmatch(r"[-+]?[\d.,]+(?:e[-+]?\d+)?", cell, re.IGNORECASE) for cell in cells):
        raise DataError(f"`data`'s first line, {header[0].strip()!r}, names one column, but the line after it has "
                        f"{filled} values: it looks like a title above the table. Delete the lines above the column "
                        "names, so that they are the first line.")


def short_rows(text: str, delimiter: str, n_fields: int, shown: int = 10) -> tuple[int, list[int]]:
    """How many data rows of a delimited ``text`` have fewer than ``n_fields`` fields, and the file lines where the
    first ``shown`` of them start. Blank lines (which pandas skips) and the header do not count.

    >>> short_rows("a,b,c\\n1,2,3\\n\\n4,5\\n6\\n", ",", 3)
    (2, [4, 5])
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    count, lines, header, start = 0, [], False, 1
    for row in reader:
        blank = len(row) <= 1 and not "".join(row).strip()
        if not blank and header and len(row) < n_fields:
            count += 1
            if len(lines) < shown:
                lines.append(start)
        header = header or not blank
        start = reader.line_num + 1
    return count, lines


def short_rows_note(count: int, lines: list[int], n_fields: int) -> str:
    """The note for rows shorter than the header, naming their first lines.

    >>> short_rows_note(12, list(range(2, 12)), 4)
    '12 row(s) have fewer fields than the header (4): lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more; ...'
    """
    more = f" and {count - len(lines)} more" if count > len(lines) else ""
    return (f"{count:,} row(s) have fewer fields than the header ({n_fields}): lines "
            f"{', '.join(str(n) for n in lines)}{more}; their missing trailing values are read as missing.")


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:  # the one the first lines hold most often, line by line (a title line holds none)
        import statistics

        lines = [line for line in sample.splitlines() if line.strip()][:20] or [""]
        counts = {d: statistics.median(line.count(d) for line in lines) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _parser_message(message: str, path: Path, n_header: int) -> str:
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if match:
        expected, line, saw = match.groups()
        return (
            f"`data` is not valid CSV: line {line} of {str(path)!r} has {saw} fields, but the header has "
            f"{expected}. Fix that line, or quote values that contain the delimiter."
        )
    return f"`data` is not valid CSV: {str(path)!r}: {message.strip()}. Fix the file and try again."


def _long_row_message(text: str, delimiter: str, path: Path, n_header: int) -> str:
    """Find the first record with more fields than the header (only on the error path)."""
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if len(row) > n_header:
            return (
                f"`data` is not valid CSV: line {number} of {str(path)!r} has {len(row)} fields, but the header "
                f"has {n_header}. Fix that line, or quote values that contain the delimiter."
            )
    return f"`data` is not valid CSV: {str(path)!r} has rows longer than its header ({n_header} fields)."


def _name_of(path: Path) -> str:
    stem = packed.stem(path) if path.is_file() or path.suffix else path.name
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem) or "data"
