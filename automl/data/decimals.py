"""Decimal commas: the columns of a ``;`` or tab file written as ``1,5`` or ``1.234,50 €``, found and read as numbers.

Files delimited by something other than a comma come from locales that write
a decimal comma and a dot (or a space: ``1 234,5``) between thousands. A
column is *found* to be written that way when nine values in ten or more are
such numbers (the rest, an Excel ``#DIV/0!`` or a ``-``, are then missing,
and a note says so) and at least one has a comma (``find``); in a
comma-delimited file, only a quoted column that no thousands separator could
make (``"1,5"``). One file alone cannot tell ``1.392`` (a thousand and more,
dotted) from 1.392, so a run keeps the columns it found (``run.json``'s
``data.decimal_commas``) and ``read`` reads them the same way in every later
file: a file to predict whose column has no comma, and every piece of a file
read in pieces.

``read`` goes value by value: one that is a decimal-comma number (a dot
between groups of three digits only) is read as one; any other is read as
``number_text.to_number`` reads it, so ``1.5`` stays 1.5.

Example:
    >>> import pandas as pd
    >>> table = pd.DataFrame({"w": ["1,5", "1.234,25", None], "s": ["a,b", "1,5", "x"]})
    >>> find(table)
    ['w']
    >>> read(pd.DataFrame({"w": ["1.392", "1.5", "2,5 %"]}), ["w"])["w"].tolist()
    [1392.0, 1.5, 2.5]
"""

from __future__ import annotations

from typing import Any, Iterable

from .number_text import CURRENCY, NUMBERS_SHARE, to_number

SPACES = " \u00a0\u202f"  # a space, a no-break space, a narrow no-break space: French thousands (1 234,5)
NUMBER = (r"(?:\d{1,3}(?:\.\d{3})+|\d{1,3}(?:[" + SPACES + r"]\d{3})+|\d+)(?:,\d+)?")  # 1,5 1.234,5 1 234,5
# the same, written for people: a sign, a currency sign, a percent sign, an accountant's parentheses
PATTERN = (r"\(?\s*[+\-\u2212]?\s*[" + CURRENCY + r"]?\s*[+\-\u2212]?\s*" + NUMBER
           + r"\s*(?:%|[" + CURRENCY + r"])?\s*\)?")


def find(frame: Any, strict: bool = False) -> list[str]:
    """The text columns of ``frame`` whose values are decimal-comma numbers (at least ``NUMBERS_SHARE`` of them,
    one with a comma). ``strict``, for a comma-delimited file, where a comma between groups of three digits is a
    thousands separator: every value must be one, and one must have a comma no thousands separator makes
    (``"1,5"``, quoted).

    >>> import pandas as pd
    >>> find(pd.DataFrame({"a": ["1,5", "2,25"], "b": ["1,500", "2,000"], "c": ["1,5", "n/a"]}), strict=True)
    ['a']
    """
    found = []
    for name in frame.columns:
        column = frame[name]
        if not is_text(column):
            continue
        starts = column.str.match(r"\s*[(.+\-\u2212" + CURRENCY + r"\d]").fillna(False).astype(bool)  # no copy
        if starts.sum() < NUMBERS_SHARE * column.notna().sum():  # most values cannot be numbers: free text, names
            continue
        values = column.dropna().astype(str).str.strip()
        written = values.str.fullmatch(PATTERN)
        if values.empty or not values[written].str.contains(",", regex=False).any():
            continue
        if strict and not (written.all() and values.str.contains(r",(?:\d{1,2}|\d{4,})(?!\d)").any()):
            continue
        if _numbers(values).notna().mean() < NUMBERS_SHARE:  # an unpaired parenthesis, two signs: not a number
            continue
        found.append(str(name))
    return found


def read(frame: Any, names: Iterable[str], notes: list[str] | None = None) -> Any:
    """``frame`` with its text columns among ``names`` read as decimal-comma numbers (floats; a value that is no
    number is missing, and ``notes``, when given, says so). Columns already numeric, and names it lacks, are left
    as they are."""
    for name in names:
        if name in frame.columns and is_text(frame[name]):
            column = frame[name]
            frame[name] = _numbers(column).astype(float)
            lost = column[column.notna() & frame[name].isna()]
            if notes is not None and len(lost):
                shown = ", ".join(repr(str(v)) for v in lost.astype(str).unique()[:3])
                notes.append(f"column {name!r} mixes numbers and text: {len(lost):,} non-number(s) such as {shown} "
                             "are treated as missing.")
    return frame


def notes(found: Iterable[str], carried: Iterable[str]) -> list[str]:
    """What a run says of the columns ``found`` in its file and those ``carried`` from the file it trained on.

    >>> notes(["w"], ["p"])[1]
    "Column(s) 'p' are read with decimal commas, as in the file the model was trained on (1.392 is 1392)."
    """
    found, carried = list(found), list(carried)
    said = [f"Column(s) {_named(found)} are written with decimal commas (as in 1,5 or 1.234,5) and are read as "
            "numbers."] if found else []
    return said + ([f"Column(s) {_named(carried)} are read with decimal commas, as in the file the model was "
                    "trained on (1.392 is 1392)."] if carried else [])


def _named(columns: list[str], shown: int = 5) -> str:
    """``columns`` quoted, the first ``shown`` of them.

    >>> _named(["a", "b", "c"], 2)
    "'a', 'b' and 1 more"
    """
    more = f" and {len(columns) - shown} more" if len(columns) > shown else ""
    return ", ".join(repr(c) for c in columns[:shown]) + more


def _numbers(column: Any) -> Any:
    """Each value of ``column`` as a number: swapped to a decimal point where it is written with a decimal comma,
    then read through ``to_number``."""
    text = column.astype("string").str.strip()
    comma = text.str.fullmatch(PATTERN).fillna(False).astype(bool)
    swapped = text.str.replace(f"[.{SPACES}]", "", regex=True).str.replace(",", ".", regex=False)
    plain = swapped.where(comma, text)
    return to_number(plain.astype(object).where(plain.notna(), None))


def is_text(column: Any) -> bool:
    """Whether ``column`` holds text (str or object dtype), which decimal commas could be read from."""
    import pandas as pd

    return pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column)
