"""What each column of the run's data holds: numeric range and histogram, top categories with counts.

Computed when the report is built, from the table the run read, and only when that file is still
readable and unchanged (its checksum matches the one in run.json); otherwise the report says why
and shows the profile without them. Data given in memory, or as a folder of media files, has no
table to re-read.

Example:
    >>> import pandas as pd
    >>> s = summarise(pd.Series([1.0, 2.0, 2.5, 4.0, None]), "numeric")
    >>> s["min"], s["max"], sum(s["counts"]), s["missing"]
    (1.0, 4.0, 4, 1)
    >>> summarise(pd.Series(["a", "b", "a"]), "categorical")["top"]
    [['a', 2], ['b', 1]]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

BINS = 12
TOP = 5
MAX_BYTES = 50 * 2**20  # larger tables are not read again at report time (it would slow every fit's end)
SUMMARISED = ("numeric", "categorical", "boolean")


def column_summaries(record: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """``{"columns": {name: summary}}`` for the run's numeric, categorical and boolean columns, or
    ``{"missing": reason}``."""
    data = record.get("data") or {}
    path = locate(data.get("source"), run_dir)
    if path is None:
        return {"missing": "the data the run read is not a table file readable from here"}
    if path.stat().st_size > MAX_BYTES:
        return {"missing": f"the data file is over {MAX_BYTES // 2**20} MB, too large to read again for the report"}
    if data.get("sha256"):
        from ..data import Dataset
        from ..data.fingerprint import fingerprint

        if fingerprint(Dataset(None, path.name, str(path), root=path.parent)) != data["sha256"]:
            return {"missing": f"{path.name} has changed since the run read it"}
    from ..data import read_table
    from ..data.encoding import recorded
    from ..data.memory import CSV_FACTOR
    from ..errors import DataError, TooLargeError

    try:  # a packed file unpacks no further than MAX_BYTES
        frame = read_table(path, memory=int(MAX_BYTES * CSV_FACTOR),
                           commas=tuple(data.get("decimal_commas") or ()), encoding=recorded(data)).frame
    except TooLargeError:
        return {"missing": f"the data file unpacks to over {MAX_BYTES // 2**20} MB, too large to read again for the "
                           "report"}
    except DataError as exc:
        return {"missing": str(exc)}
    kinds = {c["name"]: c.get("kind") for c in (record.get("profile") or {}).get("columns", [])}
    return {"columns": {name: summarise(frame[name], kind) for name, kind in kinds.items()
                        if kind in SUMMARISED and name in frame.columns}}


def summarise(values: Any, kind: str) -> dict[str, Any]:
    """A numeric column's range and ``BINS`` equal-width counts; otherwise its ``TOP`` values with counts."""
    import numpy as np
    import pandas as pd

    present = values.dropna()
    missing = int(len(values) - len(present))
    if kind == "numeric" and not pd.api.types.is_bool_dtype(present):
        from ..data.number_text import to_number

        numbers = to_number(values).to_numpy(dtype="float64")  # as the model reads them: $1,234.50 too
        numbers = numbers[np.isfinite(numbers)]
        missing = int(len(values) - len(numbers))
        if len(numbers) == 0:
            return {"kind": "numeric", "missing": missing, "min": None, "max": None, "counts": []}
        low, high = float(numbers.min()), float(numbers.max())
        counts, _ = np.histogram(numbers, bins=BINS, range=(low, high) if high > low else (low - 0.5, low + 0.5))
        return {"kind": "numeric", "missing": missing, "min": low, "max": high,
                "mean": round(float(numbers.mean()), 6), "counts": counts.tolist()}
    counted = present.astype(str).value_counts()
    top = [[str(k), int(v)] for k, v in counted.head(TOP).items()]
    return {"kind": "categorical", "missing": missing, "top": top, "other": int(counted.iloc[TOP:].sum()),
            "distinct": int(len(counted))}


def locate(source: Any, run_dir: Path) -> Path | None:
    """The table file ``source`` names, as given or relative to the run folder's parents; None when absent."""
    if not source or source in ("dataframe", "arrays"):
        return None
    given = Path(str(source)).expanduser()
    candidates = [given] if given.is_absolute() else [given, *(p / given for p in Path(run_dir).resolve().parents)]
    for path in candidates[:4]:
        if path.is_file():
            from ..data import TABLE_SUFFIXES
            from ..data.packed import table_suffix
            from ..errors import DataError

            try:
                return path if table_suffix(path) in TABLE_SUFFIXES else None
            except DataError:  # a zip archive that does not hold one table
                return None
    return None

