"""``--weight COL``: the column that says how much each row counts (a survey weight, the amount at stake, a
correction for rows over- or under-sampled), checked before a run. Its values must be numbers, none missing,
none negative, and not all zero among the rows with a target; a weight of 0 leaves a row out of training and of
every score. It is not a feature.

A weighted row counts that much in each model's training loss and in every score the run computes (the
validation scores that choose, and the test scores), as scikit-learn's ``sample_weight`` does.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"w": [1.0, 2.0, 0.5, 0.0], "y": [0, 1, 0, 1]})
    >>> reason(frame["w"], frame.index)[:70]
    'weighs rows (`weight`): from 0 to 2 (mean 0.875); each row counts that'
    >>> values(frame, "w").tolist()
    [1.0, 2.0, 0.5, 0.0]
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, DataError, not_a_column


def check_column(columns: list[str], weight: str | None, target: str | None, drop: list[str],
                 others: dict[str, str | None]) -> None:
    """``weight`` (``--weight``) is a column of the data, and neither the target, dropped, nor a column another
    argument names (``others``: argument -> column, such as ``{"group": "patient"}``)."""
    if weight is None:
        return
    if not isinstance(weight, str) or weight not in columns:
        raise ConfigError(not_a_column("weight", weight, columns))
    taken = {target: "the target"} | {c: f"named by `{o}` too" for o, c in others.items() if c}
    taken |= {c: "left out by `drop`" for c in drop}
    if weight in taken:
        raise ConfigError(f"`weight` names {weight!r}, which is {taken[weight]}; a weight column must be another "
                          "column of the data.")


def reason(column: Any, rows: Any) -> str:
    """What ``--weight``'s column does, from its values in the rows with a target (``rows``); a ``DataError``
    naming the first bad value when they are not weights."""
    found = checked(column.loc[rows])
    return (f"weighs rows (`weight`): from {found.min():g} to {found.max():g} (mean {found.mean():.4g}); each row "
            "counts that much in training and in every score; not a feature.")


def values(frame: Any, weight: str) -> Any:
    """The weights of ``frame``'s rows, as floats (checked as ``reason`` checks them)."""
    return checked(frame[weight])


def checked(column: Any, given: str | None = None) -> Any:
    """``column`` as a float array, or a ``DataError`` that names the problem, a row and the fix. ``given``: how
    the weights came when not as a column of the data (``"sample_weight"``): the error names it and the position.

    >>> import pandas as pd
    >>> checked(pd.Series([1, -2], name="w"))
    Traceback (most recent call last):
    ...
    automl.errors.DataError: `weight` column 'w' has a negative weight (-2 in data row 2); weights are 0 or more.
    >>> checked(pd.Series([1, None]), given="sample_weight")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    automl.errors.DataError: sample_weight is missing in 1 value(s) (the first is sample_weight[1]); give every ...
    """
    import numpy as np
    import pandas as pd

    what, rows = (given, "value(s)") if given else (f"`weight` column {column.name!r}", "row(s) with a target")

    def at(label: Any) -> str:
        return f"{given}[{column.index.get_loc(label)}]" if given else f"data row {_row(column, label)}"

    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        numbers = pd.Series(np.nan, index=column.index) if pd.api.types.is_bool_dtype(column) else \
            pd.to_numeric(column, errors="coerce")  # true/false is no weight
        bad = column[column.notna() & numbers.isna()]
        if len(bad):
            raise DataError(f"{what} holds values that are not numbers such as {str(bad.iloc[0])!r} in "
                            f"{at(bad.index[0])}; give numbers, 0 or more.")
        column = numbers
    out = column.to_numpy(dtype=float, na_value=np.nan)
    missing = np.flatnonzero(np.isnan(out))
    if len(missing):
        raise DataError(f"{what} is missing in {len(missing):,} {rows} (the first is {at(column.index[missing[0]])}); "
                        "give every row a weight, 0 to leave it out.")
    infinite = np.flatnonzero(~np.isfinite(out))
    if len(infinite):
        raise DataError(f"{what} has an infinite weight ({at(column.index[infinite[0]])}); give finite numbers.")
    negative = np.flatnonzero(out < 0)
    if len(negative):
        raise DataError(f"{what} has a negative weight ({out[negative[0]]:g} in {at(column.index[negative[0]])}); "
                        "weights are 0 or more.")
    if not len(out) or not out.sum() > 0:
        where = "every row with a target" if not given else "every row"
        raise DataError(f"{what} is 0 in {where}, so no row would count; give some rows a weight above 0.")
    return out


def _row(column: Any, label: Any) -> int:
    """The 1-based data row of index ``label``: the label plus one, as a file's rows are numbered from 0 when read
    (else its position in ``column``)."""
    import numpy as np

    if isinstance(label, (int, np.integer)):
        return int(label) + 1
    return int(column.index.get_loc(label)) + 1


def attached(dataset: Any, sample_weight: Any, name: str = "sample_weight") -> tuple[Any, str]:
    """``dataset`` with ``sample_weight`` (one number per row, as scikit-learn's ``fit`` takes it) as a column
    of its own, and that column's name: ``name``, or ``name`` with a number after it when the data has such a
    column already.

    >>> import pandas as pd
    >>> from automl.data import Dataset
    >>> data, column = attached(Dataset(pd.DataFrame({"sample_weight": [1, 2], "y": [0, 1]}), "d", "d"), [1.0, 3.0])
    >>> column, data.frame[column].tolist()
    ('sample_weight_1', [1.0, 3.0])
    """
    import dataclasses

    import numpy as np
    import pandas as pd

    if getattr(dataset, "large", None) is not None:
        raise ConfigError("sample_weight cannot be used on a table read in pieces (it would give weights to the rows "
                          "held in memory only); put the weights in a column of the file and name it with weight=.")
    given = np.asarray(sample_weight).ravel()
    if len(given) != len(dataset.frame):
        raise DataError(f"sample_weight has {len(given):,} values but the data has {len(dataset.frame):,} rows; give "
                        "one weight per row.")
    given = checked(pd.Series(given), given=name)
    taken, column, n = set(map(str, dataset.frame.columns)), name, 0
    while column in taken:
        n += 1
        column = f"{name}_{n}"
    frame = dataset.frame.copy()
    frame[column] = given
    return dataclasses.replace(dataset, frame=frame), column


def plan_reason(column: str) -> str:
    """What the plan says of ``--weight``.

    >>> plan_reason("w")[:63]
    "Rows count as much as their weight in 'w' (`weight`): every cla"
    """
    return (f"Rows count as much as their weight in {column!r} (`weight`): every classical model weighs them in its "
            "training loss, every network trains on rows drawn in proportion to their weight, and every score that "
            "chooses (validation) or reports (test, the baseline) is weighted.")
