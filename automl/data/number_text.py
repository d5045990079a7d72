"""Numbers written for people: ``$1,234.50``, ``12.5%``, ``(300.00)``, ``€ 99``, read as numbers.

Spreadsheets and reports export amounts with a currency sign, thousands separators, a percent sign or an
accountant's parentheses for a negative; pandas reads every such column as text. ``to_number`` reads a value
the way a person does: the signs and separators go, parentheses make it negative, and a percentage keeps the
number as written (``12.5%`` is 12.5); a typographic minus (U+2212) is a minus. A comma counts as a thousands
separator only between groups of three digits (``1,234``), so a decimal comma (``1,5``) is never read as fifteen:
it is no number here (``decimals`` reads them, in files delimited by ``;`` or tabs). Anything else is missing.

Inspection (``columns.numbers_as_text``) and the encoder (fit and predict alike) read through the same function,
value by value, so a column is read the same way in every file it comes from.

Example:
    >>> import pandas as pd
    >>> to_number(pd.Series(["$1,234.50", "12.5%", "(300)", "€ 99", "-7", "1e3", "1,5", "n/a", None])).tolist()
    [1234.5, 12.5, -300.0, 99.0, -7.0, 1000.0, nan, nan, nan]
"""

from __future__ import annotations

from typing import Any

CURRENCY = "$€£¥₹"
NUMBERS_SHARE = 0.9  # a text column is read as numbers when this share of its values are; the rest are missing
MINUS = "\u2212-"  # the typographic minus sign, as some exports write it, and the hyphen (last: no range)
_SIGN = "[+" + MINUS + "]"
_FORMATTED = (r"^\s*(?P<open>\()?\s*(?P<sign>" + _SIGN + r")?\s*[" + CURRENCY + r"]?\s*(?P<sign2>" + _SIGN + r")?\s*"
              r"(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)\s*(?:%|[" + CURRENCY + r"])?\s*"
              r"(?P<close>\))?\s*$")


def to_number(values: Any) -> Any:
    """``values`` (a pandas Series) as floats: numbers as pandas reads them, then the rest read through their
    formatting (``$1,234.50``, ``12.5%``, ``(300)``); what is neither is NaN."""
    import numpy as np
    import pandas as pd

    number = pd.to_numeric(values, errors="coerce")
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return number.astype(float)
    number = number.astype(float)
    rest = number.isna() & values.notna()
    if not rest.any():
        return number
    parts = values[rest].astype(str).str.extract(_FORMATTED)
    paired = parts["open"].isna() == parts["close"].isna()  # parentheses come in pairs
    one_sign = parts["sign"].isna() | parts["sign2"].isna()
    amount = pd.to_numeric(parts["number"].str.replace(",", "", regex=False), errors="coerce").astype(float)
    negative = parts["open"].notna() | parts["sign"].isin(list(MINUS)) | parts["sign2"].isin(list(MINUS))
    amount = amount.where(~negative, -amount).where(paired & one_sign, np.nan)
    number.loc[rest] = amount.to_numpy()
    return number

