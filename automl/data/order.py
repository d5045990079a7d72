"""``--order COL``: rows ordered in time by a column of dates or numbers, checked before a run. The test rows are
then the latest, and every validation split fits on earlier rows than the ones it scores (``splitting``), so a
model is judged the way it will be used: on what comes after what it learned from. The column stays a feature
unless it is dropped (``--drop``).

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"day": ["2024-01-03", "2024-01-01", "2024-01-02"]})
    >>> keys(frame, "day").argsort().tolist()
    [1, 2, 0]
    >>> reason(frame["day"], frame.index)
    'dates from 2024-01-01 to 2024-01-03'
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, not_a_column
from . import dates


def check_column(columns: list[str], order: str | None, target: str | None, group: str | None) -> None:
    """``order`` (``--order``) is a column of the data, not the target, and not asked beside ``--group``."""
    if order is None:
        return
    if not isinstance(order, str) or order not in columns:
        raise ConfigError(not_a_column("order", order, columns))
    if order == target:
        raise ConfigError(f"`order` names {order!r}, which is the target; order the rows by another column.")
    if group is not None:
        raise ConfigError("`order` and `group` cannot be used together yet: give one of them.")


def keys(frame: Any, order: str) -> Any:
    """One float per row of ``frame`` that sorts as column ``order`` does (dates as seconds since 1970); NaN
    where a value is missing or unreadable."""
    import pandas as pd

    values = frame[order]
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float).to_numpy()
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float).to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values):
        when = values
    else:
        when = dates.read(values, dates.day_first(values))  # 13.01.2021 and 01.02.2021 alike, day first
    epoch = pd.Timestamp("1970-01-01", tz=when.dt.tz)
    return (when - epoch).dt.total_seconds().to_numpy(dtype=float)  # NaT: NaN


def reason(values: Any, rows: Any) -> str:
    """What ``--order``'s column holds in the rows with a target (``rows``): its range; a ``ConfigError`` when
    some of them have no readable date or number."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"v": values.loc[rows]})
    found = keys(frame, "v")
    bad = int(np.isnan(found).sum())
    if bad:
        sample = frame["v"][np.isnan(found)].head(3).tolist()
        shown = ", ".join("a blank" if pd.isna(s) else repr(str(s)) for s in sample)
        raise ConfigError(f"`order` column {values.name!r} has no date or number in {bad:,} row(s) with a target "
                          f"(such as {shown}); rows can only be ordered by a column that "
                          "has one in every row. Fill or drop those rows, or order by another column.")
    first, last = frame["v"].iloc[int(found.argmin())], frame["v"].iloc[int(found.argmax())]
    kind = "numbers" if pd.api.types.is_numeric_dtype(frame["v"]) else "dates"
    return f"{kind} from {first} to {last}"
