"""Dates written as text, read one way per column: ``31.12.2021`` and ``12/31/2021`` alike.

A short date (day, month and year as numbers, in some order) is ambiguous
value by value: pandas' mixed parsing reads ``13.01.2021`` as 13 January but
``01.02.2021`` as 2 January, so one column would hold two conventions and its
month, day and order would be wrong for most rows. ``day_first`` decides once
per column, from its values: a first number over 12 means the day comes
first, a second number over 12 means the month does; when nothing tells,
dots mean the day (``31.12.2021``, the European habit) and slashes or dashes
the month (``12/31/2021``, as pandas reads them). ``read`` then reads every
short date that way; ISO dates (``2021-12-31``) and dates with month names
read as pandas reads them. The tabular encoder keeps the decision with the
model, so every file it predicts is read the way the training rows were.
A time of day alone (``14:30``) is read on 1 January 1970, not on the day it
is read (pandas' way), so its parts mean the same at fit and at predict.

Example:
    >>> import pandas as pd
    >>> values = pd.Series(["13.01.2021", "01.02.2021", "2021-03-04", None])
    >>> day_first(values)
    True
    >>> [str(d.date()) if not pd.isna(d) else None for d in read(values, dayfirst=True)]
    ['2021-01-13', '2021-02-01', '2021-03-04', None]
"""

from __future__ import annotations

import warnings
from typing import Any

MAX_LOOKED_AT = 200_000  # distinct values read to decide a column's order
TIME_ONLY = r"\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*"  # 14:30, 2:30 pm, 09:15:07.5
SHORT = r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)"  # 31.12.2021, 12/31/21, 3-4-2021 (a time may follow)


def day_first(values: Any) -> bool:
    """Whether ``values`` (a pandas Series) write their short dates with the day first."""
    import pandas as pd

    if not (pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values)):
        return False
    distinct = values.dropna().astype(str).drop_duplicates()
    if len(distinct) > MAX_LOOKED_AT:  # a random share, not the first rows: a file sorted by date starts on day 1
        distinct = distinct.sample(MAX_LOOKED_AT, random_state=0)
    parts = distinct.str.extract(SHORT).dropna()
    if parts.empty:
        return False
    first, second = (pd.to_numeric(parts[i]) for i in (0, 2))
    if (second > 12).any():
        return False
    if (first > 12).any():
        return True
    return bool((parts[1] == ".").mean() > 0.5)  # nothing tells: dots are written day first


def read(values: Any, dayfirst: bool = False, utc: bool = True) -> Any:
    """``values`` as dates (NaT where a value is none), its short dates read day first when ``dayfirst``."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values, utc=utc)
    text = values.astype("string")
    clock = text.str.fullmatch(TIME_ONLY).fillna(False).astype(bool)
    if clock.any():  # a time alone: on one fixed day, so that it reads the same whatever the day
        values = values.astype(object).where(~clock, "1970-01-01 " + text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format": mixed formats are read value by value
        when = pd.to_datetime(values, errors="coerce", format="mixed", utc=utc)
        if dayfirst:
            short = values.astype("string").str.match(SHORT).fillna(False).astype(bool).to_numpy()
            if short.any():
                when[short] = pd.to_datetime(values[short], errors="coerce", format="mixed", dayfirst=True,
                                             utc=utc).to_numpy()
    return when
