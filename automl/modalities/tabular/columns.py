"""How a column of strings is read as a table's feature: true/false words, numbers, dates, an identifier or categories.

These detectors run among the other modalities' (image and audio paths
first, free text between dates and identifiers); ``categorical`` takes
whatever nobody else claimed.

Example:
    >>> import pandas as pd
    >>> values = pd.Series(["yes", "no", "yes"])
    >>> boolean_words(TextColumn("c", values, values, unique=2, n=3)).kind
    'boolean'
"""

from __future__ import annotations

from ..base import Claim, Detector, TextColumn
from ...data.dates import SHORT, TIME_ONLY, day_first, read
from ...data.number_text import NUMBERS_SHARE, to_number

MAX_CATEGORY_LEVELS = 254  # HistGradientBoosting's limit; XGBoost is fine with it too
BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "t", "f", "y", "n"})


def boolean_words(column: TextColumn) -> Claim | None:
    if column.unique == 2 and set(column.lower.unique()) <= BOOLEAN_WORDS:
        return Claim("boolean", "two values read as true/false.")
    return None


def numbers_as_text(column: TextColumn) -> Claim | None:
    """Mostly numbers, plain or written for people (``$1,234.50``, ``12.5%``: ``number_text``): the rest (typos,
    "n/a") become missing values, and the profile says so."""
    import pandas as pd

    as_number = to_number(column.sample)
    share = float(as_number.notna().mean())
    if share < NUMBERS_SHARE:
        return None
    bad = column.sample[as_number.isna()].unique()[:3]
    shown = ", ".join(repr(str(b)) for b in bad)
    notes = (f"column {column.name!r} mixes numbers and text: non-numbers such as {shown} are treated as missing.",)
    reason = f"{share:.0%} of values are numbers."
    read = as_number.notna() & pd.to_numeric(column.sample, errors="coerce").isna()
    if read.any():  # only through their formatting
        example, value = str(column.sample[read].iloc[0]).strip(), float(as_number[read].iloc[0])
        reason = (f"{share:.0%} of values are numbers written with currency signs, thousands separators, percent "
                  f"signs or parentheses ({example!r} is read as {value:g}).")
    return Claim("numeric", reason, notes=notes if len(bad) else ())


def dates(column: TextColumn) -> Claim | None:
    """Dates and times, short ones (``31.12.2021``, ``12/31/2021``) read one way per column (``data.dates``)."""
    probe = column.sample.head(200)
    year_or_time = probe.str.contains(r"(?:^|\D)\d{4}(?:\D|$)|\d{1,2}:\d{2}")
    separated = probe.str.contains(r"[-/:]") | probe.str.match(SHORT)
    if not year_or_time.mean() > 0.9 or not separated.mean() > 0.9:
        return None
    first = day_first(column.sample)
    if float(read(probe, first).notna().mean()) < 0.95:
        return None
    if probe.str.fullmatch(TIME_ONLY).mean() > 0.5:
        return Claim("datetime", f"values are times of day (such as {probe.iloc[0].strip()!r}), read on one fixed day "
                                 "so they mean the same whenever predicted; expanded to the hour and the time as a "
                                 "fraction of a day.")
    short = column.sample[column.sample.str.match(SHORT).fillna(False).astype(bool)].head(50)
    fields = short.str.extract(SHORT)
    short = short[(fields[0].astype(int) != fields[2].astype(int)).to_numpy()].head(1) if len(short) else short
    when = read(short, first)
    how = (f" ({'day' if first else 'month'} first: {short.iloc[0].strip()!r} is {when.iloc[0].day} "
           f"{when.iloc[0]:%B %Y})" if len(short) and not when.isna().all() else "")
    return Claim("datetime", f"values parse as dates{how}; expanded to year, month, day, weekday and hour.")


def identifier(column: TextColumn) -> Claim | None:
    ratio = column.unique / column.n
    if ratio > 0.9 and column.n >= 50:
        return Claim("identifier", f"{column.unique} distinct values in {column.n} rows ({ratio:.0%}), short and "
                                   "unrepeated like an identifier; dropped.", used=False)
    return None


def categorical(column: TextColumn) -> Claim:
    if column.unique <= MAX_CATEGORY_LEVELS:
        return Claim("categorical", f"{column.unique} distinct text values.")
    note = (f"column {column.name!r} has {column.unique:,} levels; the {MAX_CATEGORY_LEVELS} most frequent are kept "
            "and the rest grouped as one.")
    return Claim("categorical", f"{column.unique:,} distinct text values (high cardinality, capped at "
                                f"{MAX_CATEGORY_LEVELS}).", notes=(note,))


DETECTORS = (Detector(30, boolean_words), Detector(40, numbers_as_text), Detector(50, dates),
             Detector(90, identifier), Detector(1000, categorical))
